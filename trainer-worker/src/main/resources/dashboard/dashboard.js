// SpeechAlign dashboard: plain JS, inline SVG charts, no library, no network but this service.
// Reads GET /dashboard/api/summary; promote/rollback call the admin API with the typed key.
'use strict';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);

function el(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function shortVersion(v) {
  if (v === null || v === undefined) return '—';
  const s = String(v);
  return s.length > 16 ? '…' + s.slice(-15) : s;
}

function fmt(x, digits) {
  if (x === null || x === undefined || x === '') return '—';
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : x.toFixed(digits === undefined ? 3 : digits);
  return String(x);
}

function niceRange(lo, hi) {
  if (!isFinite(lo) || !isFinite(hi)) return [0, 1];
  if (lo === hi) { const d = Math.abs(lo) * 0.1 || 1; return [lo - d, hi + d]; }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/**
 * Line chart: series = [{name, points: [[x, y], ...]}]; x numbers (time in ms or steps).
 * opts: {xTime, yMin, yMax, yLabel, xLabel, refLine}
 */
function lineChart(container, name, series, opts) {
  opts = opts || {};
  const W = 560, H = 240, L = 48, R = 130, T = 12, B = 34;
  const svg = el('svg', {viewBox: `0 0 ${W} ${H}`, 'data-chart': name, role: 'img'});
  const pts = series.flatMap((s) => s.points);
  container.replaceChildren(svg);
  if (pts.length === 0) {
    svg.appendChild(el('text', {x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty'}, 'no data yet'));
    return;
  }
  let [x0, x1] = niceRange(Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0])));
  let [y0, y1] = niceRange(Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1])));
  if (opts.yMin !== undefined) y0 = opts.yMin;
  if (opts.yMax !== undefined) y1 = opts.yMax;
  const sx = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = (y) => H - B - (y - y0) / (y1 - y0) * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const y = y0 + (y1 - y0) * i / 4;
    svg.appendChild(el('line', {x1: L, x2: W - R, y1: sy(y), y2: sy(y), class: 'grid'}));
    svg.appendChild(el('text', {x: L - 4, y: sy(y) + 4, 'text-anchor': 'end'}, fmt(y, 2)));
  }
  for (let i = 0; i <= 4; i++) {
    const x = x0 + (x1 - x0) * i / 4;
    const label = opts.xTime ? new Date(x).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'}) : fmt(Math.round(x));
    svg.appendChild(el('text', {x: sx(x), y: H - B + 14, 'text-anchor': 'middle'}, label));
  }
  svg.appendChild(el('line', {x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis'}));
  svg.appendChild(el('line', {x1: L, x2: L, y1: T, y2: H - B, class: 'axis'}));
  if (opts.xLabel) svg.appendChild(el('text', {x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle'}, opts.xLabel));
  if (opts.yLabel) svg.appendChild(el('text', {x: 12, y: (T + H - B) / 2, transform: `rotate(-90 12 ${(T + H - B) / 2})`, 'text-anchor': 'middle'}, opts.yLabel));
  if (opts.refLine !== undefined && opts.refLine >= y0 && opts.refLine <= y1) {
    svg.appendChild(el('line', {x1: L, x2: W - R, y1: sy(opts.refLine), y2: sy(opts.refLine), stroke: '#999', 'stroke-dasharray': '4 3'}));
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const sorted = s.points.slice().sort((a, b) => a[0] - b[0]);
    const d = sorted.map((p, j) => `${j ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
    const path = el('path', {d, fill: 'none', stroke: color, 'stroke-width': 1.8, class: 'series', 'data-series': s.name});
    path.appendChild(el('title', {}, s.name));
    svg.appendChild(path);
    if (sorted.length <= 60) {
      for (const p of sorted) {
        const c = el('circle', {cx: sx(p[0]), cy: sy(p[1]), r: 2.5, fill: color, class: 'point'});
        c.appendChild(el('title', {}, `${s.name}: ${fmt(p[1])}`));
        svg.appendChild(c);
      }
    }
    svg.appendChild(el('rect', {x: W - R + 8, y: T + i * 16, width: 10, height: 10, fill: color}));
    svg.appendChild(el('text', {x: W - R + 22, y: T + i * 16 + 9}, shortVersion(s.name)));
  });
}

/** Grouped bar chart: groups = [{label, bars: [{name, value}]}]. */
function barChart(container, name, groups, opts) {
  opts = opts || {};
  const W = 560, H = 240, L = 48, R = 130, T = 12, B = 34;
  const svg = el('svg', {viewBox: `0 0 ${W} ${H}`, 'data-chart': name, role: 'img'});
  container.replaceChildren(svg);
  const values = groups.flatMap((g) => g.bars.map((b) => b.value));
  if (values.length === 0) {
    svg.appendChild(el('text', {x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty'}, 'no data yet'));
    return;
  }
  const y1 = opts.yMax !== undefined ? opts.yMax : Math.max(...values) * 1.1 || 1;
  const sy = (y) => H - B - y / y1 * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const y = y1 * i / 4;
    svg.appendChild(el('line', {x1: L, x2: W - R, y1: sy(y), y2: sy(y), class: 'grid'}));
    svg.appendChild(el('text', {x: L - 4, y: sy(y) + 4, 'text-anchor': 'end'}, fmt(y, 2)));
  }
  const names = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.name)))];
  const gw = (W - L - R) / groups.length;
  const bw = Math.max(3, Math.min(40, (gw - 10) / names.length));
  groups.forEach((g, gi) => {
    g.bars.forEach((b) => {
      const ni = names.indexOf(b.name);
      const x = L + gi * gw + 5 + ni * bw;
      const r = el('rect', {x, y: sy(b.value), width: bw - 1, height: Math.max(0, H - B - sy(b.value)), fill: COLORS[ni % COLORS.length], class: 'bar'});
      r.appendChild(el('title', {}, `${g.label} · ${b.name}: ${fmt(b.value)}`));
      svg.appendChild(r);
    });
    svg.appendChild(el('text', {x: L + gi * gw + gw / 2, y: H - B + 14, 'text-anchor': 'middle'}, shortVersion(g.label)));
  });
  if (opts.refLine !== undefined) {
    svg.appendChild(el('line', {x1: L, x2: W - R, y1: sy(opts.refLine), y2: sy(opts.refLine), stroke: '#999', 'stroke-dasharray': '4 3'}));
  }
  svg.appendChild(el('line', {x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis'}));
  names.forEach((n, i) => {
    svg.appendChild(el('rect', {x: W - R + 8, y: T + i * 16, width: 10, height: 10, fill: COLORS[i % COLORS.length]}));
    svg.appendChild(el('text', {x: W - R + 22, y: T + i * 16 + 9}, shortVersion(n)));
  });
}

/** Table from rows; columns = [[header, fn(row) -> string | Node, className?]]. */
function table(id, rows, columns, rowClass) {
  const t = $(id);
  t.replaceChildren();
  const head = t.createTHead().insertRow();
  for (const [h] of columns) { const th = document.createElement('th'); th.textContent = h; head.appendChild(th); }
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    if (rowClass) tr.className = rowClass(r) || '';
    for (const [, f, cls] of columns) {
      const td = tr.insertCell();
      if (cls) td.className = cls;
      const v = f(r);
      if (v instanceof Node) td.appendChild(v); else td.textContent = v;
    }
  }
  if (rows.length === 0) {
    const td = body.insertRow().insertCell();
    td.colSpan = columns.length;
    td.textContent = 'no rows yet';
  }
}

function groupBy(rows, key) {
  const m = new Map();
  for (const r of rows) { const k = r[key]; if (!m.has(k)) m.set(k, []); m.get(k).push(r); }
  return m;
}

function gate(m) {
  if (!m || m.gate_delta_mean === undefined) return '—';
  return `Δ ${fmt(m.gate_delta_mean)} [${fmt(m.gate_delta_ci_low)}, ${fmt(m.gate_delta_ci_high)}] ≤ ${fmt(m.gate_margin)}?`;
}

function message(text, ok) {
  const m = $('message');
  m.textContent = text;
  m.className = ok ? 'ok' : 'error';
}

async function admin(path, body) {
  const key = $('key').value.trim();
  if (!key) { message('Type an admin key first (./speechalign keys create --name ops --role admin).', false); return; }
  sessionStorage.setItem('speechalign-admin-key', key);
  try {
    const r = await fetch(path, {method: 'POST', headers: {'Authorization': 'Bearer ' + key, 'Content-Type': 'application/json'},
      body: JSON.stringify(body)});
    const text = await r.text();
    let j = {};
    try { j = JSON.parse(text); } catch (e) { /* not JSON */ }
    if (r.ok) message(j.to_version ? `Rolled back from ${j.from_version} to ${j.to_version}.` : `Promoted ${j.promoted} (serving ${j.serving}).`, true);
    else message(`${r.status}: ${j.message || text}`, false);
  } catch (e) {
    message('request failed: ' + e, false);
  }
  await refresh();
}

function render(d) {
  $('line').textContent = d.model_line;
  const serving = d.registry.find((r) => r.serving);
  $('serving').textContent = serving ? serving.version : 'nothing yet';
  $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();

  const rv = groupBy(d.ratings_over_time, 'model_version');
  lineChart($('chart-ratings'), 'ratings', [...rv].map(([v, rows]) => ({name: v, points: rows.map((r) => [Date.parse(r.minute), r.mean_score])})),
    {xTime: true, yMin: 1, yMax: 5, yLabel: 'mean score'});
  table('table-ratings', d.ratings_by_version, [['version', (r) => r.model_version], ['ratings', (r) => fmt(r.ratings), 'num'],
    ['raters', (r) => fmt(r.raters), 'num'], ['mean', (r) => fmt(r.mean_score, 2), 'num'],
    ['1/2/3/4/5', (r) => [r.score_1, r.score_2, r.score_3, r.score_4, r.score_5].join(' / ')]]);

  const wr = new Map();
  for (const r of d.win_rates_ratings) wr.set(r.version, {label: r.version, bars: [{name: 'from ratings', value: r.win_rate}]});
  for (const r of d.win_rates_comparisons) {
    if (!wr.has(r.version)) wr.set(r.version, {label: r.version, bars: []});
    wr.get(r.version).bars.push({name: 'from comparisons', value: r.win_rate});
  }
  barChart($('chart-winrates'), 'winrates', [...wr.values()], {yMax: 1, refLine: 0.5});
  table('table-winrates', d.win_rates_ratings.map((r) => ({...r, kind: 'ratings', n: r.matched_pairs}))
    .concat(d.win_rates_comparisons.map((r) => ({...r, kind: 'comparisons', n: r.comparisons}))),
  [['version', (r) => r.version], ['parent', (r) => r.parent_version], ['from', (r) => r.kind], ['n', (r) => fmt(r.n), 'num'],
    ['wins', (r) => fmt(r.wins), 'num'], ['losses', (r) => fmt(r.losses), 'num'], ['ties', (r) => fmt(r.ties), 'num'],
    ['win rate', (r) => fmt(r.win_rate, 3), 'num']]);

  const ps = groupBy(d.pairs_by_source, 'source');
  barChart($('chart-pairs'), 'pairs', [...ps].map(([s, rows]) => ({label: s.replace(/_/g, ' '),
    bars: [{name: 'batched', value: rows.reduce((a, r) => a + r.batched, 0)}, {name: 'unbatched', value: rows.reduce((a, r) => a + r.unbatched, 0)}]})));
  table('table-pairs', d.pairs_by_source, [['source', (r) => r.source], ['rejected model version', (r) => r.rejected_model_version || '—'],
    ['pairs', (r) => fmt(r.pairs), 'num'], ['batched', (r) => fmt(r.batched), 'num'], ['unbatched', (r) => fmt(r.unbatched), 'num']]);

  const curves = groupBy(d.training_curves, 'batch_id');
  lineChart($('chart-loss'), 'loss', [...curves].map(([b, rows]) => ({name: b, points: rows.map((r) => [r.step, r.loss])})),
    {xLabel: 'step', yLabel: 'DPO loss'});
  lineChart($('chart-accuracy'), 'accuracy', [...curves].map(([b, rows]) => ({name: b, points: rows.filter((r) => r.reward_accuracy !== null)
    .map((r) => [r.step, r.reward_accuracy])})), {xLabel: 'step', yLabel: 'reward accuracy', yMin: 0, yMax: 1, refLine: 0.5});
  table('table-batches', d.batches, [['batch', (r) => shortVersion(r.batch_id)], ['status', (r) => r.status], ['pairs', (r) => fmt(r.pair_count), 'num'],
    ['steps', (r) => fmt(r.steps), 'num'], ['loss first → last', (r) => `${fmt(r.first_loss)} → ${fmt(r.last_loss)}`],
    ['reward acc.', (r) => fmt(r.last_reward_accuracy, 2), 'num'], ['margin', (r) => fmt(r.last_reward_margin), 'num'],
    ['version', (r) => r.result_version || '—']]);

  table('table-registry', d.registry, [['version', (r) => r.version], ['parent', (r) => r.parent_version || '—'],
    ['status', (r) => { const s = document.createElement('span'); s.className = 'status-' + r.status; s.textContent = r.status + (r.serving ? ' · serving' : ''); return s; }],
    ['gate (candidate − serving, nats/token)', (r) => gate(r.metrics)], ['batch', (r) => shortVersion(r.batch_id)], ['created', (r) => new Date(r.created_at).toLocaleString()],
    ['', (r) => {
      if (r.serving || r.status === 'rejected') return '';
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = 'Promote';
      b.dataset.promote = r.version;
      b.onclick = () => admin(`/v1/models/${encodeURIComponent(r.version)}/promote`, {reason: 'promoted from the dashboard'});
      return b;
    }]], (r) => r.serving ? 'serving' : '');
  table('table-history', d.serving_history, [['#', (r) => fmt(r.event_id), 'num'], ['action', (r) => r.action], ['version', (r) => r.version],
    ['from', (r) => r.from_version || '—'], ['actor', (r) => r.actor], ['reason', (r) => r.reason || ''], ['at', (r) => new Date(r.at).toLocaleString()]]);

  table('table-syntheses', d.recent_syntheses, [['synthesis', (r) => shortVersion(r.synthesis_id)], ['origin', (r) => r.origin],
    ['speaker', (r) => r.speaker], ['text', (r) => r.text], ['version', (r) => shortVersion(r.model_version)],
    ['ratings', (r) => r.ratings ? `${fmt(r.mean_score, 2)} (${r.ratings})` : '—'],
    ['audio', (r) => { const a = document.createElement('audio'); a.controls = true; a.preload = 'none';
      a.src = `/dashboard/api/syntheses/${encodeURIComponent(r.synthesis_id)}/audio.wav`; return a; }]]);
}

async function refresh() {
  try {
    const r = await fetch('/dashboard/api/summary', {cache: 'no-store'});
    if (!r.ok) { message(`summary: ${r.status} ${await r.text()}`, false); return; }
    render(await r.json());
    document.body.dataset.loaded = 'true';
  } catch (e) {
    message('cannot reach the service: ' + e, false);
  }
}

$('key').value = sessionStorage.getItem('speechalign-admin-key') || '';
$('rollback').onclick = () => admin('/v1/models/rollback', {reason: 'rolled back from the dashboard'});
setInterval(() => { if ($('auto').checked) refresh(); }, 5000);
refresh();
