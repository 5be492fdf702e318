// Dynamic registration finished: ask Canvas to close its dialog.
"use strict";
(function () {
  (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
})();
