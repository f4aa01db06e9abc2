// A background job's page (leoportal.domain.jobs): poll its status and move the progress bar; once the job is over,
// reload the page so the server shows the outcome (the download, the summary, or every problem to fix).
// Without JavaScript the page refreshes itself instead. Loaded as a file: the Content-Security-Policy forbids
// inline scripts.
"use strict";

(() => {
  const NORMAL_DELAY = 1000;
  const MAX_DELAY = 15000;
  const section = document.querySelector("[data-job-status-url]");
  if (!section || section.dataset.jobOver === "true") {
    return;
  }
  const stateHeading = document.getElementById("job-state");
  const bar = document.getElementById("job-progress");
  const message = document.getElementById("job-message");
  let delay = NORMAL_DELAY;
  let announced = "";

  // The message is a live region: change it in steps of ten per cent, not on every poll, so screen readers are
  // not flooded. The bar itself always shows the latest count.
  function render(status) {
    stateHeading.textContent = status.state_label;
    stateHeading.dataset.jobState = status.state;
    if (status.percent === null) {
      bar.removeAttribute("value");
    } else {
      bar.value = status.percent;
      bar.textContent = `${status.percent}%`;
    }
    const step = `${status.state}:${status.percent === null ? "" : Math.floor(status.percent / 10)}`;
    if (step !== announced) {
      announced = step;
      message.textContent = status.message;
    }
  }

  async function poll() {
    try {
      const response = await fetch(section.dataset.jobStatusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) {
        throw new Error(`status ${response.status}`);
      }
      const status = await response.json();
      if (status.over) {
        window.location.reload();
        return;
      }
      render(status);
      delay = NORMAL_DELAY;
    } catch {
      message.textContent = "Lost contact with the site; trying again. The job carries on meanwhile.";
      announced = "";
      delay = Math.min(delay * 2, MAX_DELAY);
    }
    window.setTimeout(poll, delay);
  }

  window.setTimeout(poll, NORMAL_DELAY);
})();
