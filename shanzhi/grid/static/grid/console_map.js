/* 网格管理 overview: the grids in the viewer's scope on a plain map (no tiles needed), coloured by the period's
   patrols, with each grid's figures in its tooltip. */
(function () {
  "use strict";
  var el = document.getElementById("grid-map"), source = document.getElementById("grid-map-data");
  if (!el || !source || !window.L) return;
  var grids = JSON.parse(source.textContent);
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  var layer = L.geoJSON(grids.map(function (g) {
    return { type: "Feature", geometry: g.geometry, properties: g };
  }), {
    style: function (f) {
      var walked = f.properties.patrols > 0;
      return { color: walked ? "#067647" : "#d92d20", weight: 1, fillColor: walked ? "#12b76a" : "#fda29b",
        fillOpacity: 0.35 };
    },
    onEachFeature: function (f, l) {
      var p = f.properties;
      l.bindTooltip(p.name + "（" + p.code + "）<br>巡查 " + p.patrols + " 次 · 上报 " + p.reports + " 件");
    }
  }).addTo(map);
  if (grids.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
  else map.setView([39.67, 106.82], 11);
  el.setAttribute("data-grids", String(grids.length));
})();
