/* Shanzhi console: keyboard flow of the intake form, ticking countdowns, reply-template prefill. No framework. */
(function () {
  "use strict";

  // --- intake: Enter moves to the next field, Ctrl+Enter (or Cmd+Enter) submits ---------------------------
  function focusables(form) {
    return Array.prototype.filter.call(
      form.querySelectorAll("input, select, textarea, button"),
      function (el) { return !el.disabled && el.type !== "hidden" && el.offsetParent !== null; }
    );
  }
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    var form = el && el.form;
    if (!form || !form.hasAttribute("data-enter-nav") || event.key !== "Enter") return;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return;
    }
    if (el.tagName === "TEXTAREA" || el.tagName === "BUTTON" || el.type === "submit" || el.type === "file") return;
    event.preventDefault();
    var list = focusables(form);
    var next = list[list.indexOf(el) + 1];
    if (next) next.focus();
  });

  // --- countdowns ----------------------------------------------------------------------------------------
  var body = document.body;
  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }
  function human(seconds) {
    var d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
    if (d) return fmt(body.dataset.fmtDh, { d: d, h: h });
    if (h) return fmt(body.dataset.fmtHm, { h: h, m: m });
    if (m) return fmt(body.dataset.fmtM, { m: m });
    return body.dataset.fmtLt1;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".sz-countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) return;
      var left = Math.round((due - now) / 1000);
      var level = el.classList.contains("sz-left-red") ? "red" : el.classList.contains("sz-left-amber") ? "amber" : "ok";
      if (left < 0) {
        level = "red";
        el.textContent = fmt(body.dataset.fmtOver, { t: human(-left) });
      } else {
        el.textContent = fmt(body.dataset.fmtLeft, { t: human(left) });
        if (el.dataset.warn && now >= Date.parse(el.dataset.warn) && level === "ok") level = "amber";
      }
      el.classList.remove("sz-left-ok", "sz-left-amber", "sz-left-red");
      el.classList.add("sz-left-" + level);
    });
  }
  if (body && body.dataset.fmtLeft) {
    setInterval(tick, 30000);
  }

  // --- reply: a template fills the text box ---------------------------------------------------------------
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-reply-templates]")) return;
    var data = document.getElementById(select.dataset.replyTemplates);
    var target = document.getElementById(select.dataset.replyTarget);
    if (!data || !target || !select.value) return;
    var bodies = JSON.parse(data.textContent);
    var found = bodies.filter(function (t) { return String(t.id) === select.value; })[0];
    if (found) target.value = found.body;
  });
})();
