// The calendar's drag and drop: an article dropped on another hour is moved there, keeping its
// minutes, through the same form its "Change" menu holds (which works without this script).
(function () {
  "use strict";
  var calendar = document.querySelector("[data-calendar]");
  if (!calendar) return;
  var dragged = null;

  calendar.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("[data-entry]");
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.getAttribute("data-entry"));
  });
  calendar.addEventListener("dragend", function () {
    dragged = null;
    calendar.querySelectorAll(".is-target").forEach(function (cell) { cell.classList.remove("is-target"); });
  });
  calendar.addEventListener("dragover", function (event) {
    var cell = event.target.closest("[data-slot]");
    if (!cell || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    cell.classList.add("is-target");
  });
  calendar.addEventListener("dragleave", function (event) {
    var cell = event.target.closest("[data-slot]");
    if (cell && !cell.contains(event.relatedTarget)) cell.classList.remove("is-target");
  });
  calendar.addEventListener("drop", function (event) {
    var cell = event.target.closest("[data-slot]");
    if (!cell || !dragged) return;
    event.preventDefault();
    var form = dragged.querySelector("form[data-move]");
    form.elements.when.value = cell.getAttribute("data-slot") + ":" + dragged.getAttribute("data-minute");
    form.submit();
  });
})();
