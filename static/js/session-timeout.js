// The session timeout warning (peersupport.middleware.SessionTimeoutMiddleware ends sessions).
//
// A dialog opens SESSION_WARNING_SECONDS before the session ends; "Stay logged in" tells the
// server the person is still here. If the session ends anyway, what they typed into the forms on
// the page is kept in sessionStorage (this tab only, never passwords or hidden fields) and put
// back when they log in again and come back to the same page. The server is the judge: before
// warning or leaving, the page asks it how long is left, so another tab's activity counts.
// Markup: templates/peersupport/_session_timeout.html, on pages for logged-in people only.

const PREFIX = "session-timeout:";
const KEEP_FOR_MS = 12 * 60 * 60 * 1000;
const SKIPPED_TYPES = new Set(["password", "hidden", "file", "submit", "button", "reset", "image"]);

const dialog = document.getElementById("session-timeout");
if (dialog) {
  start(dialog);
}

function start(dialog) {
  const statusUrl = dialog.dataset.statusUrl;
  const logoutUrl = new URL(dialog.dataset.logoutUrl, location.href).pathname;
  const warningMs = Number(dialog.dataset.warningSeconds) * 1000;
  const storageKey = PREFIX + location.pathname + location.search;
  const stayButton = dialog.querySelector("[data-session-stay]");
  let deadline = Date.now() + Number(dialog.dataset.secondsLeft) * 1000;
  let canExtend = dialog.dataset.canExtend === "true";
  let typed = false;
  let asking = false;
  let leaving = false;
  let dismissed = false;

  restore(storageKey);

  document.addEventListener("input", () => (typed = true));
  document.addEventListener("change", () => (typed = true));
  document.addEventListener(
    "submit",
    (event) => {
      if (isLogout(event.target, logoutUrl)) {
        forgetAll();
      } else if (Date.now() >= deadline - 2000) {
        // The session has ended (the computer slept, say): keep the answers, do not post them.
        event.preventDefault();
        leave();
      }
    },
    true,
  );
  stayButton.addEventListener("click", stay);
  dialog.addEventListener("cancel", (event) => {
    if (canExtend) {
      event.preventDefault();
      stay();
    } else {
      dismissed = true;
    }
  });
  document.addEventListener("visibilitychange", tick);
  setInterval(tick, 1000);

  function tick() {
    if (asking || leaving) {
      return;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      ask({ orLeave: true });
    } else if (left <= warningMs && !dialog.open && !dismissed) {
      ask({ orLeave: false });
    } else if (dialog.open) {
      showCountdown(left);
    }
  }

  // Ask the server how long is left, then warn, stand down or leave.
  async function ask({ orLeave }) {
    asking = true;
    try {
      const response = await fetch(statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      update(await response.json());
    } catch {
      if (orLeave) {
        leave();
      } else {
        warn();
      }
    } finally {
      asking = false;
    }
  }

  async function stay() {
    try {
      const response = await fetch(statusUrl, {
        method: "POST",
        headers: { Accept: "application/json", "X-CSRFToken": dialog.dataset.csrfToken },
        credentials: "same-origin",
      });
      update(await response.json());
    } catch {
      leave();
    }
  }

  function update(status) {
    if (!status.authenticated || status.seconds_left <= 0) {
      leave();
      return;
    }
    deadline = Date.now() + status.seconds_left * 1000;
    canExtend = status.can_extend;
    if (deadline - Date.now() > warningMs) {
      dismissed = false;
      if (dialog.open) {
        dialog.close();
      }
    } else {
      warn();
    }
  }

  function warn() {
    for (const text of dialog.querySelectorAll("[data-session-when]")) {
      text.hidden = text.dataset.sessionWhen !== (canExtend ? "idle" : "absolute");
    }
    stayButton.hidden = !canExtend;
    showCountdown(deadline - Date.now());
    if (!dialog.open && !dismissed) {
      dialog.showModal();
    }
  }

  function showCountdown(ms) {
    const seconds = Math.max(0, Math.ceil(ms / 1000));
    let words;
    if (seconds > 60) {
      words = `${Math.ceil(seconds / 60)} minutes`;
    } else if (seconds === 60) {
      words = "1 minute";
    } else {
      words = seconds === 1 ? "1 second" : `${seconds} seconds`;
    }
    for (const countdown of dialog.querySelectorAll("[data-session-countdown]")) {
      countdown.textContent = words;
    }
  }

  // Reload the page: the server logs out and sends the login page, which comes back here.
  function leave() {
    if (leaving) {
      return;
    }
    leaving = true;
    if (typed) {
      save(storageKey, logoutUrl);
    }
    location.assign(location.pathname + location.search);
  }
}

function isLogout(form, logoutUrl) {
  return new URL(form.action, location.href).pathname === logoutUrl;
}

function keptFields(form) {
  const byName = new Map();
  for (const element of form.elements) {
    if (!element.name || SKIPPED_TYPES.has(element.type)) {
      continue;
    }
    if (element.name === "csrfmiddlewaretoken" || element.autocomplete === "one-time-code") {
      continue;
    }
    if (!byName.has(element.name)) {
      byName.set(element.name, []);
    }
    byName.get(element.name).push(element);
  }
  return byName;
}

function save(storageKey, logoutUrl) {
  const forms = [];
  Array.from(document.forms).forEach((form, index) => {
    if (isLogout(form, logoutUrl)) {
      return;
    }
    const fields = [];
    for (const [name, elements] of keptFields(form)) {
      elements.forEach((element, position) => {
        const field = { name, position };
        if (element.type === "checkbox" || element.type === "radio") {
          field.checked = element.checked;
        } else if (element.type === "select-multiple") {
          field.selected = Array.from(element.selectedOptions, (option) => option.value);
        } else {
          field.value = element.value;
        }
        fields.push(field);
      });
    }
    if (fields.length) {
      forms.push({ index, fields });
    }
  });
  try {
    sessionStorage.setItem(storageKey, JSON.stringify({ savedAt: Date.now(), forms }));
  } catch {
    // Storage full or switched off: nothing more we can do.
  }
}

function restore(storageKey) {
  let saved;
  try {
    saved = JSON.parse(sessionStorage.getItem(storageKey));
    sessionStorage.removeItem(storageKey);
  } catch {
    return;
  }
  if (!saved || !Array.isArray(saved.forms) || Date.now() - saved.savedAt > KEEP_FOR_MS) {
    return;
  }
  let restored = false;
  for (const { index, fields } of saved.forms) {
    const form = document.forms[index];
    if (!form) {
      continue;
    }
    const byName = keptFields(form);
    for (const field of fields) {
      const element = (byName.get(field.name) || [])[field.position];
      if (!element) {
        continue;
      }
      if ("checked" in field) {
        element.checked = field.checked;
      } else if ("selected" in field) {
        for (const option of element.options) {
          option.selected = field.selected.includes(option.value);
        }
      } else {
        element.value = field.value;
      }
      restored = true;
    }
  }
  const notice = document.getElementById("session-restored");
  const main = document.getElementById("maincontent");
  if (restored && notice && main) {
    main.prepend(notice);
    notice.hidden = false;
  }
}

function forgetAll() {
  try {
    for (const key of Object.keys(sessionStorage)) {
      if (key.startsWith(PREFIX)) {
        sessionStorage.removeItem(key);
      }
    }
  } catch {
    // Storage switched off: nothing was kept.
  }
}
