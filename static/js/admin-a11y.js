// The admin's search-as-you-type selects (select2, Django's autocomplete_fields) name their combobox after the
// field's label, for screen readers: select2 draws a new box that the label does not point at.
"use strict";

function nameAutocompletes(root) {
  root.querySelectorAll("select.admin-autocomplete").forEach((select) => {
    const label = select.id && document.querySelector(`label[for="${select.id}"]`);
    const box = select.nextElementSibling;
    if (!label || !box || !box.classList.contains("select2")) {
      return;
    }
    if (!label.id) {
      label.id = `${select.id}-label`;
    }
    // A single select's box is a combobox; a multiple one types into a search box among the chosen items.
    box.querySelectorAll("[role=combobox], .select2-search__field").forEach((combobox) => {
      combobox.setAttribute("aria-labelledby", label.id);
    });
    box.querySelectorAll(".select2-selection__rendered").forEach((shown) => {
      shown.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
    });
  });
}

// select2 draws its boxes when jQuery says the page is ready, which may come after the page's load event: name
// each box as soon as it appears (and those of rows added to an inline formset later).
if (document.querySelector("select.admin-autocomplete")) {
  new MutationObserver(() => nameAutocompletes(document)).observe(document.body, { childList: true, subtree: true });
}
