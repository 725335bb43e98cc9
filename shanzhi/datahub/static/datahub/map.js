/* 要素地图: Leaflet with a configurable base layer; each layer is fetched as GeoJSON for the visible box
   (the server clusters when there are many points). */
(function () {
  "use strict";
  var el = document.getElementById("dh-map");
  if (!el || !window.L) { return; }
  var cfg = JSON.parse(el.dataset.config);
  var map = L.map(el).setView(cfg.center, cfg.zoom);
  if (cfg.tiles) { L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution }).addTo(map); }
  var colours = { buildings: "#0d6efd", enterprises: "#198754", party_orgs: "#dc3545", key_persons: "#fd7e14", grids: "#6c757d" };
  var groups = {};
  var fitted = false;
  var overlays = {};
  cfg.layers.forEach(function (layer) {
    groups[layer.key] = L.layerGroup();
    overlays[layer.label] = groups[layer.key];
    if (layer.key !== "key_persons") { groups[layer.key].addTo(map); }
  });
  L.control.layers(null, overlays).addTo(map);

  function label(p) {
    if (p.cluster) { return p.count + " 个"; }
    return p.name || p.code || p.category || "";
  }
  function load(key) {
    var group = groups[key];
    if (!map.hasLayer(group)) { return; }
    var b = map.getBounds();
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
    fetch(cfg.api + key + "?bbox=" + bbox, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (data) {
        group.clearLayers();
        L.geoJSON(data, {
          style: function () { return { color: colours[key], weight: 1, fillOpacity: 0.05 }; },
          pointToLayer: function (f, latlng) {
            var p = f.properties;
            var r = p.cluster ? Math.min(28, 8 + Math.log2(p.count + 1) * 3) : 5;
            return L.circleMarker(latlng, { radius: r, color: colours[key], fillOpacity: p.cluster ? 0.35 : 0.8, weight: 1 });
          },
          onEachFeature: function (f, l) { l.bindTooltip(label(f.properties)); }
        }).addTo(group);
        if (key === "grids" && !fitted && group.getLayers().length) {
          fitted = true;  // open on the reader's own area
          var bounds = L.featureGroup(group.getLayers()).getBounds();
          if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); }
        }
        el.setAttribute("data-loaded-" + key, String((data.features || []).length));
      });
  }
  function refresh() { Object.keys(groups).forEach(load); }
  map.on("moveend overlayadd", refresh);
  refresh();
})();
