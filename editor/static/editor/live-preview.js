/*
 * The live preview panel of the block page (change_form.html, editor/admin.py `_live_preview`): the site's
 * frontend (its preview URL with a fresh preview token) in an iframe beside the form, below it on narrow
 * screens; the built-in preview when the site has no preview URL. "Live preview" in the action bar opens and
 * closes it (remembered for the tab's session).
 *
 * While it is open, "Save draft" saves in the background (the same POST the button makes, so the same checks;
 * a save with problems is submitted the ordinary way and shows them), the page keeps its place, and the panel
 * is told: a `{type: "cms:saved", slug, locale, version}` message is posted to the frame. A frontend that
 * listens answers `{type: "cms:ack"}` and refreshes itself (examples/frontend/preview.mjs does); otherwise,
 * after a short wait, the frame is reloaded with a fresh token (from the saved page). docs/frontends.md.
 */
(function () {
  "use strict";

  const KEY = "cms-live-preview-open";
  const ACK_WAIT_MS = 1500;

  function start() {
    const panel = document.getElementById("cms-live-preview");
    const toggle = document.getElementById("cms-live-toggle");
    const form = document.getElementById("siteblock_form");
    if (!panel || !toggle || !form) return;
    const split = document.getElementById("cms-split");
    const frame = document.getElementById("cms-live-frame");
    const status = document.getElementById("cms-live-status");
    toggle.hidden = false;

    function setOpen(open) {
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      toggle.classList.toggle("cms-button-on", open);
      split.classList.toggle("cms-split-open", open);
      if (open && !frame.getAttribute("src")) frame.src = frame.dataset.src;
      try { sessionStorage.setItem(KEY, open ? "1" : "0"); } catch (error) { /* storage off: not remembered */ }
    }
    toggle.addEventListener("click", function () { setOpen(panel.hidden); });
    let remembered = null;
    try { remembered = sessionStorage.getItem(KEY); } catch (error) { /* storage off */ }
    setOpen(remembered === "1");

    function targetOrigin() {
      try { return new URL(frame.src, location.href).origin; } catch (error) { return location.origin; }
    }

    function tell(version, freshSrc) {
      let acknowledged = false;
      function onAck(event) {
        if (event.source !== frame.contentWindow || !event.data || event.data.type !== "cms:ack") return;
        acknowledged = true;
        status.textContent = "Saved version " + version + "; the frontend refreshed itself.";
      }
      window.addEventListener("message", onAck);
      const message = { type: "cms:saved", slug: panel.dataset.slug, locale: panel.dataset.locale, version: version };
      try { frame.contentWindow.postMessage(message, targetOrigin()); } catch (error) { /* not loaded yet */ }
      window.setTimeout(function () {
        window.removeEventListener("message", onAck);
        if (!acknowledged) {
          frame.dataset.src = freshSrc || frame.dataset.src;
          frame.src = frame.dataset.src;
          status.textContent = "Saved version " + version + "; preview reloaded.";
        }
      }, ACK_WAIT_MS);
    }

    let passThrough = false;
    form.addEventListener("submit", function (event) {
      const submitter = event.submitter;
      if (passThrough || panel.hidden || !submitter || submitter.id !== "cms-save-draft") return;
      event.preventDefault();
      const body = new FormData(form, submitter);
      status.textContent = "Saving…";
      fetch(form.action || location.href, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) { return response.text().then(function (html) { return [response, html]; }); })
        .then(function ([response, html]) {
          const saved = new DOMParser().parseFromString(html, "text/html");
          const version = saved.querySelector("#siteblock_form input[name=version]");
          if (!response.ok || saved.getElementById("cms-error-summary") || !version) {
            passThrough = true;  // problems: the ordinary submit shows them in place (nothing was saved)
            form.requestSubmit(submitter);
            return;
          }
          form.querySelector("input[name=version]").value = version.value;
          const state = saved.getElementById("cms-state");
          if (state) document.getElementById("cms-state").replaceWith(state);
          document.getElementById("cms-action-bar").classList.remove("cms-is-dirty");
          const messages = saved.querySelector(".messagelist");
          const current = document.querySelector(".messagelist");
          if (messages && current) current.replaceWith(messages);
          else if (messages) document.getElementById("content").prepend(messages);
          const fresh = saved.getElementById("cms-live-frame");
          tell(version.value, fresh && fresh.dataset.src);
        })
        .catch(function () {
          passThrough = true;
          form.requestSubmit(submitter);
        });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
