// Tag suggestions beside an article's tag field: "Suggest tags" reads the draft (headline,
// standfirst, the text of the body's editors) and offers tags, each added with one click.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-tag-suggestions-url");

  function draftText(form) {
    var parts = [];
    ["title", "standfirst"].forEach(function (name) {
      var field = form.querySelector("[name='" + name + "']");
      if (field && field.value) parts.push(field.value + ".");
    });
    form.querySelectorAll("[contenteditable='true'], textarea").forEach(function (editor) {
      if (editor.name === "standfirst") return;
      parts.push(editor.innerText || editor.value || "");
    });
    return parts.join("\n");
  }

  function chosenTags(input) {
    return input.value;
  }

  function addTag(input, name) {
    var $ = window.jQuery;
    if ($ && $(input).data("uiTagit")) {
      $(input).tagit("createTag", name);
    } else {
      var names = input.value ? input.value.split(",") : [];
      names.push(name.indexOf(" ") === -1 ? name : '"' + name + '"');
      input.value = names.join(",");
    }
  }

  function setUp() {
    var input = document.querySelector("input[name='tags'][data-controller~='w-tag']");
    if (!input || !url || document.querySelector("[data-tag-suggestions]")) return;
    var form = input.form;
    var box = document.createElement("div");
    box.className = "tag-suggestions";
    box.setAttribute("data-tag-suggestions", "");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small button-secondary";
    button.textContent = "Suggest tags";
    var status = document.createElement("p");
    status.className = "help";
    status.setAttribute("role", "status");
    var list = document.createElement("ul");
    list.className = "tag-suggestions__list";
    list.setAttribute("aria-label", "Suggested tags");
    box.append(button, status, list);
    var field = input.closest("[data-field-input]") || input.parentNode;
    field.parentNode.insertBefore(box, field.nextSibling);

    button.addEventListener("click", function () {
      var body = new FormData();
      body.append("text", draftText(form));
      body.append("tags", chosenTags(input));
      var token = form.querySelector("[name='csrfmiddlewaretoken']");
      status.textContent = "Reading the draft…";
      fetch(url, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": token ? token.value : "" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok) throw new Error(data.error || "No suggestions could be made.");
            return data;
          });
        })
        .then(function (data) {
          list.replaceChildren();
          data.suggestions.forEach(function (suggestion) {
            var item = document.createElement("li");
            var add = document.createElement("button");
            add.type = "button";
            add.className = "button button-small button-secondary tag-suggestions__tag";
            add.textContent = "+ " + suggestion.name;
            add.title = suggestion.reason;
            add.setAttribute("aria-label", "Add the tag " + suggestion.name + " (" + suggestion.reason + ")");
            add.addEventListener("click", function () {
              addTag(input, suggestion.name);
              item.remove();
            });
            item.append(add);
            list.append(item);
          });
          status.textContent = data.suggestions.length
            ? data.suggestions.length + " suggested: click one to add it."
            : "No tags to suggest from this draft yet.";
        })
        .catch(function (error) {
          status.textContent = error.message;
        });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
