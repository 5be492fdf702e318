// The review page: keyboard shortcuts (listed on the page), comment-bank insertion, quoting by
// selection, and a question before leaving with unsaved typing. Without it the form still works.
"use strict";
(function () {
  var form = document.getElementById("review-form");
  var feedback = document.getElementById("feedback");
  var quote = document.getElementById("quote");
  var live = document.getElementById("live-status");
  var dirty = false;

  function say(message) {
    if (!live) { return; }
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  if (form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
        event.preventDefault();
        form.requestSubmit(document.getElementById("save-next"));
      }
    });
  }

  // Leaving by previous/next with unsaved typing asks first: nothing typed is lost by accident.
  function leave(link) {
    if (!link) { return; }
    if (dirty && !window.confirm("You have typed something that is not saved. Leave this page anyway?")) {
      say("Not moved: save first (Control + Enter), or clear what you typed.");
      return;
    }
    dirty = false;
    window.location.assign(link.href);
  }
  ["previous-link", "next-link"].forEach(function (id) {
    var link = document.getElementById(id);
    if (!link) { return; }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      leave(link);
    });
  });

  // Alt+Shift with a letter: never a single-key shortcut, so screen readers' browse-mode
  // letters and typing in the boxes are untouched. `code` keeps it layout- and Mac-proof.
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) { return; }
    if (event.code === "KeyN") {
      event.preventDefault();
      leave(document.getElementById("next-link"));
    } else if (event.code === "KeyP") {
      event.preventDefault();
      leave(document.getElementById("previous-link"));
    } else if (event.code === "KeyF" && feedback) {
      event.preventDefault();
      feedback.focus();
    }
  });

  // The comment bank: one press puts the comment where the caret is in the feedback box.
  Array.prototype.forEach.call(document.querySelectorAll(".bank-insert"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-bank-text") || "";
      var start = feedback.selectionStart, end = feedback.selectionEnd;
      var before = feedback.value.slice(0, start), after = feedback.value.slice(end);
      var gap = before && !/\s$/.test(before) ? " " : "";
      feedback.value = before + gap + text + after;
      var caret = (before + gap + text).length;
      feedback.focus();
      feedback.setSelectionRange(caret, caret);
      dirty = true;
      say("Comment inserted in your feedback.");
    });
  });

  // Quoting: selecting words of the current version offers "Quote in feedback".
  var source = document.querySelector("[data-quote-source]");
  var offer = document.getElementById("quote-offer");
  var button = document.getElementById("quote-button");
  var selected = "";
  function selectionInSource() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) { return ""; }
    var range = selection.getRangeAt(0);
    if (!source.contains(range.startContainer) || !source.contains(range.endContainer)) { return ""; }
    return selection.toString().trim();
  }
  if (source && offer && button && quote) {
    document.addEventListener("selectionchange", function () {
      var text = selectionInSource();
      if (text) {
        selected = text;
        if (offer.hidden) { offer.hidden = false; say("Selection can be quoted in your feedback."); }
      }
    });
    button.addEventListener("click", function () {
      if (!selected) { return; }
      quote.value = selected;
      dirty = true;
      offer.hidden = true;
      feedback.focus();
      say("Quote added to your feedback.");
    });
  }
})();
