// The playground: sends what the visitor types or presses to POST /api/chat and shows
// the bot's replies. Every text from the server goes in with textContent, never as HTML.
(function () {
  var root = document.getElementById("playground");
  if (!root) return;
  var log = document.getElementById("log");
  var form = document.getElementById("chat-form");
  var text = document.getElementById("text");
  var file = document.getElementById("file");
  var member = document.getElementById("member");
  var locale = root.dataset.locale;
  var seq = 0;

  try { member.value = localStorage.getItem("crowdbot.member") || member.value; } catch (e) {}
  member.addEventListener("change", function () {
    try { localStorage.setItem("crowdbot.member", member.value); } catch (e) {}
  });
  if (root.dataset.say) text.value = root.dataset.say;

  // add appends a message labelled with who spoke and returns its body.
  function add(cls, who) {
    var li = document.createElement("li");
    li.className = "msg " + cls;
    var from = document.createElement("span");
    from.className = "from";
    from.textContent = who;
    var body = document.createElement("div");
    body.className = "body";
    li.appendChild(from);
    li.appendChild(body);
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return body;
  }

  function safeURL(u) {
    return /^https?:\/\//i.test(u) || /^\/[^\/]/.test(u) || /^data:(image\/png|text\/csv|application\/octet-stream)[;,]/i.test(u);
  }

  function picture(body, src) {
    var img = document.createElement("img");
    img.src = src;
    img.alt = "";
    img.loading = "lazy";
    // a picture that arrives late still shows whole at the bottom of the log
    img.addEventListener("load", function () {
      if (body.parentNode === log.lastElementChild) log.scrollTop = log.scrollHeight;
    });
    body.appendChild(img);
  }

  function showReply(rep, pressedOn) {
    var body = (rep.edit && pressedOn) ? pressedOn : add("bot", root.dataset.bot);
    body.textContent = rep.text || "";
    if (rep.image && safeURL(rep.image)) picture(body, rep.image);
    (rep.media || []).forEach(function (u) { if (/^https?:\/\//i.test(u)) picture(body, u); });
    if (rep.file && safeURL(rep.file.url)) {
      var a = document.createElement("a");
      a.href = rep.file.url;
      a.download = rep.file.name || "download";
      a.textContent = rep.file.name || "download";
      body.appendChild(document.createElement("br"));
      body.appendChild(a);
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
          el.addEventListener("click", function () { press(b, body); });
        }
        el.textContent = b.label;
        row.appendChild(el);
      });
      body.appendChild(row);
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
      var failed = add("failed", root.dataset.bot);
      failed.textContent = err && err.message ? err.message : root.dataset.error;
    });
  }

  function press(b, body) {
    var me = add("me", member.value.trim());
    me.textContent = "[" + b.label + "]";
    send({ action: b.action }, body);
  }

  // attached reads the chosen file, if any, as the API takes it.
  function attached() {
    var f = file && file.files && file.files[0];
    if (!f) return Promise.resolve(null);
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () {
        var url = String(r.result);
        resolve({ name: f.name, type: f.type, data: url.slice(url.indexOf(",") + 1), preview: f.type.indexOf("image/") === 0 ? url : "" });
      };
      r.onerror = function () { reject(r.error); };
      r.readAsDataURL(f);
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var t = text.value.trim();
    if (!t) return;
    attached().then(function (a) {
      var me = add("me", member.value.trim());
      me.textContent = t;
      var req = { text: t };
      if (a) {
        me.appendChild(document.createElement("br"));
        me.appendChild(document.createTextNode(root.dataset.attached.replace("{name}", a.name)));
        if (a.preview) picture(me, a.preview);
        req.attachments = [{ name: a.name, type: a.type, data: a.data }];
        file.value = "";
      }
      text.value = "";
      send(req);
    }).catch(function () {
      var failed = add("failed", root.dataset.bot);
      failed.textContent = root.dataset.error;
    });
  });
  text.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  document.querySelectorAll(".example").forEach(function (b) {
    b.addEventListener("click", function () { text.value = b.dataset.say; text.focus(); });
  });
})();
