// Proposal form: add co-investigator rows without a round trip, and warn before leaving with unsaved changes.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("proposal-form");
  if (!form) {
    return;
  }

  // Co-investigator rows: clone the empty form Django renders into <template>, renumbering its fields.
  const addButton = form.querySelector("[data-formset-add]");
  const template = document.getElementById("co-investigator-template");
  const rows = form.querySelector("[data-formset-rows]");
  const total = form.querySelector("input[name='coi-TOTAL_FORMS']");
  const maximum = form.querySelector("input[name='coi-MAX_NUM_FORMS']");
  if (addButton && template && rows && total) {
    addButton.classList.remove("d-none");
    addButton.addEventListener("click", () => {
      const index = Number.parseInt(total.value, 10);
      if (maximum && index >= Number.parseInt(maximum.value, 10)) {
        addButton.disabled = true;
        return;
      }
      const html = template.innerHTML.replaceAll("__prefix__", String(index)).replaceAll("__number__", String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const added = rows.lastElementChild;
      const first = added && added.querySelector("input:not([type=hidden])");
      if (first) {
        first.focus();
      }
    });
  }

  // Unsaved changes: the browser asks before the page is left (saving or submitting clears the flag).
  let dirty = false;
  form.addEventListener("input", () => {
    dirty = true;
  });
  form.addEventListener("change", () => {
    dirty = true;
  });
  form.addEventListener("submit", () => {
    dirty = false;
  });
  // proposal-autosave.js saved everything typed so far.
  form.addEventListener("proposal:saved", () => {
    dirty = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
});
