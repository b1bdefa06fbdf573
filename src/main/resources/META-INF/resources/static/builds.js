// Follows a running build's log over Server-Sent Events and reloads the page when the build has ended.
(function () {
  var pre = document.getElementById('build-log');
  if (!pre || !pre.dataset.stream || !window.EventSource) {
    return;
  }
  var source = new EventSource(pre.dataset.stream);
  var first = true;
  source.addEventListener('log', function (e) {
    if (first) {
      pre.textContent = ''; // the stream replays the whole log
      first = false;
    }
    var atBottom = window.innerHeight + window.scrollY >= document.body.offsetHeight - 40;
    pre.textContent += e.data + '\n';
    if (atBottom) {
      window.scrollTo(0, document.body.scrollHeight);
    }
  });
  source.addEventListener('end', function (e) {
    source.close();
    var state = document.getElementById('build-state');
    if (state) {
      state.textContent = e.data;
    }
    setTimeout(function () { window.location.reload(); }, 500);
  });
})();
