// Progressive enhancement of the subscription form: a search over the HS nomenclature that adds
// the chosen code to the plain HS codes field. Without this script the field still works.
// Labels come from data-* attributes of the field, written in the reader's language by the page.
(function () {
  "use strict";
  var field = document.querySelector("input[data-hs-search]");
  if (!field || !window.fetch) { return; }
  var endpoint = field.getAttribute("data-hs-search");
  var box = document.createElement("div");
  box.className = "hs-search";
  var label = document.createElement("label");
  label.setAttribute("for", "hs-search-query");
  label.textContent = field.getAttribute("data-hs-label");
  var query = document.createElement("input");
  query.type = "search";
  query.id = "hs-search-query";
  query.autocomplete = "off";
  query.placeholder = field.getAttribute("data-hs-placeholder");
  var results = document.createElement("ul");
  results.setAttribute("aria-live", "polite");
  box.appendChild(label);
  box.appendChild(query);
  box.appendChild(results);
  field.parentNode.insertBefore(box, field.nextSibling);

  function dotted(code) {
    // 030617 -> 0306.17, 03061711 -> 0306.17.11
    return code.length <= 4 ? code : code.slice(0, 4) + "." + code.slice(4).match(/.{1,2}/g).join(".");
  }

  function addCode(code) {
    var codes = field.value.split(/[,;\n]+/).map(function (c) { return c.trim(); })
      .filter(function (c) { return c; });
    var digits = codes.map(function (c) { return c.replace(/\D/g, ""); });
    if (digits.indexOf(code) === -1) { codes.push(dotted(code)); }
    field.value = codes.join(", ");
  }

  function show(entries) {
    results.textContent = "";
    if (!entries.length) {
      var none = document.createElement("li");
      none.textContent = field.getAttribute("data-hs-none");
      results.appendChild(none);
      return;
    }
    entries.forEach(function (entry) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = field.getAttribute("data-hs-add");
      button.addEventListener("click", function () { addCode(entry.code); });
      var code = document.createElement("code");
      code.textContent = dotted(entry.code);
      var text = document.createElement("span");
      text.textContent = entry.description;
      item.appendChild(button);
      item.appendChild(code);
      item.appendChild(text);
      results.appendChild(item);
    });
  }

  var timer = null;
  var latest = 0;
  query.addEventListener("input", function () {
    clearTimeout(timer);
    var text = query.value.trim();
    if (text.length < 2) { results.textContent = ""; return; }
    timer = setTimeout(function () {
      var asked = ++latest;
      fetch(endpoint + "?q=" + encodeURIComponent(text), { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (entries) { if (asked === latest) { show(entries); } })
        .catch(function () { results.textContent = ""; });
    }, 250);
  });
  // Enter in the search box must not submit the whole form.
  query.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); }
  });
})();
