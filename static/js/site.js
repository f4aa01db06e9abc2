// LEO Portal: progressive enhancements. Loaded as a file (the Content-Security-Policy forbids inline scripts).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Buttons that need confirmation carry data-confirm="question".
  document.querySelectorAll("form [data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
});
