// The live feed for every signed-in page: one EventSource per page. Each event is re-dispatched on
// <body> as "liaison:event", so that htmx regions (hx-trigger="liaison:event from:body") and the map
// refresh themselves without reloading the page. The browser resumes with Last-Event-ID.
(function () {
  if (!document.body.dataset.live || !window.EventSource) return;
  var source = new EventSource("/events/stream");
  var feed = document.getElementById("live-feed");
  function show(ev) {
    if (!feed) return;
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = ev.url || "#";
    a.textContent = ev.text || ev.object_ref || "";
    var t = document.createElement("time");
    t.textContent = new Date(ev.at).toLocaleTimeString();
    li.appendChild(t); li.appendChild(document.createTextNode(" ")); li.appendChild(a);
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > 30) feed.removeChild(feed.lastChild);
  }
  function handle(e) {
    var ev;
    try { ev = JSON.parse(e.data); } catch (err) { return; }
    show(ev);
    document.body.dispatchEvent(new CustomEvent("liaison:event", { detail: ev }));
  }
  ["item.created", "item.shared", "incident.opened", "incident.acknowledged", "incident.responding",
   "incident.contained", "incident.resolved", "incident.closed", "incident.cancelled", "incident.merged",
   "incident.escalated", "incident.handover", "task.assigned", "task.escalated", "riskzone.saved"
  ].forEach(function (k) { source.addEventListener(k, handle); });
  source.addEventListener("end", function () { source.close(); });
  window.liaisonFeed = source;
})();
