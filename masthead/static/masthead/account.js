// Masthead: the header's account link and the login dialog. The page is one cached document for
// every reader; who is signed in (and the CSRF token a form posts with) comes from /accounts/me/.
// Without this file "Log in" is a link to the login page, which comes back to ?next=.
(function () {
  "use strict";
  var nav = document.querySelector("[data-account-nav]");
  var template = document.getElementById("login-dialog-template");
  var dialog = null;
  if (!nav) return;
  var meUrl = nav.getAttribute("data-me-url");
  var next = "";

  function signedInHint() {
    return /(?:^|;\s*)masthead_signed_in=1(?:;|$)/.test(document.cookie);
  }

  function fetchMe() {
    return fetch(meUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error("account state: " + response.status);
      return response.json();
    });
  }

  function element(name, attributes, text) {
    var node = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text) node.textContent = text;
    return node;
  }

  function here() {
    return window.location.pathname + window.location.search + window.location.hash;
  }

  function showReader(me) {
    if (!me.signed_in) return;
    var menu = element("details", { "class": "account-nav__menu" });
    var summary = element("summary", { "class": "account-nav__name" });
    if (me.avatar_url) {
      summary.appendChild(element("img", { "class": "account-nav__avatar", src: me.avatar_url, alt: "", width: "24", height: "24" }));
    }
    summary.appendChild(element("span", {}, me.display_name));
    menu.appendChild(summary);
    var list = element("ul", { "class": "account-nav__list" });
    var profile = element("li");
    profile.appendChild(element("a", { href: me.profile_url }, "Your profile"));
    list.appendChild(profile);
    if (me.admin_url) {
      var admin = element("li");
      admin.appendChild(element("a", { href: me.admin_url }, "Newsroom admin"));
      list.appendChild(admin);
    }
    var out = element("li");
    var form = element("form", { method: "post", action: me.logout_url });
    form.appendChild(element("input", { type: "hidden", name: "csrfmiddlewaretoken", value: me.csrf_token }));
    form.appendChild(element("input", { type: "hidden", name: "next", value: here() }));
    form.appendChild(element("button", { type: "submit", "class": "account-nav__logout" }, "Log out"));
    out.appendChild(form);
    list.appendChild(out);
    menu.appendChild(list);
    nav.replaceChildren(menu);
    window.mastheadAccount = me;  // for scripts that start after the event (newsletter.js)
    document.dispatchEvent(new CustomEvent("masthead:account", { detail: me }));
  }

  function nextOf(link) {
    try {
      var url = new URL(link.getAttribute("href"), window.location.href);
      var wanted = url.searchParams.get("next");
      if (wanted && wanted.charAt(0) === "/" && wanted.charAt(1) !== "/") return wanted;
    } catch (error) { /* a link without an address: come back here */ }
    return here();
  }

  function showErrors(messages) {
    var box = dialog.querySelector(".login-dialog__errors");
    box.replaceChildren();
    messages.forEach(function (message) { box.appendChild(element("p", {}, message)); });
    box.hidden = messages.length === 0;
  }

  function formErrors(data) {
    var messages = [];
    var form = data && data.form;
    if (!form) return ["Something went wrong. Please try again."];
    (form.errors || []).forEach(function (message) { messages.push(message); });
    Object.keys(form.fields || {}).forEach(function (name) {
      (form.fields[name].errors || []).forEach(function (message) {
        messages.push(form.fields[name].label + ": " + message);
      });
    });
    return messages.length ? messages : ["Something went wrong. Please try again."];
  }

  function arrive(location) {
    var target = new URL(location, window.location.href);
    var current = new URL(window.location.href);
    if (target.pathname !== current.pathname || target.search !== current.search) {
      window.location.assign(target.href);
      return;
    }
    dialog.close();
    fetchMe().then(showReader);
    if (target.hash && target.hash !== current.hash) window.location.hash = target.hash;
    else if (target.hash) {
      var place = document.getElementById(decodeURIComponent(target.hash.slice(1)));
      if (place) place.scrollIntoView();
    }
  }

  function makeDialog() {
    document.body.appendChild(template.content.cloneNode(true));
    dialog = document.getElementById("login-dialog");
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();  // a click on the backdrop
    });
    dialog.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      submit(event.target);
    });
  }

  function open(link) {
    if (!dialog) makeDialog();
    next = nextOf(link);
    dialog.querySelector("[name=next]").value = next;
    showErrors([]);
    return fetchMe().then(function (me) {
      if (me.signed_in) {
        arrive(next);
        return;
      }
      dialog.querySelector("[name=csrfmiddlewaretoken]").value = me.csrf_token;
      if (!dialog.open) dialog.showModal();
      dialog.querySelector("[name=login]").focus();
    });
  }

  function submit(form) {
    var button = form.querySelector("[type=submit]");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" }
    }).then(function (response) {
      if (response.status === 429) {
        showErrors(["Too many attempts in a short time. Please wait a few minutes and try again."]);
        return null;
      }
      if (response.status === 403) {
        showErrors(["Your page had been open a long time. Please try again."]);
        return fetchMe().then(function (me) {
          form.querySelector("[name=csrfmiddlewaretoken]").value = me.csrf_token;
          return null;
        });
      }
      return response.json().then(function (data) {
        if (response.ok && data.location) arrive(data.location);
        else showErrors(formErrors(data));
      });
    }).catch(function () {
      showErrors(["The site could not be reached. Please check your connection and try again."]);
    }).then(function () {
      button.disabled = false;
    });
  }

  if (signedInHint()) fetchMe().then(showReader).catch(function () { /* stays "Log in" */ });

  if (!template || typeof HTMLDialogElement !== "function") return;

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-login-dialog]");
    if (link) {
      event.preventDefault();
      open(link).catch(function () { window.location.assign(link.href); });
      return;
    }
    if (dialog && event.target.closest("[data-close-dialog]")) dialog.close();
  });
})();
