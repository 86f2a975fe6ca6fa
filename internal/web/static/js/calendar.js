// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// The calendar's drag and drop, as progressive enhancement: a post dropped
// on another day is moved there at the same time of day through the hidden
// move form; with htmx only the calendar is swapped, without it the form is
// posted and the page reloads. Every item also has a "Sposta" form with a
// date and a time, the keyboard way. Listeners sit on the document, so the
// calendar swapped in after a move works the same.
(function () {
  "use strict";

  function item(evt) {
    return evt.target.closest ? evt.target.closest('.cal-item[draggable="true"]') : null;
  }
  function day(evt) {
    return evt.target.closest ? evt.target.closest(".cal-day") : null;
  }
  function moveForm() {
    return document.getElementById("cal-move-form");
  }

  document.addEventListener("dragstart", function (evt) {
    var it = item(evt);
    if (!it) {
      return;
    }
    evt.dataTransfer.setData("text/plain", it.dataset.post + " " + it.dataset.version);
    evt.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragover", function (evt) {
    var d = day(evt);
    if (!d || !moveForm()) {
      return;
    }
    evt.preventDefault();
    d.classList.add("cal-drop");
  });
  document.addEventListener("dragleave", function (evt) {
    var d = day(evt);
    if (d && !d.contains(evt.relatedTarget)) {
      d.classList.remove("cal-drop");
    }
  });
  document.addEventListener("drop", function (evt) {
    var d = day(evt);
    var form = moveForm();
    if (!d || !form) {
      return;
    }
    evt.preventDefault();
    d.classList.remove("cal-drop");
    var parts = (evt.dataTransfer.getData("text/plain") || "").split(" ");
    if (parts.length !== 2) {
      return;
    }
    form.elements.post.value = parts[0];
    form.elements.version.value = parts[1];
    form.elements.date.value = d.dataset.date;
    // requestSubmit fires the submit event htmx listens to; submit() would
    // bypass it and reload the page, which is the fallback without htmx.
    if (window.htmx && form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });

  // A refused move comes back as the calendar with the reason on top, with
  // the status that says why (403, 409, 422): swap it in like a success.
  var swapped = false;
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || target.id !== "cal-region") {
      return;
    }
    var status = evt.detail.xhr.status;
    if (status === 403 || status === 409 || status === 422) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
    swapped = evt.detail.shouldSwap;
  });
  // After the swap, the outcome is read out and focus is not lost with the
  // element that was dragged or submitted.
  document.addEventListener("htmx:afterSettle", function () {
    if (!swapped) {
      return;
    }
    swapped = false;
    var msg = document.getElementById("cal-message");
    if (msg) {
      msg.focus();
    }
  });
})();
