// The situational picture: Liaison's own geography (no internet needed), incidents and items in a
// time window, hotspots, risk zones; live updates from the feed. Layers come from /api/v1/layers/.
(function () {
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var map = L.map(el, { preferCanvas: true, maxZoom: 18, minZoom: 6 }).setView([20.25, 104.75], 9);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.tilesAttribution || "" }).addTo(map);
  }
  var csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  var windowKind = "30d";
  var control = L.control.layers(null, {}, { collapsed: false }).addTo(map);
  var sevColor = { critical: "#a61b1b", high: "#e0701b", medium: "#d4a72c", low: "#5f8f4e" };
  var tlpColor = { red: "#c00", amber_strict: "#e69500", amber: "#e69500", green: "#2a9d2a", clear: "#888" };

  function esc(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function popup(p) {
    var html = "<strong>" + esc(p.ref || p.name || p.code || "") + "</strong>";
    if (p.title) html += "<br>" + esc(p.title);
    if (p.type || p.category) html += "<br><small>" + esc(p.type || p.category) + "</small>";
    if (p.severity) html += "<br>" + esc(p.severity) + " · " + esc(p.status);
    if (p.tlp) html += "<br>TLP:" + esc(p.tlp.toUpperCase()) + " · " + esc(p.status);
    if (p.drill) html += "<br><b>DIỄN TẬP</b>";
    if (p.approximate) html += "<br><em>vị trí gần đúng / approximate</em>";
    if (p.count) html += "<br>" + esc(p.count) + " tin / vụ việc";
    if (p.url) html += '<br><a href="' + esc(p.url) + '">Mở / open →</a>';
    return html;
  }
  function url(name) {
    if (defs[name].url) return defs[name].url;
    var u = "/api/v1/layers/" + name + "?window=" + windowKind;
    if (windowKind === "custom") {
      var s = document.getElementById("since").value, t = document.getElementById("until").value;
      u += "&since=" + encodeURIComponent(s + "T00:00:00+07:00") + "&until=" + encodeURIComponent(t + "T23:59:59+07:00");
    }
    return u;
  }
  function fetchJSON(u) { return fetch(u, { credentials: "same-origin" }).then(function (r) { return r.json(); }); }

  var defs = {
    "border": { label: "Đường biên giới", on: true, style: { color: "#c0392b", weight: 3 } },
    "border-area": { label: "Khu vực biên giới", on: true, style: { color: "#c0392b", weight: 0, fillOpacity: 0.08 } },
    "risk-zones": { label: "Vùng nguy cơ lũ, sạt lở", on: true, style: { color: "#8e44ad", weight: 1, fillOpacity: 0.2 } },
    "posts": { label: "Đồn biên phòng", on: true, point: { radius: 6, color: "#1f5fa8", fillOpacity: 0.9 } },
    "gates": { label: "Cửa khẩu", on: true, point: { radius: 8, color: "#0b5d3b", fillOpacity: 0.9 } },
    "markers": { label: "Mốc giới", on: false, point: { radius: 3, color: "#555", fillOpacity: 0.8 } },
    "towns": { label: "Thị trấn, huyện lỵ", on: true, point: { radius: 4, color: "#333", fillOpacity: 0.6 } },
    "incidents": { label: "Vụ việc", on: true, dynamic: true, cluster: true },
    "items": { label: "Tin có vị trí", on: true, dynamic: true, cluster: true },
    "hotspots": { label: "Điểm nóng", on: false, dynamic: true },
    // Patrols: the markers of the reader's posts not checked within each post's N days.
    "patrol-gaps": { label: "Mốc chưa được tuần tra", on: true, url: "/api/v1/patrol-coverage/unchecked.geojson", point: { radius: 7, color: "#7b241c", fillColor: "#f5b041", weight: 2, fillOpacity: 0.95 } }
  };
  var labelsEl = document.getElementById("layer-labels");
  var labels = labelsEl ? JSON.parse(labelsEl.textContent) : {};
  var groups = {};
  Object.keys(defs).forEach(function (name) {
    var d = defs[name];
    var group = d.cluster && L.markerClusterGroup ? L.markerClusterGroup({ maxClusterRadius: 40 }) : L.layerGroup();
    groups[name] = group;
    control.addOverlay(group, labels[name] || d.label);
    if (d.on) group.addTo(map);
  });

  function render(name, data) {
    var d = defs[name];
    var g = groups[name];
    g.clearLayers();
    var layer = L.geoJSON(data, {
      style: function (f) {
        if (name === "hotspots") {
          var max = data.max || 1;
          return { color: "#d35400", weight: 0, fillOpacity: 0.15 + 0.6 * (f.properties.count / max) };
        }
        return d.style || {};
      },
      pointToLayer: function (f, latlng) {
        var p = f.properties;
        if (name === "incidents") return L.circleMarker(latlng, { radius: 9, color: "#fff", weight: 2, fillColor: sevColor[p.severity] || "#999", fillOpacity: 0.95 });
        if (name === "items") return L.circleMarker(latlng, { radius: 5, color: tlpColor[p.tlp] || "#333", weight: 1, fillOpacity: 0.7 });
        return L.circleMarker(latlng, d.point || {});
      },
      onEachFeature: function (f, l) { l.bindPopup(popup(f.properties)); if (f.properties.ref) l.options.title = f.properties.ref; }
    });
    if (g.addLayers) { g.addLayers(layer.getLayers()); } else { layer.addTo(g); }
    el.dataset["count" + name.replace("-", "")] = (data.features || []).length;
  }
  function load(name) { return fetchJSON(url(name)).then(function (data) { render(name, data); }); }
  function loadDynamic() { return Promise.all(["incidents", "items", "hotspots"].map(load)); }
  Promise.all(Object.keys(defs).map(load)).then(function () { el.dataset.ready = "1"; });

  var sel = document.getElementById("window");
  var custom = document.getElementById("custom-window");
  function customReady() {
    return document.getElementById("since").value && document.getElementById("until").value;
  }
  if (sel) sel.addEventListener("change", function () {
    windowKind = sel.value;
    if (custom) custom.hidden = windowKind !== "custom";
    if (windowKind !== "custom" || customReady()) loadDynamic();
  });
  ["since", "until"].forEach(function (id) {
    var input = document.getElementById(id);
    if (input) input.addEventListener("change", function () { if (windowKind === "custom" && customReady()) loadDynamic(); });
  });

  var pending = null;
  document.body.addEventListener("liaison:event", function (e) {
    if (pending) return;
    pending = setTimeout(function () { pending = null; loadDynamic().then(function () { el.dataset.live = (parseInt(el.dataset.live || "0", 10) + 1).toString(); }); if (e.detail.kind === "riskzone.saved") load("risk-zones"); }, 300);
  });

  // Administrators draw risk zones: click the vertices, then save.
  var drawBtn = document.getElementById("draw-zone");
  if (drawBtn) {
    var pts = [], line = null;
    function onClick(e) { pts.push([e.latlng.lng, e.latlng.lat]); if (line) map.removeLayer(line); line = L.polygon(pts.map(function (p) { return [p[1], p[0]]; }), { color: "#8e44ad" }).addTo(map); }
    drawBtn.addEventListener("click", function () {
      if (drawBtn.dataset.drawing) {
        map.off("click", onClick);
        delete drawBtn.dataset.drawing;
        drawBtn.textContent = drawBtn.dataset.labelStart;
        if (pts.length < 3) { if (line) map.removeLayer(line); pts = []; return; }
        var name = window.prompt(drawBtn.dataset.askName || "Name");
        var kind = document.getElementById("zone-kind").value;
        if (!name) { if (line) map.removeLayer(line); pts = []; return; }
        var ring = pts.concat([pts[0]]);
        fetch("/api/v1/risk-zones", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify({ name: name, kind: kind, geometry: { type: "Polygon", coordinates: [ring] } }) })
          .then(function (r) { return r.json(); }).then(function () { if (line) map.removeLayer(line); pts = []; load("risk-zones"); });
      } else {
        drawBtn.dataset.drawing = "1";
        drawBtn.textContent = drawBtn.dataset.labelStop;
        map.on("click", onClick);
      }
    });
  }
})();
