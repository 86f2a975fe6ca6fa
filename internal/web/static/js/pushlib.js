// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// What the pages that subscribe a browser to Web Push share (push.js for
// citizens, testdevice.js for the crisis team's test devices): the VAPID
// key's bytes, the permission prompt, waiting for the service worker and
// a subscription made with the installation's key. Loaded before them as
// window.PiazzaPush.
(function () {
  "use strict";

  function keyBytes(b64) {
    var s = (b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(s);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      out[i] = raw.charCodeAt(i);
    }
    return out;
  }

  // sameKey reports whether a subscription was made with this VAPID key
  // (base64url): one made with another (a restored installation) never
  // receives.
  function sameKey(sub, key) {
    var k = sub.options && sub.options.applicationServerKey;
    if (!k) {
      return true;
    }
    var a = new Uint8Array(k);
    var b = keyBytes(key);
    if (a.length !== b.length) {
      return false;
    }
    for (var i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        return false;
      }
    }
    return true;
  }

  // askPermission: requestPermission returns a promise in current browsers
  // and takes a callback in older Safari.
  function askPermission() {
    return new Promise(function (resolve) {
      var p = Notification.requestPermission(resolve);
      if (p && p.then) {
        p.then(resolve);
      }
    });
  }

  // activated waits for the registration's worker to be active:
  // pushManager.subscribe needs one.
  function activated(reg) {
    if (reg.active) {
      return Promise.resolve(reg);
    }
    var w = reg.installing || reg.waiting;
    return new Promise(function (resolve, reject) {
      if (!w) {
        reject(new Error("no service worker"));
        return;
      }
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

  // subscription returns reg's subscription made with key, subscribing
  // (again) when there is none or it was made with another key.
  function subscription(reg, key) {
    return reg.pushManager.getSubscription().then(function (old) {
      if (old && sameKey(old, key)) {
        return old;
      }
      var fresh = function () {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
      };
      return old ? old.unsubscribe().then(fresh) : fresh();
    });
  }

  window.PiazzaPush = {
    keyBytes: keyBytes,
    sameKey: sameKey,
    askPermission: askPermission,
    activated: activated,
    subscription: subscription
  };
})();
