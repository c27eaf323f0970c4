// Masthead: the share links work without this file; where the browser has a share sheet
// (navigator.share), it adds a button that opens it.
(function () {
  "use strict";
  if (!navigator.share) return;
  document.querySelectorAll("[data-share]").forEach(function (box) {
    var button = box.querySelector(".share__native");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator
        .share({ title: box.getAttribute("data-share-title"), url: box.getAttribute("data-share-url") })
        .catch(function () {}); // the reader closed the sheet
    });
  });
})();
