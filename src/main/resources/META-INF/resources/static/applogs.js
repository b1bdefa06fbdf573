// Follows an app's runtime logs over Server-Sent Events: one line per event, with time, region and pod. Keeps the
// last lines only, and stays at the bottom unless the reader scrolled up to read. Lines that arrive together are
// added once per frame as text nodes, so a busy log costs the page its new lines, not a rewrite of the whole log.
(function () {
  var pre = document.getElementById('app-log');
  if (!pre || !pre.dataset.stream || !window.EventSource) {
    return;
  }
  var MAX_LINES = 2000;
  var queued = [];
  var waiting = true;
  pre.textContent = 'Waiting for log lines…';
  var source = new EventSource(pre.dataset.stream);
  var later = window.requestAnimationFrame || function (f) { return setTimeout(f, 16); };
  function flush() {
    var atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 20;
    if (waiting) {
      pre.textContent = '';
      waiting = false;
    }
    var lines = document.createDocumentFragment();
    queued.splice(0, queued.length).forEach(function (text) {
      lines.appendChild(document.createTextNode(text + '\n'));
    });
    pre.appendChild(lines);
    while (pre.childNodes.length > MAX_LINES) {
      pre.removeChild(pre.firstChild);
    }
    if (atBottom) {
      pre.scrollTop = pre.scrollHeight;
    }
  }
  function show(text) {
    if (queued.push(text) === 1) {
      later(flush);
    }
  }
  source.addEventListener('log', function (e) {
    var l = JSON.parse(e.data);
    var time = l.time ? l.time.substring(11, 19) : '--:--:--';
    show(time + ' ' + l.region + '/' + l.pod + '  ' + l.text);
  });
  source.addEventListener('note', function (e) {
    show('# ' + e.data);
  });
  source.addEventListener('end', function (e) {
    show('# ' + e.data);
    source.close();
  });
  window.addEventListener('pagehide', function () { source.close(); });
})();
