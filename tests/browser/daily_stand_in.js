// A stand-in for daily-js, served at the pinned DAILY_JS_URL by the browser tests.
// No network and no real iframe: it records what the page does and lets the test emit events.
(function () {
  "use strict";
  const handlers = {};
  window.__sent = [];    // every message the page sent into the call
  window.__sentTo = [];  // and to whom
  window.__joined = null;
  window.__left = false;

  function emit(eventName, payload) {
    (handlers[eventName] || []).slice().forEach((handler) => handler(payload));
  }

  // The test's hook: app-message handlers get {action, data, fromId} as daily-js gives them.
  window.__emit = function (eventName, data) {
    const payload = eventName === "app-message"
      ? { action: "app-message", data: data, fromId: "tavus-replica" }
      : Object.assign({ action: eventName }, data || {});
    emit(eventName, payload);
  };

  window.Daily = {
    createFrame(container, options) {
      const box = document.createElement("div");
      box.className = "daily-stand-in";
      box.dataset.testid = "daily-stand-in";
      box.textContent = "DRAKO's video appears here";
      box.style.position = "absolute";
      box.style.inset = "0";
      box.style.display = "grid";
      box.style.placeItems = "center";
      box.style.color = "#9ca3af";
      container.appendChild(box);
      const call = {
        options: options || {},
        on(eventName, handler) {
          (handlers[eventName] = handlers[eventName] || []).push(handler);
          return call;
        },
        off(eventName, handler) {
          handlers[eventName] = (handlers[eventName] || []).filter((h) => h !== handler);
          return call;
        },
        join(args) {
          window.__joined = (args && args.url) || null;
          return Promise.resolve().then(() => {
            emit("joined-meeting", { action: "joined-meeting" });
            return {};
          });
        },
        sendAppMessage(message, to) {
          window.__sent.push(JSON.parse(JSON.stringify(message)));
          window.__sentTo.push(to);
          return call;
        },
        leave() {
          window.__left = true;
          return Promise.resolve().then(() => emit("left-meeting", { action: "left-meeting" }));
        },
        destroy() { return Promise.resolve(); },
      };
      return call;
    },
  };
})();
