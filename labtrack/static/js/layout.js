// Layout helpers every page gets (no inline handlers: the CSP forbids them).
// - A table not already inside a .table-responsive box is wrapped in one, so a wide table scrolls
//   inside its card instead of pushing the page (or its card) sideways.
// - <details> groups: a link to "#id" opens the group it points into; buttons with
//   data-details="open|close" and data-target="<selector>" open or close every group at once.
(function () {
  "use strict";
  function wrapTables(root) {
    var tables = root.querySelectorAll("main table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.closest(".table-responsive") || table.hasAttribute("data-no-wrap")) { continue; }
      var box = document.createElement("div");
      box.className = "table-responsive";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
  }
  function openTarget() {
    if (!location.hash || location.hash.length < 2) { return; }
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) { return; }
    var group = target.tagName === "DETAILS" ? target : target.closest("details");
    if (group && !group.open) {
      group.open = true;
      target.scrollIntoView();
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-details]") : null;
    if (!button) { return; }
    event.preventDefault();
    var open = button.getAttribute("data-details") === "open";
    var groups = document.querySelectorAll(button.getAttribute("data-target") || "details");
    for (var i = 0; i < groups.length; i++) { groups[i].open = open; }
  });
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", function () {
    wrapTables(document);
    openTarget();
  });
})();
// Printing shows every group, open or not.
window.addEventListener("beforeprint", function () {
  "use strict";
  var groups = document.querySelectorAll("details");
  for (var i = 0; i < groups.length; i++) { groups[i].open = true; }
});
