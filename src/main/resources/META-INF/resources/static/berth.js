// Live status: re-fetch the server-rendered status fragment every 2 seconds and swap it in.
// The page works without this script (it falls back to a meta refresh inside <noscript>).
(function () {
  "use strict";
  var live = document.querySelector("[data-refresh]");
  if (!live || !window.fetch) {
    return;
  }
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
  setInterval(refresh, 2000);
})();
