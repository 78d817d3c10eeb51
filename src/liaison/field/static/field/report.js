/* The field report pages (issue 19): an information item, an incident, a patrol check-in. One
 * script for the three forms, one queue (field/queue.js) for every kind: the form says what it
 * sends (data-api, data-json on its fields, data-photo), the queue sends it.
 *
 * The Idempotency-Key is made when the form opens (and again after each save), so the report keeps
 * it through every retry, reload and replay. A photo is shrunk on a canvas (longest side 1280 px,
 * JPEG) before it is queued, which also drops its EXIF. The queue replays on load, when the link
 * comes back ("online"), on the button, after a failed pass (backing off), and in the service
 * worker's background sync where the browser has one. Every page lists every waiting report; a
 * refused one is fixed on its own kind's page (its "Fix" opens that page at #fix=<key>). */
(function () {
  "use strict";
  var root = document.getElementById("field");
  if (!root || !window.fieldQueue || !window.idb) return;
  root.classList.add("js");
  var q = window.fieldQueue, t = root.dataset;
  var form = document.getElementById("report");
  var fd = form.dataset;
  var list = document.getElementById("waiting");
  var status = document.getElementById("status");
  var editing = null;  // the queued entry being fixed (it keeps its key)
  var backoff = 0, timer = null;

  function $(id) { return document.getElementById(id); }
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
  function freshKey() { $("key").value = q.newKey(); }
  function localTime(d) {
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }
  function localNow() { var d = new Date(); d.setSeconds(0, 0); return localTime(d); }
  function fields(attr) { return Array.prototype.slice.call(form.querySelectorAll("[" + attr + "]")); }
  function nowFields() {
    form.querySelectorAll("[data-type=datetime]").forEach(function (f) { f.value = localNow(); });
  }

  /* The value a field sends: a select its option's code (data-code) or value, a checkbox true or
   * false, a number parsed; an empty optional field is left out. */
  function valueOf(f) {
    if (f.type === "checkbox") return f.checked;
    var v = f.value;
    if (f.tagName === "SELECT" && f.selectedIndex >= 0) {
      var o = f.options[f.selectedIndex];
      v = o.dataset.code !== undefined ? o.dataset.code : o.value;
    }
    if (v === "") return undefined;
    switch (f.dataset.type) {
      case "int": return parseInt(v, 10);
      case "float": return parseFloat(String(v).replace(",", "."));
      case "datetime": return new Date(v).toISOString();
      default: return v;
    }
  }
  function setValue(f, v) {
    if (f.type === "checkbox") { f.checked = !!v; return; }
    if (v === undefined || v === null) v = "";
    if (f.dataset.type === "datetime" && v) v = localTime(new Date(v));
    if (f.tagName === "SELECT") {
      for (var i = 0; i < f.options.length; i++) {
        var o = f.options[i];
        if ((o.dataset.code !== undefined ? o.dataset.code : o.value) === String(v)) { f.selectedIndex = i; break; }
      }
      f.dispatchEvent(new Event("change"));
      return;
    }
    f.value = String(v);
  }
  function shown(f) {
    if (f.tagName === "SELECT") return f.selectedIndex >= 0 && f.value ? f.options[f.selectedIndex].text : "";
    return f.value;
  }

  async function render() {
    var rows = await q.all();
    $("waiting-count").textContent = rows.length;
    list.replaceChildren.apply(list, rows.map(function (e) {
      var li = el("li", e.state === "refused" ? "refused" : "waiting");
      li.dataset.key = e.key;
      li.dataset.kind = e.kind;
      li.appendChild(el("span", "kind", t["t" + e.kind.charAt(0).toUpperCase() + e.kind.slice(1)] || e.kind));
      li.appendChild(document.createTextNode(" "));
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
        fix.addEventListener("click", function () {
          if (e.page && e.page !== location.pathname) location.href = e.page + "#fix=" + encodeURIComponent(e.key);
          else edit(e);
        });
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

  function edit(e) {
    editing = e;
    $("key").value = e.key;
    fields("data-url").forEach(function (f) { setValue(f, (e.parts || {})[f.dataset.url]); });
    fields("data-json").forEach(function (f) { setValue(f, e.body[f.dataset.json]); });
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

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    var body = {}, parts = {}, url = fd.api;
    fields("data-json").forEach(function (f) {
      var v = valueOf(f);
      if (v !== undefined) body[f.dataset.json] = v;
    });
    fields("data-url").forEach(function (f) {
      parts[f.dataset.url] = valueOf(f);
      url = url.replace("{" + f.dataset.url + "}", encodeURIComponent(parts[f.dataset.url]));
    });
    var title = (fd.title || "").split(" ").map(function (id) { return $(id) ? shown($(id)) : ""; })
      .filter(Boolean).join(" · ");
    var photoInput = $("photo");
    var photo = photoInput ? await shrink(photoInput.files[0]) : null;
    var entry = {
      key: $("key").value, kind: t.kind, url: url, page: location.pathname, parts: parts, body: body,
      title: title, created: editing ? editing.created : Date.now(), state: "waiting", errors: [],
      photo: photo || (editing ? editing.photo : null) || null, photoMode: fd.photo || "",
    };
    await q.put(entry);
    editing = null;
    form.reset();
    form.dispatchEvent(new Event("reset-done"));
    nowFields();
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

  // The check-in form: a patrol's markers only, and a marker's position as the default position.
  var patrol = $("patrol"), marker = $("marker");
  if (patrol && marker) {
    var narrow = function () {
      for (var i = 0; i < marker.options.length; i++) {
        var o = marker.options[i];
        o.hidden = o.disabled = !!o.dataset.patrol && o.dataset.patrol !== patrol.value;
      }
      if (marker.selectedOptions[0] && marker.selectedOptions[0].disabled) marker.selectedIndex = 0;
    };
    patrol.addEventListener("change", narrow);
    form.addEventListener("reset-done", narrow);
    marker.addEventListener("change", function () {
      var o = marker.selectedOptions[0];
      if (o && o.dataset.lat && !editing) { $("lat").value = o.dataset.lat; $("lon").value = o.dataset.lon; }
    });
    narrow();
  }
  var here = $("here");
  if (here) here.addEventListener("click", function () {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(function (p) {
      $("lat").value = p.coords.latitude.toFixed(6); $("lon").value = p.coords.longitude.toFixed(6);
    }, function () { /* no fix: the marker's position or a typed one */ }, { timeout: 15000 });
  });

  $("send-now").addEventListener("click", function () { backoff = 0; send(); });
  window.addEventListener("online", function () { backoff = 0; send(); });
  if (q.channel) q.channel.addEventListener("message", function () { render(); });
  setInterval(render, 30000);  // the ages

  nowFields();
  freshKey();
  if ("serviceWorker" in navigator && window.workbox) {
    new window.workbox.Workbox(t.sw, { scope: t.scope }).register();
    // Says when the page is kept for offline use (the worker controls it): tests wait on it.
    var mark = function () { if (navigator.serviceWorker.controller) root.dataset.offline = "ready"; };
    navigator.serviceWorker.addEventListener("controllerchange", mark);
    mark();
  }
  render().then(function (rows) {
    var m = /^#fix=(.+)$/.exec(location.hash);
    if (m) {
      var key = decodeURIComponent(m[1]);
      var e = rows.filter(function (r) { return r.key === key && r.kind === t.kind; })[0];
      if (e) edit(e);
    }
    if (rows.length) send();
  });
})();
