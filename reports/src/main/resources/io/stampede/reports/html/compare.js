/* Draws a comparison's overlaid percentile spectra from #report-data. */
(function () {
  'use strict';
  var C = window.StampedeCharts;
  var d = C.data();
  var holder = document.getElementById('charts-spectra');
  (d.spectra || []).forEach(function (s, i) {
    C.safely(function () {
      var el = document.createElement('div');
      el.className = 'chart';
      el.id = 'chart-spectrum-' + s.name;
      holder.appendChild(el);
      C.spectrumChart(el, s.name + ': percentile spectrum', [
        { label: 'base ' + d.base + ' (' + s.base.count + ')', points: s.base.points, color: '#1f77b4' },
        { label: 'candidate ' + d.candidate + ' (' + s.candidate.count + ')', points: s.candidate.points, color: '#d62728', dash: [6, 4] }
      ]);
    });
  });
  C.done();
})();
