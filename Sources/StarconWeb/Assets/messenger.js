// Live updates for a conversation page. The page works without this file: it only appends messages that
// arrive over the WebSocket, shows who is typing, marks what was seen as read, and sends without a reload.
(function () {
  "use strict";
  var list = document.getElementById("messages");
  if (!list || !list.getAttribute("data-live") || !window.WebSocket) return;
  var conversation = list.getAttribute("data-conversation");
  var me = list.getAttribute("data-me");
  var lastId = list.getAttribute("data-last-id") || "0";
  var typingLine = document.getElementById("typing");
  var form = document.getElementById("compose");
  var socket = null, delay = 1000, typingTimer = null, lastTypingSent = 0;

  // Ids are 64-bit: compare them as decimal strings.
  function newer(a, b) { return a.length !== b.length ? a.length > b.length : a > b; }

  function linkify(parent, text) {
    var pattern = /https?:\/\/[^\s<>"]+/g, at = 0, match;
    while ((match = pattern.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(at, match.index)));
      var a = document.createElement("a");
      a.href = match[0]; a.textContent = match[0]; a.rel = "nofollow noopener noreferrer"; a.target = "_blank";
      parent.appendChild(a);
      at = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(at)));
  }

  function append(message) {
    if (document.getElementById("m" + message.id)) return;
    var empty = document.getElementById("messages-empty");
    if (empty) empty.parentNode.removeChild(empty);
    var li = document.createElement("li");
    li.className = "message" + (message.sender.id === me ? " mine" : "") + " live";
    li.id = "m" + message.id;
    li.setAttribute("data-id", message.id);
    var meta = document.createElement("p");
    meta.className = "message-meta";
    var who = document.createElement("a");
    who.href = "/@" + message.sender.username; who.textContent = message.sender.display_name;
    var when = document.createElement("time");
    when.className = "muted small"; when.textContent = " " + new Date(message.created_at).toLocaleString();
    meta.appendChild(who); meta.appendChild(when);
    var body = document.createElement("div");
    body.className = "message-text";
    var lines = message.text.split("\n");
    for (var i = 0; i < lines.length; i++) {
      if (i > 0) body.appendChild(document.createElement("br"));
      linkify(body, lines[i]);
    }
    li.appendChild(meta); li.appendChild(body);
    var pictures = message.attachments || [];
    if (pictures.length) {
      var box = document.createElement("div");
      box.className = "message-pictures";
      for (var k = 0; k < pictures.length; k++) {
        var link = document.createElement("a");
        link.className = "photo"; link.href = pictures[k].url;
        var img = document.createElement("img");
        img.src = pictures[k].preview_url; img.alt = pictures[k].description || ""; img.loading = "lazy";
        link.appendChild(img); box.appendChild(link);
      }
      li.appendChild(box);
    }
    list.appendChild(li);
    li.scrollIntoView({ block: "end" });
  }

  function send(frame) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame));
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/api/starcon/v1/stream?last_id=" + encodeURIComponent(lastId));
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      var p = frame.payload || {};
      if (frame.event === "message") {
        if (newer(p.id, lastId)) lastId = p.id;
        if (p.conversation_id !== conversation) return;
        append(p);
        if (typingLine) typingLine.textContent = "";
        if (document.visibilityState === "visible") send({ type: "read", conversation_id: conversation, up_to: p.id });
      } else if (frame.event === "message_deleted" && p.conversation_id === conversation) {
        var gone = document.getElementById("m" + p.id);
        if (gone) gone.parentNode.removeChild(gone);
      } else if (frame.event === "message_edited" && p.conversation_id === conversation) {
        var edited = document.getElementById("m" + p.id);
        if (edited) {
          var text = edited.querySelector(".message-text");
          text.textContent = "";
          linkify(text, p.text);
        }
      } else if (frame.event === "typing" && p.conversation_id === conversation && typingLine) {
        typingLine.textContent = (typingLine.getAttribute("data-label") || "…").replace("{name}", p.account.display_name);
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typingLine.textContent = ""; }, 4000);
      }
    };
    socket.onclose = function () {
      socket = null;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  function newKey() {
    if (window.crypto && window.crypto.getRandomValues) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    }
    return String(Date.now()) + String(Math.random()).slice(2);
  }

  if (form && window.fetch && window.URLSearchParams && window.FormData) {
    var textarea = form.querySelector("textarea");
    textarea.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTypingSent > 3000) { lastTypingSent = now; send({ type: "typing", conversation_id: conversation }); }
    });
    form.addEventListener("submit", function (event) {
      // Pictures (and empty sends, which the server explains) go by the plain multipart form.
      var chosen = form.querySelectorAll("input[type=file]");
      for (var f = 0; f < chosen.length; f++) if (chosen[f].files && chosen[f].files.length) return;
      if (!textarea.value.trim()) return;
      event.preventDefault();
      var body = new URLSearchParams(new FormData(form));
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
        if (!response.ok || response.url.indexOf("/send") !== -1) { form.submit(); return; }
        textarea.value = "";
        form.querySelector("input[name=client_key]").value = newKey();
      }, function () { form.submit(); });
    });
  }
  connect();
})();
