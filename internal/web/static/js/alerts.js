// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// The incident page: each channel's delivery, live. When the server says
// a delivery moved (Server-Sent Events), the timeline is fetched again and
// swapped in; the page works without this, with a reload.
(function () {
  "use strict";
  var section = document.getElementById("timeline");
  if (!section || !window.EventSource || !window.fetch) {
    return;
  }
  var target = document.getElementById("alerts-timeline");
  var busy = false;
  function refresh() {
    if (busy) {
      return;
    }
    busy = true;
    fetch(section.dataset.fragment, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        // Keep the focus when it is inside the timeline (a settle button).
        var active = document.activeElement && target.contains(document.activeElement) ? document.activeElement.id : "";
        target.innerHTML = html;
        if (active && document.getElementById(active)) {
          document.getElementById(active).focus();
        }
      })
      .catch(function () {})
      .finally(function () { busy = false; });
  }
  var es = new EventSource(section.dataset.events);
  es.addEventListener("deliveries", refresh);
})();
