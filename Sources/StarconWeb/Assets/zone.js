// The browser's time zone for the server (the `sc_tz` cookie), on every page from the sign-in page on, so
// the first page after signing in already shows times in the member's zone. A zone chosen in Settings
// wins over it; without script the instance's zone is used.
(function () {
  'use strict';
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf('sc_tz=' + encodeURIComponent(zone)) < 0) {
      document.cookie = 'sc_tz=' + encodeURIComponent(zone) + '; path=/; max-age=31536000; samesite=lax';
    }
  } catch (e) { /* no Intl: the instance's zone stays */ }
})();
