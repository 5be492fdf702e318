// LTI Platform Storage (postMessage) client: keeps login state in Canvas when cookies are blocked.
"use strict";
window.ltiPlatformStorage = (function () {
  function targetFrame(storageTarget) {
    if (storageTarget && storageTarget !== "_parent") {
      try {
        var frame = window.parent.frames[storageTarget];
        if (frame) { return frame; }
      } catch (e) { /* cross-origin access to a missing frame */ }
    }
    return window.parent;
  }

  function send(storageTarget, origin, message, timeoutMs) {
    return new Promise(function (resolve, reject) {
      if (window.parent === window) { reject(new Error("not in a frame")); return; }
      var messageId = "m" + Math.random().toString(36).slice(2) + Date.now();
      var timer = setTimeout(function () {
        window.removeEventListener("message", onMessage);
        reject(new Error("timeout"));
      }, timeoutMs || 3000);
      function onMessage(event) {
        var data = event.data || {};
        if (data.message_id !== messageId || data.subject !== message.subject + ".response") { return; }
        if (origin && origin !== "*" && event.origin !== origin) { return; }
        clearTimeout(timer);
        window.removeEventListener("message", onMessage);
        if (data.error) { reject(new Error(data.error.code || "error")); } else { resolve(data); }
      }
      window.addEventListener("message", onMessage);
      message.message_id = messageId;
      targetFrame(storageTarget).postMessage(message, origin || "*");
    });
  }

  return {
    put: function (target, origin, key, value) {
      return send(target, origin, { subject: "lti.put_data", key: key, value: value });
    },
    get: function (target, origin, key) {
      return send(target, origin, { subject: "lti.get_data", key: key }).then(function (d) { return d.value; });
    }
  };
})();
