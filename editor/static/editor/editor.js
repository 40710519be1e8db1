/*
 * The block editor's behaviour in the admin (editor/admin.py):
 *  - array rows of the generated data form: add (copies the row <template>), move up/down, remove; in a
 *    free-form list (an array without `items`) each row's and key/value pair's kind shows its value control;
 *  - the rich-text editors (django-prose-editor) of rows added later, and their names and states;
 *  - the colour picker kept in step with its text input;
 *  - the schema builder: edits the schema as a list of field rows (name, type, label, required, options,
 *    nested fields) and writes the JSON into the raw textarea the form posts. Each row folds to a one-line
 *    summary (label, name, type, required); new rows and rows with errors start open. A change that
 *    redraws the builder (a type, a move) gives the focus back to the same control. Errors of the schema
 *    checks (`schema[2].fields[0].name`) are shown beside the row and input they belong to;
 *  - the action bar: "Unsaved changes" once a guarded form (the block's content, its schema) was edited.
 * The server renders, parses and validates everything; this file only makes the controls pleasant.
 */
(function () {
  "use strict";

  let tokenCounter = 0;
  function newToken() {
    tokenCounter += 1;
    return "n" + Date.now().toString(36) + tokenCounter;
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(function ([key, value]) {
      if (value === undefined || value === null || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  // -- array rows ------------------------------------------------------------------------------------------
  // Rows are added (copying the row <template>), moved (buttons, or dragged by their handle), folded to their
  // title line ("Plan 2 · Pro") and removed, with an Undo. The focus stays where the hand is after each.
  // The list's limits hold while editing: Add is off at `maxItems`, and the count says so in words.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("button");
    if (!button || button.disabled) return;
    if (button.classList.contains("cms-add-row")) {
      event.preventDefault();
      const array = button.closest(".cms-array");
      if (isFull(array)) return;
      const template = array.querySelector(":scope > template");
      const holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.split(array.dataset.placeholder).join(newToken());
      const row = holder.firstElementChild;
      array.querySelector(":scope > .cms-rows").appendChild(row);
      enhance(row);
      afterChange(array);
      const first = firstControl(row);
      if (first) first.focus();
      else if (isFull(array)) focusLastRow(array);
      return;
    }
    if (button.classList.contains("cms-undo-remove")) {
      event.preventDefault();
      undoRemove(button.closest(".cms-array"));
      return;
    }
    const row = button.closest(".cms-row");
    if (!row) return;
    const array = row.closest(".cms-array");
    if (button.classList.contains("cms-remove")) {
      event.preventDefault();
      removeRow(array, row);
      return;
    } else if (button.classList.contains("cms-toggle")) {
      event.preventDefault();
      fold(row, !row.classList.contains("cms-row-folded"));
      renumber(array);
      return;
    } else if (button.classList.contains("cms-up")) {
      event.preventDefault();
      if (row.previousElementSibling) row.parentNode.insertBefore(row, row.previousElementSibling);
      button.focus();  // moving the row moved the focused button out of the document for a moment
    } else if (button.classList.contains("cms-down")) {
      event.preventDefault();
      if (row.nextElementSibling) row.parentNode.insertBefore(row.nextElementSibling, row);
      button.focus();
    } else {
      return;
    }
    afterChange(array);
  });

  function firstControl(row) {
    return row.querySelector("input:not([type=hidden]), textarea:not([hidden]), select, [contenteditable=true]");
  }

  function rowsOf(array) {
    return array.querySelectorAll(":scope > .cms-rows > .cms-row");
  }

  function isFull(array) {
    const most = parseInt(array.dataset.maxItems, 10);
    return !isNaN(most) && rowsOf(array).length >= most;
  }

  function focusLastRow(array) {
    const rows = rowsOf(array);
    if (rows.length) rows[rows.length - 1].querySelector(":scope > .cms-row-tools .cms-remove").focus();
  }

  function afterChange(array) {
    clearUndo(array);
    renumber(array);
    markDirty();
  }

  // A removed row is kept until the next change of its list, with an Undo that puts it back in its place.
  const removed = new WeakMap();

  function removeRow(array, row) {
    const rows = Array.from(rowsOf(array));
    const index = rows.indexOf(row);
    const title = rowTitle(array, index + 1);
    clearUndo(array);
    row.remove();
    removed.set(array, { row: row, index: index });
    renumber(array);
    markDirty();
    const status = array.querySelector(":scope > .cms-array-count");
    const undo = el("span", { className: "cms-undo", role: "status" }, [
      document.createTextNode(title + " removed. "),
      el("button", { type: "button", className: "button cms-undo-remove", text: "Undo" }),
    ]);
    status.after(undo);
    undo.querySelector("button").focus();
  }

  function undoRemove(array) {
    const kept = removed.get(array);
    if (!kept) return;
    const list = array.querySelector(":scope > .cms-rows");
    const rows = rowsOf(array);
    list.insertBefore(kept.row, rows[kept.index] || null);
    clearUndo(array);
    renumber(array);
    markDirty();
    const first = firstControl(kept.row);
    (first || kept.row.querySelector(".cms-remove")).focus();
  }

  function clearUndo(array) {
    removed.delete(array);
    const undo = array.querySelector(":scope > .cms-undo");
    if (undo) undo.remove();
  }

  function fold(row, folded) {
    row.classList.toggle("cms-row-folded", folded);
    const toggle = row.querySelector(":scope > .cms-row-tools > .cms-toggle");
    if (toggle) {
      toggle.setAttribute("aria-expanded", folded ? "false" : "true");
      toggle.textContent = folded ? "▸" : "▾";
      toggle.title = folded ? "Unfold" : "Fold";
    }
  }

  function rowTitle(array, n) {
    const noun = array.dataset.noun || "item";
    return noun.charAt(0).toUpperCase() + noun.slice(1) + " " + n;
  }

  // What the row holds, in a few words: its first filled text box ("Pro"), for the title line.
  function rowSummary(row) {
    const box = row.querySelector('input[type=text]:not([hidden]), input[type=email], input[type=url], input:not([type]), select');
    if (!box) return "";
    const text = box.tagName === "SELECT" ? (box.value ? box.options[box.selectedIndex].text : "") : box.value;
    return text.trim().slice(0, 60);
  }

  // Rows are named by their place ("Plan 2", "Move plan 2 up"): renamed after every add, move and remove.
  function renumber(array) {
    if (!array) return;
    const noun = array.dataset.noun || "item";
    const rows = rowsOf(array);
    rows.forEach(function (row, index) {
      const n = index + 1;
      const title = rowTitle(array, n);
      row.setAttribute("aria-label", title);
      const heading = row.querySelector(":scope > .cms-row-title");
      if (heading) {
        const summary = rowSummary(row);
        heading.textContent = summary ? title + " · " + summary : title;
      }
      const only = row.querySelector(":scope > .cms-input, :scope > input[aria-label]");
      if (only && only.hasAttribute("aria-label")) only.setAttribute("aria-label", title);
      const folded = row.classList.contains("cms-row-folded");
      [["cms-up", "Move " + noun + " " + n + " up"], ["cms-down", "Move " + noun + " " + n + " down"],
        ["cms-remove", "Remove " + noun + " " + n], ["cms-toggle", (folded ? "Unfold " : "Fold ") + noun + " " + n]].forEach(function ([cls, label]) {
        const b = row.querySelector(":scope > .cms-row-tools > ." + cls);
        if (b) b.setAttribute("aria-label", label);
      });
    });
    // The limits, in words and on the Add button.
    const add = array.querySelector(":scope > .cms-add-row");
    if (add) add.disabled = isFull(array);
    const count = array.querySelector(":scope > .cms-array-count");
    if (count) count.textContent = countWords(array, rows.length);
  }

  function countWords(array, count) {
    const noun = array.dataset.noun || "item";
    const least = parseInt(array.dataset.minItems, 10);
    const most = parseInt(array.dataset.maxItems, 10);
    const limits = [];
    if (!isNaN(least) && least) limits.push("at least " + least);
    if (!isNaN(most)) limits.push("at most " + most);
    const words = count + " " + (count === 1 ? noun : (array.dataset.nouns || noun + "s"));
    return limits.length ? words + ", " + limits.join(" and ") : words;
  }

  // A row's title follows what is typed in its first box.
  document.addEventListener("input", function (event) {
    const row = event.target.closest && event.target.closest(".cms-row");
    if (row && row.parentNode && row.parentNode.classList.contains("cms-rows")) renumber(row.closest(".cms-array"));
  });

  // Dragging a row by its handle (⠿); the buttons do the same from the keyboard.
  let dragged = null;
  document.addEventListener("pointerdown", function (event) {
    const handle = event.target.closest && event.target.closest(".cms-drag");
    if (handle) handle.closest(".cms-row").draggable = true;
  });
  document.addEventListener("dragstart", function (event) {
    const row = event.target.closest && event.target.closest(".cms-row[draggable=true]");
    if (!row) return;
    dragged = row;
    row.classList.add("cms-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.getAttribute("aria-label") || "");
  });
  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    const over = event.target.closest && event.target.closest(".cms-row");
    if (!over || over === dragged || over.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextElementSibling : over);
  });
  document.addEventListener("dragend", function () {
    if (!dragged) return;
    const array = dragged.closest(".cms-array");
    dragged.classList.remove("cms-dragging");
    dragged.draggable = false;
    dragged = null;
    afterChange(array);
  });
  document.addEventListener("drop", function (event) { if (dragged) event.preventDefault(); });

  // -- free-form lists (an array without `items`): a row's kind shows its one value control --------------
  document.addEventListener("change", function (event) {
    const select = event.target;
    if (!select.classList.contains("cms-free-kind")) return;
    select.parentNode.querySelectorAll(":scope > .cms-free-val").forEach(function (box) {
      box.hidden = box.dataset.kinds.split(" ").indexOf(select.value) < 0;
    });
  });

  // -- rich text -------------------------------------------------------------------------------------------
  // django-prose-editor (editor/richtext.py) turns each textarea carrying its configuration into an editor
  // when the page loads; rows added later are given theirs here. Once an editor stands, it takes the name,
  // the error state and the description of the textarea it replaces, a click on the label focuses it, and
  // typing in it counts as an unsaved change.
  const PROSE_SELECTOR = "textarea[data-django-prose-editor-configurable]";

  function enhanceRichText(root) {
    const boxes = root.querySelectorAll ? root.querySelectorAll(PROSE_SELECTOR) : [];
    if (!boxes.length || root === document) return; // the library starts the page's own editors
    import("django-prose-editor/configurable").then(function (module) {
      boxes.forEach(function (textarea) { module.createEditor(textarea); });
    });
  }

  document.addEventListener("prose-editor:ready", function (event) {
    const editor = event.detail.editor;
    const source = event.detail.textarea;
    const surface = editor.view.dom;
    surface.setAttribute("role", "textbox");
    surface.setAttribute("aria-multiline", "true");
    const label = source.id ? document.querySelector('label[for="' + source.id + '"]') : null;
    if (label) {
      if (!label.id) label.id = source.id + "-label";
      surface.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function (e) { e.preventDefault(); editor.commands.focus(); });
    }
    ["aria-invalid", "aria-describedby", "aria-required"].forEach(function (name) {
      if (source.hasAttribute(name)) surface.setAttribute(name, source.getAttribute(name));
    });
    if (source.id) { surface.id = source.id + "-editor"; surface.dataset.stands = source.id; }
    editor.on("update", markDirty);
    // The toolbar marks the state at the cursor with a class; screen readers hear it as aria-pressed.
    const box = source.closest(".cms-richtext");
    if (box) {
      const press = function () {
        box.querySelectorAll(".prose-menubar__button[data-name]").forEach(function (button) {
          const pressed = button.classList.contains("active") ? "true" : "false";
          if (button.getAttribute("aria-pressed") !== pressed) button.setAttribute("aria-pressed", pressed);
        });
      };
      new MutationObserver(press).observe(box, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
      press();
    }
    if (source.dataset.wantsFocus) { delete source.dataset.wantsFocus; editor.commands.focus(); }
  });

  // -- colour ----------------------------------------------------------------------------------------------
  function enhanceColor(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    const picker = box.querySelector(".cms-color-picker");
    const text = box.querySelector(".cms-color-text");
    picker.addEventListener("input", function () {
      const alpha = /^#[0-9a-f]{8}$/i.test(text.value) ? text.value.slice(7) : "";
      text.value = picker.value + alpha;
    });
    text.addEventListener("input", function () {
      if (/^#[0-9a-f]{6}/i.test(text.value)) picker.value = text.value.slice(0, 7).toLowerCase();
      else if (/^#[0-9a-f]{3}$/i.test(text.value)) picker.value = "#" + text.value.slice(1).split("").map(function (c) { return c + c; }).join("").toLowerCase();
    });
  }

  function enhance(root) {
    enhanceRichText(root);
    root.querySelectorAll(".cms-color").forEach(enhanceColor);
  }

  // -- schema builder --------------------------------------------------------------------------------------
  const TYPES = ["string", "text", "richtext", "number", "boolean", "select", "multiselect", "image", "file", "url",
    "email", "date", "datetime", "color", "object", "array", "dataSource"];
  const COMMON = ["id", "name", "type", "label", "required", "localized", "help", "default"];
  // option key, kind, label, default (for booleans whose absence means true)
  const OPTIONS = {
    string: [["minLength", "int", "Min length"], ["maxLength", "int", "Max length"], ["pattern", "text", "Pattern (regex)"], ["reference", "text", "Reference (slug: the value names another block)"]],
    text: [["minLength", "int", "Min length"], ["maxLength", "int", "Max length"]],
    richtext: [["maxLength", "int", "Max length"]],
    number: [["min", "num", "Min"], ["max", "num", "Max"], ["step", "num", "Step"], ["integer", "bool", "Whole numbers only"]],
    boolean: [],
    select: [["options", "choices", "Options (one per line: value or value|Label)"]],
    multiselect: [["options", "choices", "Options (one per line: value or value|Label)"], ["minItems", "int", "Min chosen"], ["maxItems", "int", "Max chosen"]],
    image: [["requireAlt", "bool", "Alt text required"]],
    file: [["accept", "list", "Accepted types (comma-separated: .pdf, image/*)"], ["maxSize", "int", "Max size (bytes)"]],
    url: [["allowRelative", "bool", "Allow relative paths like /blog", true], ["schemes", "list", "Schemes (comma-separated)"]],
    email: [],
    date: [["min", "text", "Earliest (YYYY-MM-DD)"], ["max", "text", "Latest (YYYY-MM-DD)"]],
    datetime: [["min", "text", "Earliest (ISO 8601)"], ["max", "text", "Latest (ISO 8601)"]],
    color: [["alpha", "bool", "Allow transparency", true]],
    object: [],
    array: [["minItems", "int", "Min items"], ["maxItems", "int", "Max items"]],
    dataSource: [["source", "text", "Source name"]],
  };
  const LOCALIZED_DEFAULT = new Set(["string", "text", "richtext", "url", "image", "file"]);

  function camelName(label) {
    const words = label.normalize("NFKD").replace(/[^A-Za-z0-9 ]+/g, " ").trim().split(/\s+/).filter(Boolean);
    let name = words.map(function (w, i) { return i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase(); }).join("");
    if (name && !/^[A-Za-z]/.test(name)) name = "f" + name;
    return name.slice(0, 64);
  }

  function optionValueToText(kind, value) {
    if (value === undefined || value === null) return "";
    if (kind === "choices") {
      return (Array.isArray(value) ? value : []).map(function (o) {
        if (o && typeof o === "object") return o.label && o.label !== o.value ? o.value + "|" + o.label : String(o.value);
        return String(o);
      }).join("\n");
    }
    if (kind === "list") return Array.isArray(value) ? value.join(", ") : String(value);
    return String(value);
  }

  function textToOptionValue(kind, text) {
    text = text.trim();
    if (text === "") return undefined;
    if (kind === "int" || kind === "num") {
      const number = Number(text);
      return Number.isFinite(number) ? number : text;
    }
    if (kind === "list") return text.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    if (kind === "choices") {
      return text.split("\n").map(function (line) { return line.trim(); }).filter(Boolean).map(function (line) {
        const bar = line.indexOf("|");
        return bar < 0 ? line : { value: line.slice(0, bar).trim(), label: line.slice(bar + 1).trim() };
      });
    }
    return text;
  }

  function SchemaBuilder(host, textarea) {
    this.host = host;
    this.textarea = textarea;
    this.readonly = !!host.dataset.readonly || textarea.disabled;
    this.itemOwners = new WeakMap();
    this.open = new WeakSet();  // field definitions whose rows are unfolded (kept across redraws)
    this.pendingFocus = null;
    try {
      this.errors = JSON.parse(host.dataset.errors || "{}");
    } catch (e) {
      this.errors = {};
    }
    this.load();
    const self = this;
    textarea.addEventListener("input", function () {
      if (self.load()) self.render();
    });
    this.render();
  }

  SchemaBuilder.prototype.load = function () {
    try {
      const parsed = JSON.parse(this.textarea.value || "[]");
      if (!Array.isArray(parsed)) return false;
      this.root = parsed;
      this.host.classList.remove("cms-sb-unparsable");
      return true;
    } catch (e) {
      this.host.classList.add("cms-sb-unparsable");
      return false;
    }
  };

  SchemaBuilder.prototype.changed = function (structural) {
    this.sync();
    if (structural) this.render();
    else Object.values(this.rows).forEach(function (entry) { if (entry.refresh) entry.refresh(); });
  };

  SchemaBuilder.prototype.render = function () {
    // Redrawing replaces every control: remember which one had the focus (its row path and role), so the
    // keyboard user stays where they were (a type chosen with the arrow keys, a row moved).
    const active = document.activeElement;
    const wanted = this.pendingFocus || (active && this.host.contains(active) ? active.dataset.fk : null);
    this.pendingFocus = null;
    this.rows = {};
    this.host.replaceChildren(this.toolbar(), this.listEditor(this.root, "schema", 1, null));
    this.placeErrors();
    if (this.readonly) this.host.querySelectorAll("input, select, textarea, button:not(.cms-sb-toggle):not(.cms-sb-all)").forEach(function (n) { n.disabled = true; });
    if (wanted) {
      const target = Array.from(this.host.querySelectorAll("[data-fk]")).find(function (n) { return n.dataset.fk === wanted; });
      if (target) target.focus();
    }
  };

  // "Expand all" / "Collapse all": one control unfolds or folds every row.
  SchemaBuilder.prototype.toolbar = function () {
    const self = this;
    const defs = [];
    (function walk(fields) {
      fields.forEach(function (def) {
        defs.push(def);
        if (Array.isArray(def.fields)) walk(def.fields);
        if (def.items && Array.isArray(def.items.fields)) walk(def.items.fields);
      });
    })(this.root);
    const allOpen = defs.length > 0 && defs.every(function (def) { return self.open.has(def); });
    const button = el("button", { type: "button", className: "button cms-sb-all", "data-fk": "all", text: allOpen ? "Collapse all" : "Expand all", "aria-expanded": allOpen ? "true" : "false" });
    button.addEventListener("click", function () {
      defs.forEach(function (def) { if (allOpen) self.open.delete(def); else self.open.add(def); });
      self.render();
    });
    const top = this.root.length;
    const nested = defs.length - top;
    const count = el("span", { className: "cms-sb-count", text: top + " field" + (top === 1 ? "" : "s") + (nested ? ", " + nested + " nested" : "") });
    return el("div", { className: "cms-sb-toolbar" }, [count, defs.length ? button : null]);
  };

  // What an editor reads for a field, as the server's `editor.controls.field_label`: its label, or its name
  // made readable (`planName` -> "Plan name").
  function labelOf(def) {
    if (def.label) return def.label;
    if (!def.name) return "new field";
    const text = def.name.replace(/_/g, " ").replace(/([a-z0-9])([A-Z])/g, "$1 $2").split(/\s+/).filter(Boolean).join(" ").toLowerCase();
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  // One item of a list field, in words, as the server's `editor.controls.item_noun` ("plan" for "Plans").
  function itemNoun(def) {
    if (def.items && def.items.label) return String(def.items.label).toLowerCase();
    const label = labelOf(def).toLowerCase();
    if (label.endsWith("ies")) return label.slice(0, -3) + "y";
    if (label.endsWith("s") && !label.endsWith("ss")) return label.slice(0, -1);
    return label || "item";
  }

  SchemaBuilder.prototype.listEditor = function (fields, path, level, owner) {
    const self = this;
    const list = el("div", { className: "cms-sb-list", "data-path": path });
    fields.forEach(function (def, index) {
      list.appendChild(self.fieldEditor(fields, index, path + "[" + index + "]", true, level));
    });
    // Named after where the field goes: two nested lists never show two identical buttons.
    const text = !owner ? "Add field" : owner.type === "array" ? "Add field to each " + itemNoun(owner) : "Add field to " + labelOf(owner);
    const add = el("button", { type: "button", className: "button cms-sb-add", text: text, "data-fk": path + "|add" });
    add.addEventListener("click", function () {
      const def = { name: "", type: "string", _new: true };
      self.open.add(def);
      fields.push(def);
      self.changed(true);
      const rows = self.host.querySelectorAll('.cms-sb-list[data-path="' + path + '"] > .cms-sb-row');
      const last = rows[rows.length - 1];
      if (last) last.querySelector(".cms-sb-label").focus();
    });
    list.appendChild(add);
    return list;
  };

  SchemaBuilder.prototype.fieldEditor = function (container, index, path, named, level) {
    const self = this;
    const def = named ? container[index] : container;
    const row = el("div", { className: "cms-sb-row" + (named ? "" : " cms-sb-item"), "data-path": path });
    const slots = {};
    const parts = [];  // what folds away with the row
    this.rows[path] = { row: row, slots: slots, def: def, parts: parts };
    if (named) row.appendChild(this.summaryBar(def, container, index, path));
    const head = el("div", { className: "cms-sb-head" });
    row.appendChild(head);
    parts.push(head);

    function slot(key, node, labelText) {
      const wrap = el("label", { className: "cms-sb-slot cms-sb-slot-" + key }, [labelText ? el("span", { text: labelText }) : null, node]);
      slots[key] = wrap;
      return wrap;
    }
    function textInput(key, cls, placeholder, onInput) {
      const input = el("input", { type: "text", className: "cms-input " + cls, placeholder: placeholder, value: def[key] === undefined ? "" : String(def[key]), "data-fk": path + "|" + key });
      input.addEventListener("input", function () {
        onInput ? onInput(input.value) : (input.value === "" ? delete def[key] : (def[key] = input.value));
        self.changed(false);
      });
      return input;
    }

    if (named) {
      const nameInput = textInput("name", "cms-sb-name", "name", function (value) {
        def.name = value;
        delete def._autoName;
      });
      const labelInput = textInput("label", "cms-sb-label", "Label shown to editors", function (value) {
        if (value === "") delete def.label; else def.label = value;
        if (def._new && (def._autoName || !def.name)) {
          def.name = camelName(value);
          def._autoName = true;
          nameInput.value = def.name;
        }
      });
      head.appendChild(slot("label", labelInput, "Label"));
      head.appendChild(slot("name", nameInput, "Name"));
    }
    const typeSelect = el("select", { className: "cms-input cms-sb-type", "data-fk": path + "|type" });
    TYPES.forEach(function (t) {
      if (!named && t === "dataSource") return;
      typeSelect.appendChild(el("option", { value: t, text: t, selected: def.type === t }));
    });
    if (!named) typeSelect.insertBefore(el("option", { value: "", text: "any JSON", selected: !def.type }), typeSelect.firstChild);
    typeSelect.addEventListener("change", function () {
      self.setType(def, typeSelect.value, container, index, named);
      self.changed(true);
    });
    head.appendChild(slot("type", typeSelect, named ? "Type" : "Item type"));
    if (named) {
      const required = el("input", { type: "checkbox", className: "cms-sb-required", checked: !!def.required, "data-fk": path + "|required" });
      required.addEventListener("change", function () {
        if (required.checked) def.required = true; else delete def.required;
        self.changed(false);
      });
      head.appendChild(slot("required", required, "Required"));
      if (def.type !== "dataSource") {
        const byDefault = LOCALIZED_DEFAULT.has(def.type);
        const localized = el("input", { type: "checkbox", className: "cms-sb-localized", checked: def.localized === undefined ? byDefault : !!def.localized, "data-fk": path + "|localized" });
        localized.addEventListener("change", function () {
          if (localized.checked === LOCALIZED_DEFAULT.has(def.type)) delete def.localized; else def.localized = localized.checked;
          self.changed(false);
        });
        head.appendChild(slot("localized", localized, "Translatable"));
      }
    }

    const opts = el("div", { className: "cms-sb-opts" });
    if (named) opts.appendChild(slot("help", textInput("help", "cms-sb-help", "Help text for editors"), "Help"));
    (OPTIONS[def.type] || []).forEach(function ([key, kind, label, defaultTrue]) {
      let input;
      if (kind === "bool") {
        const on = defaultTrue ? def[key] !== false : def[key] === true;
        input = el("input", { type: "checkbox", className: "cms-sb-opt", "data-key": key, checked: on });
        input.addEventListener("change", function () {
          if (defaultTrue) { if (input.checked) delete def[key]; else def[key] = false; }
          else if (input.checked) def[key] = true; else delete def[key];
          self.changed(false);
        });
      } else {
        const attrs = { className: "cms-input cms-sb-opt", "data-key": key };
        input = kind === "choices" ? el("textarea", Object.assign(attrs, { rows: 3 })) : el("input", Object.assign(attrs, { type: "text" }));
        input.value = optionValueToText(kind, def[key]);
        input.addEventListener("input", function () {
          const value = textToOptionValue(kind, input.value);
          if (value === undefined) delete def[key]; else def[key] = value;
          self.changed(false);
        });
      }
      opts.appendChild(slot(key, input, label));
    });
    row.appendChild(opts);
    parts.push(opts);

    if (def.type === "object") {
      if (!Array.isArray(def.fields)) def.fields = [];
      // The fields of an array's object items belong to "each plan", named after the array.
      const parent = named ? def : this.itemOwners.get(def) || def;
      const caption = parent.type === "array" ? "Fields of each " + itemNoun(parent) : "Fields of " + labelOf(parent);
      const children = el("div", { className: "cms-sb-children" }, [el("div", { className: "cms-sb-caption", text: caption }), this.listEditor(def.fields, path + ".fields", level + 1, parent)]);
      row.appendChild(children);
      parts.push(children);
    } else if (def.type === "array") {
      // `items` may be absent (a free-form list): the item editor then edits a detached object that is
      // attached as `items` as soon as an item type is chosen (see setType).
      const items = def.items && typeof def.items === "object" ? def.items : {};
      this.itemOwners.set(items, def);
      const children = el("div", { className: "cms-sb-children" }, [el("div", { className: "cms-sb-caption", text: "Each item of " + labelOf(def) }), this.fieldEditor(items, 0, path + ".items", false, level + 1)]);
      row.appendChild(children);
      parts.push(children);
    }
    if (named) this.fold(row, this.open.has(def));
    return row;
  };

  SchemaBuilder.prototype.fold = function (row, open) {
    const entry = this.rows[row.dataset.path];
    row.classList.toggle("cms-sb-collapsed", !open);
    entry.parts.forEach(function (part) { part.hidden = !open; });
    const toggle = row.querySelector(":scope > .cms-sb-bar > .cms-sb-toggle");
    if (toggle) toggle.setAttribute("aria-expanded", open ? "true" : "false");
  };

  // A row's one-line summary: a button that folds and unfolds it ("Plan name · planName · string ·
  // required"), and the row's tools, each named after the field.
  SchemaBuilder.prototype.summaryBar = function (def, container, index, path) {
    const self = this;
    const label = labelOf(def);
    const facts = [def.name || "(no name)", def.type || "?"];
    if (def.required) facts.push("required");
    const toggle = el("button", { type: "button", className: "cms-sb-toggle", "aria-expanded": "false", "data-fk": path + "|toggle" }, [
      el("span", { className: "cms-sb-chevron", "aria-hidden": "true" }),
      el("span", { className: "cms-sb-summary-label", text: label }),
      el("span", { className: "cms-sb-summary-facts", text: facts.join(" · ") }),
    ]);
    // The summary follows the label, name and required box as they are typed (they do not redraw the row).
    this.rows[path].refresh = function () {
      const facts = [def.name || "(no name)", def.type || "?"];
      if (def.required) facts.push("required");
      toggle.querySelector(".cms-sb-summary-label").textContent = labelOf(def);
      toggle.querySelector(".cms-sb-summary-facts").textContent = facts.join(" · ");
    };
    toggle.addEventListener("click", function () {
      const open = !self.open.has(def);
      if (open) self.open.add(def); else self.open.delete(def);
      self.fold(toggle.closest(".cms-sb-row"), open);
    });
    const tools = el("span", { className: "cms-row-tools" });
    const parentPath = path.slice(0, path.lastIndexOf("["));
    [["↑", "up", -1], ["↓", "down", 1]].forEach(function ([text, word, step]) {
      const button = el("button", { type: "button", text: text, className: "cms-sb-move cms-sb-" + word, "aria-label": "Move " + label + " " + word, title: "Move " + word, "data-fk": path + "|" + word });
      button.addEventListener("click", function () {
        const target = index + step;
        if (target < 0 || target >= container.length) return;
        container.splice(target, 0, container.splice(index, 1)[0]);
        self.pendingFocus = parentPath + "[" + target + "]|" + word;
        self.changed(true);
      });
      tools.appendChild(button);
    });
    const remove = el("button", { type: "button", text: "✕", className: "cms-sb-remove", "aria-label": "Remove " + label, title: "Remove field", "data-fk": path + "|remove" });
    remove.addEventListener("click", function () {
      container.splice(index, 1);
      // The focus stays in the list: the row now in this place, else the one before, else Add.
      const next = index < container.length ? index : index - 1;
      self.pendingFocus = next >= 0 ? parentPath + "[" + next + "]|toggle" : parentPath + "|add";
      self.changed(true);
    });
    tools.appendChild(remove);
    // Dragged by its handle onto another field of the same list, it takes that field's place (the buttons
    // do the same from the keyboard).
    const handle = el("span", { className: "cms-drag", title: "Drag to move", "aria-hidden": "true", draggable: "true", text: "⠿" });
    handle.addEventListener("dragstart", function (event) {
      self.dragging = { container: container, index: index };
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", label);
    });
    handle.addEventListener("dragend", function () { self.dragging = null; });
    tools.insertBefore(handle, tools.firstChild);
    const bar = el("div", { className: "cms-sb-bar" }, [toggle, tools]);
    bar.addEventListener("dragover", function (event) {
      if (self.dragging && self.dragging.container === container && self.dragging.index !== index) event.preventDefault();
    });
    bar.addEventListener("drop", function (event) {
      const from = self.dragging;
      if (!from || from.container !== container || from.index === index) return;
      event.preventDefault();
      self.dragging = null;
      container.splice(index, 0, container.splice(from.index, 1)[0]);
      self.pendingFocus = parentPath + "[" + index + "]|toggle";
      self.changed(true);
    });
    return bar;
  };

  SchemaBuilder.prototype.setType = function (def, type, container, index, named) {
    const keep = {};
    const allowed = new Set(COMMON.concat((OPTIONS[type] || []).map(function (o) { return o[0]; })));
    Object.keys(def).forEach(function (key) {
      if (allowed.has(key) || key.startsWith("_")) keep[key] = def[key];
    });
    if (type === "object") keep.fields = Array.isArray(def.fields) ? def.fields : [];
    if (type === "array") keep.items = def.items || { type: "string" };
    if (type === "dataSource") keep.source = def.source || "blocks";
    if (type) keep.type = type; else delete keep.type;
    Object.keys(def).forEach(function (key) { delete def[key]; });
    Object.assign(def, keep);
    if (!named) {
      const owner = this.itemOwners.get(def);
      if (owner) {
        if (type) owner.items = def; else delete owner.items;
      }
    }
  };

  SchemaBuilder.prototype.placeErrors = function () {
    const self = this;
    Object.entries(this.errors).forEach(function ([where, message]) {
      let path = where;
      let rest = "";
      while (path && !self.rows[path]) {
        const cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
        if (cut <= 0) { path = ""; break; }
        rest = path.slice(cut) + rest;
        path = path.slice(0, cut);
      }
      const note = el("ul", { className: "errorlist cms-field-error", "data-error-for": where }, [el("li", { text: message })]);
      if (!path) {
        self.host.insertBefore(note, self.host.firstChild);
        return;
      }
      const target = self.rows[path];
      const key = rest.replace(/^\./, "").split(/[.[]/)[0];
      const slot = target.slots[key];
      if (slot) slot.appendChild(note);
      else target.row.insertBefore(note, target.row.firstChild.nextSibling);
      target.row.classList.add("cms-has-error");
      // A row with a problem, and every row around it, is unfolded: the error must be seen.
      for (let node = target.row; node && self.host.contains(node); node = node.parentNode.closest(".cms-sb-row")) {
        const entry = self.rows[node.dataset.path];
        if (entry && entry.refresh) {
          self.open.add(entry.def);
          self.fold(node, true);
        }
      }
    });
  };

  // The builder keeps helper keys (`_new`, `_autoName`) on rows while editing; strip them from what is posted.
  const plainStringify = JSON.stringify;
  SchemaBuilder.prototype.sync = function () {
    this.textarea.value = plainStringify(this.root, function (key, value) { return key === "_new" || key === "_autoName" ? undefined : value; }, 2);
  };

  function startSchemaBuilders(root) {
    root.querySelectorAll(".cms-schema-builder").forEach(function (host) {
      if (host.dataset.ready) return;
      host.dataset.ready = "1";
      const textarea = host.parentNode.querySelector("textarea.cms-schema-json");
      if (textarea) new SchemaBuilder(host, textarea);
    });
  }

  // -- the block form: unsaved-changes guard, Enter, the error summary -------------------------------------
  let dirty = false;
  function markDirty() {
    if (dirty) return;
    dirty = true;
    // The action bar says it in words (a status region, so a screen reader hears it once).
    const note = document.getElementById("cms-dirty");
    if (note) note.textContent = "Unsaved changes";
    const bar = document.getElementById("cms-action-bar");
    if (bar) bar.classList.add("cms-is-dirty");
  }

  function startBlockForm() {
    const review = document.getElementById("cms-review-form");
    const form = document.getElementById("siteblock_form") || document.getElementById("cms-schema-form") || review;
    if (!form) return;
    // The review of a schema change holds edits not saved yet (until Yes, or Back to them).
    if (review) markDirty();
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    // A page shown again with problems holds what was typed and NOT saved: it is unsaved from the start.
    if (document.getElementById("cms-error-summary") || form.querySelector(".errornote, .errorlist")) markDirty();
    // Leaving (a link, reload, closing the tab) with typed changes asks first; saving or publishing does not.
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = "";
    });
    // Enter in a one-line box does not submit the whole form (it would save half-typed work); buttons,
    // text areas and the rich-text box keep their own Enter.
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing) return;
      const target = event.target;
      if (target.tagName === "INPUT" && !["submit", "button", "reset", "image", "checkbox", "radio"].includes(target.type)) {
        event.preventDefault();
      }
    });
    startErrorSummary();
  }

  function focusTarget(id) {
    const node = document.getElementById(id);
    if (!node) return false;
    const details = node.closest("details");
    if (details) details.open = true;
    const stand = document.getElementById(id + "-editor");  // a rich-text box stands for its textarea
    if (!stand && node.matches(PROSE_SELECTOR)) {
      node.dataset.wantsFocus = "1";  // its editor is not up yet: it takes the focus when it is
      node.scrollIntoView({ block: "center" });
      return true;
    }
    const target = stand || node;
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
    return document.activeElement === target;
  }

  function startErrorSummary() {
    const summary = document.getElementById("cms-error-summary");
    if (!summary) return;
    summary.addEventListener("click", function (event) {
      const link = event.target.closest("a[data-target]");
      if (!link) return;
      if (focusTarget(link.dataset.target)) event.preventDefault();
    });
    // On load the first problem has the focus (the summary is announced as an alert meanwhile).
    const first = summary.querySelector("a[data-target]");
    if (!(first && focusTarget(first.dataset.target))) summary.focus();
  }

  // -- presence: who else has this block open (editor/presence.py) ----------------------------------------
  // A beat every few seconds while the page is visible; the action bar names the others ("Also open: bob").
  function startPresence() {
    const line = document.getElementById("cms-presence");
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!line || !token || !window.fetch) return;
    const every = (parseInt(line.dataset.beat, 10) || 15) * 1000;
    function beat() {
      if (document.visibilityState !== "visible") return;
      fetch(line.dataset.url, { method: "POST", headers: { "X-CSRFToken": token.value }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer) return;
          const words = answer.others.length ? "Also open: " + answer.others.join(", ") : "";
          if (line.textContent !== words) line.textContent = words;
        })
        .catch(function () {});  // a missed beat says nothing new
    }
    window.setInterval(beat, every);
    document.addEventListener("visibilitychange", beat);
  }

  function start() {
    startPresence();
    enhance(document);
    document.querySelectorAll(".cms-array[data-noun]").forEach(renumber);
    startSchemaBuilders(document);
    startBlockForm();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
