// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// The test-device form of the alerts: subscribes this browser to the
// organisation's Web Push (its service worker and VAPID key, as the public
// pages do, with pushlib.js), puts PushSubscription.toJSON() in the form and sends it. The
// server marks the subscription as a test device, which drills reach.
(function () {
  "use strict";
  var form = document.getElementById("device-form");
  if (!form || !window.fetch || !window.Promise || !window.PiazzaPush) {
    return;
  }
  var button = form.querySelector("button[type=submit]");
  var status = document.getElementById("device-status");
  var base = form.getAttribute("data-base");
  function say(attr) {
    status.textContent = form.getAttribute(attr);
  }
  if (!("serviceWorker" in navigator && "PushManager" in window && "Notification" in window)) {
    say("data-unsupported");
    return;
  }
  button.disabled = false;

  var lib = window.PiazzaPush;

  form.addEventListener("submit", function (ev) {
    if (form.elements.subscription.value || !form.reportValidity()) {
      return;
    }
    ev.preventDefault();
    button.disabled = true;
    say("data-working");
    lib.askPermission().then(function (perm) {
      if (perm !== "granted") {
        throw new Error("denied");
      }
      return fetch(base + "/push/key", { credentials: "same-origin" });
    }).then(function (r) {
      return r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status));
    }).then(function (cfg) {
      return navigator.serviceWorker.register(base + "/sw.js", { scope: base + "/" })
        .then(lib.activated)
        .then(function (reg) { return lib.subscription(reg, cfg.key); });
    }).then(function (sub) {
      form.elements.subscription.value = JSON.stringify(sub.toJSON());
      form.submit();
    }).catch(function (err) {
      button.disabled = false;
      say(err && err.message === "denied" ? "data-denied" : "data-failed");
    });
  });
})();
