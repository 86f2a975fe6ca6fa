// Piazza citizen desk: live updates by Server-Sent Events and keyboard
// shortcuts for the busy night. Everything works without it.
(function () {
  "use strict";
  var inbox = document.getElementById("desk-inbox");
  var live = document.getElementById("desk-live");

  // The page's language: the texts come from the catalog through data
  // attributes of the inbox (data-msg-urgent, data-msg-updated-one, ...).
  function msg(name, fallback) {
    return (inbox && inbox.dataset["msg" + name.charAt(0).toUpperCase() + name.slice(1)]) || fallback;
  }
  function announce(text) {
    if (live) { live.textContent = ""; window.setTimeout(function () { live.textContent = text; }, 50); }
  }

  // The inbox refreshes its list when a conversation changes, unless the
  // person is selecting rows (their selection must not vanish).
  if (inbox && window.EventSource) {
    var url = inbox.getAttribute("data-events") + "?since=" + encodeURIComponent(inbox.getAttribute("data-since") || "");
    var es = new EventSource(url);
    var pending = 0, timer = null, urgent = {};
    var notice = document.getElementById("desk-new");
    // The urgent subjects lead the announcement of the refresh, so that
    // one message in the live region says what matters first (a second
    // message moments later could cut the first short).
    function urgentText() {
      var subjects = Object.keys(urgent).map(function (id) { return urgent[id]; });
      urgent = {};
      return subjects.length ? msg("urgent", "Urgente") + ": " + subjects.join("; ") + ". " : "";
    }
    function refresh() {
      timer = null;
      if (inbox.querySelector("input[name=ids]:checked")) {
        if (notice) { notice.hidden = false; notice.textContent = pending + " ↻"; }
        var u = urgentText();
        if (u) { announce(u); }
        return;
      }
      var q = new URLSearchParams(window.location.search);
      q.set("partial", "list");
      fetch("/desk?" + q.toString(), {credentials: "same-origin"}).then(function (r) {
        return r.ok ? r.text() : null;
      }).then(function (html) {
        if (html === null) { return; }
        var place = focusPlace();
        inbox.innerHTML = html;
        restoreFocus(place);
        announce(urgentText() + pending + " " + (pending === 1 ? msg("updatedOne", "conversazione aggiornata") : msg("updatedMany", "conversazioni aggiornate")));
        pending = 0;
        if (notice) { notice.hidden = true; }
      }).catch(function () { /* offline for a moment: the next change refreshes the list */ });
    }
    // Replacing the list must not throw the keyboard user's focus back to
    // the top of the page: it returns to the same control, or to the same
    // conversation, wherever the refresh moved it.
    function focusPlace() {
      var a = document.activeElement;
      if (!a || !inbox.contains(a)) { return null; }
      var li = a.closest(".desk-item");
      return {id: a.id, item: li ? li.id : "", index: cur};
    }
    function restoreFocus(place) {
      if (!place) { return; }
      var el = place.id && document.getElementById(place.id);
      if (!el && place.item) {
        var li = document.getElementById(place.item);
        el = li && li.querySelector("a.desk-open");
      }
      if (el) { el.focus(); } else { focusItem(place.index); }
    }
    es.addEventListener("conversation", function (ev) {
      pending++;
      try {
        var d = JSON.parse(ev.data);
        if (d.urgent) { urgent[d.id] = d.subject; }
      } catch (e) { /* a malformed event only skips its announcement */ }
      if (!timer) { timer = window.setTimeout(refresh, 700); }
    });
  }

  // Keyboard: j/k move, Enter opens, x selects, / searches, r replies, ? help.
  var cur = -1;
  function items() { return Array.prototype.slice.call(document.querySelectorAll(".desk-item")); }
  function focusItem(i) {
    var list = items();
    if (!list.length) { return; }
    cur = Math.max(0, Math.min(list.length - 1, i));
    var link = list[cur].querySelector("a.desk-open");
    if (link) { link.focus(); }
  }
  var help = document.querySelector("[data-desk-help]");
  var keys = document.getElementById("desk-keys");
  function toggleHelp() {
    if (!keys) { return; }
    keys.hidden = !keys.hidden;
    if (help) { help.setAttribute("aria-expanded", String(!keys.hidden)); }
  }
  if (help) { help.addEventListener("click", toggleHelp); }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) { return; }
    var list = items();
    if (list.length) {
      var active = list.findIndex(function (li) { return li.contains(document.activeElement); });
      if (active >= 0) { cur = active; }
    }
    switch (ev.key) {
      case "j": focusItem(cur + 1); ev.preventDefault(); break;
      case "k": focusItem(cur - 1); ev.preventDefault(); break;
      case "x":
        if (cur >= 0 && list[cur]) {
          var box = list[cur].querySelector("input[name=ids]");
          if (box) { box.checked = !box.checked; }
          ev.preventDefault();
        }
        break;
      case "/":
        var q = document.getElementById("desk-q");
        if (q) { q.focus(); ev.preventDefault(); }
        break;
      case "r":
        var r = document.getElementById("reply-text");
        if (r) { r.focus(); ev.preventDefault(); }
        break;
      case "?": toggleHelp(); ev.preventDefault(); break;
    }
  });
})();
