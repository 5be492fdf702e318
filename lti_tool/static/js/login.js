// Login step: store the state in Canvas's platform storage, then continue to Canvas.
"use strict";
(function () {
  var box = document.getElementById("lti-login");
  var go = function () { window.location.replace(box.dataset.authUrl); };
  window.ltiPlatformStorage
    .put(box.dataset.storageTarget, box.dataset.storageOrigin, "state-" + box.dataset.state, box.dataset.state)
    .then(go, go);
})();
