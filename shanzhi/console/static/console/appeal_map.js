/* The appeal page's small map: the appeal's point and its grid's boundary on the configured base layer.
   Data from the json_script element #appeal-map-data (console/partials/appeal_map.html); no inline script. */
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("appeal-map");
    var source = document.getElementById("appeal-map-data");
    if (!el || !source || !window.L) { return; }
    var cfg = JSON.parse(source.textContent);
    var map = L.map(el, { scrollWheelZoom: false });
    if (cfg.tiles) {
      L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution || "" }).addTo(map);
    }
    // The view first: Leaflet places vector layers only on a map that has a centre and a zoom.
    var area = cfg.area ? L.geoJSON(cfg.area, {
      style: function () { return { color: "#0d6efd", weight: 2, fillOpacity: 0.08 }; }
    }) : null;
    if (cfg.point) {
      map.setView(cfg.point, 16);
    } else if (area && area.getBounds().isValid()) {
      map.fitBounds(area.getBounds(), { padding: [8, 8] });
    } else {
      return;
    }
    if (area) { area.addTo(map); }
    if (cfg.point) {
      L.circleMarker(cfg.point, { radius: 8, color: "#dc3545", weight: 2, fillOpacity: 0.7 }).addTo(map);
    }
    el.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
