/* 善治 citizen portal — a little vanilla JS on top of server-rendered pages (everything works without it):
   photos resized in the browser with canvas before upload (max 6), upload progress, device location and a
   Leaflet map pick, a search box for the category list, one submit per click. */
(function () {
  "use strict";
  var MAX_SIDE = 1600, QUALITY = 0.82;

  function $(sel, root) { return (root || document).querySelector(sel); }

  /* --- category search: filters the <select> options as you type ------------------------------------ */
  function initCategorySearch() {
    var input = $("[data-filter-select]");
    if (!input) return;
    var select = document.getElementById(input.getAttribute("data-filter-select"));
    if (!select) return;
    input.hidden = false;
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase(), first = null, shown = 0;
      Array.prototype.forEach.call(select.options, function (opt) {
        if (!opt.value) { opt.hidden = false; return; }
        var hay = (opt.getAttribute("data-search") || opt.text).toLowerCase();
        var match = !q || hay.indexOf(q) !== -1;
        opt.hidden = !match;
        if (match) { shown++; if (!first) first = opt; }
      });
      select.size = q ? Math.min(Math.max(shown + 1, 2), 8) : 0;
      if (q && first && select.selectedOptions.length && select.selectedOptions[0].hidden) first.selected = true;
    });
  }

  /* --- photos: resize with canvas, preview, remove -------------------------------------------------- */
  function resize(file) {
    return new Promise(function (resolve) {
      if (!/^image\//.test(file.type) || /gif$/.test(file.type)) { resolve(file); return; }
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) {
          if (!blob || (scale === 1 && blob.size >= file.size)) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg" }));
        }, "image/jpeg", QUALITY);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); }; /* the server explains */
      img.src = url;
    });
  }

  function initPhotoForm(form) {
    var input = $("input[type=file][name=photos]", form);
    var list = $("#photo-previews", form), status = $("#photo-status", form);
    var max = parseInt(form.getAttribute("data-max-photos") || "6", 10);
    var photos = [];
    if (!input) return null;

    function render() {
      list.innerHTML = "";
      photos.forEach(function (file, i) {
        var li = document.createElement("li"), img = document.createElement("img");
        img.alt = "照片 " + (i + 1);
        if (/^image\//.test(file.type)) img.src = URL.createObjectURL(file);
        var btn = document.createElement("button");
        btn.type = "button"; btn.textContent = "×"; btn.setAttribute("aria-label", "删除照片 " + (i + 1));
        btn.addEventListener("click", function () { photos.splice(i, 1); render(); });
        li.appendChild(img); li.appendChild(btn); list.appendChild(li);
      });
      var kb = Math.round(photos.reduce(function (s, f) { return s + f.size; }, 0) / 1024);
      status.textContent = photos.length ? "已选 " + photos.length + " 张照片（共 " + kb + " KB）" : "";
    }

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      var room = max - photos.length;
      if (files.length > room) status.textContent = "最多 " + max + " 张照片，多出的已忽略";
      files = files.slice(0, Math.max(0, room));
      status.textContent = "正在压缩照片…";
      Promise.all(files.map(resize)).then(function (done) {
        photos = photos.concat(done);
        input.value = "";
        render();
      });
    });
    return function () { return photos; };
  }

  /* --- submit with progress (falls back to a normal post without JS) -------------------------------- */
  function initUpload(form) {
    var getPhotos = initPhotoForm(form);
    var progress = $("#upload-progress", form), status = $("#submit-status", form);
    var button = $("button[type=submit]", form);
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) return;
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      var data = new FormData(form);
      data.delete("photos");
      (getPhotos ? getPhotos() : []).forEach(function (file) { data.append("photos", file, file.name); });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || window.location.href);
      xhr.setRequestHeader("X-Portal-Ajax", "1");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        progress.hidden = false;
        progress.value = Math.round(e.loaded / e.total * 100);
        status.textContent = "正在上传 " + progress.value + "%";
      });
      xhr.onload = function () {
        var type = xhr.getResponseHeader("Content-Type") || "";
        if (xhr.status < 300 && type.indexOf("application/json") === 0) {
          status.textContent = "提交成功，正在跳转…";
          window.location.assign(JSON.parse(xhr.responseText).redirect);
          return;
        }
        document.open(); document.write(xhr.responseText); document.close();
      };
      xhr.onerror = xhr.ontimeout = function () {
        button.disabled = false; progress.hidden = true;
        status.textContent = "网络不稳定，提交没有成功，请检查网络后再点一次“提交”（不会重复提交）。";
      };
      xhr.timeout = 180000;
      status.textContent = "正在提交…";
      xhr.send(data);
    });
  }

  /* --- location: device position and a map pick ----------------------------------------------------- */
  function initLocation() {
    var lon = document.getElementById("id_longitude"), lat = document.getElementById("id_latitude");
    if (!lon || !lat) return;
    var status = document.getElementById("location-status");
    var useBtn = document.getElementById("use-location"), clearBtn = document.getElementById("clear-location");
    var mapEl = document.getElementById("map"), map = null, marker = null;

    function set(lng, la, how) {
      lon.value = lng.toFixed(6); lat.value = la.toFixed(6);
      status.textContent = how + "：" + lng.toFixed(5) + ", " + la.toFixed(5);
      clearBtn.hidden = false;
      if (map) {
        if (!marker) marker = window.L.marker([la, lng], { keyboard: false }).addTo(map);
        else marker.setLatLng([la, lng]);
      }
    }
    clearBtn.addEventListener("click", function () {
      lon.value = ""; lat.value = ""; clearBtn.hidden = true;
      status.textContent = "已清除位置";
      if (marker) { marker.remove(); marker = null; }
    });
    if (navigator.geolocation) {
      useBtn.hidden = false;
      useBtn.addEventListener("click", function () {
        status.textContent = "正在定位…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          set(pos.coords.longitude, pos.coords.latitude, "已使用当前位置");
          if (map) map.setView([pos.coords.latitude, pos.coords.longitude], 16);
        }, function () {
          status.textContent = "无法获取位置，请在地图上点选，或填写地址和社区。";
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
    function initMap() {
      if (!mapEl || !window.L) return;
      mapEl.hidden = false;
      var c = (mapEl.getAttribute("data-center") || "39.6729,106.8253").split(",").map(Number);
      map = window.L.map(mapEl, { zoomControl: true }).setView(c, 13);
      var tiles = mapEl.getAttribute("data-tiles");
      if (tiles) window.L.tileLayer(tiles, { maxZoom: 19, attribution: mapEl.getAttribute("data-attribution") || "" }).addTo(map);
      var outline = mapEl.getAttribute("data-outline");
      if (outline && window.fetch) {
        fetch(outline).then(function (r) { return r.json(); }).then(function (gj) {
          if (!gj.features || !gj.features.length) return;
          var layer = window.L.geoJSON(gj, { style: { color: "#0b4f96", weight: 2, fillOpacity: 0.05 }, interactive: false }).addTo(map);
          if (!lon.value) map.fitBounds(layer.getBounds());
        }).catch(function () {});
      }
      map.on("click", function (e) { set(e.latlng.lng, e.latlng.lat, "已在地图上选择位置"); });
      if (lon.value && lat.value) set(parseFloat(lon.value), parseFloat(lat.value), "已选位置");
    }
    if (window.L) initMap(); else window.addEventListener("load", initMap);
  }

  document.addEventListener("DOMContentLoaded", function () {
    initCategorySearch();
    Array.prototype.forEach.call(document.querySelectorAll("form[data-photo-form]"), initUpload);
    initLocation();
  });
})();
