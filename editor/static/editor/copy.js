/*
 * "Copy" beside a secret shown once (an API token, a webhook's signing secret): copies the text of the element
 * named by the button's data-copy, and says so in the button (and to screen readers, through its status).
 * Without the clipboard API the text stays selected for Ctrl+C.
 */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const text = source.textContent.trim();
    const said = document.getElementById(button.dataset.copy + "-copied");
    function done(words) {
      if (said) said.textContent = words;
    }
    const range = document.createRange();
    range.selectNodeContents(source);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done("Copied."); }, function () { done("Selected: press Ctrl+C to copy."); });
    } else {
      done("Selected: press Ctrl+C to copy.");
    }
  });
})();
