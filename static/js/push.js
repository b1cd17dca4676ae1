// The profile's "Browser notifications": subscribe this browser to DRAKO's pushes (reminders and
// the morning summary) or stop them. The server is told through /api/push/subscriptions/.
(function () {
  "use strict";

  const panel = document.querySelector("[data-push]");
  if (!panel) return;
  const status = panel.querySelector(".push-status");
  const on = panel.querySelector(".push-on");
  const off = panel.querySelector(".push-off");
  const api = panel.dataset.api;
  const csrf = panel.querySelector("[name=csrfmiddlewaretoken]").value;

  function say(text) { status.textContent = text; }

  function key(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function call(method, url, body) {
    return fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  async function current() {
    const registration = await navigator.serviceWorker.register(panel.dataset.worker, { scope: "/" });
    return { registration, subscription: await registration.pushManager.getSubscription() };
  }

  async function show() {
    const { subscription } = await current();
    on.hidden = Boolean(subscription);
    off.hidden = !subscription;
    say(subscription ? "This browser gets DRAKO's notifications." : "This browser gets no notifications from DRAKO.");
  }

  on.addEventListener("click", async () => {
    if ((await Notification.requestPermission()) !== "granted") {
      say("Notifications are blocked for this site in your browser's settings.");
      return;
    }
    let subscription;
    try {
      const { registration } = await current();
      subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: key(panel.dataset.key),
      });
    } catch (error) {
      // The browser's own push service refused (no Google services, a private window, a
      // policy): nothing was registered with DRAKO, and the person should know why.
      say("This browser couldn't sign up for notifications (" + error.message + "). " +
          "Reminders keep coming by email.");
      return;
    }
    const response = await call("POST", api, subscription.toJSON());
    if (!response.ok) {
      await subscription.unsubscribe();
      const data = await response.json().catch(() => ({}));
      say(data.detail || "DRAKO couldn't turn notifications on. Please try again.");
      return;
    }
    await show();
  });

  off.addEventListener("click", async () => {
    const { subscription } = await current();
    if (subscription) {
      const listed = await (await call("GET", api)).json();
      const mine = listed.find((s) => s.endpoint === subscription.endpoint);
      if (mine) await call("DELETE", api + mine.id + "/");
      await subscription.unsubscribe();
    }
    await show();
  });

  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    say("This browser can't receive notifications.");
    return;
  }
  show().catch(() => say("This browser can't receive notifications here."));
})();
