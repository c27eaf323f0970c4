// Masthead: the newsletter forms of a cached page, for a signed-in reader. The page carries no
// per-reader token; /newsletter/me/ says the reader's address and their lists, account.js the
// CSRF token, and each form becomes one click: tick the lists, press Subscribe. Without this file (or
// signed out) the form posts an address, which gets a confirmation e-mail.
(function () {
  "use strict";
  var forms = document.querySelectorAll("[data-newsletter-form]");
  if (!forms.length || !/(?:^|;\s*)masthead_signed_in=1(?:;|$)/.test(document.cookie)) return;

  function enhance(section, me) {
    var form = section.querySelector("form");
    var row = form.querySelector("[data-address-row]");
    var field = row.querySelector(".newsletter-signup__email");
    var note = document.createElement("p");
    note.className = "newsletter-signup__account";
    note.textContent = "Subscribe as " + me.email;
    field.replaceWith(note);
    form.action = me.subscribe_url;
    var token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = me.csrf_token;
    form.appendChild(token);
    // Another script's request may have set a new CSRF cookie since (comments.js asks
    // /comments/me/ at the same moment): Django's documented way is to send the cookie's value.
    form.addEventListener("submit", function () {
      var cookie = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
      if (cookie) token.value = decodeURIComponent(cookie[1]);
    });
    form.querySelectorAll("input[name=lists]").forEach(function (box) {
      if (me.lists.indexOf(Number(box.value)) === -1) return;
      box.checked = true;
      box.disabled = true;
      var label = box.parentNode.querySelector("[data-list-name]");
      if (label) label.textContent += " (subscribed)";
    });
  }

  // The CSRF token is the one account.js got from /accounts/me/ (or, at submit, the cookie's).
  function start(account) {
    var url = forms[0].getAttribute("data-me-url");
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (me) {
        if (!me || !me.signed_in || !me.email || !account.csrf_token) return;
        me.csrf_token = account.csrf_token;
        forms.forEach(function (section) { enhance(section, me); });
      })
      .catch(function () { /* the form stays as it is: an address and a confirmation e-mail */ });
  }

  if (window.mastheadAccount) start(window.mastheadAccount);
  else document.addEventListener("masthead:account", function (event) { start(event.detail); }, { once: true });
})();
