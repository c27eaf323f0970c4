// Moderation by keyboard: j/k move between comments, x selects, a/r/s approve, reject or mark
// as spam the selected comments (or the current one when none is selected).
(function () {
  "use strict";

  var form = document.querySelector("[data-moderation]");
  if (!form) return;
  var rows = Array.prototype.slice.call(form.querySelectorAll("tr[data-row]"));
  var current = -1;
  var actions = { a: "approve", r: "reject", s: "spam" };

  function focusRow(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) {
      row.classList.toggle("comment-queue__row--current", i === current);
    });
    rows[current].focus();
  }

  function submit(action) {
    var boxes = form.querySelectorAll("input[name=comment]:checked");
    if (!boxes.length && current >= 0) {
      rows[current].querySelector("input[name=comment]").checked = true;
    }
    var field = document.createElement("input");
    field.type = "hidden";
    field.name = "action";
    field.value = action;
    form.appendChild(field);
    form.submit();
  }

  var all = form.querySelector("[data-select-all]");
  if (all) {
    all.addEventListener("change", function () {
      form.querySelectorAll("input[name=comment]").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.matches("input[type=text], input[type=search], textarea, select")) return;
    if (event.key === "j") {
      focusRow(current + 1);
    } else if (event.key === "k") {
      focusRow(current - 1);
    } else if (event.key === "x" && current >= 0) {
      var box = rows[current].querySelector("input[name=comment]");
      box.checked = !box.checked;
    } else if (actions[event.key] && (current >= 0 || form.querySelector("input[name=comment]:checked"))) {
      submit(actions[event.key]);
    } else {
      return;
    }
    event.preventDefault();
  });
})();
