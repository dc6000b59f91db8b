/* supervise — small progressive enhancements; every page works without them. Load with defer. */
(function () {
  "use strict";

  var REENABLE_MS = 8000;

  function submitButtons(form) {
    var inside = form.querySelectorAll("button:not([type]), button[type='submit'], input[type='submit']");
    var outside = form.id ? document.querySelectorAll("[form='" + form.id + "'][type='submit']") : [];
    return Array.prototype.slice.call(inside).concat(Array.prototype.slice.call(outside));
  }

  function release(form) {
    delete form.dataset.submitting;
    submitButtons(form).forEach(function (b) {
      if (b.dataset.onceDisabled) {
        b.disabled = false;
        delete b.dataset.onceDisabled;
      }
    });
  }

  // (b) data-confirm on buttons and links: ask before going on.
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-confirm]") : null;
    if (!el || el.tagName === "FORM") return;
    if (!window.confirm(el.getAttribute("data-confirm"))) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    } else {
      el.dataset.confirmed = "1";
    }
  });

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || ev.defaultPrevented) return;
    var submitter = ev.submitter || null;

    // (b) data-confirm on the form itself (a confirmed button is not asked twice).
    var question = form.getAttribute("data-confirm");
    if (question && !(submitter && submitter.dataset.confirmed)) {
      if (!window.confirm(question)) {
        ev.preventDefault();
        return;
      }
    }
    if (submitter) delete submitter.dataset.confirmed;

    // (a) one submission per POST form (or any form marked data-once).
    var method = (form.getAttribute("method") || "get").toLowerCase();
    var once = form.hasAttribute("data-once") || form.classList.contains("data-once");
    if (method !== "post" && !once) return;
    if (form.getAttribute("data-once") === "false") return;
    if (form.dataset.submitting) {
      ev.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    // Disable after the browser has collected the form data, so the pressed button's
    // name/value is still sent.
    window.setTimeout(function () {
      submitButtons(form).forEach(function (b) {
        if (!b.disabled) {
          b.disabled = true;
          b.dataset.onceDisabled = "1";
        }
      });
    }, 0);
    window.setTimeout(function () { release(form); }, REENABLE_MS);
  });

  // Coming back with the browser's Back button must not leave forms locked.
  window.addEventListener("pageshow", function (ev) {
    if (!ev.persisted) return;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-submitting]"), release);
  });

  // (c) the phone navigation: a checkbox opens it without JS; here Escape and outside clicks close it.
  var toggle = document.getElementById("nav-toggle");
  if (toggle) {
    var nav = document.getElementById("site-nav");
    var header = toggle.closest(".site-header");
    document.addEventListener("keydown", function (ev) {
      if ((ev.key === "Escape" || ev.key === "Esc") && toggle.checked) {
        toggle.checked = false;
        toggle.focus();
      }
    });
    document.addEventListener("click", function (ev) {
      if (toggle.checked && header && !header.contains(ev.target)) toggle.checked = false;
    });
    // Enter on the focused checkbox toggles it too, like a button.
    toggle.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        toggle.checked = !toggle.checked;
      }
    });
    if (nav) {
      nav.addEventListener("click", function (ev) {
        if (ev.target.closest && ev.target.closest("a")) toggle.checked = false;
      });
    }
  }

  // (d) the complaint form: show only the intake questions of the chosen category.
  var categorySelect = document.getElementById("category_id");
  var questionBlocks = document.querySelectorAll("#intake-questions [data-category]");
  if (categorySelect && questionBlocks.length) {
    document.querySelectorAll("#intake-questions .js-hide").forEach(function (el) { el.hidden = true; });
    var showQuestions = function () {
      questionBlocks.forEach(function (block) {
        var mine = block.getAttribute("data-category") === categorySelect.value;
        block.hidden = !mine;
        block.disabled = !mine;  // a disabled fieldset's inputs are not submitted
      });
    };
    categorySelect.addEventListener("change", showQuestions);
    showQuestions();
  }
})();
