// The team's queue keeps itself current while it is open (decision 42): every few seconds it asks for this page again
// and takes over what changed in the rows it shows (assignee, state, risk, due date) and the counts, so that a
// colleague's claim shows without a reload. Rows are never added, removed or moved: the next load does that. Without
// this script the page is the same, current as of its last load.
(function () {
  'use strict';
  var region = document.querySelector('[data-live-queue]');
  if (!region || !window.fetch || !window.DOMParser) return;
  var status = document.getElementById('queue-live');
  var seconds = parseInt(region.getAttribute('data-live-queue'), 10) || 15;

  function text(element) { return element ? element.textContent.trim() : ''; }

  function say(template, caseNumber, name) {
    return (template || '').replace('{case}', caseNumber).replace('{name}', name);
  }

  function refresh() {
    if (document.visibilityState === 'hidden') return;
    fetch(window.location.href, { credentials: 'same-origin', redirect: 'manual', headers: { 'Accept': 'text/html' } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var next = new DOMParser().parseFromString(html, 'text/html');
        var news = [];
        var rows = document.querySelectorAll('[data-live-queue] tbody tr[id]');
        for (var i = 0; i < rows.length; i++) {
          var row = rows[i];
          var fresh = next.getElementById(row.id);
          if (!fresh) {
            // Gone from this selection (taken while "unassigned" is chosen, say, or decided): marked, not removed, so
            // that nothing moves under the reader's eyes; the next load shows the list as it is.
            var cell = row.querySelector('[data-live="assignee"]');
            if (cell && !row.hasAttribute('data-gone')) {
              row.setAttribute('data-gone', '');
              cell.textContent = status.getAttribute('data-gone-cell');
              news.push(say(status.getAttribute('data-gone'), row.id.substring(4), ''));
            }
            continue;
          }
          var cells = row.querySelectorAll('[data-live]');
          for (var j = 0; j < cells.length; j++) {
            var key = cells[j].getAttribute('data-live');
            var now = fresh.querySelector('[data-live="' + key + '"]');
            if (!now || text(now) === text(cells[j])) continue;
            if (key === 'assignee') {
              var caseNumber = row.id.substring(4);
              news.push(now.getAttribute('data-assigned') === 'no'
                ? say(status.getAttribute('data-released'), caseNumber, '')
                : say(status.getAttribute('data-claimed'), caseNumber, text(now)));
            }
            cells[j].innerHTML = now.innerHTML;
            if (key === 'assignee') cells[j].setAttribute('data-assigned', now.getAttribute('data-assigned'));
          }
        }
        var counts = document.querySelectorAll('[data-live-count]');
        for (var k = 0; k < counts.length; k++) {
          var count = next.querySelector('[data-live-count="' + counts[k].getAttribute('data-live-count') + '"]');
          if (count && text(count) !== text(counts[k])) counts[k].textContent = text(count);
        }
        if (news.length > 0) status.textContent = news.join(' ');
      })
      .catch(function () { /* offline for a moment: the next turn tries again */ });
  }

  window.setInterval(refresh, seconds * 1000);
})();
