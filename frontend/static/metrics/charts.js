// Draw every <canvas data-chart="id"> with the Chart.js configuration the server put in the
// <script type="application/json" id="id"> beside it. The server decides what is drawn; this
// file only hands it to Chart.js (and adds the tooltips that format durations).

function formatDuration(seconds) {
  const units = [['d', 86400], ['h', 3600], ['min', 60]];
  for (const [unit, size] of units) {
    if (seconds >= size) {
      const value = seconds / size;
      return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
    }
  }
  return `${Math.round(seconds)} s`;
}

function prepare(config) {
  // Axes and tooltips marked as durations show "2.5 h" rather than 9000.
  for (const axis of Object.values(config.options?.scales || {})) {
    if (axis.durations) axis.ticks = { ...axis.ticks, callback: (value) => formatDuration(value) };
  }
  if (config.options?.durations) {
    config.options.plugins = config.options.plugins || {};
    config.options.plugins.tooltip = {
      callbacks: { label: (item) => `${item.dataset.label}: ${formatDuration(item.parsed.y)}` },
    };
  }
  return config;
}

for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
  const config = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
  // eslint-disable-next-line no-new
  new Chart(canvas, prepare(config));
  canvas.dataset.drawn = 'true';
}
