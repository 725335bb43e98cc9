/* Searchable pickers for long <select>s (类别 379 项, 派遣单位 270 项): type part of a name (中文任意一段) or its
 * pinyin initials (lddh → 路灯损坏) to filter. Generic: every select[data-picker] and every select with more than
 * THRESHOLD options is enhanced, so forms need no change; data-picker="off" opts out.
 *
 *  single select   → a combobox (ARIA 1.2 pattern): ↓/↑ move, Enter picks, Esc restores, Alt+↓ opens.
 *                    The native select stays in the form (it carries the value, scripts and tests may set it) but is
 *                    visually hidden and out of the tab order; focusing it moves to the combobox.
 *  multiple select → a filter box above the native list box, which hides what does not match (the selection stays).
 *
 * No framework, no inline script or style (strict CSP); its stylesheet is named by the script tag's data-css.
 */
(function () {
  "use strict";

  var THRESHOLD = 30;
  var MAX_SHOWN = 200;

  // --- pinyin initials, from the browser's Chinese collation (no dictionary to ship) ------------------------------
  // The first character of each initial in pinyin order; a character's initial is the last boundary not after it.
  var BOUNDARIES = "阿八嚓哒妸发旮哈讥咔垃妈拏噢妑七呥仨它穵夕丫帀";
  var LETTERS = "abcdefghjklmnopqrstwxyz";
  var collator = null;
  try { collator = new Intl.Collator("zh-Hans-CN"); } catch (e) { collator = null; }
  var initialCache = {};

  function initialOf(ch) {
    if (!/[\u3400-\u9fff]/.test(ch)) return /[a-z0-9]/i.test(ch) ? ch.toLowerCase() : "";
    if (!collator) return "";
    if (initialCache[ch] !== undefined) return initialCache[ch];
    var found = "";
    for (var i = 0; i < BOUNDARIES.length; i++) {
      if (collator.compare(ch, BOUNDARIES.charAt(i)) >= 0) found = LETTERS.charAt(i); else break;
    }
    initialCache[ch] = found;
    return found;
  }

  function initials(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) out += initialOf(text.charAt(i));
    return out;
  }

  function norm(text) { return (text || "").toLowerCase().replace(/\s+/g, ""); }

  function matcher(query) {
    var q = norm(query);
    if (!q) return function () { return true; };
    var latin = /^[a-z0-9]+$/.test(q);
    return function (item) { return item.key.indexOf(q) !== -1 || (latin && item.initials.indexOf(q) !== -1); };
  }

  function readItems(select) {
    var items = [];
    Array.prototype.forEach.call(select.options, function (opt) {
      var group = opt.parentNode && opt.parentNode.tagName === "OPTGROUP" ? opt.parentNode.label : "";
      var text = opt.textContent.trim();
      var label = group ? group + " / " + text : text;
      items.push({ option: opt, value: opt.value, text: text, group: group, label: label,
                   key: norm(label), initials: initials(group + text) });
    });
    return items;
  }

  var counter = 0;
  function uid(prefix) { counter += 1; return prefix + "-" + counter; }

  function labelsOf(select) {
    return select.id ? Array.prototype.slice.call(document.querySelectorAll('label[for="' + select.id + '"]')) : [];
  }

  // The words, translated by the page: data-* attributes of this script's tag (Chinese when absent).
  var own = document.currentScript;
  function word(name, fallback) { return (own && own.getAttribute("data-" + name)) || fallback; }
  var WORDS = {
    placeholder: word("placeholder", "输入名称或拼音首字母筛选"),
    none: word("none", "没有匹配的选项"),
    more: word("more", "还有 {n} 项，请继续输入"),
    count: word("count", "{n} 项")
  };

  function messages(select) {
    return {
      placeholder: select.getAttribute("data-picker-placeholder") || WORDS.placeholder,
      none: WORDS.none,
      more: WORDS.more,
      count: WORDS.count
    };
  }

  // --- single select: combobox ------------------------------------------------------------------------------------

  function enhanceSingle(select) {
    var text = messages(select);
    var items = readItems(select);
    var wrap = document.createElement("div");
    wrap.className = "sz-picker";
    var input = document.createElement("input");
    input.type = "text";
    input.className = "form-control form-control-sm sz-picker-input";
    input.id = (select.id || uid("sz-picker")) + "-picker";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    input.placeholder = text.placeholder;
    if (select.disabled) input.disabled = true;
    if (select.required) input.setAttribute("aria-required", "true");
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));
    var list = document.createElement("ul");
    list.className = "sz-picker-list";
    list.id = input.id + "-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);
    select.parentNode.insertBefore(wrap, select.nextSibling);

    var labels = labelsOf(select);
    labels.forEach(function (label) { label.htmlFor = input.id; });
    if (labels.length) {
      labels[0].id = labels[0].id || uid("sz-picker-label");
      input.setAttribute("aria-labelledby", labels[0].id);
      list.setAttribute("aria-labelledby", labels[0].id);
    }
    select.classList.add("sz-picker-native");
    select.setAttribute("tabindex", "-1");
    select.setAttribute("aria-hidden", "true");
    select.addEventListener("focus", function () { input.focus(); });

    var shown = [];
    var active = -1;
    var lastValue = null;

    function selectedItem() {
      var value = select.value;
      for (var i = 0; i < items.length; i++) if (items[i].value === value && items[i].option.selected) return items[i];
      for (var j = 0; j < items.length; j++) if (items[j].value === value) return items[j];
      return null;
    }

    function showSelected() {
      var item = selectedItem();
      input.value = item && item.value !== "" ? item.label : "";
      if (item && item.value === "") input.placeholder = item.text + " · " + text.placeholder;
      lastValue = select.value;
    }

    function setActive(index) {
      var nodes = list.querySelectorAll('[role="option"]');
      if (active >= 0 && nodes[active]) nodes[active].classList.remove("active");
      active = index;
      if (active >= 0 && nodes[active]) {
        nodes[active].classList.add("active");
        input.setAttribute("aria-activedescendant", nodes[active].id);
        if (nodes[active].scrollIntoView) nodes[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(query) {
      var test = matcher(query);
      var matches = items.filter(function (item) { return !item.option.disabled && test(item); });
      shown = matches.slice(0, MAX_SHOWN);
      list.textContent = "";
      var group = null;
      shown.forEach(function (item, index) {
        if (item.group && item.group !== group) {
          group = item.group;
          var head = document.createElement("li");
          head.className = "sz-picker-group";
          head.setAttribute("role", "presentation");
          head.textContent = group;
          list.appendChild(head);
        }
        var li = document.createElement("li");
        li.id = list.id + "-" + index;
        li.className = "sz-picker-option";
        li.setAttribute("role", "option");
        li.setAttribute("data-value", item.value);
        li.setAttribute("aria-selected", item.value === select.value ? "true" : "false");
        li.textContent = item.text;
        if (item.group) li.title = item.label;
        list.appendChild(li);
      });
      if (!shown.length) {
        var empty = document.createElement("li");
        empty.className = "sz-picker-empty";
        empty.setAttribute("role", "presentation");
        empty.textContent = text.none;
        list.appendChild(empty);
      } else if (matches.length > shown.length) {
        var more = document.createElement("li");
        more.className = "sz-picker-empty";
        more.setAttribute("role", "presentation");
        more.textContent = text.more.replace("{n}", matches.length - shown.length);
        list.appendChild(more);
      }
      status.textContent = shown.length ? text.count.replace("{n}", matches.length) : text.none;
      var current = -1;
      for (var i = 0; i < shown.length; i++) if (shown[i].value === select.value) current = i;
      setActive(query ? (shown.length ? 0 : -1) : current);
    }

    function open(query) {
      render(query);
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      wrap.classList.add("open");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      wrap.classList.remove("open");
      active = -1;
    }

    function choose(item) {
      if (!item) return;
      var changed = select.value !== item.value;
      select.value = item.value;
      showSelected();
      close();
      if (changed) {
        select.dispatchEvent(new Event("input", { bubbles: true }));
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    function typed() {
      var item = selectedItem();
      return !(item && input.value === item.label);
    }

    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("click", function () { if (list.hidden) open(typed() ? input.value : ""); });
    input.addEventListener("input", function () { open(input.value); });
    input.addEventListener("blur", function () {
      if (!input.value.trim()) {
        var blank = items.filter(function (item) { return item.value === ""; })[0];
        if (blank) { choose(blank); return; }
      }
      close();
      showSelected();
    });
    input.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === "ArrowDown" || key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { open(typed() ? input.value : ""); if (event.altKey) return; }
        if (!shown.length) return;
        var next = key === "ArrowDown" ? Math.min(active + 1, shown.length - 1) : Math.max(active - 1, 0);
        setActive(next);
      } else if (key === "Home" && !list.hidden && shown.length) {
        event.preventDefault(); setActive(0);
      } else if (key === "End" && !list.hidden && shown.length) {
        event.preventDefault(); setActive(shown.length - 1);
      } else if (key === "Enter" && !event.ctrlKey && !event.metaKey && !list.hidden) {
        if (active >= 0 && shown[active]) {
          event.preventDefault();
          event.stopPropagation(); // the intake form's Enter-moves-on must not run as well
          choose(shown[active]);
        }
      } else if (key === "Escape" && !list.hidden) {
        event.preventDefault();
        event.stopPropagation();
        close();
        showSelected();
      } else if (key === "Tab" && !list.hidden) {
        if (typed() && shown.length === 1) choose(shown[0]); else { close(); showSelected(); }
      }
    });
    list.addEventListener("mousedown", function (event) {
      var li = event.target.closest ? event.target.closest('[role="option"]') : null;
      event.preventDefault(); // keep the focus in the input
      if (!li) return;
      var index = parseInt(li.id.slice(list.id.length + 1), 10);
      choose(shown[index]);
    });
    select.addEventListener("change", function () { if (select.value !== lastValue) showSelected(); });
    var form = select.form;
    if (form) form.addEventListener("reset", function () { setTimeout(showSelected, 0); });

    select._szPicker = { sync: function () { if (select.value !== lastValue && document.activeElement !== input) showSelected(); } };
    showSelected();
  }

  // --- multiple select: a filter box above the list box ---------------------------------------------------------------

  function enhanceMultiple(select) {
    var text = messages(select);
    var items = readItems(select);
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm sz-picker-filter";
    input.id = (select.id || uid("sz-picker")) + "-filter";
    input.placeholder = text.placeholder;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", select.id || "");
    var labels = labelsOf(select);
    if (labels.length) {
      labels[0].id = labels[0].id || uid("sz-picker-label");
      input.setAttribute("aria-describedby", labels[0].id);
    }
    input.setAttribute("aria-label", (labels.length ? labels[0].textContent.trim() + " · " : "") + text.placeholder);
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(status, select);
    select.classList.add("sz-picker-multi");

    function apply() {
      var test = matcher(input.value);
      var count = 0;
      items.forEach(function (item) {
        var keep = item.option.selected || test(item);
        item.option.hidden = !keep;
        if (keep) count += 1;
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (opt) { return !opt.hidden; });
      });
      status.textContent = count ? text.count.replace("{n}", count) : text.none;
    }
    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        event.stopPropagation();
        select.focus();
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      }
    });
    select._szPicker = { sync: function () {} };
  }

  // --- wiring ----------------------------------------------------------------------------------------------------------

  function wanted(select) {
    if (select._szPicker || select.getAttribute("data-picker") === "off") return false;
    return select.hasAttribute("data-picker") || select.options.length > THRESHOLD;
  }

  function enhance(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var selects = scope.tagName === "SELECT" ? [scope] : scope.querySelectorAll("select");
    Array.prototype.forEach.call(selects, function (select) {
      if (!wanted(select)) return;
      if (select.multiple || select.size > 1) enhanceMultiple(select); else enhanceSingle(select);
    });
  }

  function syncAll() {
    Array.prototype.forEach.call(document.querySelectorAll("select.sz-picker-native"), function (select) {
      if (select._szPicker) select._szPicker.sync();
    });
  }

  function loadStyles() {
    var script = own;
    var href = script && script.getAttribute("data-css");
    if (!href || document.querySelector("link[data-sz-picker]")) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.setAttribute("data-sz-picker", "");
    document.head.appendChild(link);
  }

  loadStyles();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
  // Other scripts set a select's value without an event (the knowledge base fills the category): show it.
  ["click", "keyup", "change", "htmx:afterSwap"].forEach(function (name) {
    document.addEventListener(name, function () { setTimeout(syncAll, 0); }, true);
  });

  window.szPicker = { enhance: enhance, initials: initials };
})();
