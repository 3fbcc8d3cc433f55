// Shows a question only when the earlier answer it depends on matches (data-show-if names that
// question's field, data-show-equals the value). In a delegate row the earlier question is the
// row's own. Without this script every question shows; the server ignores one whose condition fails.
(function () {
  "use strict";

  function controlsFor(question) {
    var name = question.getAttribute("data-show-if");
    var row = question.closest("[data-delegate-row]");
    if (row) return row.querySelectorAll('[name$="-' + name + '"]');
    return question.closest("form").querySelectorAll('[name="' + name + '"]');
  }

  function chosen(controls) {
    var values = [];
    for (var i = 0; i < controls.length; i++) {
      var control = controls[i];
      if (control.type === "checkbox" || control.type === "radio") {
        if (control.checked) values.push(control.value);
      } else if (control.tagName === "SELECT" && control.multiple) {
        for (var j = 0; j < control.options.length; j++) if (control.options[j].selected) values.push(control.options[j].value);
      } else {
        values.push(control.value);
      }
    }
    return values;
  }

  function update(form) {
    var questions = form.querySelectorAll("[data-show-if]");
    for (var i = 0; i < questions.length; i++) {
      var question = questions[i];
      var controls = controlsFor(question);
      // An earlier question of another person (not in this form or row) is not checked here, nor by the server.
      var shown = !controls.length || chosen(controls).indexOf(question.getAttribute("data-show-equals")) !== -1;
      // A question hidden by its own condition hides what depends on it too, as the server reads it.
      var source = controls.length && controls[0].closest("[data-show-if]");
      question.hidden = !shown || Boolean(source && source.hidden);
    }
  }

  var forms = document.querySelectorAll("form");
  for (var i = 0; i < forms.length; i++) {
    var form = forms[i];
    if (!form.querySelector("[data-show-if]")) continue;
    form.addEventListener("change", update.bind(null, form));
    // Rows added by delegates.js arrive as clones: check again when the form changes shape.
    new MutationObserver(update.bind(null, form)).observe(form, { childList: true, subtree: true });
    update(form);
  }
})();
