// One patient's page: the last minute of beats, the score over time with its threshold, the alarm history and
// the model version, kept current by the server's event stream.
'use strict';

(() => {
  const id = new URLSearchParams(location.search).get('id') || '';
  const label = Ecg.patientLabel(id);
  document.getElementById('patient-id').textContent = label;
  document.title = 'Patient ' + label + ' · ecg-detector';
  const connection = document.getElementById('connection');
  const noticeBox = document.getElementById('notice');
  const WINDOW_MS = 60000;
  let beats = [];      // oldest first, by seq
  let points = [];     // score points, oldest first
  let history = [];    // oldest first
  const charts = { beat: null, strip: null, scores: null };
  let drawn = null;

  function width(elId) {
    return Math.max(320, document.getElementById(elId).clientWidth - 10);
  }

  function merge(list, fresh, key) {
    const seen = new Set(list.map(x => x[key]));
    fresh.forEach(x => { if (!seen.has(x[key])) list.push(x); });
    list.sort((a, b) => a[key] - b[key]);
    return list;
  }

  function tile(t) {
    const level = document.getElementById('level');
    level.className = 'badge level-' + t.level;
    level.textContent = t.levelLabel;
    const silent = document.getElementById('silent');
    silent.hidden = !t.feedSilent;
    silent.textContent = t.feedSilent ? `FEED_SILENT · ${t.silentSeconds} s` : '';
    document.getElementById('detail').textContent = t.detail;
    document.getElementById('score').textContent = t.score === undefined ? '–'
      : `${Ecg.fmt(t.score)} against threshold ${Ecg.fmt(t.threshold)}` + (t.ratio ? ` (×${Ecg.fmt(t.ratio, 3)})` : '');
    document.getElementById('bpm').textContent = t.beatsPerMinute === undefined ? '–' : Math.round(t.beatsPerMinute);
    document.getElementById('model').textContent = t.modelVersion || '–';
    document.getElementById('last-beat').textContent = Ecg.time(t.lastBeatAt);
    document.getElementById('beat-note').textContent = t.beatNote || '';
    const beatBox = document.getElementById('beat');
    if (t.beat && drawn !== t.beat.windowId) {
      charts.beat = Ecg.beat(beatBox, t.beat, width('beat'), 220, charts.beat);
      beatBox.setAttribute('aria-label', 'Latest beat against its reconstruction, window ' + t.beat.windowId);
      drawn = t.beat.windowId;
    }
  }

  function redraw() {
    const latest = beats.length ? beats[beats.length - 1].eventTime : 0;
    beats = beats.filter(b => b.eventTime >= latest - WINDOW_MS);
    charts.strip = Ecg.strip(document.getElementById('strip'), beats, width('strip'), 200, charts.strip);
    document.getElementById('strip').setAttribute('aria-label',
      `${beats.length} beats of the last minute, ${beats.filter(b => b.anomaly).length} anomalous`);
    charts.scores = Ecg.scores(document.getElementById('scores'), points, width('scores'), 200, charts.scores);
    document.getElementById('scores').setAttribute('aria-label', `Score of ${points.length} beats over time`);
    const body = document.querySelector('#history tbody');
    body.textContent = '';
    history.slice().reverse().forEach(h => {
      const tr = Ecg.el('tr');
      tr.className = 'level-row-' + h.level;
      tr.append(Ecg.el('td', null, Ecg.time(h.at)), Ecg.el('td', null, h.kind), Ecg.el('td', null, h.text));
      body.appendChild(tr);
    });
  }

  function apply(page) {
    if (!page) {
      document.getElementById('detail').textContent = 'No score of this patient has been read yet.';
      return;
    }
    if (page.full) {
      beats = []; points = []; history = [];
    }
    beats = merge(beats, page.beats || [], 'seq');
    points = merge(points, page.scores || [], 'seq');
    history = merge(history, page.history || [], 'seq').slice(-50);
    points = points.slice(-1200);
    tile(page.tile);
    redraw();
  }

  const events = new EventSource('/api/patient/events?id=' + encodeURIComponent(id));
  events.onopen = () => { connection.textContent = 'Live'; };
  events.onerror = () => { connection.textContent = 'Connection lost, reconnecting…'; };
  events.addEventListener('patient', e => apply(JSON.parse(e.data)));
  events.addEventListener('notice', e => Ecg.notice(noticeBox, JSON.parse(e.data).message));
})();
