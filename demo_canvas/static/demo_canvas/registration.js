// Dynamic registration: when the tool posts org.imsglobal.lti.close, close the frame and show the admin page.
(function () {
  "use strict";
  var frame = document.getElementById("tool_content");
  var config = document.getElementById("registration-config").dataset;
  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow || event.origin !== config.toolOrigin) { return; }
    var data = event.data;
    if (data && data.subject === "org.imsglobal.lti.close") {
      window.location.assign(config.doneUrl);
    }
  });
})();
