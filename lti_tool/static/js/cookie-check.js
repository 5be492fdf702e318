// Login step without platform storage: continue if this frame may keep cookies, else offer a new tab.
"use strict";
(function () {
  var box = document.getElementById("cookie-check");
  var secure = window.location.protocol === "https:";
  document.cookie = "lti_cookie_check=1; path=/; max-age=60" + (secure ? "; SameSite=None; Secure; Partitioned" : "");
  if (document.cookie.indexOf("lti_cookie_check=1") !== -1) {
    window.location.replace(box.dataset.authUrl);
  } else {
    document.getElementById("cookie-blocked").hidden = false;
  }
})();
