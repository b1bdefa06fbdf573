// Every state-changing call a script makes to Berth carries the session's CSRF token in the X-CSRF-Token header
// (the page puts it in <meta name="csrf-token">); the server refuses such calls without it (docs/security.md).
function berthFetch(url, options) {
  "use strict";
  var opts = options || {};
  var method = (opts.method || "GET").toUpperCase();
  opts.credentials = "same-origin";
  opts.headers = opts.headers || {};
  if (method !== "GET" && method !== "HEAD") {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      opts.headers["X-CSRF-Token"] = meta.getAttribute("content");
    }
  }
  return fetch(url, opts);
}

// Live parts: re-fetch each server-rendered fragment marked data-refresh every 2 seconds and swap it in.
// The page works without this script (it falls back to a meta refresh inside <noscript>). The X-Berth-Fragment
// header asks for the part alone; a browser following the same link without this script gets a whole page.
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
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html", "X-Berth-Fragment": "1" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { live.innerHTML = html; } })
      .catch(function () { /* keep the last status; try again on the next tick */ });
  }
  refresh();
  setInterval(refresh, 2000);
}
