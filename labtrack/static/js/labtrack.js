// Behaviour the templates ask for with data attributes (no inline handlers: the CSP forbids them).
// <form data-confirm="Question?"> or <button data-confirm="Question?">: ask before submitting.
// <button data-print>: print the page.
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
})();
