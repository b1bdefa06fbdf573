// Live parts: re-fetch each server-rendered fragment marked data-refresh every 2 seconds and swap it in.
// The page works without this script (it falls back to a meta refresh inside <noscript>).
(function () {
  "use strict";
  if (!window.fetch) {
    return;
  }
  document.querySelectorAll("[data-refresh]").forEach(function (live) { poll(live); });
})();

function poll(live) {
  "use strict";
  var url = live.getAttribute("data-refresh");
  function refresh() {
    if (document.hidden) {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { live.innerHTML = html; } })
      .catch(function () { /* keep the last status; try again on the next tick */ });
  }
  refresh();
  setInterval(refresh, 2000);
}
