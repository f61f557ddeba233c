// mcaudit HTML report: what to show (status), a severity floor, an area and a text search over the
// cards, one card per rule. No server, no network. Reads only data-* attributes and the text the
// template wrote, and writes only textContent, `hidden` and `open`: never markup from report values.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  var RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  var UNFOLD = 200;
  var show = document.getElementById("filter-show");
  var severity = document.getElementById("filter-severity");
  var area = document.getElementById("filter-area");
  var search = document.getElementById("filter-search");
  var reset = document.getElementById("filter-reset");
  var counter = document.getElementById("filter-counter");
  var printNote = document.getElementById("print-filter");
  var each = Array.prototype.forEach;

  function lower(node) { return node ? node.textContent.toLowerCase() : ""; }
  function number(n) { return n.toLocaleString("en-US"); }
  function plural(n, word) { return number(n) + " " + word + (n === 1 ? "" : "s"); }
  function defaultValue(select) {
    for (var i = 0; i < select.options.length; i += 1) {
      if (select.options[i].defaultSelected) { return select.options[i].value; }
    }
    return select.options.length ? select.options[0].value : "";
  }

  // read once: each card's filter keys; its text for the search is read on the first search
  var snapshots = [];
  each.call(document.querySelectorAll(".snapshot"), function (section) {
    var cards = [];
    each.call(section.querySelectorAll("article.finding"), function (node) {
      cards.push({
        node: node,
        status: node.dataset.status,
        rank: RANK[node.dataset.severity] === undefined ? 4 : RANK[node.dataset.severity],
        area: node.dataset.area,
        rule: "r:" + node.dataset.rule,
        count: parseInt(node.dataset.count, 10) || 0,
        shown: !node.hidden,
        key: null,    // rule id and title, lower case
        rows: null,   // [{node, text, hidden, listed, hit}] each finding shown, lower case
        narrowed: false,
        opened: []
      });
    });
    snapshots.push({ cards: cards, noMatch: section.querySelector(".no-match") });
  });

  function prepare(card) {
    if (card.rows !== null) { return; }
    var node = card.node;
    // a card of one finding states it in its heading rather than again below
    card.key = lower(node.querySelector(".rule-id")) + " " + lower(node.querySelector(".rule-name")) +
      (card.count === 1 ? " " + lower(node.querySelector(".finding-title")) : "");
    card.rows = [];
    each.call(node.querySelectorAll(".items > .item"), function (row) {
      card.rows.push({ node: row, text: lower(row), hidden: false, listed: false, hit: false });
    });
    each.call(node.querySelectorAll("ul.rows > li"), function (row) {
      card.rows.push({ node: row, text: lower(row), hidden: false, listed: true, hit: false });
    });
  }

  function widen(card) {
    // every row of the card in view again, and the folds the search opened closed again
    card.rows.forEach(function (row) {
      if (row.hidden) { row.node.hidden = false; row.hidden = false; }
    });
    card.opened.forEach(function (details) { details.open = false; });
    card.opened = [];
    card.narrowed = false;
  }

  function unfold(card, details) {
    if (details && !details.open) { details.open = true; card.opened.push(details); }
  }

  // how many findings of the card the search matches; narrows the card to them when only some do
  function narrow(card, query) {
    prepare(card);
    var matched = 0;
    var listed = 0;
    card.rows.forEach(function (row) {
      row.hit = row.text.indexOf(query) !== -1;
      if (row.hit) { matched += 1; if (row.listed) { listed += 1; } }
    });
    if (card.key.indexOf(query) !== -1 || (matched > 0 && matched === card.rows.length)) {
      // the rule itself, or every subject on the page: the card as it is
      if (card.narrowed) { widen(card); }
      return card.count;
    }
    card.rows.forEach(function (row) {
      if (row.hidden === row.hit) { row.node.hidden = !row.hit; row.hidden = !row.hit; }
    });
    card.narrowed = true;
    if (matched) {
      unfold(card, card.node.querySelector("details.quiet-body"));
      // a few matches in the folded list are shown at once; many wait for a click on "and N more"
      if (listed > 0 && listed <= UNFOLD) { unfold(card, card.node.querySelector("details.more")); }
    }
    return matched;
  }

  function statuses() {
    var allowed = {};
    var option = show.options[show.selectedIndex];
    (option ? option.dataset.statuses : "").split(" ").forEach(function (status) { allowed[status] = true; });
    return allowed;
  }

  function apply() {
    var allowed = statuses();
    var floor = RANK[severity.value] === undefined ? 4 : RANK[severity.value];
    var where = area.value;
    var query = search.value.trim().toLowerCase();
    var findings = 0;
    var rules = {};
    var ruleCount = 0;
    snapshots.forEach(function (snapshot) {
      var any = false;
      snapshot.cards.forEach(function (card) {
        var matched = 0;
        var visible = allowed[card.status] === true && card.rank <= floor && (where === "" || card.area === where);
        if (visible && query) {
          matched = narrow(card, query);
          visible = matched > 0;
        } else {
          if (card.narrowed) { widen(card); }
          matched = card.count;
        }
        if (card.shown !== visible) { card.node.hidden = !visible; card.shown = visible; }
        if (visible) {
          any = true;
          findings += matched;
          if (rules[card.rule] !== true) { rules[card.rule] = true; ruleCount += 1; }
        }
      });
      if (snapshot.noMatch) { snapshot.noMatch.hidden = any; }
    });
    var summary = "Showing " + plural(findings, "finding") + " in " + plural(ruleCount, "rule") +
      (query ? " matching the search" : "");
    if (counter) { counter.textContent = summary; }
    if (printNote) {
      var parts = [];
      if (show.value !== defaultValue(show)) { parts.push("show: " + show.options[show.selectedIndex].text.split(":")[0]); }
      if (severity.value !== defaultValue(severity)) { parts.push("severity: " + severity.options[severity.selectedIndex].text); }
      if (where !== "") { parts.push("area: " + area.options[area.selectedIndex].text); }
      if (query) { parts.push("search: \u201c" + search.value.trim() + "\u201d"); }
      printNote.textContent = parts.length ? "Filtered (" + parts.join("; ") + "). " + summary + "." : "";
    }
  }

  var pending = 0;
  function now() {
    if (pending) { window.clearTimeout(pending); pending = 0; }
    apply();
  }
  function later() {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () { pending = 0; apply(); }, 150);
  }

  [show, severity, area].forEach(function (select) { select.addEventListener("change", now); });
  search.addEventListener("input", later);   // typing: once it pauses
  search.addEventListener("change", now);    // Enter or leaving the field: at once
  search.addEventListener("search", now);    // the field's clear button
  if (reset) {
    reset.addEventListener("click", function () {
      [show, severity, area].forEach(function (select) { select.value = defaultValue(select); });
      search.value = "";
      now();
    });
  }
  // "/" jumps to the search, as on most sites
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA");
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      search.focus();
    }
  });

  // a printout shows every detail of the cards on screen
  window.addEventListener("beforeprint", function () {
    snapshots.forEach(function (snapshot) {
      snapshot.cards.forEach(function (card) {
        if (card.shown) { each.call(card.node.querySelectorAll("details"), function (details) { details.open = true; }); }
      });
    });
  });

  apply();
  if (window.performance && typeof window.performance.mark === "function") { window.performance.mark("mcaudit-ready"); }
}());
