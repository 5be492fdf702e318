// Shared page behaviour: announce the page's outcome, and ask Canvas to size the iframe.
"use strict";
(function () {
  // A notice shown after a form ("Feedback posted", "Grade saved") is read out through the
  // live region, unless a page script already moved focus to it.
  document.addEventListener("DOMContentLoaded", function () {
    var notice = document.getElementById("error-summary") || document.getElementById("status");
    var live = document.getElementById("live-status");
    if (notice && live && document.activeElement !== notice) {
      live.textContent = notice.textContent.replace(/\s+/g, " ").trim();
    }
  });

  if (window.parent === window) { return; }
  var last = 0;
  function resize() {
    // The content's own height: scrollHeight never drops below the frame's current height,
    // so a short page after a long one would keep the tall frame and its empty space.
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (Math.abs(height - last) < 4) { return; }
    last = height;
    window.parent.postMessage({ subject: "lti.frameResize", height: height }, "*");
  }
  window.addEventListener("load", resize);
  if (window.ResizeObserver) { new ResizeObserver(resize).observe(document.body); }
})();
