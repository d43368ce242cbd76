// Progressive enhancement only: every page works without it. A region marked data-live (an
// offboarding's progress) is refreshed from the same page every two seconds until it says it is done.
(function () {
  'use strict';
  var live = document.querySelector('[data-live]');
  if (!live || live.hasAttribute('data-live-done')) return;
  function refresh() {
    fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (res) {
        return res.ok ? res.text() : null;
      })
      .then(function (text) {
        if (!text) return;
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var next = doc.querySelector('[data-live]');
        if (!next) return;
        live.replaceWith(next);
        live = next;
        if (!next.hasAttribute('data-live-done')) window.setTimeout(refresh, 2000);
      })
      .catch(function () {
        window.setTimeout(refresh, 5000);
      });
  }
  window.setTimeout(refresh, 2000);
})();
