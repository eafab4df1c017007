// Progressive enhancement of photos and long lists; both work without it.
//  - a post's photo opens over the page instead of on its own page: the viewer page's figure is fetched
//    and shown in a dialog (Esc closes, ← → step through the post's photos, focus returns to the photo);
//  - a paged list (`[data-pages]`) loads its next page as the member scrolls to its "older" link, which
//    stays in the page for readers without script.
(function () {
  'use strict';
  if (!window.fetch || !window.DOMParser) { return; }

  var parse = function (html) { return new DOMParser().parseFromString(html, 'text/html'); };

  // Photo viewer.
  var overlay = null, opener = null;
  var close = function () {
    if (!overlay) { return; }
    overlay.parentNode.removeChild(overlay);
    overlay = null;
    document.body.classList.remove('viewer-open');
    if (opener) { opener.focus({ preventScroll: true }); }
  };
  var show = function (href) {
    return fetch(href, { credentials: 'same-origin' }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var figure = parse(html).querySelector('.viewer-figure');
      if (!figure) { throw new Error('no figure'); }
      if (!overlay) {
        overlay = document.createElement('div');
        overlay.className = 'viewer-overlay';
        overlay.setAttribute('role', 'dialog');
        overlay.setAttribute('aria-modal', 'true');
        document.body.appendChild(overlay);
        document.body.classList.add('viewer-open');
      }
      var heading = figure.querySelector('h1');
      if (heading) { overlay.setAttribute('aria-label', heading.textContent); }
      overlay.innerHTML = '';
      overlay.appendChild(document.importNode(figure, true));
      overlay.setAttribute('data-href', href);
      var focus = overlay.querySelector('.viewer-close');
      if (focus) { focus.focus(); }
    });
  };
  document.addEventListener('click', function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    var link = event.target.closest && event.target.closest('a');
    if (!link) { return; }
    if (!overlay && link.matches('.status-media a.photo') && !link.matches('.photo-wait')) {
      event.preventDefault();
      opener = link;
      show(link.href).catch(function () { window.location.assign(link.href); });
    } else if (overlay && overlay.contains(link)) {
      if (link.matches('.viewer-close')) {
        event.preventDefault();
        close();
      } else if (link.matches('.viewer-previous, .viewer-next')) {
        event.preventDefault();
        show(link.href).catch(function () { window.location.assign(link.href); });
      }
    }
  });
  document.addEventListener('keydown', function (event) {
    if (!overlay) { return; }
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      var step = overlay.querySelector(event.key === 'ArrowLeft' ? '.viewer-previous' : '.viewer-next');
      if (step) {
        event.preventDefault();
        show(step.href);
      }
    } else if (event.key === 'Tab') {
      // Focus stays inside the dialog.
      var stops = overlay.querySelectorAll('a[href], button');
      if (!stops.length) { return; }
      var first = stops[0], last = stops[stops.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    }
  });

  // Next pages as the member scrolls.
  var list = document.querySelector('[data-pages]');
  if (!list || !window.IntersectionObserver) { return; }
  var items = function (root) {
    return Array.prototype.filter.call(root.children, function (child) { return child.matches('article.status, li'); });
  };
  var loading = false;
  var observer = new IntersectionObserver(function (entries) {
    if (loading || !entries.some(function (entry) { return entry.isIntersecting; })) { return; }
    var pager = document.querySelector('.pager-older');
    var link = pager && pager.querySelector('a');
    if (!link) { return; }
    loading = true;
    fetch(link.href, { credentials: 'same-origin' }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var page = parse(html);
      var next = page.querySelector('[data-pages]');
      if (!next) { throw new Error('no list'); }
      items(next).forEach(function (item) {
        if (item.id && document.getElementById(item.id)) { return; }
        var node = document.importNode(item, true);
        if (pager.parentNode === list) { list.insertBefore(node, pager); } else { list.appendChild(node); }
      });
      // The data saver's placeholders in the new posts (photos.js) load as on the first page.
      if (window.StarconPhotos) { window.StarconPhotos.scan(list); }
      observer.unobserve(pager);
      var nextPager = page.querySelector('.pager-older');
      if (nextPager) {
        nextPager = document.importNode(nextPager, true);
        pager.parentNode.replaceChild(nextPager, pager);
        observer.observe(nextPager);
      } else {
        pager.parentNode.removeChild(pager);
      }
      loading = false;
    }).catch(function () { loading = false; observer.disconnect(); });
  }, { rootMargin: '0px 0px 600px 0px' });
  var first = document.querySelector('.pager-older');
  if (first) { observer.observe(first); }
}());
