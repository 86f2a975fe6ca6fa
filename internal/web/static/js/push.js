// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Alert notifications on this device (Web Push), for the public pages: in
// each element marked data-push, a choice of incident types and a button
// that subscribes or unsubscribes. The element says where its
// organisation's paths start and where its service worker is:
//
//   <div data-push data-base="/o/comune" data-sw="/o/comune/sw.js"></div>
//
// It needs pushlib.js first. The texts, the incident types and the VAPID key come from
// {base}/push/key in the page's language. Permission is asked only when
// the button is pressed; a browser without Web Push, or a person who
// blocked notifications, gets a message instead (aria-live).
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-push]");
  var lib = window.PiazzaPush;
  if (!boxes.length || !window.fetch || !window.Promise || !lib) {
    return;
  }
  var lang = (document.documentElement.lang || "it").slice(0, 2);
  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  var seq = 0;

  function json(r) {
    return r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status));
  }

  function ios() {
    return /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function standalone() {
    return navigator.standalone === true || (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches);
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) {
      e.textContent = text;
    }
    return e;
  }

  function setup(box, cfg) {
    var base = box.getAttribute("data-base") || "";
    var scope = base + "/";
    var swURL = box.getAttribute("data-sw") || base + "/sw.js";
    var t = cfg.texts || {};
    var store = "piazza.push.topics:" + base;
    var id = "push-" + (++seq);

    box.textContent = "";
    box.appendChild(el("p", {}, t.intro));
    var fieldset = el("fieldset", { "class": "mb-3" });
    fieldset.appendChild(el("legend", { "class": "h6" }, t.topics));
    fieldset.appendChild(el("p", { "class": "small", id: id + "-help" }, t.topics_help));
    var saved = [];
    try {
      saved = JSON.parse(window.localStorage.getItem(store) || "[]");
    } catch (e) {
      saved = [];
    }
    (cfg.topics || []).forEach(function (topic) {
      var row = el("div", { "class": "form-check" });
      var input = el("input", { type: "checkbox", "class": "form-check-input", id: id + "-" + topic.value, value: topic.value,
        "aria-describedby": id + "-help" });
      input.checked = saved.indexOf(topic.value) >= 0;
      row.appendChild(input);
      row.appendChild(el("label", { "class": "form-check-label", "for": id + "-" + topic.value }, topic.label));
      fieldset.appendChild(row);
    });
    box.appendChild(fieldset);
    var on = el("button", { type: "button", "class": "btn btn-primary me-2" }, t.subscribe);
    var off = el("button", { type: "button", "class": "btn btn-outline-primary" }, t.unsubscribe);
    off.hidden = true;
    var status = el("p", { "class": "mt-2 mb-0", role: "status", "aria-live": "polite" });
    box.appendChild(on);
    box.appendChild(off);
    box.appendChild(status);

    function say(msg) {
      status.textContent = msg || "";
    }
    function chosen() {
      return Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (i) { return i.value; });
    }
    function showSubscribed(yes) {
      on.hidden = yes;
      off.hidden = !yes;
    }
    function busy(yes) {
      on.disabled = yes;
      off.disabled = yes;
      box.setAttribute("aria-busy", yes ? "true" : "false");
    }
    function post(path, body) {
      return fetch(base + path + "?lang=" + encodeURIComponent(lang), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(body)
      }).then(function (r) { return r.ok ? r : Promise.reject(new Error("HTTP " + r.status)); });
    }
    function registration() {
      return navigator.serviceWorker.getRegistration(scope);
    }
    function current() {
      return registration().then(function (reg) { return reg ? reg.pushManager.getSubscription() : null; });
    }
    function remember(reg, topics) {
      try {
        window.localStorage.setItem(store, JSON.stringify(topics));
      } catch (e) { /* private mode: the choice is still saved by Piazza */ }
      if (reg && reg.active) {
        reg.active.postMessage({ type: "prefs", prefs: { lang: lang, topics: topics, zones: [] } });
      }
    }
    function save(reg, sub) {
      var topics = chosen();
      return post("/push/subscribe", { subscription: sub.toJSON(), lang: lang, topics: topics, zones: [] })
        .then(function () { remember(reg, topics); });
    }

    if (!supported) {
      on.disabled = true;
      fieldset.hidden = true;
      say(t.unsupported + (ios() && !standalone() ? " " + t.ios : ""));
      return;
    }
    if (Notification.permission === "denied") {
      on.disabled = true;
      say(t.denied);
    }
    current().then(function (sub) {
      if (sub && Notification.permission === "granted") {
        showSubscribed(true);
      }
    }).catch(function () {});

    on.addEventListener("click", function () {
      busy(true);
      say(t.working);
      var reg;
      lib.askPermission().then(function (perm) {
        if (perm !== "granted") {
          return Promise.reject(new Error("denied"));
        }
        return navigator.serviceWorker.register(swURL, { scope: scope });
      }).then(lib.activated).then(function (r) {
        reg = r;
        return lib.subscription(reg, cfg.key);
      }).then(function (sub) {
        return save(reg, sub);
      }).then(function () {
        showSubscribed(true);
        say(t.subscribed);
      }).catch(function (err) {
        if (err && err.message === "denied") {
          on.disabled = Notification.permission === "denied";
          say(t.denied);
        } else {
          say(t.failed);
        }
      }).then(function () {
        busy(false);
        if (Notification.permission === "denied") {
          on.disabled = true;
        }
      });
    });

    off.addEventListener("click", function () {
      busy(true);
      say(t.working);
      current().then(function (sub) {
        if (!sub) {
          return null;
        }
        // Piazza forgets it first (it needs the endpoint); the browser's
        // unsubscribe follows even when Piazza cannot be reached, and the
        // push service then answers Piazza's next message with 410.
        return post("/push/unsubscribe", { endpoint: sub.endpoint }).catch(function () {})
          .then(function () { return sub.unsubscribe(); });
      }).then(function () {
        showSubscribed(false);
        say(t.unsubscribed);
      }).catch(function () {
        say(t.failed);
      }).then(function () { busy(false); });
    });

    // A change of choices while subscribed is saved at once.
    fieldset.addEventListener("change", function () {
      if (off.hidden) {
        return;
      }
      Promise.all([registration(), current()]).then(function (v) {
        return v[1] ? save(v[0], v[1]).then(function () { say(t.saved); }) : null;
      }).catch(function () { say(t.failed); });
    });
  }

  Array.prototype.forEach.call(boxes, function (box) {
    var base = box.getAttribute("data-base") || "";
    fetch(base + "/push/key?lang=" + encodeURIComponent(lang), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(json)
      .then(function (cfg) { setup(box, cfg); })
      .catch(function () { /* Web Push is off: the element keeps its own content */ });
  });
})();
