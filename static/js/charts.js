// Draws every <div data-chart="ID"> from the JSON in <script type="application/json" id="ID">:
// {"x": ["2026-05-01", ...] (days) or [unix seconds, ...], "series": [{"label", "values"}]}.
// The page always shows the same numbers as a table, so a chart is an enhancement only.
// uPlot is loaded the first time a page has a chart (its address and integrity hash are on
// <body>), so pages reached by hx-boost navigation draw theirs too.
"use strict";

(() => {
  const COLOURS = ["#1d4ed8", "#9ca3af", "#b45309", "#047857", "#7c3aed"];

  function toSeconds(value) {
    return typeof value === "number" ? value : Date.parse(value + "T12:00:00Z") / 1000;
  }

  function draw(element) {
    const source = document.getElementById(element.dataset.chart);
    if (!source || !window.uPlot || element.dataset.drawn) return;
    const data = JSON.parse(source.textContent);
    element.dataset.drawn = "1";
    const width = Math.max(280, element.clientWidth || element.parentElement.clientWidth);
    const options = {
      width,
      height: 240,
      scales: { x: { time: true } },
      axes: [{}, { label: data.y_label || "" }],
      legend: { live: false },
      series: [{}].concat(data.series.map((series, index) => ({
        label: series.label,
        stroke: COLOURS[index % COLOURS.length],
        width: 2,
        points: { show: data.x.length <= 45 },
      }))),
    };
    const columns = [data.x.map(toSeconds)].concat(data.series.map((series) => series.values));
    const chart = new window.uPlot(options, columns, element);
    new ResizeObserver(() => {
      const size = element.clientWidth;
      if (size && Math.abs(size - chart.width) > 8) chart.setSize({ width: size, height: 240 });
    }).observe(element);
  }

  let loading = null;
  function library() {
    if (window.uPlot) return Promise.resolve();
    if (loading) return loading;
    const body = document.body.dataset;
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = body.chartStyle;
    style.integrity = body.chartStyleIntegrity;
    document.head.appendChild(style);
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = body.chartScript;
      script.integrity = body.chartScriptIntegrity;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return loading;
  }

  function drawAll(root) {
    const charts = root.querySelectorAll("[data-chart]");
    if (charts.length) library().then(() => charts.forEach(draw));
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.detail.elt || document));
})();
