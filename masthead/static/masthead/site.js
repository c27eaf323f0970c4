// Masthead: the page works without this file; it only makes the menus open and close.
(function () {
  "use strict";

  function setExpanded(button, expanded) {
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
  }

  function closeSubmenus(except) {
    document.querySelectorAll(".submenu-toggle[aria-expanded='true']").forEach(function (button) {
      if (!except || !button.parentElement.contains(except)) setExpanded(button, false);
    });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".menu-toggle, .submenu-toggle");
    if (toggle) {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      if (toggle.classList.contains("submenu-toggle")) closeSubmenus(toggle);
      setExpanded(toggle, open);
      return;
    }
    if (!event.target.closest(".main-nav")) closeSubmenus();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.activeElement && document.activeElement.closest(".menu__item");
    var button = open && open.closest(".menu__item--parent");
    closeSubmenus();
    var menuToggle = document.querySelector(".menu-toggle[aria-expanded='true']");
    if (button) {
      button.querySelector(".submenu-toggle").focus();
    } else if (menuToggle) {
      setExpanded(menuToggle, false);
      menuToggle.focus();
    }
  });
})();
