// Small progressive enhancements; every control works without this file.
"use strict";

document.addEventListener("click", (event) => {
  // "Copy" buttons copy the value of the element named in data-copy-target.
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  if (!source || !navigator.clipboard) return;
  event.preventDefault();
  navigator.clipboard.writeText(source.value || source.textContent.trim()).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

// After an htmx swap that brings an error or a form back, move focus to it for screen readers.
document.addEventListener("htmx:afterSwap", (event) => {
  const alert = event.detail.target.querySelector("[role=alert]");
  if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
});
