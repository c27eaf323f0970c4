// Comments: the article page is one cached document for everyone. This asks /comments/me/
// who the reader is, then puts in the form and "Edit"/"Delete" on the reader's own comments.
// Without it every link still leads to a working page under /comments/.
(function () {
  "use strict";

  var block = document.querySelector("[data-comments]");
  if (!block || !window.fetch) return;
  var slot = block.querySelector("[data-comment-form]");

  function link(text, href, className) {
    var a = document.createElement("a");
    a.textContent = text;
    a.href = href;
    a.className = className;
    return a;
  }

  function markMine(mine) {
    mine.forEach(function (own) {
      var comment = document.getElementById("comment-" + own.id);
      var actions = comment && comment.querySelector(".comment__actions");
      if (!actions) return;
      var report = actions.querySelector(".comment__report");
      if (report) report.remove();
      if (own.editable) actions.appendChild(link("Edit", own.edit_url, "comment__edit"));
      actions.appendChild(link("Delete", own.delete_url, "comment__delete"));
      comment.classList.add("comment__body--mine");
    });
  }

  function enableReplies(form) {
    var home = form.parentNode;
    var replyTo = form.querySelector("[name=reply_to]");
    var cancel = form.querySelector("[data-cancel-reply]");
    var textarea = form.querySelector("textarea");
    function putBack() {
      replyTo.value = "";
      cancel.hidden = true;
      home.appendChild(form);
    }
    block.addEventListener("click", function (event) {
      var reply = event.target.closest(".comment__reply");
      if (!reply) return;
      event.preventDefault();
      replyTo.value = new URL(reply.href).searchParams.get("reply_to");
      cancel.hidden = false;
      reply.closest(".comment__body").after(form);
      textarea.focus();
    });
    cancel.addEventListener("click", function () {
      putBack();
      textarea.focus();
    });
  }

  var signedIn = false;

  function ask() {
    return fetch(block.getAttribute("data-me"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (me) {
        if (!me || !me.signed_in || signedIn) return;
        signedIn = true;
        if (me.form && slot) {
          slot.innerHTML = me.form;
          var form = slot.querySelector("form");
          if (form) enableReplies(form);
        } else if (me.reason && slot) {
          slot.textContent = "";
          var note = document.createElement("p");
          note.className = "comments__closed";
          note.textContent = me.reason;
          slot.appendChild(note);
        }
        markMine(me.mine || []);
      })
      .catch(function () {
        // The links keep working without this.
      });
  }

  var asking = ask();
  // Signed in through the header's dialog, without leaving the page: the form comes now.
  document.addEventListener("masthead:account", function (event) {
    if (event.detail && event.detail.signed_in && !signedIn) {
      asking = asking.then(function () {
        if (!signedIn) return ask();
      });
    }
  });
})();
