// LTI Platform Storage as Canvas's post_message_forwarding frame answers it:
// lti.capabilities, lti.put_data and lti.get_data, each replied to as "<subject>.response" with the same
// message_id. Values live in this page's memory while it is open, partitioned by the tool's origin, as
// Canvas keeps them: this frame is on the login host inside a course page on another site, so
// blocking third-party cookies blocks its localStorage too.
(function () {
  "use strict";
  var SUPPORTED = ["lti.capabilities", "lti.put_data", "lti.get_data"];
  var values = new Map();

  function storageKey(origin, key) {
    return "lti-platform-storage|" + origin + "|" + key;
  }

  function answer(event, data) {
    var response = { subject: data.subject + ".response", message_id: data.message_id };
    if (data.subject === "lti.capabilities") {
      response.supported_messages = SUPPORTED.map(function (subject) {
        return subject === "lti.capabilities"
          ? { subject: subject }
          : { subject: subject, frame: "post_message_forwarding" };
      });
      return response;
    }
    if (typeof data.key !== "string" || data.key === "") {
      response.error = { code: "bad_request", message: "A key is required" };
      return response;
    }
    var name = storageKey(event.origin, data.key);
    response.key = data.key;
    if (data.subject === "lti.put_data") {
      if (data.value === null || data.value === undefined) {
        values.delete(name);
      } else {
        values.set(name, String(data.value));
      }
      response.value = data.value;
    } else {
      response.value = values.has(name) ? values.get(name) : null;
    }
    return response;
  }

  // Returns true when the message was a Platform Storage request (and was answered).
  function handle(event) {
    var data = event.data;
    if (typeof data === "string") {
      try { data = JSON.parse(data); } catch (error) { return false; }
    }
    if (!data || typeof data !== "object" || SUPPORTED.indexOf(data.subject) === -1 || !event.source) {
      return false;
    }
    event.source.postMessage(answer(event, data), event.origin);
    return true;
  }

  window.DemoCanvasPlatformStorage = { handle: handle };
  if (document.currentScript && document.currentScript.hasAttribute("data-listen")) {
    window.addEventListener("message", handle);
  }
})();
