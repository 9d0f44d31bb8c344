// Charts and text helpers shared by the ward and patient pages. Every value from the server is put into the page
// as text (textContent), never as markup: a patient id holding <script> stays the characters it is.
'use strict';

const Ecg = (() => {
  const BLUE = '#1d4ed8';
  const RED = '#b91c1c';
  const GREY = '#4b5563';

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function patientLabel(id) {
    return id === '' ? '(no patient id)' : id;
  }

  function fmt(x, digits) {
    if (x === undefined || x === null) return '–';
    return Number(x).toPrecision(digits || 4);
  }

  function time(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleTimeString();
  }

  function axes(xLabel, yLabel) {
    return [
      { label: xLabel, stroke: GREY, size: 30 },
      { label: yLabel, stroke: GREY, size: 44 }
    ];
  }

  // A beat and its reconstruction over sample index, the area between them shaded both ways: where the
  // reconstruction misses (the trainer's reconstruction plot, drawn the same way).
  function beat(container, picture, width, height, old) {
    if (old) old.destroy();
    container.textContent = '';
    if (!picture) return null;
    const x = picture.scaled.map((_, i) => i);
    return new uPlot({
      width: width, height: height,
      legend: { show: height > 150 },
      cursor: { show: height > 150 },
      scales: { x: { time: false } },
      axes: height > 150 ? axes('sample', 'scaled value') : [{ show: false }, { show: false }],
      series: [
        {},
        { label: 'beat', stroke: BLUE, width: 1.5 },
        { label: 'reconstruction', stroke: RED, width: 1.5 }
      ],
      bands: [
        { series: [1, 2], fill: 'rgba(185, 28, 28, 0.22)' },
        { series: [2, 1], fill: 'rgba(185, 28, 28, 0.22)' }
      ]
    }, [x, picture.scaled, picture.reconstruction], container);
  }

  // Raw samples of beats one after another; anomalous beats drawn in red.
  function strip(container, beats, width, height, old) {
    if (old) old.destroy();
    container.textContent = '';
    if (!beats.length) return null;
    const x = [], normal = [], anomalous = [];
    beats.forEach((b, i) => {
      if (!b.samples) return;
      const n = b.samples.length;
      b.samples.forEach((v, j) => {
        x.push(i + j / n);
        normal.push(b.anomaly ? null : v);
        anomalous.push(b.anomaly ? v : null);
      });
    });
    if (!x.length) return null;
    return new uPlot({
      width: width, height: height,
      scales: { x: { time: false } },
      axes: axes('beat', 'sample'),
      series: [
        {},
        { label: 'normal beats', stroke: BLUE, width: 1, spanGaps: false },
        { label: 'anomalous beats', stroke: RED, width: 1.5, spanGaps: false }
      ]
    }, [x, normal, anomalous], container);
  }

  // Score of every beat over event time, with the threshold it was held against.
  function scores(container, points, width, height, old) {
    if (old) old.destroy();
    container.textContent = '';
    if (!points.length) return null;
    return new uPlot({
      width: width, height: height,
      axes: [{ stroke: GREY }, { label: 'score', stroke: GREY, size: 60 }],
      series: [
        {},
        { label: 'score', stroke: BLUE, width: 1, points: { show: false } },
        { label: 'threshold', stroke: RED, width: 1.5, dash: [6, 4], points: { show: false } }
      ]
    }, [points.map(p => p.eventTime / 1000), points.map(p => p.score), points.map(p => p.threshold)], container);
  }

  function statusSummary(target, status) {
    if (!status) return;
    const skipped = (status.topics || []).reduce((n, t) => n + (t.skipped || 0), 0);
    let text = `${status.clients || 0} browser(s) connected; ${skipped} unreadable record(s) skipped;`
      + ` ${status.dropped || 0} update(s) dropped for browsers that fell behind.`;
    if (status.feedError) text += ' Reading Kafka failed: ' + status.feedError;
    target.textContent = text;
  }

  function notice(target, message) {
    target.textContent = message;
    target.hidden = false;
  }

  return { el, patientLabel, fmt, time, beat, strip, scores, statusSummary, notice };
})();
