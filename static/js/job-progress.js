// A background job's page (leoportal.jobs): poll its status and show progress, then the download link or the error.
// Loaded as a file: the Content-Security-Policy forbids inline scripts.
"use strict";

(() => {
  const POLL_MS = 1000;
  const section = document.querySelector("[data-job-status-url]");
  if (!section || section.dataset.jobOver === "true") {
    return;
  }
  const stateHeading = document.getElementById("job-state");
  const bar = document.getElementById("job-progress");
  const counts = document.getElementById("job-counts");
  const result = document.getElementById("job-result");
  const number = new Intl.NumberFormat("en-GB");

  function showResult(status) {
    result.replaceChildren();
    if (status.download_url) {
      const link = document.createElement("a");
      link.className = "btn btn-primary";
      link.href = status.download_url;
      link.dataset.jobDownload = "";
      link.textContent = `Download ${status.result_name}`;
      result.append(link);
      link.focus();
    } else if (status.error) {
      const alert = document.createElement("p");
      alert.className = "alert alert-danger mb-0";
      alert.setAttribute("role", "alert");
      alert.textContent = status.error;
      result.append(alert);
    } else {
      const done = document.createElement("p");
      done.className = "mb-0";
      done.textContent = "Done. This job made no file.";
      result.append(done);
    }
  }

  function render(status) {
    stateHeading.textContent = status.state_label;
    stateHeading.dataset.jobState = status.state;
    if (status.percent === null) {
      bar.removeAttribute("value");
    } else {
      bar.value = status.percent;
      bar.textContent = `${status.percent}%`;
    }
    if (status.total !== null) {
      const percent = status.percent === null ? "" : ` (${status.percent}%)`;
      counts.textContent = `${number.format(status.done)} of ${number.format(status.total)} done${percent}`;
    }
    if (status.over) {
      showResult(status);
    }
  }

  async function poll() {
    let status;
    try {
      const response = await fetch(section.dataset.jobStatusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        throw new Error(`status ${response.status}`);
      }
      status = await response.json();
    } catch {
      counts.textContent = "Could not reach the server; trying again…";
      window.setTimeout(poll, POLL_MS * 3);
      return;
    }
    render(status);
    if (!status.over) {
      window.setTimeout(poll, POLL_MS);
    }
  }

  window.setTimeout(poll, POLL_MS);
})();
