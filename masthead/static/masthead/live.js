// Live coverage: asks the poll address for entries newer than the newest shown, as often as the
// answer says, and puts them at the top of the list (announced politely to screen readers).
(function () {
  "use strict";
  var root = document.querySelector("[data-live-coverage]");
  if (!root || !window.fetch || root.getAttribute("data-state") !== "live") return;
  var list = root.querySelector("[data-live-entries]");
  var keyEvents = root.querySelector("[data-key-events]");
  var keyEventsBox = root.querySelector("[data-key-events-box]");
  var pollUrl = root.getAttribute("data-poll-url");
  var latest = root.getAttribute("data-latest") || "0";
  var seconds = parseInt(root.getAttribute("data-poll-seconds"), 10) || 10;

  function element(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function add(entries) {
    // The answer lists the newest first: put the oldest at the top first.
    for (var i = entries.length - 1; i >= 0; i--) {
      var entry = entries[i];
      if (document.getElementById("entry-" + entry.id)) continue;
      list.insertBefore(element(entry.html), list.firstChild);
      if (entry.key_event_html) {
        keyEvents.insertBefore(element(entry.key_event_html), keyEvents.firstChild);
        keyEventsBox.hidden = false;
      }
    }
    var empty = root.querySelector("[data-live-empty]");
    if (empty && entries.length) empty.remove();
  }

  function end(data) {
    root.setAttribute("data-state", data.state);
    root.querySelector("[data-live-title]").textContent = "Live coverage has ended";
    if (data.summary_html) root.querySelector("[data-live-summary]").innerHTML = data.summary_html;
  }

  function later(wait) {
    window.setTimeout(poll, wait * 1000);
  }

  function poll() {
    if (document.hidden) {
      document.addEventListener("visibilitychange", poll, { once: true });
      return;
    }
    fetch(pollUrl + "?after=" + encodeURIComponent(latest), {
      headers: { Accept: "application/json" },
      credentials: "omit",
    })
      .then(function (response) {
        if (response.status === 404) throw new Error("gone");
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        add(data.entries);
        latest = String(data.latest > parseInt(latest, 10) ? data.latest : latest);
        if (data.state !== "live") {
          end(data);
          return;
        }
        seconds = data.poll_seconds || seconds;
        later(seconds);
      })
      .catch(function (error) {
        if (error.message !== "gone") later(seconds * 3);
      });
  }

  later(seconds);
})();
