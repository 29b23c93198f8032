// Dashboards: draw each chart from its JSON data block (no inline script, for the CSP) and
// the controls' data-autosubmit is core/ketnghia.js's, as on every page.
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
      // Read, not edited: no mode bar (it covered the labels on a phone), and the chart
      // follows its box's width.
      var config = Object.assign({}, spec.config, { displayModeBar: false, responsive: true });
      var layout = Object.assign({}, spec.layout, { autosize: true });
      delete layout.width;
      window.Plotly.newPlot(element, spec.data, layout, config).then(function () {
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

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
  });
})();
