/* Stampede report charts (uPlot). Shared by the run report and the comparison page. */
(function () {
  'use strict';
  var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
  var FAULT_COLORS = ['rgba(214,39,40,0.13)', 'rgba(255,127,14,0.15)', 'rgba(148,103,189,0.15)', 'rgba(23,190,207,0.15)'];
  var FAULT_TEXT = ['#a01c1c', '#a35200', '#5c3d8a', '#0e6f7a'];
  var rendered = 0;

  function recordError(msg) {
    window.__errors.push(msg);
    var e = document.getElementById('js-errors');
    if (e) { e.textContent = window.__errors.join('\n'); e.hidden = false; }
  }

  function width(el) { return Math.max(400, Math.floor(el.clientWidth || el.parentNode.clientWidth || 1300)); }

  function utc(ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); }

  function noData(el, title) {
    var p = document.createElement('p');
    p.className = 'nodata';
    p.textContent = title + ': no data in this run.';
    el.appendChild(p);
  }

  /* Shades each fault window [from_ms, to_ms] and writes its experiment id at the top. */
  function faultsPlugin(faults) {
    function x(u, ms) { return u.valToPos(ms / 1000, 'x', true); }
    return {
      hooks: {
        drawClear: [function (u) {
          var ctx = u.ctx;
          ctx.save();
          ctx.beginPath();
          ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
          ctx.clip();
          faults.forEach(function (f, i) {
            var x0 = x(u, f.from_ms), x1 = x(u, f.to_ms);
            ctx.fillStyle = FAULT_COLORS[i % FAULT_COLORS.length];
            ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
          });
          ctx.restore();
        }],
        draw: [function (u) {
          var ctx = u.ctx, dpr = window.devicePixelRatio || 1;
          ctx.save();
          ctx.font = (11 * dpr) + 'px system-ui, sans-serif';
          ctx.textBaseline = 'top';
          faults.forEach(function (f, i) {
            var x0 = x(u, f.from_ms);
            if (x0 < u.bbox.left - 1 || x0 > u.bbox.left + u.bbox.width) { return; }
            ctx.fillStyle = FAULT_TEXT[i % FAULT_TEXT.length];
            var label = f.experiment_id + (f.fault ? ' (' + f.fault + ')' : '') + (f.open ? ' …' : '');
            ctx.fillText(label, x0 + 3 * dpr, u.bbox.top + (3 + 13 * (i % 4)) * dpr);
          });
          ctx.restore();
        }]
      }
    };
  }

  function fmtNum(v) {
    if (v == null) { return '-'; }
    var a = Math.abs(v);
    return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
  }

  /* A time chart: x in epoch s (UTC), lines [{label, values}], fault windows shaded. */
  function timeChart(el, title, x, lines, faults, yLabel) {
    if (!x || x.length === 0 || lines.length === 0) { noData(el, title); return null; }
    var series = [{ label: 'time (UTC)' }];
    lines.forEach(function (l, i) {
      series.push({ label: l.label, stroke: l.color || COLORS[i % COLORS.length], width: 1.5, spanGaps: false,
        points: { show: x.length < 60 }, value: function (u, v) { return fmtNum(v); } });
    });
    var opts = {
      title: title, width: width(el), height: 280, tzDate: utc,
      scales: { x: { time: true } },
      axes: [{}, { label: yLabel, size: 60, values: function (u, vals) { return vals.map(fmtNum); } }],
      series: series,
      plugins: faults && faults.length ? [faultsPlugin(faults)] : []
    };
    var data = [x].concat(lines.map(function (l) { return l.values; }));
    var u = new uPlot(opts, data, el);
    rendered++;
    return u;
  }

  var PCT_TICKS = [1, 2, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
  var PCT_LABELS = { 1: '0%', 2: '50%', 10: '90%', 100: '99%', 1e3: '99.9%', 1e4: '99.99%', 1e5: '99.999%',
    1e6: '99.9999%', 1e7: '99.99999%', 1e8: '99.999999%', 1e9: '99.9999999%' };
  function pctLabel(x) {
    if (x == null || !(x >= 1)) { return ''; }
    var exact = PCT_LABELS[x];
    return exact !== undefined ? exact : (100 * (1 - 1 / x)).toPrecision(4) + '%';
  }

  /* Percentile spectra: tables [{label, points: [[x, us]...]}] overlaid, x = 1/(1-p) on a log axis, y in ms. */
  function spectrumChart(el, title, tables) {
    tables = tables.filter(function (t) { return t.points && t.points.length > 0; });
    if (tables.length === 0) { noData(el, title); return null; }
    var joined = uPlot.join(tables.map(function (t) {
      return [t.points.map(function (p) { return p[0]; }), t.points.map(function (p) { return p[1] / 1000; })];
    }));
    var series = [{ label: 'percentile', value: function (u, v) { return v == null ? '-' : (100 * (1 - 1 / v)).toPrecision(6) + '%'; } }];
    tables.forEach(function (t, i) {
      series.push({ label: t.label, stroke: t.color || COLORS[i % COLORS.length], width: 1.75, spanGaps: true, dash: t.dash,
        value: function (u, v) { return v == null ? '-' : fmtNum(v) + ' ms'; } });
    });
    var opts = {
      title: title, width: width(el), height: 340,
      scales: { x: { time: false, distr: 3, log: 10 } },
      axes: [
        { label: 'percentile', splits: function (u, ai, min, max) { return PCT_TICKS.filter(function (v) { return v >= min * 0.999 && v <= max * 1.001; }); },
          values: function (u, splits) { return splits.map(pctLabel); } },
        { label: 'latency (ms)', size: 60, values: function (u, vals) { return vals.map(fmtNum); } }
      ],
      series: series
    };
    var u = new uPlot(opts, joined, el);
    rendered++;
    return u;
  }

  function safely(fn) {
    try { fn(); } catch (e) { recordError('chart: ' + (e && e.stack ? e.stack : e)); }
  }

  function done() {
    document.body.setAttribute('data-charts', String(rendered));
    document.body.setAttribute('data-errors', String(window.__errors.length));
  }

  function data() { return JSON.parse(document.getElementById('report-data').textContent); }

  window.StampedeCharts = { timeChart: timeChart, spectrumChart: spectrumChart, safely: safely, done: done, data: data, colors: COLORS };
})();
