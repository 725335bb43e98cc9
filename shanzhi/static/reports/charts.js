/* Charts of the report pages: reads the page's JSON (json_script "chart-data") and draws ECharts into
   elements marked data-chart="daily|channel|category|ranking"; the monthly page's hotspots go on a map with the configured base layer. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source) return;
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(el, option) {
    var chart = echarts.init(el);
    chart.setOption(Object.assign({ title: { text: el.dataset.title, textStyle: { fontSize: 14 } },
      tooltip: {}, grid: { left: 60, right: 20, top: 40, bottom: 30, containLabel: true } }, option));
    charts.push(chart);
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var rows = data[el.dataset.chart] || [];
    var names = rows.map(function (r) { return r[0]; });
    var values = rows.map(function (r) { return r[1]; });
    switch (el.dataset.chart) {
      case "daily":
        draw(el, { tooltip: { trigger: "axis" }, xAxis: { type: "category", data: names },
          yAxis: { type: "value" }, series: [{ type: "line", data: values, smooth: true, areaStyle: { opacity: 0.15 } }] });
        break;
      case "channel":
        draw(el, { tooltip: { trigger: "item" }, series: [{ type: "pie", radius: ["30%", "65%"], top: 30,
          data: rows.map(function (r) { return { name: r[0], value: r[1] }; }) }] });
        break;
      default:
        draw(el, { xAxis: { type: "value" }, yAxis: { type: "category", data: names.slice().reverse() },
          series: [{ type: "bar", data: values.slice().reverse(), label: { show: true, position: "right" } }] });
    }
  });

  var mapEl = document.getElementById("hotspot-map");
  if (mapEl && window.L && data.hotspots) {
    var spots = data.hotspots.filter(function (h) { return h.lat !== null && h.lon !== null; });
    var map = L.map(mapEl);
    var tiles = mapEl.getAttribute("data-tiles");  // the base layer (SHANZHI_MAP_TILE_URL), when one is set
    if (tiles) L.tileLayer(tiles, { maxZoom: 19, attribution: mapEl.getAttribute("data-attribution") || "" }).addTo(map);
    var peak = Math.max.apply(null, spots.map(function (h) { return h.count; }).concat([1]));
    var group = L.featureGroup(spots.map(function (h) {
      return L.circleMarker([h.lat, h.lon], { radius: 6 + 18 * h.count / peak, color: "#d6361f", fillOpacity: 0.5 })
        .bindTooltip(h.name + "：" + h.count + " 件");
    })).addTo(map);
    if (spots.length) map.fitBounds(group.getBounds(), { padding: [30, 30], maxZoom: 14 });
    else map.setView([39.67, 106.82], 11);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
