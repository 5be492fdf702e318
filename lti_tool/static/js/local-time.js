// Dates in the reader's own time zone, in the pages' one format ("7 Dec 2026, 23:59 EST").
// When Canvas told the tool the person's zone, the server already wrote every date in it
// (<html data-timezone="America/Denver">); otherwise the server wrote UTC and this script
// rewrites those dates in the browser's zone. The editor uses `Reflections.formatWhen` too.
"use strict";
(function () {
  var zone = document.documentElement.getAttribute("data-timezone") || undefined;
  var formatter;
  try {
    formatter = new Intl.DateTimeFormat("en-US", {
      day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23", timeZoneName: "short", timeZone: zone
    });
  } catch (e) {
    return; // an unknown zone or no Intl: the server's text stays
  }

  function formatWhen(date) {
    var parts = {};
    formatter.formatToParts(date).forEach(function (part) { parts[part.type] = part.value; });
    return parts.day + " " + parts.month + " " + parts.year + ", " + parts.hour + ":" +
      parts.minute + " " + parts.timeZoneName;
  }

  window.Reflections = window.Reflections || {};
  window.Reflections.formatWhen = formatWhen;
  if (zone) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("time[datetime]"), function (el) {
    if (!/ UTC$/.test(el.textContent.trim())) { return; }
    var date = new Date(el.getAttribute("datetime"));
    if (!isNaN(date.getTime())) { el.textContent = formatWhen(date); }
  });
})();
