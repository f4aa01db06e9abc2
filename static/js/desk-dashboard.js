// The staff dashboard's charts (Chart.js from npm, served locally). The figures come from a json_script element;
// each chart has a data table under it for screen readers and for anyone who wants the numbers.
// Loaded as a file: the Content-Security-Policy forbids inline scripts.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("desk-chart-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  const charts = JSON.parse(source.textContent);
  const palette = ["#1f6feb", "#d97706", "#15803d", "#9333ea", "#dc2626"];
  const horizontal = new Set(["by-research-area", "demand-supply", "coverage"]);

  Object.entries(charts).forEach(([key, chart]) => {
    const canvas = document.getElementById(`chart-${key}`);
    if (!canvas) {
      return;
    }
    const sideways = horizontal.has(key);
    const valueAxis = {
      beginAtZero: true,
      ticks: { precision: 0 },
      ...(chart.percent ? { max: 100, ticks: { callback: (value) => `${value}%` } } : {}),
    };
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: chart.series.map((series, index) => ({
          label: series.label,
          data: series.data,
          backgroundColor: palette[index % palette.length],
        })),
      },
      options: {
        indexAxis: sideways ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: chart.series.length > 1, position: "bottom" } },
        // Every category is labelled (no skipping): the charts are read at a glance, label by label.
        scales: sideways
          ? { x: valueAxis, y: { ticks: { autoSkip: false } } }
          : { y: valueAxis, x: { ticks: { autoSkip: false } } },
      },
    });
  });
});
