/* The managers' dashboard: draws each chart from the JSON block beside its canvas (no inline
   script: the site's CSP allows only our own files). Hebrew and Arabic pages get mirrored
   charts: the x axis runs right to left, the value axis sits on the right, legends and
   tooltips are laid out right to left. A click on a bar opens the cases behind it (the same
   link as the table row under the chart). */
(function () {
  "use strict";

  var COLOURS = {
    bar: ["#4c78a8", "#f58518"], // others, vulnerable
    line: "#222222",
  };

  function rowLink(name, index) {
    var table = document.getElementById("table-" + name);
    if (!table) return null;
    var row = table.tBodies[0] && table.tBodies[0].rows[index];
    var link = row && row.querySelector("td a");
    return link ? link.getAttribute("href") : null;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") return;
    var spec = JSON.parse(source.textContent);
    var name = canvas.dataset.chart.replace(/^chart-/, "");
    var rtl = !!spec.rtl;
    var hasPercent = spec.datasets.some(function (d) { return d.axis === "percent"; });
    var bars = 0;
    var datasets = spec.datasets.map(function (d) {
      var line = d.kind === "line";
      var colour = line ? COLOURS.line : COLOURS.bar[bars++ % COLOURS.bar.length];
      return {
        type: line ? "line" : "bar",
        label: d.label,
        data: d.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: line ? 2 : 0,
        pointRadius: line ? 3 : 0,
        yAxisID: d.axis === "percent" ? "percent" : "y",
        stack: line ? undefined : "cases",
        order: line ? 0 : 1,
      };
    });
    var scales = {
      x: { reverse: rtl, stacked: true, ticks: { autoSkip: true, maxRotation: 45 } },
      y: { position: rtl ? "right" : "left", stacked: true, beginAtZero: true, ticks: { precision: 0 } },
    };
    if (hasPercent) {
      scales.percent = {
        position: rtl ? "left" : "right",
        min: 0,
        max: 100,
        grid: { drawOnChartArea: false },
        title: { display: true, text: spec.percentLabel || "%" },
      };
    }
    var chart = new Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        locale: document.documentElement.lang || "en",
        scales: scales,
        plugins: {
          legend: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr", position: "bottom" },
          tooltip: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr" },
        },
        onClick: function (event, elements) {
          if (!elements.length) return;
          var href = rowLink(name, elements[0].index);
          if (href) window.location.href = href;
        },
      },
    });
    canvas.dataset.drawn = "1";
    return chart;
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
