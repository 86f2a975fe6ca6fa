// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// The live page of an incident keeps itself current: the server's event
// stream says when an alert is sent or the incident changes, and the
// changing part of the page (#live-dynamic) is fetched again and swapped
// in. The page works without this file; a browser without EventSource
// keeps the static page and its "reload" link.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.EventSource || !window.fetch || !root.dataset.events) {
    return;
  }
  var region = document.getElementById("live-dynamic");
  var live = document.getElementById("live-announce");
  if (!region || region.dataset.resolved === "1") {
    return; // an ended incident changes no more
  }
  var auto = document.getElementById("live-auto");
  if (auto) { auto.hidden = false; }

  function announce(text) {
    if (!live || !text) { return; }
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  var es = new EventSource(root.dataset.events);
  var timer = null, news = false, status = false;

  // refresh swaps the changing part of the page. Focus stays where it
  // was: on the element of the same id in the new content, else on the
  // timeline's heading, never lost to the top of the page.
  function refresh() {
    timer = null;
    var said = news ? root.dataset.msgAlert : (status ? root.dataset.msgStatus : "");
    news = status = false;
    fetch(root.dataset.partial, {credentials: "same-origin", headers: {"Accept": "text/html"}}).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html === null) { return; }
      var tpl = document.createElement("template");
      tpl.innerHTML = html;
      var fresh = tpl.content.getElementById("live-dynamic");
      if (!fresh) { return; }
      var active = document.activeElement;
      var focusID = active && region.contains(active) ? (active.id || "live-timeline-h") : "";
      region.replaceWith(fresh);
      region = fresh;
      if (focusID) {
        var el = document.getElementById(focusID) || document.getElementById("live-timeline-h");
        if (el) { el.focus(); }
      }
      var first = region.querySelector("#live-timeline li h3");
      announce(said + (first && said === root.dataset.msgAlert ? ": " + first.textContent : ""));
      if (region.dataset.resolved === "1") {
        es.close();
      }
    }).catch(function () { /* offline for a moment: the next event refreshes the page */ });
  }
  // Events in a burst (an alert, then the status it changed) make one
  // request.
  function later() {
    if (!timer) { timer = window.setTimeout(refresh, 500); }
  }
  es.addEventListener("alert", function () { news = true; later(); });
  es.addEventListener("status", function () { status = true; later(); });
})();
