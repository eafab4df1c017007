// Progressive enhancement of every member page; everything works without it.
//  - a like, reaction, repost or bookmark happens in place: the form is sent in the background and the
//    post's buttons and counts are replaced by the ones the server renders (without script the server
//    sends the member back to the same post, `#status-ID`);
//  - a delete, leave, remove, block or suspend asks in a <dialog> before it is sent;
//  - the new-conversation picker completes usernames;
//  - a post's actions are one toolbar (one tab stop, arrow keys inside);
//  - the composer shows previews of the chosen photos, each with its description field and a reminder
//    while a description is missing, the upload's progress, and completes @mentions and #hashtags;
//  - the home timeline listens to the member's stream and offers the new posts ("load newer"), and the
//    notification bell counts up live; when the stream is refused (a suspension), the page goes to sign-in.
(function () {
  'use strict';

  var inPlace = /\/statuses\/\d+\/(un)?(favourite|reblog|bookmark|react-[0-9a-f-]+)$/;
  // A post's buttons submit the page's one `#act` form (one CSRF token per page), each with its own formaction.
  document.addEventListener('submit', function (event) {
    var form = event.target, button = event.submitter;
    var action = (button && button.getAttribute('formaction')) || form.getAttribute('action') || '';
    var post = button && button.closest && button.closest('article.status');
    if (!post || !window.fetch || !window.DOMParser || !inPlace.test(action)) { return; }
    event.preventDefault();
    var buttons = post.querySelectorAll('.status-toolbar button');
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    fetch(button.formAction, { method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text().then(function (html) {
          var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById(post.id);
          if (!fresh) { window.location.assign(response.url); return; }
          // Only the actions and reactions: an opened content warning or a playing photo stays as it is.
          var now = post.querySelector('.status-toolbar'), next = fresh.querySelector('.status-toolbar');
          if (now && next) { now.parentNode.replaceChild(document.importNode(next, true), now); }
          // Focus stays on the same button (now "unlike" where it was "like").
          var kind = action.replace(/^.*\/(un)?/, '');
          var again = post.querySelector('button[formaction$="/' + kind + '"], button[formaction$="/un' + kind + '"]');
          rove(post.querySelector('.status-toolbar'), again);
          if (again) { again.focus({ preventScroll: true }); }
        });
      })
      .catch(function () { form.submit(); });
  });

  // A button that cannot be undone asks first, in a dialog over the same form (without script the server asks
  // on a page of its own): confirming adds `confirmed` and submits with the same button.
  var act = document.getElementById('act');
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button[data-confirm]');
    var form = button && button.form;
    if (!form || typeof HTMLDialogElement !== 'function' || !form.requestSubmit) { return; }
    if (!form.checkValidity()) { return; }
    event.preventDefault();
    var dialog = document.createElement('dialog');
    dialog.className = 'confirm-dialog';
    var question = document.createElement('p');
    question.textContent = button.getAttribute('data-confirm');
    var yes = document.createElement('button');
    yes.type = 'button';
    yes.className = 'danger';
    yes.textContent = button.textContent.trim();
    var no = document.createElement('button');
    no.type = 'button';
    no.textContent = (act && act.getAttribute('data-cancel')) || 'Cancel';
    var row = document.createElement('div');
    row.className = 'confirm-buttons';
    row.appendChild(yes);
    row.appendChild(no);
    dialog.appendChild(question);
    dialog.appendChild(row);
    document.body.appendChild(dialog);
    dialog.addEventListener('close', function () { dialog.remove(); button.focus({ preventScroll: true }); });
    no.addEventListener('click', function () { dialog.close(); });
    yes.addEventListener('click', function () {
      var confirmed = document.createElement('input');
      confirmed.type = 'hidden';
      confirmed.name = 'confirmed';
      confirmed.value = '1';
      form.appendChild(confirmed);
      dialog.close();
      form.requestSubmit(button);
      confirmed.remove();
    });
    dialog.showModal();
    no.focus();
  });

  // A post's actions are one tab stop (a toolbar): arrow keys move within it, Tab leaves it.
  var items = function (toolbar) {
    return Array.prototype.filter.call(toolbar.querySelectorAll('button, a[href], summary'), function (item) {
      var menu = item.closest('.status-more-menu');
      return !item.disabled && !(menu && !menu.parentNode.open);
    });
  };
  var rove = function (toolbar, current) {
    if (!toolbar) { return; }
    var list = items(toolbar);
    if (!current || list.indexOf(current) < 0) { current = list[0]; }
    list.forEach(function (item) { item.tabIndex = item === current ? 0 : -1; });
  };
  Array.prototype.forEach.call(document.querySelectorAll('.status-toolbar'), function (toolbar) { rove(toolbar); });
  document.addEventListener('keydown', function (event) {
    var toolbar = event.target.closest && event.target.closest('.status-toolbar');
    if (!toolbar || ['ArrowRight', 'ArrowLeft', 'Home', 'End'].indexOf(event.key) < 0) { return; }
    var list = items(toolbar), index = list.indexOf(event.target);
    if (index < 0) { return; }
    var rtl = getComputedStyle(toolbar).direction === 'rtl';
    var step = (event.key === 'ArrowRight') !== rtl ? 1 : -1;
    var next = event.key === 'Home' ? 0 : event.key === 'End' ? list.length - 1 : (index + step + list.length) % list.length;
    event.preventDefault();
    rove(toolbar, list[next]);
    list[next].focus();
  });
  document.addEventListener('focusin', function (event) {
    var toolbar = event.target.closest && event.target.closest('.status-toolbar');
    if (toolbar) { rove(toolbar, event.target); }
  });

  // The new-conversation picker: the usernames field suggests members as the last name is typed.
  var picker = document.querySelector('input[data-people]');
  if (picker && window.fetch && picker.list) {
    var timer = null;
    picker.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var parts = picker.value.split(/[,\s]+/);
        var last = parts.pop();
        if (!last) { return; }
        var before = parts.filter(Boolean).join(', ');
        fetch(picker.getAttribute('data-people') + '?q=' + encodeURIComponent(last), { credentials: 'same-origin' })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (people) {
            var list = picker.list;
            while (list.firstChild) { list.removeChild(list.firstChild); }
            people.forEach(function (person) {
              var option = document.createElement('option');
              option.value = (before ? before + ', ' : '') + person.username;
              option.label = person.display_name + ' @' + person.username;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
  }

  var composer = document.querySelector('form.composer[action="/statuses"]');
  if (composer && window.FormData && window.XMLHttpRequest) {
    var previews = document.createElement('div');
    previews.className = 'composer-previews';
    var row = composer.querySelector('.composer-row');
    composer.insertBefore(previews, row);
    var progress = document.createElement('progress');
    progress.max = 100;
    progress.value = 0;
    progress.hidden = true;
    progress.className = 'composer-progress';
    composer.insertBefore(progress, row);
    var inputs = composer.querySelectorAll('input[type=file]');
    var chooser = composer.querySelector('input[name=photos]');
    var slots = composer.querySelectorAll('.photo-slot');
    // A photo without a description is pointed out while the member writes (people who cannot see it).
    var remind = function (slot) {
      var field = slot.querySelector('textarea'), note = slot.querySelector('.composer-alt-missing');
      if (field && note) { note.hidden = field.value.trim() !== ''; }
    };
    // With script each description field appears beside its photo's preview, and only for chosen photos.
    Array.prototype.forEach.call(slots, function (slot) { slot.hidden = true; });
    var showPreviews = function () {
      while (previews.firstChild) { previews.removeChild(previews.firstChild); }
      var files = chooser ? Array.prototype.slice.call(chooser.files || []) : [];
      Array.prototype.forEach.call(slots, function (slot, index) {
        var file = files[index];
        slot.hidden = !file;
        if (!file) { return; }
        var figure = document.createElement('figure');
        figure.className = 'composer-preview';
        var image = document.createElement('img');
        image.alt = '';
        image.src = URL.createObjectURL(file);
        image.onload = function () { URL.revokeObjectURL(image.src); };
        figure.appendChild(image);
        figure.appendChild(slot);
        previews.appendChild(figure);
        remind(slot);
      });
    };
    if (chooser) { chooser.addEventListener('change', showPreviews); }
    composer.addEventListener('input', function (event) {
      var slot = event.target.closest && event.target.closest('.photo-slot');
      if (slot) { remind(slot); }
    });

    composer.addEventListener('submit', function (event) {
      var hasFiles = Array.prototype.some.call(inputs, function (input) { return input.files && input.files.length > 0; });
      if (!hasFiles) { return; }
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open('POST', composer.action);
      request.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          progress.hidden = false;
          progress.value = Math.round(e.loaded / e.total * 100);
        }
      };
      request.onload = function () {
        if (request.status === 200 && request.responseURL) {
          window.location.assign(request.responseURL);
        } else {
          // A form error: show the page the server answered with (it keeps what was typed).
          document.open();
          document.write(request.responseText);
          document.close();
        }
      };
      request.onerror = function () { composer.submit(); };
      composer.querySelector('button[type=submit]').disabled = true;
      request.send(new FormData(composer));
    });
  }

  // @mention and #hashtag completion in the composer: the word being typed is looked up, Up/Down choose,
  // Enter or Tab takes it, Escape closes.
  var text = document.querySelector('textarea[data-suggest-people]');
  var box = document.getElementById('composer-suggest');
  if (text && box && window.fetch) {
    var chosen = -1, pending = null, current = null;
    var close = function () { box.hidden = true; chosen = -1; current = null; text.removeAttribute('aria-activedescendant'); };
    var take = function (index) {
      var item = box.children[index];
      if (!item || !current) { return; }
      var value = item.getAttribute('data-value') + ' ';
      text.value = text.value.slice(0, current.start) + value + text.value.slice(current.end);
      var caret = current.start + value.length;
      text.setSelectionRange(caret, caret);
      close();
      text.focus();
    };
    var mark = function (index) {
      chosen = index;
      Array.prototype.forEach.call(box.children, function (item, i) { item.setAttribute('aria-selected', i === index ? 'true' : 'false'); });
      if (box.children[index]) { text.setAttribute('aria-activedescendant', box.children[index].id); }
    };
    text.addEventListener('input', function () {
      clearTimeout(pending);
      var before = text.value.slice(0, text.selectionStart);
      var match = /(^|\s)([@#])([^\s@#]{1,30})$/.exec(before);
      if (!match) { close(); return; }
      var sign = match[2], word = match[3];
      var where = { start: before.length - word.length - 1, end: text.selectionStart };
      pending = setTimeout(function () {
        var url = text.getAttribute(sign === '@' ? 'data-suggest-people' : 'data-suggest-tags') + '?q=' + encodeURIComponent(word);
        fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : []; }).then(function (found) {
          while (box.firstChild) { box.removeChild(box.firstChild); }
          found.forEach(function (entry, i) {
            var item = document.createElement('li');
            item.id = 'composer-suggest-' + i;
            item.setAttribute('role', 'option');
            var value = sign === '@' ? '@' + entry.username : '#' + entry;
            item.setAttribute('data-value', value);
            item.textContent = sign === '@' ? entry.display_name + ' @' + entry.username : value;
            item.addEventListener('mousedown', function (event) { event.preventDefault(); take(i); });
            box.appendChild(item);
          });
          current = where;
          box.hidden = found.length === 0;
          mark(found.length ? 0 : -1);
        }).catch(close);
      }, 150);
    });
    text.addEventListener('keydown', function (event) {
      if (box.hidden) { return; }
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        var count = box.children.length;
        mark((chosen + (event.key === 'ArrowDown' ? 1 : count - 1)) % count);
      } else if ((event.key === 'Enter' || event.key === 'Tab') && chosen >= 0) {
        event.preventDefault();
        take(chosen);
      } else if (event.key === 'Escape') {
        close();
      }
    });
    text.addEventListener('blur', function () { setTimeout(close, 150); });
  }

  var timeline = document.querySelector('[data-stream]');
  if (timeline && window.EventSource) {
    var fresh = 0;
    var banner = document.createElement('a');
    banner.className = 'new-posts';
    banner.href = window.location.pathname;
    banner.hidden = true;
    timeline.insertBefore(banner, timeline.querySelector('article.status'));
    var bell = document.querySelector('.bell');
    // The banner's text in the page's language and plural form ("Show 1 new post", "Show 2 new posts").
    var forms = JSON.parse(timeline.getAttribute('data-new-posts') || '{}');
    var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;
    var newPostsText = function (count) {
      var form = (plural && forms[plural.select(count)]) || forms.other || '{count}';
      return form.replace('{count}', window.Intl ? new Intl.NumberFormat(document.documentElement.lang).format(count) : String(count));
    };
    var source = new EventSource('/api/v1/streaming/' + timeline.getAttribute('data-stream'));
    source.addEventListener('update', function () {
      fresh += 1;
      banner.textContent = newPostsText(fresh);
      banner.hidden = false;
    });
    // A refused stream (the member was suspended or signed out elsewhere) closes for good; when the page
    // itself would now send the member to sign in, go there instead of showing a page that no longer works.
    source.addEventListener('error', function () {
      if (source.readyState !== EventSource.CLOSED || !window.fetch) { return; }
      fetch(window.location.href, { redirect: 'manual', credentials: 'same-origin' }).then(function (response) {
        if (response.type === 'opaqueredirect') { window.location.reload(); }
      });
    });
    source.addEventListener('notification', function () {
      if (!bell) { return; }
      var count = bell.querySelector('.bell-count');
      if (!count) {
        count = document.createElement('span');
        count.className = 'bell-count';
        count.setAttribute('aria-hidden', 'true');
        count.textContent = '0';
        bell.insertBefore(count, bell.querySelector('.visually-hidden'));
      }
      count.textContent = String((parseInt(count.textContent, 10) || 0) + 1);
    });
  }
}());
