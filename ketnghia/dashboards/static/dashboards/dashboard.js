// Dashboards: draw each chart from its JSON data block (no inline script, for the CSP) and
// submit the year / program / in-progress controls when they change.
(function () {
  "use strict";

  function drawCharts() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.dataset.chart);
      if (!source) {
        return;
      }
      var spec = JSON.parse(source.textContent);
      window.Plotly.newPlot(element, spec.data, spec.layout, spec.config).then(function () {
        element.dataset.rendered = "1";
      });
      // A bar or point that carries a link in its customdata opens it.
      element.on("plotly_click", function (event) {
        var point = event && event.points && event.points[0];
        if (point && typeof point.customdata === "string" && point.customdata.charAt(0) === "/") {
          window.location.assign(point.customdata);
        }
      });
    });
  }

  function autosubmit() {
    document.querySelectorAll("[data-autosubmit]").forEach(function (control) {
      control.addEventListener("change", function () {
        control.form.requestSubmit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    autosubmit();
    drawCharts();
  });
})();
