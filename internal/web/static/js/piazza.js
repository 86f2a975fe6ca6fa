// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Progressive enhancement only: every page works without this file. Loaded
// with `defer` after htmx, so it runs before DOMContentLoaded and before htmx
// initialises the page.
(function () {
  "use strict";

  // htmx under our Content-Security-Policy (no inline styles, no eval): its
  // indicator styles are in piazza.css, and attributes that need eval
  // (hx-on, js: values) are refused rather than failing on a CSP report.
  if (window.htmx) {
    window.htmx.config.includeIndicatorStyles = false;
    window.htmx.config.allowEval = false;
  }

  // csrfToken finds the token the server put in the page: a form field or a
  // <meta name="csrf-token">.
  function csrfToken() {
    var field = document.querySelector('input[name="csrf"]');
    if (field && field.value) {
      return field.value;
    }
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx requests that do not come from a form carrying the token send it in
  // the header the server also accepts.
  document.addEventListener("htmx:configRequest", function (evt) {
    var detail = evt.detail;
    if (detail.verb === "get" || (detail.parameters && detail.parameters.csrf)) {
      return;
    }
    var token = csrfToken();
    if (token) {
      detail.headers["X-CSRF-Token"] = token;
    }
  });

  // After htmx replaces a part of the page, focus moves to the first element
  // marked data-focus-after-swap, so keyboard and screen-reader users are not
  // left on an element that no longer exists.
  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    var next = target && target.querySelector("[data-focus-after-swap]");
    if (next) {
      if (!next.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(next.tagName)) {
        next.setAttribute("tabindex", "-1");
      }
      next.focus();
    }
  });

  // Forms or buttons with data-confirm="…" ask before submitting: deleting an
  // office, revoking a role, disabling a person. Capture phase, so that a
  // refusal also stops htmx, which listens on the form itself.
  document.addEventListener(
    "submit",
    function (evt) {
      var submitter = evt.submitter;
      var message = (submitter && submitter.getAttribute("data-confirm")) || evt.target.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        evt.preventDefault();
        evt.stopPropagation();
      }
    },
    true
  );

  // A second click while the first POST is on its way would send it twice
  // (two approvals, two publications): ignore it. Forms htmx handles have
  // their default prevented by then and are left to htmx; forms opening
  // another window leave this page in place and are left alone too.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (evt.defaultPrevented || form.target || (form.getAttribute("method") || "").toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.submitting === "1") {
      evt.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    form.setAttribute("aria-busy", "true");
  });

  // Coming back with the browser's back button restores the page from the
  // cache with the form still marked as submitting.
  window.addEventListener("pageshow", function (evt) {
    if (!evt.persisted) {
      return;
    }
    document.querySelectorAll('form[data-submitting="1"]').forEach(function (form) {
      delete form.dataset.submitting;
      form.removeAttribute("aria-busy");
    });
  });

  // The editor's "copy from the message": a variant starts from the
  // message's text, then is adapted to its platform; the live counter
  // follows the change.
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("button.copy-body");
    if (!btn) {
      return;
    }
    var body = document.getElementById("f-body");
    var target = document.getElementById(btn.dataset.target);
    if (!body || !target) {
      return;
    }
    target.value = body.value;
    target.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
    target.focus();
  });

  // The calendar: a post dragged onto another day is moved there (same time
  // of day) through the hidden move form; the post's page is the keyboard
  // way to change its time.
  var moveForm = document.getElementById("move-form");
  if (moveForm) {
    document.querySelectorAll('.cal-item[draggable="true"]').forEach(function (item) {
      item.addEventListener("dragstart", function (evt) {
        evt.dataTransfer.setData("text/plain", item.dataset.post + " " + item.dataset.version);
        evt.dataTransfer.effectAllowed = "move";
      });
    });
    document.querySelectorAll(".cal-day").forEach(function (day) {
      day.addEventListener("dragover", function (evt) {
        evt.preventDefault();
        day.classList.add("cal-drop");
      });
      day.addEventListener("dragleave", function () {
        day.classList.remove("cal-drop");
      });
      day.addEventListener("drop", function (evt) {
        evt.preventDefault();
        var parts = (evt.dataTransfer.getData("text/plain") || "").split(" ");
        if (parts.length !== 2) {
          return;
        }
        moveForm.elements.post.value = parts[0];
        moveForm.elements.version.value = parts[1];
        moveForm.elements.date.value = day.dataset.date;
        moveForm.submit();
      });
    });
  }
})();
