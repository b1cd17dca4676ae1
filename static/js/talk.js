// Starting a call. "Talk to DRAKO" answers at once (Tavus can take several seconds), starts one
// call however often it is pressed, and shows a refusal inside its panel, in words, with "Try
// again". Without JavaScript the form posts as before. The Connecting page (a call still being
// set up, seen after a reload or from another tab) moves on by itself to the call or the reason.
(function () {
  "use strict";

  const UNREADABLE = "DRAKO couldn't start the call just now. Please try again in a minute.";
  const OFFLINE = "DRAKO couldn't be reached. Check your connection and try again.";
  const TOO_MANY = "Too many calls started just now. Wait a minute and try again.";

  // The words for a refusal: DRAKO's own when it gave some; never a status code.
  function refusal(status, data) {
    if (data && typeof data.detail === "string" && data.detail) return data.detail;
    return status === 429 ? TOO_MANY : UNREADABLE;
  }

  async function start(form) {
    const body = {};
    const persona = form.querySelector("[name=persona]");
    if (persona && persona.value) body.persona = Number(persona.value);
    const greet = form.querySelector("[name=greet]");
    if (greet && greet.value) body.greet = greet.value;
    let response;
    try {
      response = await fetch(form.dataset.api, {
        method: "POST", credentials: "same-origin",
        headers: {
          "Content-Type": "application/json", Accept: "application/json",
          "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value,
        },
        body: JSON.stringify(body),
      });
    } catch (e) {
      return { error: OFFLINE };
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }  // a proxy's HTML page
    if (response.ok && data && data.id) {
      return { url: form.dataset.detail.replace(/\/0\/$/, "/" + data.id + "/") };
    }
    return { error: refusal(response.status, data) };
  }

  function enhance(form) {
    const button = form.querySelector("button[type=submit]");
    const status = form.querySelector(".talk-status");
    const error = form.querySelector(".talk-error");
    const label = button.textContent;
    let busy = false;

    function setBusy(on) {
      busy = on;
      form.classList.toggle("is-busy", on);
      button.setAttribute("aria-disabled", on ? "true" : "false");
      button.textContent = on ? "Calling DRAKO…" : label;
      status.textContent = on ? "Calling DRAKO… this can take a few seconds." : "";
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (busy) return;  // pressed again while Tavus answers: still the one call
      error.hidden = true;
      setBusy(true);
      const result = await start(form);
      if (result.url) {
        window.location.assign(result.url);  // busy until the call's page replaces this one
        return;
      }
      setBusy(false);
      button.textContent = "Try again";
      error.textContent = result.error;
      error.hidden = false;
    });
    // Back from the call's page (the browser's page cache): the button is free again.
    window.addEventListener("pageshow", (event) => { if (event.persisted) setBusy(false); });
  }

  document.querySelectorAll("form.talk-form").forEach(enhance);

  // ---- The Connecting page ----

  const connecting = document.querySelector("[data-connecting]");
  if (!connecting) return;
  const POLL_MS = 1500;

  async function check() {
    try {
      const response = await fetch(connecting.dataset.connecting, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      const data = response.ok ? await response.json() : null;
      if (data && data.status && data.status !== "starting") {
        window.location.reload();  // the call, or the record that says why it failed
        return;
      }
    } catch (e) {
      // offline for a moment: ask again
    }
    setTimeout(check, POLL_MS);
  }
  setTimeout(check, POLL_MS);
})();
