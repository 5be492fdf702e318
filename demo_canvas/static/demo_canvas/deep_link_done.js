// Tells the page around the tool that deep linking finished, as Canvas's response page does.
(function () {
  "use strict";
  var done = document.getElementById("deep-link-done");
  if (window.parent !== window) {
    window.parent.postMessage(
      { subject: "LtiDeepLinkingResponse", reloadpage: done.dataset.reload === "true" },
      window.location.origin
    );
  }
})();
