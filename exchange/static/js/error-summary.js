// A form came back with mistakes: move the focus to its summary, whose links lead to each field.
// (Without this script the summary's autofocus attribute does the same in most browsers.)
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      // Focus the control itself, so the person can type at once; scroll its label into view too.
      event.preventDefault();
      var label = document.querySelector("label[for='" + target.id + "']");
      (label || target).scrollIntoView({ block: "center" });
      target.focus({ preventScroll: true });
    }
  });
})();
