/*
 * The media library in the admin (editor/media_library.py) and the block editor's image/file chooser:
 *  - the library's drop zone: several files at once, by drag and drop or the file picker, one XHR per file
 *    (two at a time) with one progress bar over all the bytes; each file's outcome is listed (a live region),
 *    then the grid is refreshed in place;
 *  - "select all" for the library's bulk actions;
 *  - the focal point picker: click the picture (or move it with the arrow keys) to set where crops centre;
 *  - the chooser of `image` and `file` fields (editor/widgets.py `_AssetWidget`): a dialog listing the
 *    library (search, pages), upload in place with progress, a preview, remove. The field posts the asset's
 *    id; the server checks it like any other write.
 * The server decides everything (sniffing, limits, rights); this file only moves files and ids around.
 */
(function () {
  "use strict";

  const LIBRARY = "/admin/media/asset/";

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
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

  function humanSize(bytes) {
    if (bytes < 1024) return bytes + " bytes";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  /* POST one file; `onProgress(loaded)` as it goes; resolves with {ok, status, body}. */
  function sendFile(url, file, fields, onProgress) {
    return new Promise(function (resolve) {
      const data = new FormData();
      Object.entries(fields).forEach(function ([key, value]) {
        if (value) data.append(key, value);
      });
      data.append("file", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.upload.addEventListener("progress", function (event) {
        onProgress(event.loaded);
      });
      xhr.addEventListener("load", function () {
        let body = {};
        try {
          body = JSON.parse(xhr.responseText);
        } catch (error) {
          body = { error: "The server answered " + xhr.status + "." };
        }
        onProgress(file.size);
        resolve({ ok: xhr.status < 300, status: xhr.status, body: body });
      });
      xhr.addEventListener("error", function () {
        resolve({ ok: false, status: 0, body: { error: "The upload did not reach the server." } });
      });
      xhr.send(data);
    });
  }

  // -- the library's drop zone ---------------------------------------------------------------------------
  function setUpLibrary(library) {
    const zone = library.querySelector("#cms-dropzone");
    if (!zone) return;
    const input = zone.querySelector("#cms-upload-input");
    const status = zone.querySelector("#cms-upload-status");
    const bar = zone.querySelector("#cms-upload-progress");
    const label = zone.querySelector("#cms-upload-label");
    const list = zone.querySelector("#cms-upload-list");

    async function uploadAll(files) {
      files = Array.from(files);
      if (!files.length) return;
      const total = files.reduce(function (sum, file) { return sum + file.size; }, 0) || 1;
      const loaded = files.map(function () { return 0; });
      status.hidden = false;
      list.textContent = "";
      bar.value = 0;
      let done = 0;
      let failed = 0;
      label.textContent = "Uploading " + files.length + " file" + (files.length === 1 ? "" : "s") + "…";
      const queue = files.map(function (file, index) { return [file, index]; });
      async function worker() {
        while (queue.length) {
          const [file, index] = queue.shift();
          const result = await sendFile(library.dataset.uploadUrl, file, { site: library.dataset.site }, function (bytes) {
            loaded[index] = Math.min(bytes, file.size);
            bar.value = Math.round((100 * loaded.reduce(function (a, b) { return a + b; }, 0)) / total);
          });
          done += 1;
          const item = el("li", { className: result.ok ? "cms-upload-ok" : "cms-upload-failed" });
          if (result.ok) {
            item.textContent = file.name + ": " + (result.body.created ? "uploaded" : "already in the library") + ".";
          } else {
            failed += 1;
            item.textContent = file.name + ": refused. " + (result.body.error || "");
          }
          list.appendChild(item);
        }
      }
      await Promise.all([worker(), worker()]);
      bar.value = 100;
      label.textContent = "Uploaded " + (done - failed) + " of " + files.length + " file" + (files.length === 1 ? "" : "s") +
        (failed ? " (" + failed + " refused, see below)" : "") + ".";
      await refreshGrid();
    }

    async function refreshGrid() {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      ["#cms-library-form", "#cms-usage"].forEach(function (selector) {
        const fresh = page.querySelector(selector);
        const old = library.querySelector(selector);
        if (fresh && old) old.replaceWith(fresh);
      });
      setUpSelectAll(library);
    }

    input.addEventListener("change", function () {
      uploadAll(input.files).then(function () { input.value = ""; });
    });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("cms-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.remove("cms-dragging");
      });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) uploadAll(event.dataTransfer.files);
    });
  }

  function setUpSelectAll(root) {
    const all = root.querySelector("#cms-select-all");
    if (!all) return;
    all.hidden = false;
    const label = root.querySelector("label[for=cms-select-all]");
    if (label) label.hidden = false;
    all.addEventListener("change", function () {
      root.querySelectorAll(".cms-card-pick").forEach(function (box) { box.checked = all.checked; });
    });
  }

  // -- the focal point picker ----------------------------------------------------------------------------
  function placeMark(picker, point) {
    const mark = picker.querySelector(".cms-focal-mark");
    if (!mark) return;
    mark.hidden = !point;
    if (point) {
      mark.style.left = (point.x * 100).toFixed(1) + "%";
      mark.style.top = (point.y * 100).toFixed(1) + "%";
    }
  }

  function pointFromClick(picker, event) {
    const image = picker.querySelector("img");
    const box = image.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    const y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
    return { x: Math.round(x * 100) / 100, y: Math.round(y * 100) / 100 };
  }

  /* Arrow keys move a point by 5% (`null` for any other key). */
  function pointFromKey(point, key) {
    const step = 0.05;
    const moved = { x: point ? point.x : 0.5, y: point ? point.y : 0.5 };
    if (key === "ArrowLeft") moved.x -= step;
    else if (key === "ArrowRight") moved.x += step;
    else if (key === "ArrowUp") moved.y -= step;
    else if (key === "ArrowDown") moved.y += step;
    else return null;
    moved.x = Math.round(Math.min(1, Math.max(0, moved.x)) * 100) / 100;
    moved.y = Math.round(Math.min(1, Math.max(0, moved.y)) * 100) / 100;
    return moved;
  }

  function describe(point) {
    return point ? Math.round(point.x * 100) + "% across, " + Math.round(point.y * 100) + "% down" : "the centre";
  }

  /* The asset page's picker: it fills the Across and Down inputs the form posts. */
  function setUpPagePicker(picker) {
    const xInput = document.getElementById(picker.dataset.xInput);
    const yInput = document.getElementById(picker.dataset.yInput);
    function current() {
      return xInput.value !== "" && yInput.value !== "" ? { x: Number(xInput.value), y: Number(yInput.value) } : null;
    }
    placeMark(picker, current());
    picker.addEventListener("click", function (event) {
      const point = pointFromClick(picker, event);
      xInput.value = point.x;
      yInput.value = point.y;
      placeMark(picker, point);
    });
    [xInput, yInput].forEach(function (input) {
      input.addEventListener("input", function () { placeMark(picker, current()); });
    });
  }

  // -- the chooser of image and file fields ----------------------------------------------------------------
  function editorContext() {
    const match = window.location.pathname.match(/\/siteblock\/(\d+)\/change\//);
    if (match) return { block: match[1] };
    const site = document.getElementById("id_site");
    return site && site.value ? { site: site.value } : {};
  }

  function query(params) {
    return Object.entries(params)
      .filter(function ([, value]) { return value !== undefined && value !== null && value !== ""; })
      .map(function ([key, value]) { return encodeURIComponent(key) + "=" + encodeURIComponent(value); })
      .join("&");
  }

  let dialog = null;
  let dialogField = null;

  function chooserDialog() {
    if (dialog) return dialog;
    const search = el("input", { type: "search", id: "cms-choose-q", className: "cms-input", autocomplete: "off" });
    const results = el("div", { className: "cms-choose-results", id: "cms-choose-results" });
    const close = el("button", { type: "button", className: "button cms-choose-close", text: "Close" });
    dialog = el("dialog", { className: "cms-chooser", id: "cms-chooser", "aria-labelledby": "cms-chooser-title" }, [
      el("div", { className: "cms-chooser-head" }, [
        el("h2", { id: "cms-chooser-title", text: "Choose from the library" }),
        close,
      ]),
      el("form", { className: "cms-chooser-search", role: "search" }, [
        el("label", { for: "cms-choose-q", text: "Search by title or file name" }),
        search,
        el("button", { type: "submit", className: "button", text: "Search" }),
      ]),
      results,
    ]);
    document.body.appendChild(dialog);
    let timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { loadChoices(1); }, 250);
    });
    dialog.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      loadChoices(1);
    });
    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () {
      if (dialogField) dialogField.querySelector(".cms-asset-choose").focus();
    });
    results.addEventListener("click", function (event) {
      const pageButton = event.target.closest(".cms-choose-page");
      if (pageButton) {
        loadChoices(pageButton.dataset.page);
        return;
      }
      const item = event.target.closest(".cms-choose-item");
      if (!item || !dialogField) return;
      const field = dialogField;
      setAsset(field, item.dataset.assetId).then(function () {
        dialog.close();
        announce(field, "Chosen: " + field.querySelector(".cms-asset-name").textContent);
      });
    });
    return dialog;
  }

  async function loadChoices(page) {
    const results = dialog.querySelector("#cms-choose-results");
    const params = Object.assign({}, editorContext(), {
      kind: dialogField.dataset.kind === "image" ? "image" : "",
      q: dialog.querySelector("#cms-choose-q").value.trim(),
      page: page,
    });
    results.setAttribute("aria-busy", "true");
    const response = await fetch(LIBRARY + "choose/?" + query(params), { credentials: "same-origin" });
    results.innerHTML = response.ok ? await response.text() : "<p class=\"errornote\">The library could not be read.</p>";
    results.removeAttribute("aria-busy");
  }

  function announce(field, text) {
    field.querySelector(".cms-asset-status").textContent = text;
  }

  function changed(field) {
    // The unsaved-changes guard (editor.js) listens for input events in the form.
    field.querySelector(".cms-asset-id").dispatchEvent(new Event("input", { bubbles: true }));
    field.querySelector(".cms-asset-id").dispatchEvent(new Event("change", { bubbles: true }));
  }

  function showAsset(field, facts) {
    const picture = field.querySelector(".cms-asset-picture");
    const name = field.querySelector(".cms-asset-name");
    field.querySelector(".cms-asset-current").hidden = !facts;
    field.querySelector(".cms-asset-none").hidden = !!facts;
    field.querySelector(".cms-asset-remove").hidden = !facts;
    const alt = field.querySelector("input[name$='.alt']");
    if (!facts) {
      picture.hidden = true;
      name.textContent = "";
      if (alt) alt.placeholder = "";
      return;
    }
    const details = [facts.width ? facts.width + " × " + facts.height : "", humanSize(facts.size)].filter(Boolean);
    if (facts.title && facts.title !== facts.name) details.unshift(facts.name);
    name.textContent = (facts.title || facts.name) + " (" + details.join(", ") + ")";
    field.dataset.focal = facts.focalPoint ? JSON.stringify(facts.focalPoint) : "";
    if (facts.kind === "image" && field.dataset.kind === "image") {
      let image = picture.querySelector("img");
      if (!image) {
        image = el("img", { className: "cms-asset-thumb", alt: "" });
        picture.insertBefore(image, picture.firstChild);
      }
      image.src = facts.thumb;
      picture.hidden = false;
      picture.setAttribute("aria-label", "Focal point of " + facts.name + ": " + describe(facts.focalPoint) +
        ". Click the picture or use the arrow keys to move it.");
      placeMark(picture, facts.focalPoint);
    } else {
      picture.hidden = true;
    }
    if (alt) alt.placeholder = facts.alt ? "Library: " + facts.alt : "The library has no alt text for this image";
  }

  async function setAsset(field, id) {
    field.querySelector(".cms-asset-id").value = id;
    changed(field);
    await refreshAsset(field);
  }

  async function refreshAsset(field) {
    const id = field.querySelector(".cms-asset-id").value;
    if (!/^\d+$/.test(id)) {
      showAsset(field, null);
      return;
    }
    const locale = document.getElementById("id_locale");
    const response = await fetch(LIBRARY + id + "/info/?" + query({ locale: locale ? locale.value : "" }), {
      credentials: "same-origin",
    });
    if (response.ok) {
      showAsset(field, await response.json());
    } else {
      showAsset(field, null);
      field.querySelector(".cms-asset-current").hidden = false;
      field.querySelector(".cms-asset-remove").hidden = false;
      field.querySelector(".cms-asset-name").textContent = "Asset " + id + " is missing from the library (deleted).";
    }
  }

  async function saveFocal(field, point) {
    const id = field.querySelector(".cms-asset-id").value;
    const picture = field.querySelector(".cms-asset-picture");
    placeMark(picture, point);
    const response = await fetch(LIBRARY + id + "/focal/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ focalPoint: point }),
    });
    const body = await response.json().catch(function () { return {}; });
    if (response.ok) {
      field.dataset.focal = JSON.stringify(point);
      picture.setAttribute("aria-label", "Focal point: " + describe(point) + ". Click the picture or use the arrow keys to move it.");
      announce(field, "Focal point saved: " + describe(point) + ".");
    } else {
      announce(field, "The focal point was not saved. " + (body.error || ""));
    }
  }

  function setUpField(field) {
    if (field.dataset.ready) return;
    field.dataset.ready = "1";
    const picture = field.querySelector(".cms-asset-picture");
    picture.setAttribute("tabindex", "0");
    picture.setAttribute("role", "button");
    picture.setAttribute("aria-label", "Focal point: click the picture or use the arrow keys to move it.");
    refreshAsset(field);

    field.querySelector(".cms-asset-choose").addEventListener("click", function () {
      dialogField = field;
      const box = chooserDialog();
      box.querySelector("#cms-chooser-title").textContent =
        field.dataset.kind === "image" ? "Choose an image from the library" : "Choose a file from the library";
      box.showModal();
      box.querySelector("#cms-choose-q").focus();
      loadChoices(1);
    });
    field.querySelector(".cms-asset-remove").addEventListener("click", function () {
      field.querySelector(".cms-asset-id").value = "";
      const alt = field.querySelector("input[name$='.alt']");
      if (alt) alt.value = "";
      showAsset(field, null);
      changed(field);
      announce(field, "Removed.");
      field.querySelector(".cms-asset-choose").focus();
    });
    const upload = field.querySelector(".cms-asset-upload");
    upload.addEventListener("change", async function () {
      const file = upload.files[0];
      if (!file) return;
      const progress = field.querySelector(".cms-asset-progress");
      progress.hidden = false;
      progress.value = 0;
      announce(field, "Uploading " + file.name + "…");
      const result = await sendFile(LIBRARY + "upload/", file, editorContext(), function (bytes) {
        progress.value = Math.round((100 * bytes) / (file.size || 1));
      });
      progress.hidden = true;
      upload.value = "";
      if (!result.ok) {
        announce(field, file.name + " was refused. " + (result.body.error || ""));
        return;
      }
      if (field.dataset.kind === "image" && result.body.kind !== "image") {
        announce(field, file.name + " is not an image; it was added to the library, but not here.");
        return;
      }
      await setAsset(field, String(result.body.id));
      announce(field, "Uploaded and chosen: " + file.name + ".");
    });
    picture.addEventListener("click", function (event) {
      if (!field.querySelector(".cms-asset-id").value || event.target.tagName !== "IMG") return;
      saveFocal(field, pointFromClick(picture, event));
    });
    let pending = null;
    picture.addEventListener("keydown", function (event) {
      const point = pointFromKey(field.dataset.focal ? JSON.parse(field.dataset.focal) : null, event.key);
      if (!point) return;
      event.preventDefault();
      field.dataset.focal = JSON.stringify(point);
      placeMark(picture, point);
      clearTimeout(pending);
      pending = setTimeout(function () { saveFocal(field, point); }, 400);
    });
  }

  function enhance(root) {
    root.querySelectorAll(".cms-asset-field").forEach(setUpField);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const library = document.getElementById("cms-library");
    if (library) {
      setUpLibrary(library);
      setUpSelectAll(library);
    }
    document.querySelectorAll(".cms-focal-picker[data-x-input]").forEach(setUpPagePicker);
    enhance(document);
    // Rows added to a list (editor.js copies a <template>) bring new fields: set them up as they appear.
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        record.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) {
            if (node.matches(".cms-asset-field")) setUpField(node);
            else enhance(node);
          }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
