// Live announcements on every page (members and visitors alike); pages show them without it.
// The server renders each one in this viewer's language (with its dismiss form), so this only inserts and
// removes fragments: `announcement` carries the HTML, `announcement.delete` the id.
(function () {
  'use strict';
  var slot = document.querySelector('section.announcements');
  if (!slot || !window.EventSource || !window.DOMParser) { return; }
  var back = slot.getAttribute('data-back') || '/';
  var source = new EventSource('/announcements/live?back=' + encodeURIComponent(back));
  source.addEventListener('open', function () { slot.setAttribute('data-live', '1'); });
  source.addEventListener('announcement', function (event) {
    var fresh = new DOMParser().parseFromString(event.data, 'text/html').body.firstElementChild;
    if (!fresh || !fresh.id || document.getElementById(fresh.id)) { return; }
    slot.insertBefore(document.importNode(fresh, true), slot.firstChild);
  });
  source.addEventListener('announcement.delete', function (event) {
    var old = document.getElementById('announcement-' + event.data);
    if (old) { old.parentNode.removeChild(old); }
  });
  window.addEventListener('pagehide', function () { source.close(); });
}());
