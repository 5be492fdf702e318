// "Copy" buttons: one press copies the named field's text. The Clipboard API first; where the
// frame's permissions policy refuses it, the selected field is copied the older way; failing
// both, the text is left selected with how to copy it by hand.
"use strict";
(function () {
  var live = document.getElementById("live-status");
  function say(message) { if (live) { live.textContent = message; } }
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = "Copied " + field.value.split(", ").length + " names and e-mails.";
      function selected() {
        field.focus();
        field.select();
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
        say(copied ? done : "Selected: press Control + C (Command + C on a Mac) to copy.");
      }
      if (!navigator.clipboard || !window.isSecureContext) { selected(); return; }
      navigator.clipboard.writeText(field.value).then(function () { say(done); }, selected);
    });
  });
})();
