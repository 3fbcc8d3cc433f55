// Keeps the door page's arrival count current while several people check guests in.
(function () {
  "use strict";
  var counts = document.querySelector("[data-counts-url]");
  if (!counts || !window.fetch) return;
  function refresh() {
    fetch(counts.getAttribute("data-counts-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        counts.querySelector("[data-arrived]").textContent = data.arrived;
        counts.querySelector("[data-expected]").textContent = data.expected;
      })
      .catch(function () {});
  }
  setInterval(refresh, 10000);
})();
