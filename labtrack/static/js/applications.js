// The applications area: the item picker of an application's page. Typing in the item code asks the
// catalogue (GET data-lookup?q=) and offers the matches in a datalist; the match chosen is named
// under the field (its code alone is enough: the rest comes from the catalogue).
(function () {
  "use strict";
  var form = document.getElementById("item-form");
  if (!form) { return; }
  var input = document.getElementById("item_code");
  var list = document.getElementById("catalogue-items");
  var picked = document.getElementById("item-picked");
  if (!input || !list) { return; }
  input.setAttribute("list", "catalogue-items");
  input.setAttribute("autocomplete", "off");
  var found = {};
  var timer = null;
  function show() {
    var hit = found[input.value.trim()];
    picked.textContent = hit ? hit.item_name + " · " + hit.category_code + " " + hit.category_name : "";
  }
  function ask() {
    var q = input.value.trim();
    if (q.length < 2) { return; }
    fetch(form.getAttribute("data-lookup") + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {items: []}; })
      .then(function (data) {
        list.textContent = "";
        data.items.forEach(function (item) {
          found[item.item_code] = item;
          var option = document.createElement("option");
          option.value = item.item_code;
          option.textContent = item.item_code + " " + item.item_name;
          list.appendChild(option);
        });
        show();
      })
      .catch(function () { /* the code typed still works without suggestions */ });
  }
  input.addEventListener("input", function () {
    show();
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
})();
