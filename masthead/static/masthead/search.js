// Live search in the header: the WAI-ARIA combobox pattern on top of a plain search form.
// Without this file the form still submits to /search/.
(function () {
  "use strict";

  var MIN_LENGTH = 2;
  var DELAY = 200;
  var form = document.querySelector(".header-search");
  if (!form || !window.fetch) return;
  var input = form.querySelector(".header-search__input");
  var popup = form.querySelector(".live-search");
  var listbox = popup.querySelector("[role=listbox]");
  var empty = popup.querySelector(".live-search__empty");
  var status = form.querySelector("[role=status]");
  var timer = null;
  var controller = null;
  var shownFor = null;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", listbox.id);
  input.setAttribute("aria-expanded", "false");

  function options() {
    return Array.prototype.slice.call(listbox.querySelectorAll("[role=option]"));
  }

  function activeIndex() {
    return options().findIndex(function (option) {
      return option.getAttribute("aria-selected") === "true";
    });
  }

  function setActive(index) {
    options().forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
      if (i === index) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
    if (index < 0) input.removeAttribute("aria-activedescendant");
  }

  function setOpen(open) {
    popup.hidden = !open;
    input.setAttribute("aria-expanded", open && options().length ? "true" : "false");
    if (!open) setActive(-1);
  }

  function show(html, query) {
    listbox.innerHTML = html;
    shownFor = query;
    var count = listbox.querySelectorAll("[role=option]:not(.live-search__all)").length;
    listbox.hidden = count === 0;
    empty.hidden = count !== 0;
    empty.textContent = count ? "" : "No results for “" + query + "”";
    status.textContent = count
      ? count + (count === 1 ? " article" : " articles") + " found; use the arrow keys to choose."
      : "No results.";
    setOpen(true);
  }

  function message(text) {
    listbox.innerHTML = "";
    listbox.hidden = true;
    empty.hidden = false;
    empty.textContent = text;
    status.textContent = text;
    shownFor = null;
    setOpen(true);
  }

  function lookUp() {
    var query = input.value.trim();
    if (query.length < MIN_LENGTH) {
      if (controller) controller.abort();
      shownFor = null;
      setOpen(false);
      return;
    }
    if (query === shownFor) {
      setOpen(true);
      return;
    }
    if (controller) controller.abort();
    controller = new AbortController();
    var url = input.dataset.liveUrl + "?q=" + encodeURIComponent(query);
    fetch(url, { signal: controller.signal, headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status === 429) {
          message("Too many searches at once: wait a few seconds.");
          return null;
        }
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        if (html !== null && input.value.trim() === query) show(html, query);
      })
      .catch(function (error) {
        if (error.name !== "AbortError") message("Search is not answering; press Enter to search.");
      });
  }

  function go(option) {
    window.location.href = option.dataset.href;
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, DELAY);
  });

  input.addEventListener("keydown", function (event) {
    var all = options();
    var index = activeIndex();
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp":
        event.preventDefault();
        if (popup.hidden) {
          lookUp();
          return;
        }
        if (!all.length) return;
        if (event.key === "ArrowDown") setActive(index + 1 < all.length ? index + 1 : 0);
        else setActive(index > 0 ? index - 1 : all.length - 1);
        return;
      case "Enter":
        if (!popup.hidden && index >= 0) {
          event.preventDefault();
          go(all[index]);
        }
        return;
      case "Escape":
        if (!popup.hidden) {
          event.preventDefault();
          setOpen(false);
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          shownFor = null;
        }
        return;
      case "Tab":
        setOpen(false);
        return;
    }
  });

  // Clicking an option must not blur the input first; a click elsewhere closes the list.
  popup.addEventListener("mousedown", function (event) {
    event.preventDefault();
  });
  popup.addEventListener("click", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) go(option);
  });
  popup.addEventListener("mousemove", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) setActive(options().indexOf(option));
  });
  input.addEventListener("focus", function () {
    if (shownFor !== null && input.value.trim() === shownFor) setOpen(true);
  });
  input.addEventListener("blur", function () {
    setOpen(false);
  });
})();
