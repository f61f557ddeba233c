// mcaudit HTML report: client-side filters by severity, status and area. No server, no network.
// Reads only data-* attributes the template wrote; never builds markup from report values.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  var chips = Array.prototype.slice.call(document.querySelectorAll("button.chip[data-filter]"));
  var findings = Array.prototype.slice.call(document.querySelectorAll(".finding"));
  var counter = document.getElementById("filter-counter");
  var printNote = document.getElementById("print-filter");
  var defaults = chips.map(function (chip) { return chip.getAttribute("aria-pressed"); });

  function enabled(kind) {
    var values = {};
    chips.forEach(function (chip) {
      if (chip.dataset.filter === kind && chip.getAttribute("aria-pressed") === "true") {
        values[chip.dataset.value] = true;
      }
    });
    return values;
  }

  function apply() {
    var severity = enabled("severity");
    var status = enabled("status");
    var area = enabled("area");
    var shown = 0;
    findings.forEach(function (finding) {
      var visible = severity[finding.dataset.severity] === true &&
        status[finding.dataset.status] === true && area[finding.dataset.area] === true;
      finding.hidden = !visible;
      if (visible) { shown += 1; }
    });
    document.querySelectorAll(".area-group").forEach(function (group) {
      group.hidden = group.querySelector(".finding:not([hidden])") === null;
    });
    document.querySelectorAll(".snapshot").forEach(function (snapshot) {
      var none = snapshot.querySelector(".no-match");
      if (none) { none.hidden = snapshot.querySelector(".finding:not([hidden])") !== null; }
    });
    if (counter) {
      counter.textContent = "Showing " + shown + " of " + findings.length + " results";
    }
    if (printNote) {
      var off = chips.filter(function (chip) { return chip.getAttribute("aria-pressed") !== "true"; })
        .map(function (chip) { return chip.dataset.label; });
      printNote.textContent = off.length ? "Filtered: hidden " + off.join(", ") + " (" + shown + " of " +
        findings.length + " results shown)." : "";
    }
  }

  chips.forEach(function (chip) {
    chip.addEventListener("click", function () {
      var pressed = chip.getAttribute("aria-pressed") === "true";
      chip.setAttribute("aria-pressed", pressed ? "false" : "true");
      apply();
    });
  });

  var showAll = document.getElementById("filter-all");
  if (showAll) {
    showAll.addEventListener("click", function () {
      chips.forEach(function (chip) { chip.setAttribute("aria-pressed", "true"); });
      apply();
    });
  }
  var reset = document.getElementById("filter-reset");
  if (reset) {
    reset.addEventListener("click", function () {
      chips.forEach(function (chip, index) { chip.setAttribute("aria-pressed", defaults[index]); });
      apply();
    });
  }

  // a printout shows every detail of what is on screen
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.finding").forEach(function (details) { details.open = true; });
  });

  apply();
}());
