// Launch step without a cookie: read the state back from platform storage before going on.
"use strict";
(function () {
  var box = document.getElementById("lti-verify");
  var fail = function () {
    document.getElementById("verify-failed").hidden = false;
    var status = document.getElementById("live-status");
    if (status) { status.textContent = "This launch could not be matched to your browser."; }
  };
  window.ltiPlatformStorage
    .get(box.dataset.storageTarget, box.dataset.storageOrigin, "state-" + box.dataset.state)
    .then(function (value) {
      if (value === box.dataset.state) { document.getElementById("verify-form").submit(); } else { fail(); }
    }, fail);
})();
