// The edition's page: its progress polled while it sends, and "Send now" submitted once.
(function () {
  "use strict";
  var section = document.querySelector("[data-progress-url]");
  document.querySelectorAll("[data-send-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    });
  });
  if (!section || section.dataset.progressStatus !== "sending") return;
  var bar = section.querySelector("[data-progress-bar]");
  var preparing = section.querySelector("[data-progress-preparing]");
  function poll() {
    fetch(section.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (progress) {
        bar.value = progress.percent;
        bar.textContent = progress.percent + "%";
        document.querySelectorAll("[data-progress-field]").forEach(function (field) {
          field.textContent = progress[field.dataset.progressField];
        });
        preparing.hidden = !progress.preparing;
        if (progress.status === "sending") window.setTimeout(poll, 2000);
        else window.location.reload();  // its actions change with its status
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 2000);
})();
