// Follows an app's runtime logs over Server-Sent Events: one line per event, with time, region and pod. Keeps the
// last lines only, and stays at the bottom unless the reader scrolled up to read.
(function () {
  var pre = document.getElementById('app-log');
  if (!pre || !pre.dataset.stream || !window.EventSource) {
    return;
  }
  var MAX_LINES = 2000;
  var lines = [];
  pre.textContent = 'Waiting for log lines…';
  var source = new EventSource(pre.dataset.stream);
  function show(text) {
    var atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 20;
    lines.push(text);
    if (lines.length > MAX_LINES) {
      lines.splice(0, lines.length - MAX_LINES);
    }
    pre.textContent = lines.join('\n');
    if (atBottom) {
      pre.scrollTop = pre.scrollHeight;
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
