// LEO Portal: progressive enhancements. Loaded as a file (the Content-Security-Policy forbids inline scripts).
"use strict";

// Long text fields carry data-maxlength instead of maxlength (which silently cuts pasted text): a counter under
// the field says how much room is left, and how far over the limit the text is. The server refuses text over
// the limit with a message and keeps what was typed.
function countCharacters(field) {
  const limit = Number.parseInt(field.dataset.maxlength, 10);
  if (!limit || !field.id) {
    return;
  }
  const counter = document.createElement("span");
  counter.className = "char-count";
  counter.id = `${field.id}-count`;
  const announcer = document.createElement("span");
  announcer.className = "visually-hidden";
  announcer.setAttribute("aria-live", "polite");
  const format = (n) => n.toLocaleString("en-GB");
  let lastState = "";
  const update = () => {
    const used = field.value.length;
    let state = "ok";
    if (used > limit) {
      state = "over";
      counter.textContent = `${format(used - limit)} characters over the limit of ${format(limit)}: shorten it before saving.`;
    } else if (used >= limit * 0.9) {
      state = "near";
      counter.textContent = `${format(limit - used)} characters left (limit ${format(limit)}).`;
    } else {
      counter.textContent = `${format(used)} of ${format(limit)} characters.`;
    }
    counter.dataset.state = state;
    if (state !== lastState && state !== "ok") {
      announcer.textContent = counter.textContent;
    }
    lastState = state;
  };
  field.insertAdjacentElement("afterend", counter);
  counter.insertAdjacentElement("afterend", announcer);
  const described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  field.setAttribute("aria-describedby", [...described, counter.id].join(" "));
  field.addEventListener("input", update);
  update();
}

document.addEventListener("DOMContentLoaded", () => {
  // Buttons that need confirmation carry data-confirm="question".
  document.querySelectorAll("form [data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });

  document.querySelectorAll("textarea[data-maxlength], input[data-maxlength]").forEach(countCharacters);
});
