// LEO Portal: follows a background capability import (partners/import_jobs.py) on its status page.
// Polls the job's JSON status, moves the progress bar, and reloads the page once the import has finished so the
// server shows the outcome (the summary, or every problem). Without JavaScript the page refreshes itself instead.
"use strict";

(() => {
  const root = document.querySelector("[data-import-job]");
  if (!root) {
    return;
  }
  const bar = root.querySelector("progress");
  const text = root.querySelector("[data-progress-text]");
  const url = root.dataset.statusUrl;
  const NORMAL_DELAY = 1000;
  const MAX_DELAY = 15000;
  let delay = NORMAL_DELAY;
  let announced = "";

  // The status text is a live region: change it in steps of ten per cent, not on every poll, so screen readers
  // are not flooded. The bar itself always shows the latest count.
  function show(status) {
    bar.max = Math.max(status.total, 1);
    bar.value = status.done;
    bar.textContent = `${status.percent}%`;
    const step = `${status.state}:${Math.floor(status.percent / 10)}`;
    if (step !== announced) {
      announced = step;
      text.textContent = status.message;
    }
  }

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!response.ok) {
        throw new Error(`status ${response.status}`);
      }
      const status = await response.json();
      if (status.finished) {
        window.location.reload();
        return;
      }
      show(status);
      delay = NORMAL_DELAY;
    } catch (error) {
      text.textContent = "Lost contact with the site; trying again. The import carries on meanwhile.";
      announced = "";
      delay = Math.min(delay * 2, MAX_DELAY);
    }
    window.setTimeout(poll, delay);
  }

  window.setTimeout(poll, NORMAL_DELAY);
})();
