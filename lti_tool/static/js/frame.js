// Shared page behaviour: ask Canvas to size the iframe to the content.
"use strict";
(function () {
  if (window.parent === window) { return; }
  var last = 0;
  function resize() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (Math.abs(height - last) < 4) { return; }
    last = height;
    window.parent.postMessage({ subject: "lti.frameResize", height: height }, "*");
  }
  window.addEventListener("load", resize);
  if (window.ResizeObserver) { new ResizeObserver(resize).observe(document.body); }
})();
