/* Draws the run report's charts from #report-data. */
(function () {
  'use strict';
  var C = window.StampedeCharts;
  var d = C.data();
  var ms = function (a) { return a.map(function (v) { return v == null ? null : v / 1000; }); };

  C.safely(function () {
    var spectrum = document.getElementById('chart-spectrum');
    if (!spectrum) { return; } // a run without .hlog series: the page says so instead
    C.spectrumChart(spectrum, 'Latency percentile spectrum (whole run)',
      d.spectra.map(function (s) { return { label: s.name + ' (' + s.count + ')', points: s.points }; }));
  });

  var holder = document.getElementById('charts-latency');
  (d.latency || []).forEach(function (s) {
    C.safely(function () {
      var el = document.createElement('div');
      el.className = 'chart';
      el.id = 'chart-latency-' + s.name;
      holder.appendChild(el);
      var title = s.name + ': latency per ' + (s.merged_per_point > 1 ? s.merged_per_point + ' intervals (merged)' : 'interval');
      C.timeChart(el, title, s.t, [
        { label: 'p50', values: ms(s.p50), color: '#2ca02c' },
        { label: 'p99', values: ms(s.p99), color: '#ff7f0e' },
        { label: 'max', values: ms(s.max), color: '#d62728' }
      ], d.faults, 'ms');
    });
  });

  function counterChart(id, title, chart, unit) {
    C.safely(function () {
      var el = document.getElementById(id);
      if (!el) { return; }
      var t = title + (chart.bucket_s > 1 ? ' (per ' + chart.bucket_s + ' s bucket)' : '');
      C.timeChart(el, t, chart.x, chart.series, d.faults, unit);
    });
  }
  counterChart('chart-throughput', 'Throughput (messages /s)', d.charts.throughput, 'per s');
  counterChart('chart-http', 'HTTP responses (/s)', d.charts.http, 'per s');
  counterChart('chart-sut', 'SUT counters (/s)', d.charts.sut, 'per s');
  counterChart('chart-lag', 'Consumer lag and overdue (gauges)', d.charts.lag, 'count');
  C.done();
})();
