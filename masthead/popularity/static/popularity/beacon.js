// Masthead: counts one view of the article for "most read": its id and nothing else, with no
// cookie. The script tag says where to send it (data-url) and which article (data-article).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || document.visibilityState === "prerender") return;
  var url = script.getAttribute("data-url");
  var article = script.getAttribute("data-article");
  function send() {
    if (navigator.sendBeacon) {
      navigator.sendBeacon(url, new Blob([article], { type: "text/plain" }));
    } else if (window.fetch) {
      fetch(url, { method: "POST", body: article, keepalive: true, credentials: "omit" });
    }
  }
  if (document.readyState === "complete") send();
  else window.addEventListener("load", send, { once: true });
})();
