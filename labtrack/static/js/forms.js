// Forms that prevent mistakes (no inline handlers: the CSP forbids them).
// - Searchable selects (tom-select, served from /vendor/): every <select data-search>, and any
//   select with many options (labs, items, people) unless it says data-plain.
// - <select data-clauses-for="clause" data-clauses='{"area": ["4.1", ...]}'>: the clause select
//   named offers only the clauses of the chosen area.
// - <select data-lookup="/url?item=" data-lookup-target="participants" data-lookup-status="id">:
//   choosing a value asks the JSON endpoint for proposals and selects them in the target.
(function () {
  "use strict";
  var MANY = 15;

  function searchable(select) {
    if (!window.TomSelect || select.tomselect || select.hasAttribute("data-plain")) { return; }
    var options = {
      maxOptions: null,
      allowEmptyOption: true,
      hidePlaceholder: false,
      plugins: select.multiple ? ["remove_button"] : [],
    };
    var placeholder = select.getAttribute("data-placeholder");
    if (placeholder) { options.placeholder = placeholder; }
    new window.TomSelect(select, options);
  }

  function narrowClauses(area) {
    var target = document.getElementById(area.getAttribute("data-clauses-for"));
    if (!target) { return; }
    var map = JSON.parse(area.getAttribute("data-clauses") || "{}");
    if (!target.dataset.allOptions) {
      var all = [];
      for (var i = 0; i < target.options.length; i++) {
        all.push([target.options[i].value, target.options[i].text]);
      }
      target.dataset.allOptions = JSON.stringify(all);
    }
    var allowed = map[area.value];
    var current = target.value;
    var options = JSON.parse(target.dataset.allOptions).filter(function (o) {
      return !allowed || allowed.indexOf(o[0]) >= 0;
    });
    while (target.options.length) { target.remove(0); }
    options.forEach(function (o) { target.add(new Option(o[1], o[0], false, o[0] === current)); });
    if (allowed && allowed.indexOf(current) < 0 && options.length) { target.value = options[0][0]; }
    if (target.tomselect) { target.tomselect.sync(); }
  }

  function lookup(source) {
    var target = document.getElementById(source.getAttribute("data-lookup-target"));
    var url = source.getAttribute("data-lookup");
    var status = document.getElementById(source.getAttribute("data-lookup-status") || "");
    if (!target || !url || !source.value) { return; }
    fetch(url + encodeURIComponent(source.value), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        var wanted = (body.labs || []).map(function (lab) { return String(lab.code); });
        for (var i = 0; i < target.options.length; i++) {
          target.options[i].selected = wanted.indexOf(target.options[i].value) >= 0;
        }
        if (target.tomselect) { target.tomselect.sync(); }
        if (status) { status.textContent = body.message || ""; }
      });
  }

  // <select data-code-proposals='{"kind": "CODE"}' data-code-field="code">: the code field follows
  // the kind while it still holds a proposal (a code typed by hand is left alone).
  function proposeCode(kind) {
    var field = document.getElementById(kind.getAttribute("data-code-field"));
    var proposals = JSON.parse(kind.getAttribute("data-code-proposals") || "{}");
    if (!field) { return; }
    var proposed = Object.keys(proposals).map(function (k) { return proposals[k]; });
    if (!field.value || proposed.indexOf(field.value) >= 0) { field.value = proposals[kind.value] || field.value; }
  }

  document.addEventListener("change", function (event) {
    var element = event.target;
    if (element.hasAttribute && element.hasAttribute("data-code-proposals")) { proposeCode(element); }
    if (element.hasAttribute && element.hasAttribute("data-clauses-for")) { narrowClauses(element); }
    if (element.hasAttribute && element.hasAttribute("data-lookup")) { lookup(element); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var areas = document.querySelectorAll("select[data-clauses-for]");
    for (var i = 0; i < areas.length; i++) { narrowClauses(areas[i]); }
    var selects = document.querySelectorAll("main select");
    for (var j = 0; j < selects.length; j++) {
      if (selects[j].hasAttribute("data-search") || selects[j].options.length >= MANY) { searchable(selects[j]); }
    }
  });
})();
