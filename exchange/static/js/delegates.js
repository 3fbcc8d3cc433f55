// Delegate rows without a round trip. The form works without this script: the
// same buttons then submit and the server adds or removes the row.
(function () {
  "use strict";
  var group = document.querySelector("[data-delegates]");
  if (!group) return;
  var max = parseInt(group.getAttribute("data-max"), 10) || 1;
  var legend = group.getAttribute("data-legend") || "__N__";
  var addButton = group.querySelector("[data-add-delegate]");

  function rows() { return group.querySelectorAll("[data-delegate-row]"); }

  function renumber() {
    var all = rows();
    for (var i = 0; i < all.length; i++) {
      var row = all[i];
      row.querySelector("legend").textContent = legend.replace("__N__", String(i + 1));
      row.querySelector("[data-remove-delegate]").value = String(i);
      var named = row.querySelectorAll("[name], [id], [for], [aria-describedby]");
      for (var j = 0; j < named.length; j++) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
          var value = named[j].getAttribute(attribute);
          if (value) named[j].setAttribute(attribute, value.replace(/delegates-\d+-/g, "delegates-" + i + "-"));
        });
      }
    }
    if (addButton) addButton.hidden = all.length >= max;
  }

  function clear(row) {
    row.querySelectorAll("input, select, textarea").forEach(function (control) {
      if (control.tagName === "SELECT") control.selectedIndex = 0;
      else if (control.type === "checkbox" || control.type === "radio") control.checked = false;  // a box keeps its value
      else control.value = "";
      control.removeAttribute("aria-invalid");
    });
    // What the copied row said of its own saved or attached files is not true of a new person.
    row.querySelectorAll("[data-kept-note]").forEach(function (note) { note.remove(); });
    row.querySelectorAll(".error").forEach(function (message) { message.remove(); });
    row.querySelectorAll(".field--error").forEach(function (field) { field.classList.remove("field--error"); });
  }

  group.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-remove-delegate]");
    if (remove) {
      event.preventDefault();
      var row = remove.closest("[data-delegate-row]");
      if (rows().length > 1) row.remove(); else clear(row);
      renumber();
      return;
    }
    if (event.target.closest("[data-add-delegate]")) {
      event.preventDefault();
      var all = rows();
      if (all.length >= max) return;
      var copy = all[all.length - 1].cloneNode(true);
      clear(copy);
      all[all.length - 1].after(copy);
      renumber();
      copy.querySelector("input").focus();
    }
  });
  renumber();
})();
