// Small progressive enhancements; every control works without this file.
"use strict";

(() => {
  // --- copy buttons: data-copy-target names the element whose value is copied ----------------
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy-target]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copyTarget);
    if (!source || !navigator.clipboard) return;
    event.preventDefault();
    navigator.clipboard.writeText(source.value || source.textContent.trim()).then(() => {
      const label = button.lastChild;
      const text = label.textContent;
      label.textContent = "Copied";
      setTimeout(() => { label.textContent = text; }, 1500);
    });
  });

  // --- dialogs: a button with data-dialog-open="ID" opens <dialog id="ID"> ------------------
  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-dialog-open]");
    if (!opener) return;
    const dialog = document.getElementById(opener.dataset.dialogOpen);
    if (dialog && dialog.showModal) { event.preventDefault(); dialog.showModal(); }
  });

  // --- the share dialog: a card's "Share" loads the item's panel into the page's dialog -------
  let shareOpener = null;
  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-share-dialog]");
    if (!opener || !window.htmx) return;
    const dialog = document.getElementById("share-dialog");
    if (!dialog) return;
    event.preventDefault();
    shareOpener = opener;
    const body = document.getElementById("share-dialog-body");
    body.innerHTML = '<p class="muted">Loading…</p>';
    dialog.showModal();
    htmx.ajax("GET", opener.dataset.shareDialog, { target: body, swap: "innerHTML" }).then(() => {
      const checked = body.querySelector(".share-tab-radio:checked");
      if (checked) checked.focus();
    });
  });
  document.addEventListener("close", (event) => {
    if (event.target.id === "share-dialog" && shareOpener) {
      shareOpener.focus();
      shareOpener = null;
    }
  }, true);

  // --- captions: picking a variant fills the caption; the counter and preview follow --------
  function refreshCaption(form) {
    const input = form.querySelector("[data-caption-input]");
    if (!input) return;
    const counter = form.querySelector("[data-counter]");
    const preview = form.querySelector("[data-preview]");
    const limit = parseInt(form.dataset.limit, 10);
    const length = input.value.length;
    if (counter) {
      const rest = counter.textContent.includes("·") ? " ·" + counter.textContent.split("·").slice(1).join("·") : "";
      counter.textContent = (limit ? `${length} of ${limit} characters` : `${length} characters`) + rest;
      counter.classList.toggle("over", Boolean(limit) && length > limit);
    }
    if (preview) {
      const disclosure = preview.dataset.disclosure;
      preview.textContent = input.value + (disclosure ? " " + disclosure : "");
    }
    const submit = form.querySelector("button[type=submit]");
    if (submit) submit.disabled = Boolean(limit) && length > limit;
  }
  document.addEventListener("change", (event) => {
    const choice = event.target.closest("input[name=variant][data-caption]");
    if (!choice) return;
    const form = choice.form;
    const input = form.querySelector("[data-caption-input]");
    if (input) { input.value = choice.dataset.caption; refreshCaption(form); }
  });
  document.addEventListener("input", (event) => {
    if (event.target.matches("[data-caption-input]")) refreshCaption(event.target.form);
  });

  // --- after a share opens the network in a new tab: say so, and refresh the card ------------
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("[data-share-form]");
    if (!form) return;
    const status = form.querySelector("[data-share-status]");
    if (status && form.target === "_blank") {
      status.textContent = "Opened in a new tab. Your share is recorded: thank you!";
    }
    const card = document.getElementById("content-" + form.dataset.contentId);
    if (card && window.htmx) {
      setTimeout(() => htmx.ajax("GET", form.dataset.card, { target: card, swap: "outerHTML" }), 1200);
    }
  });

  // --- tables become cards on phones: each cell is labelled with its column's name ----------
  function labelTables(root) {
    root.querySelectorAll(".table-wrap:not(.table-keep) table").forEach((table) => {
      const heads = Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent.trim());
      if (!heads.length) return;
      table.querySelectorAll("tbody tr").forEach((row) => {
        Array.from(row.children).forEach((cell, index) => {
          if (!cell.dataset.label && heads[index]) cell.dataset.label = heads[index];
        });
      });
      table.closest(".table-wrap").classList.add("table-cards");
    });
    // a table still wider than its box scrolls: keyboard users must be able to reach it
    root.querySelectorAll(".table-wrap").forEach((wrap) => {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table (scrolls sideways)");
      }
    });
  }

  // --- "Reply" moves to the reply box (the reply button itself waits while a reply is sent:
  // hx-disabled-elt on the form, so a double press cannot post twice) ------------------------
  document.addEventListener("click", (event) => {
    if (!event.target.closest("[data-reply]")) return;
    const box = document.querySelector("#reply textarea");
    if (box) { event.preventDefault(); box.scrollIntoView({ block: "center" }); box.focus(); }
  });

  // After an htmx swap: label new tables, and move focus to what needs it (an error, or the
  // element the answer names with data-focus) so keyboard and screen-reader users follow.
  document.addEventListener("htmx:afterSettle", (event) => {
    // an outerHTML swap replaced the target: look at what is in the page now
    const target = (event.detail.target.id && document.getElementById(event.detail.target.id)) || event.detail.target;
    labelTables(target.parentElement || document);
    const alert = target.querySelector("[role=alert]");
    let focus = alert || target.querySelector("[data-focus]") || (target.matches("[data-focus]") ? target : null);
    // after a reply is posted, focus the new reply (the last post), not the page's body
    if (!focus && target.id === "replies" && event.detail.requestConfig && event.detail.requestConfig.verb === "post") {
      const posts = target.querySelectorAll("article.post");
      focus = posts[posts.length - 1] || null;
    }
    if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus(); }
  });

  // Menus (<details>) close on Escape and when clicking elsewhere.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = document.querySelector("details.menu[open]");
    if (open) { open.removeAttribute("open"); open.querySelector("summary").focus(); }
  });
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.menu[open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  // Filter panels stay open beside the list on wide screens; on phones they are a button.
  function pinFilters(root) {
    if (!window.matchMedia("(min-width: 48rem)").matches) return;
    root.querySelectorAll("details.filters").forEach((panel) => {
      panel.open = true;
      panel.classList.add("filters-pinned");
    });
  }

  document.addEventListener("DOMContentLoaded", () => { labelTables(document); pinFilters(document); });
  document.addEventListener("htmx:load", (event) => pinFilters(event.detail.elt));
})();
