// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// The test-device form of the alerts: subscribes this browser to the
// organisation's Web Push (its service worker and VAPID key, as the public
// pages do), puts PushSubscription.toJSON() in the form and sends it. The
// server marks the subscription as a test device, which drills reach.
(function () {
  "use strict";
  var form = document.getElementById("device-form");
  if (!form || !window.fetch || !window.Promise) {
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

  function keyBytes(b64) {
    var s = (b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(s);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      out[i] = raw.charCodeAt(i);
    }
    return out;
  }

  // activated waits for the registration's worker to be active:
  // pushManager.subscribe needs one.
  function activated(reg) {
    if (reg.active) {
      return Promise.resolve(reg);
    }
    var w = reg.installing || reg.waiting;
    return new Promise(function (resolve, reject) {
      function check() {
        if (w.state === "activated") {
          resolve(reg);
        } else if (w.state === "redundant") {
          reject(new Error("service worker redundant"));
        }
      }
      w.addEventListener("statechange", check);
      check();
    });
  }

  function permission() {
    return new Promise(function (resolve) {
      var p = Notification.requestPermission(resolve);
      if (p && p.then) {
        p.then(resolve);
      }
    });
  }

  form.addEventListener("submit", function (ev) {
    if (form.elements.subscription.value || !form.reportValidity()) {
      return;
    }
    ev.preventDefault();
    button.disabled = true;
    say("data-working");
    permission().then(function (perm) {
      if (perm !== "granted") {
        throw new Error("denied");
      }
      return fetch(base + "/push/key", { credentials: "same-origin" });
    }).then(function (r) {
      return r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status));
    }).then(function (cfg) {
      return navigator.serviceWorker.register(base + "/sw.js", { scope: base + "/" })
        .then(activated)
        .then(function (reg) {
          var key = keyBytes(cfg.key);
          function fresh() {
            return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
          }
          // A subscription made with another VAPID key (a restored
          // installation) would never receive: subscribe again.
          return reg.pushManager.getSubscription().then(function (sub) {
            if (!sub) {
              return fresh();
            }
            var k = sub.options && sub.options.applicationServerKey && new Uint8Array(sub.options.applicationServerKey);
            if (k && (k.length !== key.length || k.some(function (b, i) { return b !== key[i]; }))) {
              return sub.unsubscribe().then(fresh);
            }
            return sub;
          });
        });
    }).then(function (sub) {
      form.elements.subscription.value = JSON.stringify(sub.toJSON());
      form.submit();
    }).catch(function (err) {
      button.disabled = false;
      say(err && err.message === "denied" ? "data-denied" : "data-failed");
    });
  });
})();
