/* 善治 grid worker's phone pages: the offline queue (no library).

   Every submission (start a patrol, check in, finish, report a problem, verify a fix) is first written to
   localStorage with an idempotency key made on the phone, then sent in order. It leaves the queue only when the
   server has answered: 2xx (stored, or already stored under that key), or a coded refusal (4xx with a JSON
   {code, message}) which is shown to the worker. No answer (offline, timeout, a lost response), a 5xx, or a
   refusal that is not the API's (an expired session, a proxy) keeps it queued; it is sent again when the phone is
   back online, every few seconds while something waits, and on every page load. The server stores each key once,
   so a submission sent twice is stored once. */
(function () {
  "use strict";
  var root = document.documentElement;
  var owner = root.getAttribute("data-queue-owner") || "anon";
  var QUEUE = "shanzhi.grid.queue." + owner;
  var PATROL = "shanzhi.grid.patrol." + owner;
  var LOG = "shanzhi.grid.sent." + owner;
  var API = root.getAttribute("data-api") || "/api/v1/grid/";
  var csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  var MAX_SIDE = 1280, QUALITY = 0.8, RETRY_MS = 5000;
  var flushing = false;

  function $(sel, root) { return (root || document).querySelector(sel); }
  function read(name, fallback) {
    try { var v = JSON.parse(localStorage.getItem(name)); return v === null ? fallback : v; } catch (e) { return fallback; }
  }
  function write(name, value) {
    if (value === null) localStorage.removeItem(name); else localStorage.setItem(name, JSON.stringify(value));
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function now() { return new Date().toISOString(); }

  /* --- the queue ------------------------------------------------------------------------------------------ */
  function queue() { return read(QUEUE, []); }
  function enqueue(kind, path, body, label) {
    var q = queue();
    var item = {id: newKey(), kind: kind, path: path, body: body, label: label, queued_at: now()};
    q.push(item);
    try { write(QUEUE, q); } catch (e) { say("手机存储已满，请删除部分照片后重试", "error"); throw e; }
    render();
    flush();
    return item;
  }
  function drop(id) { write(QUEUE, queue().filter(function (x) { return x.id !== id; })); }
  function logResult(item, ok, data) {
    var log = read(LOG, []);
    log.unshift({label: item.label, kind: item.kind, ok: ok, at: now(),
      message: ok ? resultText(item, data) : (data && data.message) || "提交失败"});
    write(LOG, log.slice(0, 20));
  }
  function resultText(item, data) {
    var d = (data && data.detail) || {};
    if (item.kind === "report" && d.tracking_no) return "已上报，诉求编号 " + d.tracking_no;
    if (item.kind === "verify") return d.passed ? "核查通过已记录" : "核查未通过，已退回重办";
    if (item.kind === "checkin") return d.inside_grid === false ? "已打卡（不在本网格内）" : "已打卡";
    if (item.kind === "start") return "巡查已开始";
    if (item.kind === "finish") return "巡查已结束";
    return "已发送";
  }

  function send(item) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, 30000) : null;
    return fetch(API + item.path, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify(item.body),
      signal: controller ? controller.signal : undefined
    }).then(function (res) {
      if (timer) clearTimeout(timer);
      return res.text().then(function (text) {
        var data = null;
        try { data = JSON.parse(text); } catch (e) { data = null; }
        return {status: res.status, data: data};
      });
    });
  }

  function flush() {
    if (flushing) return Promise.resolve();
    flushing = true;
    root.setAttribute("data-queue-busy", "1");
    function step() {
      var q = queue();
      if (!q.length) return Promise.resolve();
      var item = q[0];
      return send(item).then(function (answer) {
        var coded = answer.data && typeof answer.data.code === "string";
        if (answer.status >= 200 && answer.status < 300) {
          drop(item.id); logResult(item, true, answer.data); return step();
        }
        if (answer.status >= 400 && answer.status < 500 && coded && answer.status !== 401) {
          drop(item.id); logResult(item, false, answer.data); return step();
        }
        if (answer.status === 401 || (answer.status === 403 && !coded)) say("登录已失效，请重新登录后自动发送", "error");
        return null;  // keep it: try again later
      }, function () { return null; });
    }
    return step().then(function () {
      flushing = false; root.removeAttribute("data-queue-busy"); render();
    });
  }

  /* --- patrol state on the phone ----------------------------------------------------------------------------- */
  function patrol() { return read(PATROL, null); }
  function syncPatrol() {
    var panel = $("[data-patrol]");
    if (!panel) return;
    var serverKey = panel.getAttribute("data-ongoing") || "";
    var pending = queue().some(function (x) { return x.kind === "start" || x.kind === "finish"; });
    if (!pending) {
      if (serverKey) write(PATROL, {key: serverKey, started: panel.getAttribute("data-ongoing-started") || now()});
      else write(PATROL, null);
    }
  }

  function position() {
    return new Promise(function (resolve, reject) {
      if (!navigator.geolocation) { reject(new Error("no geolocation")); return; }
      navigator.geolocation.getCurrentPosition(function (p) {
        resolve({longitude: +p.coords.longitude.toFixed(6), latitude: +p.coords.latitude.toFixed(6)});
      }, reject, {enableHighAccuracy: true, timeout: 15000, maximumAge: 30000});
    });
  }

  function startPatrol() {
    var key = newKey();
    write(PATROL, {key: key, started: now()});
    enqueue("start", "patrols", {key: key, at: now()}, "开始巡查");
    say("巡查已开始", "ok");
  }
  function checkIn() {
    var p = patrol();
    if (!p) { say("请先开始巡查", "error"); return; }
    say("正在获取位置…", "info");
    position().then(function (pos) {
      enqueue("checkin", "checkins", {key: newKey(), patrol_key: p.key, at: now(),
        longitude: pos.longitude, latitude: pos.latitude}, "巡查打卡");
      say("已打卡", "ok");
    }, function () { say("无法获取位置，请打开定位后重试", "error"); });
  }
  function finishPatrol() {
    var p = patrol();
    if (!p) return;
    enqueue("finish", "patrols/finish", {patrol_key: p.key, at: now()}, "结束巡查");
    write(PATROL, null);
    say("巡查已结束", "ok");
  }

  /* --- photos: shrink with canvas into a data URL ------------------------------------------------------------ */
  function photoData(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        resolve(canvas.toDataURL("image/jpeg", QUALITY));
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      img.src = url;
    });
  }
  function photosOf(input, max) {
    var files = input ? Array.prototype.slice.call(input.files || [], 0, max) : [];
    return Promise.all(files.map(photoData));
  }

  /* --- forms ------------------------------------------------------------------------------------------------ */
  function initReport() {
    var form = $("form[data-grid-report]");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var content = form.elements.content.value.trim();
      if (!content) { say("请描述发现的问题", "error"); return; }
      var button = $("button[type=submit]", form);
      button.disabled = true;
      var body = {key: newKey(), at: now(), content: content, title: form.elements.title.value.trim(),
        category: form.elements.category.value || null, address: form.elements.address.value.trim(),
        patrol_key: (patrol() || {}).key || ""};
      var located = form.elements.use_position.checked
        ? position().then(function (pos) { body.longitude = pos.longitude; body.latitude = pos.latitude; },
          function () { say("未取得位置，按本网格上报", "info"); })
        : Promise.resolve();
      located.then(function () { return photosOf(form.elements.photos, 3); }).then(function (photos) {
        body.photos = photos;
        enqueue("report", "reports", body, "问题上报：" + (body.title || content.slice(0, 20)));
        form.reset();
        say(navigator.onLine ? "已提交，正在发送…" : "已保存在手机上，联网后自动发送", "ok");
      }).catch(function () { say("照片无法读取", "error"); }).then(function () { button.disabled = false; });
    });
  }

  function initVerify() {
    var form = $("form[data-grid-verify]");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var choice = form.querySelector("input[name=passed]:checked");
      if (!choice) { say("请选择核查结果", "error"); return; }
      var passed = choice.value === "yes", note = form.elements.note.value.trim();
      if (!passed && !note) { say("核查未通过时请说明现场情况", "error"); return; }
      photosOf(form.elements.photo, 1).then(function (photos) {
        enqueue("verify", "verifications", {key: newKey(), at: now(), appeal: form.getAttribute("data-appeal"),
          passed: passed, note: note, photo: photos[0] || ""}, "核查 " + form.getAttribute("data-appeal"));
        form.hidden = true;
        var done = $("[data-verify-done]");
        if (done) done.hidden = false;
      });
    });
  }

  /* --- what the worker sees ----------------------------------------------------------------------------------- */
  function say(text, kind) {
    var box = $("[data-grid-message]");
    if (!box) return;
    box.textContent = text;
    box.className = "gw-msg gw-msg-" + (kind || "info");
    box.hidden = false;
  }
  function render() {
    var q = queue();
    var status = $("[data-queue-status]");
    if (status) {
      status.setAttribute("data-count", String(q.length));
      status.textContent = q.length
        ? (navigator.onLine ? "正在发送 " : "离线，待发送 ") + q.length + " 条"
        : "已全部发送";
      status.className = "gw-status" + (q.length ? " gw-status-wait" : "");
    }
    var list = $("[data-queue-list]");
    if (list) {
      list.innerHTML = "";
      q.forEach(function (item) {
        var li = document.createElement("li"); li.textContent = "⏳ " + item.label; list.appendChild(li);
      });
      read(LOG, []).slice(0, 5).forEach(function (entry) {
        var li = document.createElement("li");
        li.className = entry.ok ? "gw-ok" : "gw-bad";
        li.textContent = (entry.ok ? "✓ " : "✗ ") + entry.label + " — " + entry.message;
        list.appendChild(li);
      });
    }
    var panel = $("[data-patrol]");
    if (panel) {
      var p = patrol();
      panel.setAttribute("data-state", p ? "ongoing" : "idle");
      $("[data-patrol-start]", panel).hidden = !!p;
      $("[data-patrol-checkin]", panel).hidden = !p;
      $("[data-patrol-finish]", panel).hidden = !p;
      $("[data-patrol-text]", panel).textContent = p
        ? "巡查中（" + new Date(p.started).toLocaleTimeString("zh-CN", {hour: "2-digit", minute: "2-digit"}) + " 开始）"
        : "未在巡查";
    }
  }

  function bind(selector, handler) {
    var el = $(selector);
    if (el) el.addEventListener("click", function (e) { e.preventDefault(); handler(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/m/grid/sw.js", {scope: "/m/grid/"}).catch(function () { return null; });
    }
    if (!navigator.onLine) say("离线：显示的是上次联网时的页面，提交的内容会保存在手机上", "info");
    syncPatrol();
    bind("[data-patrol-start]", startPatrol);
    bind("[data-patrol-checkin]", checkIn);
    bind("[data-patrol-finish]", finishPatrol);
    bind("[data-queue-send]", flush);
    initReport();
    initVerify();
    render();
    flush();
  });
  window.addEventListener("online", function () { render(); flush(); });
  window.addEventListener("offline", render);
  setInterval(function () { if (queue().length) flush(); }, RETRY_MS);
  window.shanzhiGridQueue = {flush: flush, size: function () { return queue().length; }};
})();
