/* Draws the statistics charts from the JSON block the page carries (#stats-data). The tables
   next to each chart hold the same numbers, so the page reads fine without this script. */
(function () {
  "use strict";
  var COLOURS = ["#0b3d6e", "#b00020", "#2e7d32", "#8a5200", "#6a1b9a", "#00838f", "#5d4037",
                 "#757575"];
  var WRAP_AT = 18;
  var ROW_HEIGHT = 40;  // px per bar of the stages chart: room for a two-line name

  function dataset(series, index, stacked) {
    var colour = COLOURS[index % COLOURS.length];
    return { label: series.label, data: series.values, backgroundColor: colour,
             borderColor: colour, stack: stacked ? "all" : undefined };
  }

  // A long stage name would be cut off at a phone's width: wrap it onto short lines.
  function wrapped(label) {
    var lines = [];
    String(label).split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= WRAP_AT) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    return lines;
  }

  function draw(table) {
    var holder = document.querySelector('[data-chart="' + table.id + '"] canvas');
    if (!holder) { return; }
    var bar = table.kind === "bar";
    if (!bar) {
      holder.parentNode.style.height = Math.max(300, table.columns.length * ROW_HEIGHT) + "px";
    }
    new window.Chart(holder, {
      type: "bar",
      data: { labels: bar ? table.columns : table.columns.map(wrapped),
              datasets: table.series.map(function (s, i) { return dataset(s, i, bar); }) },
      options: {
        maintainAspectRatio: false,
        indexAxis: bar ? "x" : "y",
        animation: false,
        plugins: { legend: { display: bar, position: "bottom" } },
        scales: { x: { stacked: bar, ticks: { precision: 0 } },
                  y: { stacked: bar, ticks: { precision: 0, autoSkip: bar } } }
      }
    });
  }

  function start() {
    var block = document.getElementById("stats-data");
    if (!block || !window.Chart) { return; }
    JSON.parse(block.textContent).forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
