/* Hotline intake × routing suggestions: a click on a suggested category (or the suggested urgency) fills the field.
 * The suggestions themselves come from the server (HTMX, debounced in intake.html). Alt+Shift+1…3 picks the n-th.
 * No framework, no inline script (CSP). */
(function () {
  "use strict";

  function fill(select, value) {
    if (!select || !select.querySelector('option[value="' + value + '"]')) return false;
    select.value = value;
    // Tell everyone (the searchable picker, the knowledge-base panel, the suggestions themselves).
    select.dispatchEvent(new Event("input", { bubbles: true }));
    select.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  function mark(list, chosen) {
    Array.prototype.forEach.call(list, function (b) {
      var on = b === chosen;
      b.classList.toggle("active", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function pickCategory(button) {
    var select = document.getElementById("id_category");
    if (fill(select, button.getAttribute("data-suggest-category"))) {
      mark(document.querySelectorAll("[data-suggest-category]"), button);
    }
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-suggest-category], [data-suggest-urgency]") : null;
    if (!el) return;
    event.preventDefault();
    if (el.hasAttribute("data-suggest-category")) {
      pickCategory(el);
    } else if (fill(document.getElementById("id_urgency"), el.getAttribute("data-suggest-urgency"))) {
      el.classList.add("active");
      el.setAttribute("aria-pressed", "true");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return;
    var key = (event.code || "").replace(/^Digit/, "");
    if (!/^[1-3]$/.test(key)) return;
    var button = document.querySelector('[data-suggest-category][data-suggest-index="' + key + '"]');
    if (button) { event.preventDefault(); pickCategory(button); }
  });

  // After a refresh of the suggestions, show which one is the chosen category.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.target || event.target.id !== "routing-intake-suggestions") return;
    var select = document.getElementById("id_category");
    if (!select || !select.value) return;
    var chosen = event.target.querySelector('[data-suggest-category="' + select.value + '"]');
    if (chosen) mark(event.target.querySelectorAll("[data-suggest-category]"), chosen);
  });
})();
