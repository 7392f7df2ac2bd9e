// Refreshes the status page's figures every 30 s without reloading it. The page works without this file.
(function () {
  var box = document.querySelector('[data-status-url]');
  if (!box || !window.fetch) return;
  var url = box.getAttribute('data-status-url');
  function set(id, text) { var el = document.getElementById(id); if (el) el.firstChild.nodeValue = text; }
  function refresh() {
    fetch(url, { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (s) {
      if (s.state === 'closed') { location.reload(); return; }
      set('minutes-left', s.timeLeft);
      set('mb-left', s.mbLeft + ' MB');
      set('speed', (s.downKbps / 1000).toFixed(1) + ' / ' + (s.upKbps / 1000).toFixed(1) + ' Mbps');
      set('busy', s.busyPercent + '%');
    }).catch(function () {});
  }
  setInterval(refresh, 30000);
})();
