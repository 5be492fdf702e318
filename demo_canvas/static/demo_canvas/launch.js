// The page around the tool_content iframe: posts the login-initiation form into the frame and answers the
// tool's postMessages (lti.frameResize, org.imsglobal.lti.close, Platform Storage sent to the parent).
(function () {
  "use strict";
  var frame = document.getElementById("tool_content");
  var config = document.getElementById("launch-config").dataset;

  function parse(data) {
    if (typeof data !== "string") { return data; }
    try { return JSON.parse(data); } catch (error) { return null; }
  }

  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow) { return; }
    var data = parse(event.data);
    if (!data || typeof data !== "object") { return; }
    if (data.subject === "lti.frameResize") {
      var height = parseInt(data.height, 10);
      if (height > 0) { frame.style.height = height + "px"; }
    } else if (data.subject === "org.imsglobal.lti.close") {
      window.location.assign(config.returnUrl);
    } else if (data.subject === "LtiDeepLinkingResponse" && event.origin === config.demoOrigin) {
      if (data.reloadpage) { window.location.assign(config.returnUrl); }
    } else {
      window.DemoCanvasPlatformStorage.handle(event);
    }
  });

  document.getElementById("launch-form").submit();
})();
