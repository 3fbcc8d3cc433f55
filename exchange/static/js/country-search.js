// A search box for a long country select. Without this script the select works as it is;
// with it, typing ranks the options as the server does (services/countries.py): a whole
// name or alias first, then names starting with the text, words starting with it, and the
// text anywhere. Each option carries its other names, already folded, in data-terms.
(function () {
  "use strict";
  var MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\ufe20-\ufe2f]/g;
  var LETTERS = { "đ": "d", "ð": "d", "ł": "l", "ø": "o", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe" };

  function fold(text) {
    text = text.replace(/[\u200b\u200c\u200d\u2060\ufeff]/g, "").replace(/\u0ebc/g, "\u0ea5");
    text = text.normalize("NFKC").toLowerCase().replace(/[đðłøħıæœ]/g, function (c) { return LETTERS[c]; });
    text = text.normalize("NFD").replace(MARKS, "").normalize("NFC");
    return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").split(/\s+/).filter(Boolean).join(" ");
  }

  function match(query, term) {
    if (term === query) return 0;
    if (term.indexOf(query) === 0) return 1;
    var words = term.replace(/-/g, " ").split(" ");
    for (var i = 0; i < words.length; i++) if (words[i].indexOf(query) === 0) return 2;
    return term.indexOf(query) >= 0 ? 3 : -1;
  }

  function enhance(select) {
    var options = Array.prototype.slice.call(select.options).filter(function (option) { return option.value; });
    var blank = select.querySelector('option[value=""]');
    options.forEach(function (option, position) {
      option.searchTerms = [fold(option.text)].concat((option.getAttribute("data-terms") || "").split("|").filter(Boolean));
      option.position = position;
    });
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-search";
    input.className = "country-search";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", select.id);
    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.className = "visually-hidden";
    label.textContent = select.getAttribute("data-country-search");
    input.placeholder = label.textContent;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    select.before(label, input);
    select.after(status);

    input.addEventListener("input", function () {
      var query = fold(input.value);
      var ranked = options.map(function (option) {
        var best = -1;
        if (query) option.searchTerms.forEach(function (term) {
          var found = match(query, term);
          if (found >= 0 && (best < 0 || found < best)) best = found;
        });
        return { option: option, rank: query ? (best < 0 ? 9 : best) : 0 };
      });
      ranked.sort(function (a, b) { return a.rank - b.rank || a.option.position - b.option.position; });
      var fragment = document.createDocumentFragment();
      if (blank) fragment.appendChild(blank);
      ranked.forEach(function (item) { fragment.appendChild(item.option); });
      select.appendChild(fragment);
      if (query && ranked.length && ranked[0].rank < 9) {
        select.value = ranked[0].option.value;
        status.textContent = ranked[0].option.text;
      } else {
        status.textContent = "";
      }
    });
  }

  document.querySelectorAll("select[data-country-search]").forEach(enhance);
})();
