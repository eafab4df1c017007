// The data saver's placeholders (a.photo-wait, rendered by the server as the core decided). Without this
// script each is a link to a page showing the photo. With it: `near` ones load when scrolled near, `tap`
// ones load in place when tapped, and `data-slow="tap"` ones stay for a tap when the browser reports a
// slow-2g/2g link (Network Information API).
(function () {
  'use strict';
  var connection = navigator.connection || navigator.mozConnection || navigator.webkitConnection;
  function slowLink() {
    if (!connection) { return false; }
    return connection.saveData === true || connection.effectiveType === 'slow-2g' || connection.effectiveType === '2g';
  }

  function show(link) {
    if (link.getAttribute('data-loaded')) { return; }
    link.setAttribute('data-loaded', '1');
    var img = document.createElement('img');
    var svg = link.querySelector('svg');
    img.alt = link.getAttribute('data-alt') || '';
    if (svg) { img.width = svg.width.baseVal.value; img.height = svg.height.baseVal.value; }
    img.decoding = 'async';
    img.addEventListener('load', function () {
      while (link.firstChild) { link.removeChild(link.firstChild); }
      link.appendChild(img);
      link.classList.remove('photo-wait');
    });
    img.src = link.getAttribute('data-src');
    link.href = link.getAttribute('data-large') || link.href;
  }

  var observer = window.IntersectionObserver ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { observer.unobserve(entry.target); show(entry.target); }
    });
  }, { rootMargin: '600px 0px' }) : null;

  function watch(link) {
    if (link.getAttribute('data-watched')) { return; }
    link.setAttribute('data-watched', '1');
    var waitsForTap = link.getAttribute('data-load') === 'tap' || (link.getAttribute('data-slow') === 'tap' && slowLink());
    if (waitsForTap) {
      link.addEventListener('click', function (event) {
        if (link.getAttribute('data-loaded')) { return; }
        event.preventDefault();
        show(link);
      });
    } else if (observer) {
      observer.observe(link);
    } else {
      show(link);
    }
  }

  function scan(root) {
    var links = (root || document).querySelectorAll('a.photo-wait');
    for (var i = 0; i < links.length; i++) { watch(links[i]); }
  }

  window.StarconPhotos = { scan: scan, slowLink: slowLink };
  scan(document);
  // Posts and messages added live carry placeholders too.
  if (window.MutationObserver) {
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) { if (node.nodeType === 1) { scan(node.parentNode || node); } });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }
}());
