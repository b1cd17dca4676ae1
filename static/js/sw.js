// DRAKO's service worker: shows the reminders and morning summaries pushed to this browser
// (schedules/notify.py sends {title, body, url, tag}), and opens DRAKO when one is clicked.
"use strict";

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  const title = data.title || "DRAKO";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    tag: data.tag || undefined,
    icon: "/static/img/drako.svg",
    data: { url: data.url || "/schedule/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/schedule/";
  event.waitUntil(self.clients.openWindow(url));
});
