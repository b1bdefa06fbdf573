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

// After a refused form post the page comes back with each error next to its field (docs/ui.md): bring the first
// invalid field into view and focus it; when the refusal names no field of the form, bring its message into view.
(function () {
  "use strict";
  var first = document.querySelector('[aria-invalid="true"]') || document.querySelector(".flash.err[role=alert]");
  if (!first) {
    return;
  }
  first.scrollIntoView({ block: "center" });
  if (first.matches("input, textarea, select")) {
    first.focus({ preventScroll: true });
  }
})();

// Live pages (docs/ui.md). A page names its stream in <meta name="berth-live" content="/t/x/live" data-page="...">.
// The server sends a "change" event when something the page shows may have changed; the page then fetches itself
// (data-page) and morphs each part marked data-live (by id) whose HTML changed, and fetches each part marked
// data-refresh from its own address. The morph (Idiomorph) keeps focus, scroll, open <details> and anything typed;
// an input the user has not touched follows the server's value.
// Without EventSource, or when it keeps failing, the page polls instead. Without JavaScript nothing of this runs:
// the pages work as plain HTML (the app page has a <noscript> refresh).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="berth-live"]');
  var refreshed = document.querySelectorAll("[data-refresh]");
  if (!window.fetch || (!meta && refreshed.length === 0)) {
    return;
  }
  var POLL_MS = 5000;
  var last = {};
  var running = false;
  var again = false;
  var polling = null;

  // Attributes a morph must leave alone: an open <details> the user opened, and inputs the user changed.
  function keep(name, el) {
    if (name === "open" && el.tagName === "DETAILS") {
      return true;
    }
    if ((name === "value" || name === "checked") && (el.tagName === "INPUT" || el.tagName === "TEXTAREA"
        || el.tagName === "SELECT")) {
      return el === document.activeElement || el.value !== el.defaultValue
        || (el.type === "checkbox" || el.type === "radio") && el.checked !== el.defaultChecked;
    }
    return false;
  }
  var options = {
    ignoreActiveValue: true,
    restoreFocus: true,
    callbacks: { beforeAttributeUpdated: function (name, el) { return !keep(name, el); } }
  };

  function morph(target, html, style) {
    if (window.Idiomorph) {
      window.Idiomorph.morph(target, html, Object.assign({ morphStyle: style }, options));
    } else if (style === "innerHTML") {
      target.innerHTML = html;
    }
  }

  // A part fetched from its own address asks for the part alone (X-Berth-Fragment); the page asks for the page.
  function get(url, part) {
    var headers = { "Accept": "text/html" };
    if (part) {
      headers["X-Berth-Fragment"] = "1";
    }
    return fetch(url, { credentials: "same-origin", headers: headers })
      .then(function (r) { return r.ok ? r.text() : null; });
  }

  function pageUrl() {
    var page = meta && meta.getAttribute("data-page");
    if (!page) {
      return null;
    }
    // After a refused form post the address is the form's; the page itself is data-page.
    return location.pathname === page ? location.pathname + location.search : page;
  }

  function refreshPage() {
    var url = pageUrl();
    if (!url || !document.querySelector("[data-live]")) {
      return Promise.resolve();
    }
    return get(url, false).then(function (html) {
      if (html === null) {
        return;
      }
      var doc = new DOMParser().parseFromString(html, "text/html");
      document.querySelectorAll("[data-live]").forEach(function (part) {
        // A part showing a refused post's errors keeps them until the user sends the form again.
        if (part.querySelector('[aria-invalid="true"], .flash.err')) {
          return;
        }
        var fresh = part.id && doc.getElementById(part.id);
        if (fresh && fresh.outerHTML !== last[part.id]) {
          last[part.id] = fresh.outerHTML;
          morph(part, fresh, "outerHTML");
        }
      });
    });
  }

  function refreshParts() {
    return Promise.all(Array.prototype.map.call(document.querySelectorAll("[data-refresh]"), function (part) {
      var url = part.getAttribute("data-refresh");
      return get(url, true).then(function (html) {
        if (html !== null && html !== last[url]) {
          last[url] = html;
          morph(part, html, "innerHTML");
        }
      });
    }));
  }

  // One refresh at a time; a change during one is caught by one more afterwards.
  function refresh() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    Promise.all([refreshPage(), refreshParts()])
      .catch(function () { /* keep what is shown; the next change or poll tries again */ })
      .then(function () {
        running = false;
        document.documentElement.setAttribute("data-live-refreshed", String(Date.now()));
        if (again) {
          refresh();
        }
      });
  }

  function poll() {
    document.documentElement.setAttribute("data-live", "polling");
    if (!polling) {
      polling = setInterval(function () {
        if (!document.hidden) {
          refresh();
        }
      }, POLL_MS);
    }
  }

  function listen(url) {
    var failures = 0;
    var source = new EventSource(url);
    source.addEventListener("ready", function () {
      failures = 0;
      document.documentElement.setAttribute("data-live", "open");
      refresh(); // catch what changed while the stream was (re)connecting
    });
    source.addEventListener("change", refresh);
    source.onerror = function () {
      failures++;
      document.documentElement.setAttribute("data-live", "reconnecting");
      if (failures >= 3) {
        source.close();
        poll();
      }
    };
  }

  // Parts fetched from their own address start empty (a link for browsers without script): fill them now.
  refreshParts();
  if (meta && window.EventSource) {
    listen(meta.getAttribute("content"));
  } else {
    poll();
  }
})();
