/* Hotline intake × knowledge base: adopt a suggested answer, keyboard shortcuts. No framework.
 *   Alt+K      focus the knowledge-base search
 *   Alt+1…5    adopt the n-th suggestion (fills the answer, sets the type to 咨询)
 *   Alt+D      answer from the knowledge base and close (答复并办结)
 *   Esc        (in the answer box) cancel the adoption
 */
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }

  function adopt(button) {
    var id = button.getAttribute("data-kb-adopt");
    var summary = document.querySelector('template[data-kb-summary="' + id + '"]');
    var box = $("kb-answer");
    if (!box || !summary) return;
    $("id_kb_article").value = id;
    $("id_kb_answer_mode").value = "True";
    $("id_answer").value = summary.content ? summary.content.textContent.trim() : summary.innerHTML.trim();
    $("kb-answer-title").textContent = button.getAttribute("data-kb-title") || "";
    var type = $("id_appeal_type");
    if (type) type.value = "consultation";
    var category = $("id_category");
    var cat = button.getAttribute("data-kb-category");
    if (category && !category.value && cat && category.querySelector('option[value="' + cat + '"]')) category.value = cat;
    var raw = $("id_raw_only");
    if (raw) raw.checked = false;
    box.hidden = false;
    $("id_answer").focus();
  }

  function cancel() {
    var box = $("kb-answer");
    if (!box) return;
    $("id_kb_article").value = "";
    $("id_kb_answer_mode").value = "";
    box.hidden = true;
    var content = $("id_content");
    if (content) content.focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-kb-adopt]") : null;
    if (target) { event.preventDefault(); adopt(target); return; }
    if (event.target.id === "kb-answer-cancel") { event.preventDefault(); cancel(); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target && event.target.id === "id_answer") { cancel(); return; }
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    var key = (event.code || "").replace(/^Key|^Digit/, "").toLowerCase();
    if (key === "k") {
      event.preventDefault();
      var q = $("kb-q");
      if (q) { q.focus(); q.select(); }
    } else if (/^[1-5]$/.test(key)) {
      var buttons = document.querySelectorAll("#kb-suggestions [data-kb-adopt]");
      var button = buttons[parseInt(key, 10) - 1];
      if (button) { event.preventDefault(); adopt(button); }
    } else if (key === "d") {
      var submit = $("kb-answer-submit");
      var box = $("kb-answer");
      if (submit && box && !box.hidden) {
        event.preventDefault();
        var form = submit.form;
        if (form.requestSubmit) { form.requestSubmit(submit); } else { submit.click(); }
      }
    }
  });
})();
