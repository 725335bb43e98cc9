/* 物联感知 地图: devices and open alarms as two layers over the configured base layer. The points come in the
   page's data-config (already in the viewer's scope); each opens its device or alarm page. */
(function () {
  "use strict";
  var el = document.getElementById("iot-map");
  if (!el || !window.L) { return; }
  var cfg = JSON.parse(el.dataset.config);
  var map = L.map(el).setView(cfg.center, cfg.zoom);
  if (cfg.tiles) { L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution }).addTo(map); }
  var statusColour = { online: "#198754", offline: "#dc3545", unknown: "#6c757d" };
  var severityColour = { critical: "#b02a37", high: "#fd7e14", medium: "#dc3545", low: "#6c757d" };
  var devices = L.layerGroup().addTo(map);
  var alarms = L.layerGroup().addTo(map);
  var bounds = [];

  function link(url, text) {
    var a = document.createElement("a");
    a.href = url;
    a.textContent = text;
    return a;
  }
  cfg.devices.forEach(function (d) {
    var m = L.circleMarker([d.lat, d.lon], { radius: 6, color: statusColour[d.status] || "#6c757d", fillOpacity: 0.85, weight: 1 });
    m.bindPopup(link(d.url, d.name + "（" + d.code + "）"));
    m.addTo(devices);
    bounds.push([d.lat, d.lon]);
  });
  cfg.alarms.forEach(function (a) {
    var m = L.circleMarker([a.lat, a.lon], { radius: 13, color: severityColour[a.severity] || "#dc3545", fillOpacity: 0.25, weight: 2 });
    m.bindPopup(link(a.url, a.label));
    m.addTo(alarms);
    bounds.push([a.lat, a.lon]);
  });
  var overlays = {};
  overlays[cfg.layers.devices] = devices;
  overlays[cfg.layers.alarms] = alarms;
  L.control.layers(null, overlays).addTo(map);
  if (bounds.length) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17 }); }
  el.dataset.ready = String(cfg.devices.length + cfg.alarms.length);
}());
