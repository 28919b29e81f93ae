// The desk's only script: keep a live part of a page fresh while it is open.
// An element with data-refresh="<url>" is refetched every data-every ms (same origin, with the
// session cookie) and its contents replaced when they changed. Polling pauses while the tab is
// hidden and stops when the session has ended (the page then says so).
(function () {
  "use strict";
  function start(el) {
    var url = el.getAttribute("data-refresh");
    var every = parseInt(el.getAttribute("data-every") || "2000", 10);
    var last = el.innerHTML;
    var status = document.querySelector("[data-live-status]");
    var timer = null;
    function tick() {
      if (document.hidden) { timer = setTimeout(tick, every); return; }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (response.status === 401) {
            if (status) { status.textContent = "(stopped: you are signed out)"; }
            return null;
          }
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          if (html === null) { return; }
          if (html && html !== last) { el.innerHTML = html; last = html; }
          if (status) { status.textContent = "(updated " + new Date().toLocaleTimeString() + ")"; }
          timer = setTimeout(tick, every);
        })
        .catch(function () { timer = setTimeout(tick, every * 2); });
    }
    timer = setTimeout(tick, every);
    return timer;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var live = document.querySelectorAll("[data-refresh]");
    for (var i = 0; i < live.length; i++) { start(live[i]); }
  });
})();
