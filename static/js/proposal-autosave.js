// Proposal form: one section at a time with a menu and progress, and a draft saved as the team types.
//
// Saves about two seconds after typing stops and when a field is left, to the form's data-autosave-url (the
// server answers with the new version, the time and what each section still needs). A save based on a version
// someone else has saved over is refused (a conflict): autosaving stops, the refusal says who changed what, and the
// typed text stays in the form until the person keeps theirs or reloads. Without JavaScript the page shows
// every section and the buttons save. The upload buttons post the whole form with the file: the server saves the
// answers first, so an upload never loses typed text (with or without this script).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("proposal-form");
  if (!form || !form.dataset.autosaveUrl) {
    return;
  }
  const status = document.querySelector("[data-autosave-status]");
  const conflict = document.querySelector("[data-autosave-conflict]");
  const conflictMessage = document.querySelector("[data-autosave-conflict-message]");
  const keepMine = document.querySelector("[data-autosave-keep-mine]");
  const progress = document.querySelector("[data-progress]");
  const progressLabel = document.querySelector("[data-progress-label]");
  const version = form.querySelector("input[name='version']");
  const csrf = form.querySelector("input[name='csrfmiddlewaretoken']");
  const DELAY_MS = 2000;

  let timer = null;
  let dirty = false;
  let stopped = false; // a conflict: nothing is saved until the person decides
  let saving = null; // the save in flight

  const say = (text, state) => {
    if (status) {
      status.textContent = text;
      status.dataset.state = state; // "saving", "saved" or "not-saved"
    }
  };

  const showSections = (sections) => {
    let complete = 0;
    for (const section of sections) {
      const badge = document.querySelector(`[data-section-missing="${section.id}"]`);
      if (section.missing === 0) {
        complete += 1;
      }
      if (badge) {
        badge.textContent = section.missing === 0 ? "✓" : `${section.missing} to do`;
      }
    }
    if (progress) {
      progress.value = complete;
      progress.textContent = `${complete} of ${sections.length}`;
    }
    if (progressLabel) {
      progressLabel.textContent = `${complete} of ${sections.length} section${sections.length === 1 ? "" : "s"} complete`;
    }
  };

  const save = async () => {
    if (stopped || !dirty) {
      return true;
    }
    if (saving) {
      await saving;
      return save();
    }
    dirty = false;
    say("Saving…", "saving");
    const body = new FormData(form);
    for (const input of form.elements) {
      if (input.type === "file") {
        body.delete(input.name); // the upload buttons send files (with the answers, saved first); autosave never does
      }
    }
    saving = fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": csrf ? csrf.value : "", "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(async (response) => {
        const answer = await response.json().catch(() => ({}));
        if (response.ok && answer.saved) {
          version.value = answer.version;
          say(`Saved at ${answer.saved_at}`, "saved");
          showSections(answer.sections || []);
          if (!dirty) {
            form.dispatchEvent(new CustomEvent("proposal:saved"));
          }
          return true;
        }
        dirty = true;
        if (answer.conflict) {
          stopped = true;
          say("Not saved: someone else saved first", "not-saved");
          if (conflict && conflictMessage) {
            conflictMessage.textContent = answer.message;
            conflict.classList.remove("d-none");
            conflict.dataset.version = answer.version;
            conflict.scrollIntoView({ block: "center" });
          }
          return false;
        }
        if (answer.closed) {
          stopped = true; // submitted since the page was opened: nothing more is saved from it
        }
        say(answer.message || "Not saved yet: correct the form, or press Save draft.", "not-saved");
        return false;
      })
      .catch(() => {
        dirty = true;
        say("Not saved: no connection. What you typed is still here and is saved when the connection returns.", "not-saved");
        return false;
      })
      .finally(() => {
        saving = null;
      });
    return saving;
  };

  const soon = () => {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  };

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  form.addEventListener("focusout", () => {
    if (dirty) {
      window.clearTimeout(timer);
      save();
    }
  });
  form.addEventListener("submit", () => {
    window.clearTimeout(timer);
    stopped = true; // the button saves now
  });

  if (keepMine && conflict) {
    keepMine.addEventListener("click", () => {
      version.value = conflict.dataset.version;
      conflict.classList.add("d-none");
      stopped = false;
      dirty = true;
      save();
    });
  }

  // Steps: one section at a time, chosen from the menu or with Previous / Next.
  const links = [...document.querySelectorAll("[data-section-link]")];
  const sections = links.map((link) => document.getElementById(link.dataset.sectionLink)).filter(Boolean);
  if (sections.length < 2) {
    return;
  }
  const show = (target, focus) => {
    const index = Math.max(0, sections.indexOf(target));
    sections.forEach((section, position) => section.classList.toggle("d-none", position !== index));
    links.forEach((link, position) => {
      if (position === index) {
        link.setAttribute("aria-current", "step");
      } else {
        link.removeAttribute("aria-current");
      }
    });
    if (focus) {
      sections[index].scrollIntoView({ block: "start" });
    }
  };
  for (const [index, section] of sections.entries()) {
    const nav = document.createElement("div");
    nav.className = "d-flex justify-content-between gap-2 mt-3 step-buttons";
    const previous = sections[index - 1];
    const next = sections[index + 1];
    for (const [target, label] of [
      [previous, "Previous section"],
      [next, "Next section"],
    ]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-secondary";
      button.textContent = label;
      button.hidden = !target;
      button.addEventListener("click", () => {
        save();
        show(target, true);
      });
      nav.append(button);
    }
    section.append(nav);
  }
  for (const link of links) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      show(document.getElementById(link.dataset.sectionLink), true);
    });
  }
  // A link to a field (the list of what is missing, an error) opens its section first.
  const reveal = () => {
    const target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    const section = target && sections.find((candidate) => candidate.contains(target));
    show(section || sections[0], Boolean(section));
    if (section && target !== section) {
      target.focus({ preventScroll: true }); // the browser could not focus it while its section was hidden
      target.scrollIntoView({ block: "center" });
    }
  };
  window.addEventListener("hashchange", reveal);
  const invalid = form.querySelector(".is-invalid") || document.querySelector("#attachments .is-invalid");
  if (invalid && !window.location.hash) {
    show(sections.find((candidate) => candidate.contains(invalid)) || sections[0], false);
    invalid.scrollIntoView({ block: "center" });
  } else {
    reveal();
  }
});
