// The playground: sends what the visitor types or presses to POST /api/chat and shows
// the bot's replies. Every text from the server goes in with textContent, never as HTML.
(function () {
  var root = document.getElementById("playground");
  if (!root) return;
  var log = document.getElementById("log");
  var form = document.getElementById("chat-form");
  var text = document.getElementById("text");
  var member = document.getElementById("member");
  var locale = root.dataset.locale;
  var seq = 0;

  try { member.value = localStorage.getItem("crowdbot.member") || member.value; } catch (e) {}
  member.addEventListener("change", function () {
    try { localStorage.setItem("crowdbot.member", member.value); } catch (e) {}
  });
  if (root.dataset.say) text.value = root.dataset.say;

  function add(cls, node) {
    var li = document.createElement("li");
    li.className = "msg " + cls;
    if (node) li.appendChild(node);
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  function safeURL(u) {
    return /^https?:\/\//i.test(u) || /^\/[^\/]/.test(u) || /^data:(image\/png|text\/csv|application\/octet-stream)[;,]/i.test(u);
  }

  function showReply(rep, pressedOn) {
    var li = (rep.edit && pressedOn) ? pressedOn : add("bot");
    li.textContent = rep.text || "";
    if (rep.image && safeURL(rep.image)) {
      var img = document.createElement("img");
      img.src = rep.image;
      img.alt = "";
      li.appendChild(img);
    }
    if (rep.file && safeURL(rep.file.url)) {
      var a = document.createElement("a");
      a.href = rep.file.url;
      a.download = rep.file.name || "download";
      a.textContent = rep.file.name || "download";
      li.appendChild(document.createElement("br"));
      li.appendChild(a);
    }
    if (rep.buttons && rep.buttons.length) {
      var row = document.createElement("div");
      row.className = "buttons";
      rep.buttons.forEach(function (b) {
        var el;
        if (b.url) {
          if (!safeURL(b.url)) return;
          el = document.createElement("a");
          el.href = b.url;
          el.target = "_blank";
          el.rel = "noopener noreferrer";
          el.className = "button";
        } else {
          el = document.createElement("button");
          el.type = "button";
          el.className = "action";
          el.dataset.action = b.action;
          el.addEventListener("click", function () { press(b, li); });
        }
        el.textContent = b.label;
        row.appendChild(el);
      });
      li.appendChild(row);
    }
    if (rep.prompt) {
      text.focus();
      if (rep.prompt.max) text.maxLength = rep.prompt.max;
    }
  }

  function send(body, pressedOn) {
    body.member = member.value.trim();
    body.locale = locale;
    body.update_id = Date.now().toString(36) + "-" + (++seq);
    return fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) throw new Error(data.error || res.statusText);
        text.removeAttribute("maxlength");
        (data.replies || []).forEach(function (rep) { showReply(rep, pressedOn); });
        root.dataset.replies = String(log.querySelectorAll(".msg.bot").length);
      });
    }).catch(function (err) {
      var li = add("failed");
      li.textContent = err && err.message ? err.message : root.dataset.error;
    });
  }

  function press(b, li) {
    var me = add("me");
    me.textContent = "[" + b.label + "]";
    send({ action: b.action }, li);
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var t = text.value.trim();
    if (!t) return;
    var me = add("me");
    me.textContent = t;
    text.value = "";
    send({ text: t });
  });
  text.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  document.querySelectorAll(".example").forEach(function (b) {
    b.addEventListener("click", function () { text.value = b.dataset.say; text.focus(); });
  });
})();
