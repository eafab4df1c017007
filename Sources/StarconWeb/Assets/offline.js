// The web app offline (members' pages): registers the service worker (/sw.js), and keeps the outbox —
// posts and messages composed while the server cannot be reached, in IndexedDB with their idempotency key
// (the form's idempotency_key or client_key), shown in #outbox and sent, oldest first, when the link
// returns. The server makes a retried key one post, so a send whose answer was lost is never doubled.
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }
  if (!window.indexedDB || !window.fetch || !window.FormData) return;
  var box = document.getElementById("outbox");
  var sending = false;

  function randomKey() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // A page read from the cache carries the keys it was rendered with, perhaps already used: every page
  // view gets keys of its own.
  function freshKeys(root) {
    var inputs = (root || document).querySelectorAll("input[data-per-render]");
    for (var i = 0; i < inputs.length; i++) inputs[i].value = randomKey();
  }
  freshKeys(document);

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("starcon-outbox", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("waiting", { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("waiting", mode);
        var result = work(tx.objectStore("waiting"));
        tx.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function all() {
    return run("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.at - b.at; });
    });
  }

  function queue(form) {
    var fields = [], key = "", text = "";
    new FormData(form).forEach(function (value, name) {
      if (value instanceof File && !value.name && !value.size) return;  // an empty file input
      fields.push([name, value]);
      if (name === "idempotency_key" || name === "client_key") key = String(value);
      if (name === "text") text = String(value);
    });
    if (!key) key = randomKey();
    var item = { key: key, action: form.getAttribute("action"), fields: fields, text: text,
                 back: location.pathname + location.search, at: Date.now() };
    return run("readwrite", function (store) { store.put(item); }).then(function () {
      form.reset();
      freshKeys(form);
      render();
    });
  }

  function send(item) {
    var body = new FormData();
    item.fields.forEach(function (field) { body.append(field[0], field[1]); });
    var hasFiles = item.fields.some(function (field) { return field[1] instanceof Blob; });
    return fetch(item.action, { method: "POST", body: hasFiles ? body : new URLSearchParams(body), credentials: "same-origin" })
      .then(function (response) {
        if (response.ok || response.redirected) {
          return run("readwrite", function (store) { store.delete(item.key); }).then(function () { return "sent"; });
        }
        if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          item.refused = response.status;
          return run("readwrite", function (store) { store.put(item); }).then(function () { return "refused"; });
        }
        return "later";
      }, function () { return "later"; });
  }

  // Sends what waits, one at a time in order; stops at the first that cannot reach the server.
  function flush() {
    if (sending || navigator.onLine === false) return Promise.resolve();
    sending = true;
    var sentAny = false;
    return all().then(function (items) {
      var waiting = items.filter(function (item) { return !item.refused; });
      var step = function (index) {
        if (index >= waiting.length) return null;
        if (box) markSending(waiting[index].key);
        return send(waiting[index]).then(function (outcome) {
          if (outcome === "sent") sentAny = true;
          return outcome === "later" ? null : step(index + 1);
        });
      };
      return step(0);
    }).then(function () {
      sending = false;
      return render().then(function (left) {
        // What was sent shows on the page it was written on: reload it then (nothing typed is lost, the
        // composer is empty after a queue).
        if (sentAny && !left && !composing()) location.reload();
      });
    }, function () { sending = false; });
  }

  function composing() {
    var areas = document.querySelectorAll("textarea");
    for (var i = 0; i < areas.length; i++) if (areas[i].value.trim()) return true;
    return false;
  }

  function markSending(key) {
    var row = box.querySelector('li[data-key="' + key + '"] .outbox-state');
    if (row) row.textContent = box.getAttribute("data-sending") || "";
  }

  function render() {
    return all().then(function (items) {
      if (!box) return items.length;
      var list = box.querySelector(".outbox-list");
      while (list.firstChild) list.removeChild(list.firstChild);
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.setAttribute("data-key", item.key);
        var words = document.createElement("span");
        words.className = "outbox-text";
        var photos = item.fields.filter(function (field) { return field[1] instanceof Blob; }).length;
        words.textContent = (item.text || "").slice(0, 140) + (photos ? " " + (box.getAttribute("data-photos") || "") : "");
        var state = document.createElement("span");
        state.className = "outbox-state muted small";
        state.textContent = item.refused ? (box.getAttribute("data-refused") || "") : "";
        li.appendChild(words); li.appendChild(document.createTextNode(" ")); li.appendChild(state);
        list.appendChild(li);
      });
      box.hidden = items.length === 0;
      box.setAttribute("data-waiting", String(items.length));
      return items.length;
    });
  }

  // With no link at all the browser says so: keep the send instead of leaving for an error page. (When
  // the link is there but the server is not, the service worker keeps it.)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form.getAttribute("action") || "";
    if (!(action === "/statuses" || /^\/messages\/\d+\/send$/.test(action))) return;
    if (navigator.onLine !== false) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    queue(form);
  }, true);

  // Signing out forgets the pages kept for reading offline: the next member of this browser must not see them.
  document.addEventListener("submit", function (event) {
    if ((event.target.getAttribute("action") || "") === "/logout" && window.caches) caches.delete("starcon-pages");
  }, true);

  window.StarconOutbox = { queue: queue, flush: flush };
  window.addEventListener("online", function () { flush(); });
  render().then(function (count) { if (count) flush(); });
  setInterval(function () { all().then(function (items) { if (items.some(function (i) { return !i.refused; })) flush(); }); }, 10000);
})();
