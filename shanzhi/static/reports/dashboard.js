/* The command dashboard: fetches the JSON endpoint every N seconds and redraws in place (no page reload). */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) return;
  var refreshMs = (parseInt(root.dataset.refresh, 10) || 15) * 1000;
  var warnColour = { red: "#ff4d4f", yellow: "#ffb020", none: "#3fd0ff" };

  var map = L.map("dash-map", { zoomControl: false, attributionControl: false, zoomSnap: 0.25 });
  map.setView([39.67, 106.82], 11);
  var points = L.layerGroup().addTo(map);

  fetch(root.dataset.mapUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (layers) {
    L.geoJSON(layers.grids, { style: { color: "#2a6fa8", weight: 1, fillColor: "#133a63", fillOpacity: 0.35 },
      onEachFeature: function (f, layer) { if (f.properties && f.properties.name) layer.bindTooltip(f.properties.name); } }).addTo(map);
    var outline = L.geoJSON(layers.district, { style: { color: "#7fd3ff", weight: 3, fill: false } }).addTo(map);
    if (outline.getLayers().length) map.fitBounds(outline.getBounds(), { padding: [20, 20] });
    root.dataset.mapReady = "1";
  });

  var channels = echarts.init(document.getElementById("dash-channels"), null, { renderer: "canvas" });
  var gauges = Array.prototype.map.call(document.querySelectorAll("[data-gauge]"), function (el) {
    return echarts.init(el);
  });

  function gaugeOption(g) {
    var value = g.value === null || g.value === undefined ? 0 : g.value;
    return {
      series: [{
        type: "gauge", min: 0, max: 100, radius: "92%", progress: { show: true, width: 14 },
        axisLine: { lineStyle: { width: 14, color: [[1, "#17324f"]] } }, axisTick: { show: false },
        splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
        itemStyle: { color: value >= 90 ? "#2ecc71" : value >= 75 ? "#ffb020" : "#ff4d4f" },
        title: { offsetCenter: [0, "62%"], color: "#9fb6cf", fontSize: 18 },
        detail: { offsetCenter: [0, "5%"], fontSize: 34, color: "#fff",
          formatter: function () { return g.value === null || g.value === undefined ? "—" : g.value.toFixed(1); } },
        data: [{ value: value, name: g.name }]
      }]
    };
  }

  function text(el, value) { if (el.textContent !== String(value)) el.textContent = value; }

  function render(data) {
    text(document.getElementById("dash-now"), data.now);
    Object.keys(data.counts).forEach(function (key) {
      var el = root.querySelector('[data-count="' + key + '"]');
      if (el) text(el, data.counts[key].toLocaleString("zh-CN"));
    });
    channels.setOption({
      tooltip: { trigger: "item" }, legend: { bottom: 0, textStyle: { color: "#9fb6cf", fontSize: 14 } },
      series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "42%"], label: { color: "#dce7f5", fontSize: 15 },
        data: data.by_channel }]
    });
    data.gauges.forEach(function (g, i) { if (gauges[i]) gauges[i].setOption(gaugeOption(g)); });
    points.clearLayers();
    data.points.forEach(function (p) {
      L.circleMarker([p.lat, p.lon], { radius: 6, color: warnColour[p.warning] || warnColour.none, weight: 1,
        fillOpacity: 0.85 }).bindTooltip(p.no + " · " + p.state).addTo(points);
    });
    root.dataset.points = String(data.points.length);
    var list = document.getElementById("dash-events");
    var rows = data.events.map(function (e) {
      var li = document.createElement("li");
      [["t", e.time], ["k", e.kind], ["n", e.no], ["u", e.unit]].forEach(function (pair) {
        var span = document.createElement("span"); span.className = pair[0]; span.textContent = pair[1]; li.appendChild(span);
      });
      return li;
    });
    list.replaceChildren.apply(list, rows);
    var windowHeight = list.parentElement.clientHeight;
    if (list.scrollHeight > windowHeight && rows.length) {
      rows.forEach(function (li) { list.appendChild(li.cloneNode(true)); });  // seamless loop
      list.style.animationDuration = Math.max(10, rows.length * 2) + "s";
      list.classList.add("scrolling");
    } else {
      list.classList.remove("scrolling");
    }
    root.dataset.loaded = String((parseInt(root.dataset.loaded || "0", 10) || 0) + 1);
  }

  function tick() {
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { render(data); document.getElementById("dash-live").classList.remove("stale"); })
      .catch(function () { document.getElementById("dash-live").classList.add("stale"); })
      .finally(function () { window.setTimeout(tick, refreshMs); });
  }
  window.addEventListener("resize", function () { channels.resize(); gauges.forEach(function (g) { g.resize(); }); });
  tick();
})();
