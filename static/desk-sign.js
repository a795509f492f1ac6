// Progress while a signing batch is being signed: the form posts as usual
// (the page works without this script); meanwhile the batch's JSON is polled
// and the counts are shown.
(function () {
  var form = document.getElementById('sign-form');
  var status = document.getElementById('progress');
  if (!status || !window.fetch) return;
  // A part signed asynchronously: reload once its result has arrived.
  var poll = status.getAttribute('data-poll');
  if (poll) {
    var waiting = setInterval(function () {
      fetch(poll, { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (b) {
        if (!b.in_flight) { clearInterval(waiting); window.location.reload(); }
      }).catch(function () {});
    }, 1000);
  }
  if (!form) return;
  form.addEventListener('submit', function () {
    var button = form.querySelector('button');
    if (button) button.disabled = true;
    var url = form.getAttribute('data-status');
    var timer = setInterval(function () {
      fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (b) {
        var ok = 0, failed = 0, pending = 0;
        b.items.forEach(function (i) {
          if (i.state === 'signed') ok++; else if (i.state === 'failed') failed++; else pending++;
        });
        status.textContent = 'Se semnează… ' + ok + ' semnate, ' + failed + ' eșuate, ' + pending + ' de semnat.';
      }).catch(function () {});
    }, 500);
    window.addEventListener('pagehide', function () { clearInterval(timer); });
  });
})();
