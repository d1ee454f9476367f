// Behaviour the templates ask for with data attributes (no inline handlers: the CSP forbids them).
// <form data-confirm="Question?"> or <button data-confirm="Question?">: ask before submitting.
// <button data-print>: print the page.
// data-pct="42": the element's width in percent (a progress bar; style attributes are refused).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    var button = event.submitter;
    var buttonQuestion = button && button.getAttribute && button.getAttribute("data-confirm");
    if ((question && !window.confirm(question)) || (buttonQuestion && !window.confirm(buttonQuestion))) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
  function widths(root) {
    var bars = root.querySelectorAll("[data-pct]");
    for (var i = 0; i < bars.length; i++) {
      var pct = parseFloat(bars[i].getAttribute("data-pct"));
      if (!isNaN(pct)) bars[i].style.width = Math.max(0, Math.min(100, pct)) + "%";
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { widths(document); });
  } else {
    widths(document);
  }
})();
