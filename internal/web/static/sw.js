// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// The service worker of an organisation's public pages, served at
// /o/{slug}/sw.js (scope /o/{slug}/): it shows the emergency alerts that
// arrive by Web Push and opens the live page when one is clicked. The
// payload is the JSON of alert.pushPayload: {title, body, url, tag, lang,
// urgent, timestamp}.
"use strict";

var ICON = "/static/favicon.svg";
var PREFS = "piazza-push";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("push", function (event) {
  var data = {};
  if (event.data) {
    try {
      data = event.data.json();
    } catch (e) {
      data = { body: event.data.text() };
    }
  }
  var options = {
    body: data.body || "",
    icon: ICON,
    badge: ICON,
    lang: data.lang || "it",
    data: { url: data.url || self.registration.scope },
    // A red or orange alert stays on screen until the person acts on it.
    requireInteraction: !!data.urgent
  };
  if (data.tag) {
    // One notification per incident: an update replaces the alert, and
    // still rings.
    options.tag = data.tag;
    options.renotify = true;
  }
  if (data.timestamp) {
    options.timestamp = data.timestamp;
  }
  event.waitUntil(self.registration.showNotification(data.title || "Allerta", options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || self.registration.scope;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].url === url && "focus" in list[i]) {
        return list[i].focus();
      }
    }
    if (self.clients.openWindow) {
      return self.clients.openWindow(url);
    }
    return undefined;
  }));
});

// The page tells the worker the person's choices (push.js), kept so that
// a subscription the browser renews keeps them.
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "prefs") {
    event.waitUntil(caches.open(PREFS).then(function (c) {
      return c.put("prefs", new Response(JSON.stringify(event.data.prefs || {})));
    }));
  }
});

function base() {
  return new URL(self.registration.scope).pathname.replace(/\/$/, "");
}

function post(path, body) {
  return fetch(base() + path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body)
  });
}

function keyBytes(b64) {
  var s = (b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  var raw = atob(s);
  var out = new Uint8Array(raw.length);
  for (var i = 0; i < raw.length; i++) {
    out[i] = raw.charCodeAt(i);
  }
  return out;
}

// The browser replaced the subscription (expiry, key rotation by the push
// service): tell Piazza the new endpoint with the same choices, and forget
// the old one.
self.addEventListener("pushsubscriptionchange", function (event) {
  var old = event.oldSubscription;
  var renewed = event.newSubscription ? Promise.resolve(event.newSubscription) :
    fetch(base() + "/push/key").then(function (r) { return r.json(); }).then(function (cfg) {
      return self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(cfg.key) });
    });
  var prefs = caches.open(PREFS).then(function (c) { return c.match("prefs"); })
    .then(function (r) { return r ? r.json() : {}; }).catch(function () { return {}; });
  event.waitUntil(Promise.all([renewed, prefs]).then(function (v) {
    var p = v[1] || {};
    return post("/push/subscribe", { subscription: v[0].toJSON(), lang: p.lang || "it", topics: p.topics || [], zones: p.zones || [] });
  }).then(function () {
    if (old) {
      return post("/push/unsubscribe", { endpoint: old.endpoint });
    }
    return undefined;
  }));
});
