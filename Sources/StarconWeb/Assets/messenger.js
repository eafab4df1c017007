// Live updates for a conversation page. The page works without this file: it only appends messages that
// arrive over the WebSocket, updates edited and deleted ones in place, shows who is typing, marks what was
// seen as read, sends without a reload, and starts a reply without a reload (the Reply link's plain page,
// `?reply_to=ID`, does the same without JavaScript).
(function () {
  "use strict";
  var list = document.getElementById("messages");
  if (!list || !list.getAttribute("data-live") || !window.WebSocket) return;
  var conversation = list.getAttribute("data-conversation");
  var me = list.getAttribute("data-me");
  var lastId = list.getAttribute("data-last-id") || "0";
  var lastSeq = null;
  var typingLine = document.getElementById("typing");
  var form = document.getElementById("compose");
  var actionsTemplate = document.getElementById("message-actions");
  var replyPreview = document.getElementById("reply-preview");
  var socket = null, delay = 1000, typingTimer = null, lastTypingSent = 0;

  function label(name) { return list.getAttribute("data-" + name + "-label") || ""; }

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

  // Text as the server renders it: line breaks kept, web links clickable, everything else plain text.
  function renderText(parent, text) {
    parent.textContent = "";
    var lines = text.split("\n");
    for (var i = 0; i < lines.length; i++) {
      if (i > 0) parent.appendChild(document.createElement("br"));
      linkify(parent, lines[i]);
    }
  }

  // The short quote shown above a reply (the same rule as the server's).
  function excerpt(text, hasPictures) {
    var flat = text.replace(/\s+/g, " ").trim();
    if (!flat) return hasPictures ? label("picture") : "";
    var chars = Array.from(flat);
    return chars.length > 80 ? chars.slice(0, 80).join("") + "…" : flat;
  }

  // What a message on the page says about itself, for quoting it.
  function quoteOf(id) {
    var li = document.getElementById("m" + id);
    if (!li) return null;
    var sender = li.querySelector(".message-meta a");
    var text = li.querySelector(".message-text");
    return { sender: sender ? sender.textContent : "",
             excerpt: excerpt(text ? text.innerText || text.textContent : "", !!li.querySelector(".message-pictures img")) };
  }

  function replyQuote(id) {
    var quote = quoteOf(id);
    var a = document.createElement("a");
    a.className = "message-reply small";
    a.setAttribute("data-reply-to", id);
    // Not on the page: the page of history that ends with it (ids are 64-bit, so add one as a BigInt).
    a.href = quote ? "#m" + id : window.BigInt
      ? "/messages/" + conversation + "?before=" + (window.BigInt(id) + window.BigInt(1)).toString() + "#m" + id
      : "/messages/" + conversation;
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden"; hidden.textContent = label("in-reply-to");
    var who = document.createElement("span");
    who.className = "reply-sender"; who.textContent = quote ? quote.sender : "";
    var what = document.createElement("span");
    what.className = "reply-excerpt"; what.textContent = quote ? quote.excerpt : label("earlier");
    a.appendChild(hidden); a.appendChild(document.createTextNode(" ")); a.appendChild(who);
    a.appendChild(document.createTextNode(" ")); a.appendChild(what);
    return a;
  }

  // Reply, edit and delete for a message that arrived live, from the page's own template (localised, with
  // the form's CSRF token).
  function actions(message, mine) {
    if (!actionsTemplate || !actionsTemplate.content) return null;
    var box = actionsTemplate.content.firstElementChild.cloneNode(true);
    box.querySelector(".message-reply-link").href = "/messages/" + conversation + "?reply_to=" + message.id + "#compose";
    var edit = box.querySelector(".message-edit-link"), remove = box.querySelector(".message-delete");
    if (mine) {
      edit.href = "/messages/" + conversation + "/m/" + message.id + "/edit";
      remove.action = "/messages/" + conversation + "/m/" + message.id + "/delete";
    } else {
      edit.parentNode.removeChild(edit);
      remove.parentNode.removeChild(remove);
    }
    return box;
  }

  // A message that has just arrived shows its time of day as the server renders today's messages: in the
  // page's locale and the member's time zone (both named on the list), plain spaces for ICU's narrow ones.
  function localTime(iso) {
    var date = new Date(iso);
    try {
      return new Intl.DateTimeFormat(list.getAttribute("data-locale") || undefined, {
        hour: list.getAttribute("data-hour") || "numeric", minute: "2-digit", timeZone: list.getAttribute("data-time-zone") || undefined
      }).format(date).replace(/[\u202f\u00a0]/g, " ");
    } catch (e) {
      return date.toLocaleTimeString();
    }
  }

  function markEdited(li) {
    var meta = li.querySelector(".message-meta");
    if (!meta || meta.querySelector(".message-edited")) return;
    var span = document.createElement("span");
    span.className = "muted small message-edited"; span.textContent = label("edited");
    var time = meta.querySelector("time");
    meta.insertBefore(span, time ? time.nextSibling : null);
    meta.insertBefore(document.createTextNode(" "), span);
  }

  // A live picture loads as the data saver decided for the newest message (the list's data-photo-*):
  // now, or as a placeholder of its average colour that photos.js fills when near or tapped.
  function picture(media) {
    var link = document.createElement("a");
    link.className = "photo"; link.href = media.url;
    var load = list.getAttribute("data-photo-load") || "now";
    var small = media.meta && media.meta.small ? media.meta.small : {};
    if (load === "now") {
      var img = document.createElement("img");
      img.src = media.preview_url; img.alt = media.description || ""; img.loading = "lazy";
      link.appendChild(img);
      return link;
    }
    link.className = "photo photo-wait";
    link.setAttribute("data-src", media.preview_url); link.setAttribute("data-large", media.url);
    link.setAttribute("data-alt", media.description || ""); link.setAttribute("data-load", load);
    if (list.getAttribute("data-photo-slow")) link.setAttribute("data-slow", "tap");
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    var w = small.width || 320, h = small.height || 240;
    svg.setAttribute("class", "photo-colour"); svg.setAttribute("width", w); svg.setAttribute("height", h);
    svg.setAttribute("viewBox", "0 0 " + w + " " + h); svg.setAttribute("aria-hidden", "true");
    var rect = document.createElementNS(ns, "rect");
    rect.setAttribute("width", "100%"); rect.setAttribute("height", "100%"); rect.setAttribute("fill", averageColour(media.blurhash));
    svg.appendChild(rect); link.appendChild(svg);
    var size = document.createElement("span");
    size.className = "photo-size"; size.textContent = list.getAttribute("data-photo-label") || "";
    link.appendChild(size);
    return link;
  }

  // A BlurHash's characters 2-5 are its average colour in base 83.
  function averageColour(hash) {
    var digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";
    if (!hash || hash.length < 6) return "#808080";
    var value = 0;
    for (var i = 2; i < 6; i++) value = value * 83 + Math.max(0, digits.indexOf(hash.charAt(i)));
    return "#" + ("000000" + (value & 0xffffff).toString(16)).slice(-6);
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
    when.className = "muted small"; when.textContent = localTime(message.created_at);
    when.setAttribute("datetime", message.created_at);
    meta.appendChild(who); meta.appendChild(document.createTextNode(" ")); meta.appendChild(when);
    li.appendChild(meta);
    if (message.edited_at) markEdited(li);
    if (message.reply_to_id) li.appendChild(replyQuote(message.reply_to_id));
    var body = document.createElement("div");
    body.className = "message-text";
    renderText(body, message.text);
    li.appendChild(body);
    var pictures = message.attachments || [];
    if (pictures.length) {
      var box = document.createElement("div");
      box.className = "message-pictures";
      for (var k = 0; k < pictures.length; k++) {
        box.appendChild(picture(pictures[k]));
      }
      li.appendChild(box);
    }
    var tools = actions(message, message.sender.id === me);
    if (tools) li.appendChild(tools);
    list.appendChild(li);
    li.scrollIntoView({ block: "nearest" });  // within the message list; the composer stays in sight
  }

  // Starting a reply without a reload: the composer's hidden field and the quote above it.
  function startReply(id) {
    var quote = quoteOf(id);
    if (!replyPreview || !quote) return false;
    document.getElementById("reply-to-id").value = id;
    document.getElementById("reply-label").textContent = (replyPreview.getAttribute("data-label") || "").replace("{name}", quote.sender);
    document.getElementById("reply-quote").textContent = quote.excerpt;
    replyPreview.hidden = false;
    return true;
  }

  function cancelReply() {
    if (!replyPreview) return;
    document.getElementById("reply-to-id").value = "";
    replyPreview.hidden = true;
  }

  function send(frame) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame));
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    // After the first connection the stream's own place (last_seq) is exact on any server node.
    var from = lastSeq ? "last_seq=" + encodeURIComponent(lastSeq) : "last_id=" + encodeURIComponent(lastId);
    socket = new WebSocket(scheme + location.host + "/api/starcon/v1/stream?" + from);
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      var p = frame.payload || {};
      if (frame.event === "ready") {
        if (p.last_seq && p.last_seq !== "0") lastSeq = p.last_seq;
        list.setAttribute("data-connected", "1");  // the stream is live (tests wait for this)
      } else if (frame.event === "message") {
        if (newer(p.id, lastId)) lastId = p.id;
        if (p.seq) lastSeq = p.seq;  // frames come in log order
        if (p.conversation_id !== conversation) return;
        append(p);
        if (typingLine) typingLine.textContent = "";
        if (document.visibilityState === "visible") send({ type: "read", conversation_id: conversation, up_to: p.id });
      } else if (frame.event === "message_deleted" && p.conversation_id === conversation) {
        var gone = document.getElementById("m" + p.id);
        if (gone) gone.parentNode.removeChild(gone);
        // The replies stay, no longer quoting it (as the server shows them).
        var quotes = list.querySelectorAll('.message-reply[data-reply-to="' + p.id + '"]');
        for (var q = 0; q < quotes.length; q++) quotes[q].parentNode.removeChild(quotes[q]);
        var replying = document.getElementById("reply-to-id");
        if (replying && replying.value === p.id) cancelReply();
      } else if (frame.event === "message_edited" && p.conversation_id === conversation) {
        var edited = document.getElementById("m" + p.id);
        if (edited) {
          renderText(edited.querySelector(".message-text"), p.text);
          markEdited(edited);
        }
        var newText = excerpt(p.text, (p.attachments || []).length > 0);
        var quoting = list.querySelectorAll('.message-reply[data-reply-to="' + p.id + '"] .reply-excerpt');
        for (var e = 0; e < quoting.length; e++) quoting[e].textContent = newText;
        var editingReply = document.getElementById("reply-to-id");
        if (editingReply && editingReply.value === p.id) document.getElementById("reply-quote").textContent = newText;
      } else if (frame.event === "typing" && p.conversation_id === conversation && typingLine) {
        typingLine.textContent = (typingLine.getAttribute("data-label") || "…").replace("{name}", p.account.display_name);
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typingLine.textContent = ""; }, 4000);
      }
    };
    socket.onclose = function () {
      socket = null;
      list.removeAttribute("data-connected");
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
        cancelReply();
      }, function () {
        // No answer (the link dropped): the outbox keeps it with its client_key and sends it later.
        if (window.StarconOutbox) { window.StarconOutbox.queue(form); cancelReply(); } else { form.submit(); }
      });
    });
  }
  list.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".message-reply-link") : null;
    if (!link || !form) return;
    var li = link.closest("li.message");
    if (li && startReply(li.getAttribute("data-id"))) {
      event.preventDefault();
      form.querySelector("textarea").focus();
    }
  });
  var cancel = document.getElementById("reply-cancel");
  if (cancel) cancel.addEventListener("click", function (event) {
    event.preventDefault();
    cancelReply();
  });
  connect();
})();

// Older messages load upward in place: the "Older messages" link at the top of the message box (a plain
// page, `?before=ID`, without JavaScript) fetches that page and puts its messages above the ones shown, as
// the member scrolls up to it or taps it. The box scrolls from its end (column-reverse), so what the member
// is reading stays where it is.
(function () {
  "use strict";
  var box = document.getElementById("messages-scroll");
  var list = document.getElementById("messages");
  if (!box || !list || !window.fetch || !window.DOMParser) return;
  var loading = false, observer = null;

  function olderLine() { return box.querySelector("p.older"); }

  function loadOlder(event) {
    var line = olderLine(), link = line && line.querySelector("a");
    if (!link) return;
    if (event) event.preventDefault();
    if (loading) return;
    loading = true;
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fragment = document.createDocumentFragment();
        Array.prototype.forEach.call(page.querySelectorAll("#messages > li.message"), function (li) {
          if (!document.getElementById(li.id)) fragment.appendChild(document.importNode(li, true));
        });
        list.insertBefore(fragment, list.firstElementChild);
        var next = page.querySelector("#messages-scroll p.older a");
        if (next) {
          link.setAttribute("href", next.getAttribute("href"));
          if (observer) { observer.unobserve(line); observer.observe(line); }  // still in sight: the next page too
        } else {
          if (observer) observer.disconnect();
          line.parentNode.removeChild(line);
        }
        loading = false;
      })
      .catch(function () { window.location.assign(link.href); });
  }

  box.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("p.older a")) loadOlder(event);
  });
  if (window.IntersectionObserver && olderLine()) {
    observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) loadOlder(null);
    }, { root: box, rootMargin: "200px 0px 0px 0px" });
    observer.observe(olderLine());
  }
})();
