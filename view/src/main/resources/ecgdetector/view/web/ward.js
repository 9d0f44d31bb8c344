// The ward overview: one tile per patient, most urgent first, kept current by the server's event stream.
'use strict';

(() => {
  const list = document.getElementById('tiles');
  const empty = document.getElementById('empty');
  const connection = document.getElementById('connection');
  const noticeBox = document.getElementById('notice');
  const tiles = new Map(); // patient id -> { li, data, chart }

  function tileElement(id) {
    const li = Ecg.el('li', 'tile');
    li.dataset.patient = id;
    const h = Ecg.el('h2');
    const a = Ecg.el('a', null, Ecg.patientLabel(id));
    a.href = '/patient?id=' + encodeURIComponent(id);
    h.appendChild(a);
    const badges = Ecg.el('p', 'badges');
    const level = Ecg.el('span', 'badge level');
    const silent = Ecg.el('span', 'badge level-feed-silent silent');
    badges.append(level, silent);
    const chart = Ecg.el('div', 'chart');
    chart.setAttribute('role', 'img');
    const note = Ecg.el('p', 'note');
    const detail = Ecg.el('p', 'detail');
    const facts = Ecg.el('dl');
    const fact = (label) => {
      const dd = Ecg.el('dd');
      facts.append(Ecg.el('dt', null, label), dd);
      return dd;
    };
    li.append(h, badges, detail, chart, note, facts);
    return {
      li, level, silent, detail, chart, note,
      score: fact('Score'), bpm: fact('Beats a minute'), model: fact('Model'), last: fact('Latest beat')
    };
  }

  function update(t) {
    let tile = tiles.get(t.patientId);
    if (!tile) {
      tile = { parts: tileElement(t.patientId), chart: null, drawn: null };
      tiles.set(t.patientId, tile);
    }
    const p = tile.parts;
    p.li.className = 'tile level-' + t.level;
    p.li.dataset.level = t.level;
    p.level.className = 'badge level level-' + t.level;
    p.level.textContent = t.levelLabel;
    p.silent.hidden = !t.feedSilent;
    p.silent.textContent = t.feedSilent ? `FEED_SILENT · ${t.silentSeconds} s` : '';
    p.detail.textContent = t.detail;
    p.score.textContent = t.score === undefined ? '–'
      : `${Ecg.fmt(t.score)} / threshold ${Ecg.fmt(t.threshold)}` + (t.ratio ? ` (×${Ecg.fmt(t.ratio, 3)})` : '');
    p.bpm.textContent = t.beatsPerMinute === undefined ? '–' : Math.round(t.beatsPerMinute);
    p.model.textContent = t.modelVersion || '–';
    p.last.textContent = Ecg.time(t.lastBeatAt);
    p.note.textContent = t.beatNote || '';
    p.chart.setAttribute('aria-label', t.beat
      ? `Latest beat of ${Ecg.patientLabel(t.patientId)} against its reconstruction`
      : 'No beat drawn: ' + (t.beatNote || 'none yet'));
    if (t.beat && tile.drawn !== t.beat.windowId) {
      tile.chart = Ecg.beat(p.chart, t.beat, 270, 90, tile.chart);
      tile.drawn = t.beat.windowId;
    }
    tile.data = t;
  }

  function arrange(order) {
    order.forEach(id => {
      const tile = tiles.get(id);
      if (tile) list.appendChild(tile.parts.li);
    });
    empty.hidden = tiles.size > 0;
  }

  function remove(id) {
    const tile = tiles.get(id);
    if (!tile) return;
    if (tile.chart) tile.chart.destroy();
    tile.parts.li.remove();
    tiles.delete(id);
  }

  function status(s) {
    Ecg.statusSummary(document.getElementById('status-summary'), s);
    const body = document.querySelector('#status-topics tbody');
    body.textContent = '';
    (s && s.topics || []).forEach(t => {
      const tr = Ecg.el('tr');
      tr.append(Ecg.el('td', null, t.role), Ecg.el('td', null, t.topic), Ecg.el('td', null, t.records),
        Ecg.el('td', null, t.skipped), Ecg.el('td', null, t.note || (t.read ? 'reading' : '')));
      body.appendChild(tr);
    });
  }

  function whole(ward) {
    [...tiles.keys()].forEach(remove);
    ward.tiles.forEach(update);
    arrange(ward.tiles.map(t => t.patientId));
    status(ward.status);
  }

  const events = new EventSource('/api/ward/events');
  events.onopen = () => { connection.textContent = 'Live'; };
  events.onerror = () => { connection.textContent = 'Connection lost, reconnecting…'; };
  events.addEventListener('ward', e => whole(JSON.parse(e.data)));
  events.addEventListener('ward-change', e => {
    const change = JSON.parse(e.data);
    (change.removed || []).forEach(remove);
    (change.tiles || []).forEach(update);
    arrange(change.order || []);
    status(change.status);
  });
  events.addEventListener('notice', e => Ecg.notice(noticeBox, JSON.parse(e.data).message));
})();
