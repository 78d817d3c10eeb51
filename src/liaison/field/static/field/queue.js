/* The queue of field reports (issue 19), in IndexedDB through idb; loaded by the report pages and
 * by the service worker (background sync), so both replay the same way. One queue for every kind
 * (an information item, an incident, a patrol check-in): an entry carries its kind and the URL it
 * is posted to, so the queue knows nothing of any form.
 *
 * An entry: {key, kind, url, page, parts, body, title, created, state: "waiting" | "refused",
 * errors, result, photo (a Blob, already shrunk), photoMode: "attach" (posted after the record to
 * <url>/<id>/attachments, under its own key) | "inline" (base64 in the JSON body)}. The key is the Idempotency-Key made when the form
 * opened: the server creates at most one record per key, so a replay after a lost answer, a
 * replay by the page and by the worker at once, or a reload mid-send never duplicates.
 *
 * Answers: 201/200 -> sent (removed); 400/404/413/422 -> refused (kept, with the fields at fault);
 * 401 -> signed out (kept; replayed after sign-in); 403 CSRF, 409, 429, 5xx, no answer -> kept,
 * tried again. */
(function (global) {
  "use strict";
  var DB = "liaison-field", STORE = "reports";
  var SESSION = "/field/session/";
  var dbp = null, running = null;
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("liaison-field") : null;

  function db() {
    if (!dbp) {
      dbp = global.idb.openDB(DB, 1, {
        upgrade: function (d) { d.createObjectStore(STORE, { keyPath: "key" }); },
      });
    }
    return dbp;
  }
  function changed() { if (channel) channel.postMessage("changed"); }
  async function put(entry) { await (await db()).put(STORE, entry); changed(); }
  async function get(key) { return (await db()).get(STORE, key); }
  async function remove(key) { await (await db()).delete(STORE, key); changed(); }
  async function all() {
    var rows = await (await db()).getAll(STORE);
    return rows.sort(function (a, b) { return a.created - b.created; });
  }

  function newKey() {
    if (global.crypto && global.crypto.randomUUID) return global.crypto.randomUUID();
    var b = new Uint8Array(16); global.crypto.getRandomValues(b);
    return Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
  }

  async function problemErrors(response) {
    try {
      var p = await response.json();
      var errs = (p.errors || []).map(function (e) { return { field: e.field, message: e.message, code: e.code }; });
      if (!errs.length) errs.push({ field: "", message: p.title || String(response.status), code: p.code || "" });
      return errs;
    } catch (e) {
      return [{ field: "", message: String(response.status), code: "" }];
    }
  }

  /* A Blob as base64 (a check-in's photo travels inside its JSON body). */
  async function base64(blob) {
    var bytes = new Uint8Array(await blob.arrayBuffer()), out = "";
    for (var i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(out);
  }

  /* One entry: "sent", "refused", "signed_out" or "retry". */
  async function send(entry, csrf) {
    var headers = { "Idempotency-Key": entry.key, "X-CSRFToken": csrf, "Accept": "application/json" };
    var r;
    var inline = entry.photo && entry.photoMode === "inline";
    if (!entry.result) {
      var body = entry.body;
      if (inline) body = Object.assign({}, body, { photo: { filename: "photo.jpg", data_base64: await base64(entry.photo) } });
      try {
        r = await fetch(entry.url, {
          method: "POST", credentials: "same-origin", cache: "no-store",
          headers: Object.assign({ "Content-Type": "application/json" }, headers),
          body: JSON.stringify(body),
        });
      } catch (e) { return "retry"; }
      if (r.status === 401) return "signed_out";
      if (r.status === 201 || r.status === 200) {
        try { entry.result = (await r.json()).id; } catch (e) { return "retry"; }
        if (!entry.photo || inline) { await remove(entry.key); return "sent"; }
        await put(entry);
      } else if (r.status === 400 || r.status === 404 || r.status === 413 || r.status === 422) {
        entry.state = "refused"; entry.errors = await problemErrors(r); await put(entry);
        return "refused";
      } else {
        return "retry";
      }
    }
    // The photo of a sent item (photoMode "attach"): its own key, so that it too is attached once.
    var form = new FormData();
    form.append("file", entry.photo, "photo.jpg");
    try {
      r = await fetch(entry.url + "/" + entry.result + "/attachments", {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: Object.assign({}, headers, { "Idempotency-Key": entry.key + ".photo" }), body: form,
      });
    } catch (e) { return "retry"; }
    if (r.status === 401) return "signed_out";
    if (r.status === 201 || r.status === 200) { await remove(entry.key); return "sent"; }
    if (r.status === 400 || r.status === 413 || r.status === 422) {
      entry.state = "refused"; entry.errors = await problemErrors(r); await put(entry);
      return "refused";
    }
    return "retry";
  }

  /* Send every waiting entry once, oldest first. Returns {state, sent, retry, refused}: state is
   * "done", "offline" (no answer from the server), "signed_out" or "partial" (some to try again). */
  async function run() {
    var entries = (await all()).filter(function (e) { return e.state !== "refused"; });
    var out = { state: "done", sent: 0, retry: 0, refused: 0 };
    if (!entries.length) return out;
    var csrf;
    try {
      var s = await fetch(SESSION, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } });
      if (s.status === 401) { out.state = "signed_out"; return out; }
      if (!s.ok) { out.state = "offline"; return out; }
      csrf = (await s.json()).csrf;
    } catch (e) { out.state = "offline"; return out; }
    for (var i = 0; i < entries.length; i++) {
      var fresh = await get(entries[i].key);  // the other replayer may have sent it meanwhile
      if (!fresh || fresh.state === "refused") continue;
      var res = await send(fresh, csrf);
      if (res === "signed_out") { out.state = "signed_out"; return out; }
      out[res] += 1;
    }
    if (out.retry) out.state = "partial";
    return out;
  }

  function replay() {
    if (!running) running = run().finally(function () { running = null; });
    return running;
  }

  global.fieldQueue = { put: put, get: get, remove: remove, all: all, replay: replay, newKey: newKey, channel: channel };
})(typeof self !== "undefined" ? self : this);
