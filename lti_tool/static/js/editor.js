// The reflection editor: live word count, autosave with an honest status, a copy of unsaved
// text in this browser (so an expired session or a dead server loses nothing), conflict
// handling when another window saved first, and the session token kept fresh.
"use strict";
(function () {
  var form = document.getElementById("editor-form");
  var area = document.getElementById("text");
  if (!form || !area) { return; }
  var statusEl = document.getElementById("save-status");
  var countEl = document.getElementById("word-count");
  var revisionEl = document.getElementById("revision");
  var restorePanel = document.getElementById("restore-panel");
  var conflictPanel = document.getElementById("conflict-panel");
  var conflictText = document.getElementById("conflict-text");
  var backupKey = form.getAttribute("data-backup-key");
  var url = form.getAttribute("data-autosave-url");
  var maxChars = parseInt(form.getAttribute("data-max-chars"), 10);
  var wordLimit = parseInt(form.getAttribute("data-word-limit") || "0", 10);
  var target = form.getAttribute("data-word-target") || "";
  // A prompt with an outline is written one section per field; the hidden #text holds the
  // composed text ("## Heading" lines kept), which is what autosave and submit send.
  var sections = Array.prototype.slice.call(form.querySelectorAll("textarea[data-section]"));
  var AUTOSAVE_MS = 4000;
  var RETRY_MS = 10000;
  var savedText = area.value;
  var inFlight = false;
  var timer = null;
  var conflictRevision = null;
  var sessionEnded = false;

  function token() { return form.querySelector("input[name=st]").value; }

  function setToken(value) {
    if (!value) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("input[name=st]"), function (input) { input.value = value; });
    Array.prototype.forEach.call(document.querySelectorAll("a[href*='st=']"), function (link) {
      link.href = link.href.replace(/([?&]st=)[^&#]*/, "$1" + encodeURIComponent(value));
    });
  }

  function clock(date) {
    var shared = window.Reflections && window.Reflections.formatWhen;
    return shared ? shared(date) : date.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  function say(message) { statusEl.textContent = message; }

  function words(text) {
    var trimmed = text.trim();
    return trimmed ? trimmed.split(/\s+/).length : 0;
  }

  function plural(count) { return count + (count === 1 ? " word" : " words"); }

  function compose() {
    var bodies = sections.map(function (field) { return field.value; });
    var written = bodies.some(function (body) { return body.trim() !== ""; });
    if (!written) { return ""; }
    return sections.map(function (field) {
      var body = field.value.replace(/\r\n/g, "\n").replace(/^\n+|\n+$/g, "");
      return ("## " + field.getAttribute("data-section") + "\n\n" + body).replace(/\s+$/, "");
    }).join("\n\n") + "\n";
  }

  function fillSections(text) {
    // The inverse of compose: lines under each known heading go to its field; anything
    // above the first heading goes to the first field, so nothing is lost.
    var bodies = sections.map(function () { return []; });
    var names = sections.map(function (field) { return field.getAttribute("data-section"); });
    var current = 0;
    text.replace(/\r\n/g, "\n").split("\n").forEach(function (line) {
      var index = line.indexOf("## ") === 0 ? names.indexOf(line.slice(3).trim()) : -1;
      if (index >= 0) { current = index; } else { bodies[current].push(line); }
    });
    sections.forEach(function (field, i) {
      field.value = bodies[i].join("\n").replace(/^\n+|\n+$/g, "");
    });
  }

  function updateCount() {
    if (sections.length) {
      var total = 0;
      sections.forEach(function (field) {
        var n = words(field.value);
        total += n;
        document.getElementById(field.id + "-count").textContent = plural(n);
      });
      countEl.textContent = plural(total) + " in total" + (target ? " of about " + target : "");
      return;
    }
    var count = words(area.value);
    var text = plural(count) + (target ? " of about " + target : "");
    if (wordLimit && count > wordLimit) { text += " (over the limit of " + wordLimit + ")"; }
    countEl.textContent = text;
  }

  function readBackup() {
    try { return JSON.parse(window.localStorage.getItem(backupKey) || "null"); } catch (e) { return null; }
  }

  function writeBackup() {
    try {
      if (area.value === savedText) { window.localStorage.removeItem(backupKey); return; }
      window.localStorage.setItem(backupKey, JSON.stringify({ text: area.value, at: new Date().toISOString() }));
    } catch (e) { /* storage full or blocked: the server copy is all we have */ }
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function save() {
    if (inFlight || sessionEnded || conflictRevision !== null || area.value === savedText) { return; }
    if (area.value.length > maxChars) {
      say("Not saved: the text is longer than the tool can store. It is kept in this browser; shorten it to save.");
      return;
    }
    if (!navigator.onLine) {
      say("Not saved: offline, retrying. Your text is kept in this browser.");
      schedule(RETRY_MS);
      return;
    }
    var sending = area.value;
    inFlight = true;
    say("Saving…");
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "Authorization": "Bearer " + token() },
      body: JSON.stringify({ text: sending, revision: parseInt(revisionEl.value, 10) })
    }).then(function (response) {
      setToken(response.headers.get("X-Session-Token"));
      return response.json().catch(function () { return {}; }).then(function (body) { handle(response.status, body, sending); });
    }).catch(function () {
      say("Not saved: the server cannot be reached, retrying. Your text is kept in this browser.");
      schedule(RETRY_MS);
    }).then(function () { inFlight = false; });
  }

  function handle(status, body, sending) {
    if (status === 200) {
      revisionEl.value = body.revision;
      savedText = sending;
      writeBackup();
      say("Saved " + clock(new Date(body.saved_at)));
      if (area.value !== savedText) { schedule(AUTOSAVE_MS); }
    } else if (status === 409) {
      showConflict(body);
    } else if (status === 401) {
      sessionEnded = true;
      say("Not saved: your session has ended. Your text is kept in this browser; open this item again from Canvas to save it.");
    } else if (status === 413) {
      say("Not saved: " + (body.message || "the text is too long to store.") + "");
    } else {
      say("Not saved: the server had a problem, retrying. Your text is kept in this browser.");
      schedule(RETRY_MS);
    }
  }

  function showConflict(body) {
    conflictRevision = body.revision;
    conflictText.value = body.server_text || "";
    conflictPanel.hidden = false;
    say("Not saved: this reflection was changed in another window. Choose which text to keep.");
    conflictPanel.querySelector("h3").focus();
  }

  function resolveConflict(useTheirs) {
    revisionEl.value = conflictRevision;
    if (useTheirs) {
      area.value = conflictText.value;
      savedText = conflictText.value;
      if (sections.length) { fillSections(area.value); }
    }
    conflictRevision = null;
    conflictPanel.hidden = true;
    updateCount();
    writeBackup();
    (sections[0] || area).focus();
    if (!useTheirs) { save(); } else { say("Showing the text saved in the other window."); }
  }

  function offerRestore() {
    var backup = readBackup();
    if (!backup || typeof backup.text !== "string" || backup.text === area.value) {
      if (backup) { window.localStorage.removeItem(backupKey); }
      return;
    }
    var savedAt = form.getAttribute("data-saved-at");
    if (savedAt && new Date(backup.at) < new Date(savedAt)) { return; }
    document.getElementById("restore-text").textContent =
      "This browser kept text from " + clock(new Date(backup.at)) + " that was not saved. Restore it?";
    restorePanel.hidden = false;
    document.getElementById("restore-button").addEventListener("click", function () {
      area.value = backup.text;
      if (sections.length) { fillSections(area.value); }
      restorePanel.hidden = true;
      updateCount();
      (sections[0] || area).focus();
      save();
    });
    document.getElementById("discard-button").addEventListener("click", function () {
      window.localStorage.removeItem(backupKey);
      restorePanel.hidden = true;
      (sections[0] || area).focus();
    });
  }

  var printButton = document.getElementById("print-button");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }
  var focusTarget = document.getElementById("error-summary") || document.getElementById("status");
  if (focusTarget) { focusTarget.focus(); }
  updateCount();
  // Without an autosave address the editor is read-only (a walk-through): it counts words,
  // and sends nothing and keeps no copy in this browser.
  if (!url) { return; }

  conflictPanel.querySelector("h3").setAttribute("tabindex", "-1");
  document.getElementById("keep-mine").addEventListener("click", function () { resolveConflict(false); });
  document.getElementById("use-theirs").addEventListener("click", function () { resolveConflict(true); });
  function edited() {
    updateCount();
    writeBackup();
    if (!sessionEnded && conflictRevision === null) { say("Unsaved changes"); }
    schedule(AUTOSAVE_MS);
  }
  area.addEventListener("input", edited);
  sections.forEach(function (field) {
    field.addEventListener("input", function () { area.value = compose(); edited(); });
  });
  window.addEventListener("online", function () { schedule(0); });
  window.addEventListener("offline", function () { say("Not saved: offline, retrying. Your text is kept in this browser."); });
  form.addEventListener("submit", function (event) {
    // One submit per click: a second one would only meet the first's new revision.
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
    writeBackup();
    window.clearTimeout(timer);
  });
  window.addEventListener("pageshow", function () { delete form.dataset.sending; });
  window.addEventListener("beforeunload", function (event) {
    if (area.value !== savedText && !inFlight) { writeBackup(); }
    if (area.value !== savedText && sessionEnded) { event.preventDefault(); }
  });
  offerRestore();
})();
