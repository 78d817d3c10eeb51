/* The field report page (issue 19): the form queues, the queue sends.
 *
 * The Idempotency-Key is made when the form opens (and again after each save), so the report keeps
 * it through every retry, reload and replay. A photo is shrunk on a canvas (longest side 1280 px,
 * JPEG) before it is queued, which also drops its EXIF. The queue replays on load, when the link
 * comes back ("online"), on the button, after a failed pass (backing off), and in the service
 * worker's background sync where the browser has one. */
(function () {
  "use strict";
  var root = document.getElementById("field");
  if (!root || !window.fieldQueue || !window.idb) return;
  root.classList.add("js");
  var q = window.fieldQueue, t = root.dataset;
  var form = document.getElementById("report");
  var list = document.getElementById("waiting");
  var status = document.getElementById("status");
  var editing = null;  // the queued entry being fixed (it keeps its key)
  var backoff = 0, timer = null;

  function say(text) { status.textContent = text || ""; }
  function fmt(s, n) { return s.replace("{n}", n); }
  function age(ms) {
    var m = Math.floor((Date.now() - ms) / 60000);
    if (m < 1) return t.tNow;
    if (m < 60) return fmt(t.tMin, m);
    if (m < 1440) return fmt(t.tHour, Math.floor(m / 60));
    return fmt(t.tDay, Math.floor(m / 1440));
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function freshKey() { document.getElementById("key").value = q.newKey(); }
  function localNow() {
    var d = new Date(); d.setSeconds(0, 0);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }

  async function render() {
    var rows = await q.all();
    document.getElementById("waiting-count").textContent = rows.length;
    list.replaceChildren.apply(list, rows.map(function (e) {
      var li = el("li", e.state === "refused" ? "refused" : "waiting");
      li.dataset.key = e.key;
      li.appendChild(el("strong", "title", e.title));
      li.appendChild(document.createTextNode(" · "));
      li.appendChild(el("span", "age", age(e.created)));
      li.appendChild(document.createTextNode(" · "));
      li.appendChild(el("span", "state", e.state === "refused" ? t.tRefused : t.tWaiting));
      if (e.photo) li.appendChild(document.createTextNode(" · " + t.tPhoto));
      if (e.state === "refused") {
        var ul = el("ul", "errors");
        (e.errors || []).forEach(function (x) {
          var item = el("li", "error", (x.field ? x.field + ": " : "") + x.message);
          item.dataset.field = x.field;
          ul.appendChild(item);
        });
        li.appendChild(ul);
        var fix = el("button", "fix", t.tEdit); fix.type = "button";
        fix.addEventListener("click", function () { edit(e); });
        li.appendChild(fix);
      }
      var drop = el("button", "discard", t.tDiscard); drop.type = "button";
      drop.addEventListener("click", async function () {
        if (window.confirm(t.tConfirm)) { await q.remove(e.key); render(); }
      });
      li.appendChild(drop);
      return li;
    }));
    return rows;
  }

  function select(id, code) {
    var s = document.getElementById(id);
    for (var i = 0; i < s.options.length; i++) if (s.options[i].dataset.code === code) s.selectedIndex = i;
  }
  function edit(e) {
    editing = e;
    var b = e.body;
    document.getElementById("key").value = e.key;
    document.getElementById("title").value = b.title;
    document.getElementById("body").value = b.body;
    select("category", b.category);
    select("place", b.place || "");
    document.getElementById("reliability").value = b.reliability;
    document.getElementById("credibility").value = String(b.credibility);
    document.getElementById("tlp").value = b.tlp;
    var d = new Date(b.observed_at);
    document.getElementById("observed_at").value =
      new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    form.scrollIntoView();
  }

  async function shrink(file) {
    if (!file) return null;
    var bmp = await createImageBitmap(file);
    var scale = Math.min(1, 1280 / Math.max(bmp.width, bmp.height));
    var c = document.createElement("canvas");
    c.width = Math.round(bmp.width * scale); c.height = Math.round(bmp.height * scale);
    c.getContext("2d").drawImage(bmp, 0, 0, c.width, c.height);
    return new Promise(function (ok) { c.toBlob(ok, "image/jpeg", 0.7); });
  }

  function code(id) { var s = document.getElementById(id); return s.options[s.selectedIndex].dataset.code; }

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    var photoInput = document.getElementById("photo");
    var when = document.getElementById("observed_at").value;
    var body = {
      title: document.getElementById("title").value,
      body: document.getElementById("body").value,
      category: code("category"),
      observed_at: new Date(when).toISOString(),
      reliability: document.getElementById("reliability").value,
      credibility: parseInt(document.getElementById("credibility").value, 10),
      tlp: document.getElementById("tlp").value,
    };
    var place = code("place");
    if (place) body.place = place;
    var key = document.getElementById("key").value;
    var photo = await shrink(photoInput.files[0]);
    var entry = {
      key: key, kind: "item", url: root.dataset.api, body: body, title: body.title,
      created: editing ? editing.created : Date.now(), state: "waiting", errors: [],
      photo: photo || (editing ? editing.photo : null) || null,
    };
    await q.put(entry);
    editing = null;
    form.reset();
    document.getElementById("observed_at").value = localNow();
    freshKey();
    await render();
    syncLater();
    send();
  });

  function syncLater() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register("liaison-field-queue");
    }).catch(function () { /* no background sync here: the page replays */ });
  }

  async function send() {
    clearTimeout(timer);
    var r = await q.replay();
    var rows = await render();
    if (r.state === "signed_out") {
      status.replaceChildren(document.createTextNode(t.tSignedOut + " "));
      var a = el("a", "", "→"); a.href = t.login; status.appendChild(a);
      return;
    }
    var waiting = rows.filter(function (e) { return e.state !== "refused"; }).length;
    if (r.state === "offline" || r.state === "partial" || waiting) {
      say(t.tOffline);
      backoff = Math.min(backoff ? backoff * 2 : 500, 15000);
      timer = setTimeout(send, backoff);
    } else {
      backoff = 0;
      say(rows.length ? "" : t.tSent);
    }
  }

  document.getElementById("send-now").addEventListener("click", function () { backoff = 0; send(); });
  window.addEventListener("online", function () { backoff = 0; send(); });
  if (q.channel) q.channel.addEventListener("message", function () { render(); });
  setInterval(render, 30000);  // the ages

  document.getElementById("observed_at").value = localNow();
  freshKey();
  if ("serviceWorker" in navigator && window.workbox) {
    new window.workbox.Workbox(t.sw, { scope: t.scope }).register();
    // Says when the page is kept for offline use (the worker controls it): tests wait on it.
    var mark = function () { if (navigator.serviceWorker.controller) root.dataset.offline = "ready"; };
    navigator.serviceWorker.addEventListener("controllerchange", mark);
    mark();
  }
  render().then(function (rows) { if (rows.length) send(); });
})();
