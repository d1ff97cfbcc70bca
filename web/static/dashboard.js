// Attaché analytics dashboard: key figures (resolution and handoff rates, first response,
// SLA breaches, CSAT, guardrail hits) and small charts drawn as inline SVG, for a date range,
// grouped by market, language, intent, channel or rollout stage. It speaks only
// GET /v1/analytics/summary and GET /v1/auth/me; the choice is kept in the address, so a
// view can be shared or reloaded.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  const FILTERS = ['market', 'language', 'intent', 'channel', 'stage'];
  const BY_NAMES = { market: 'market', language: 'language', intent: 'intent', channel: 'channel', stage: 'rollout stage' };
  const REASONS = {
    customer_request: 'Customer asked', low_confidence: 'Low confidence', missing_knowledge: 'Missing knowledge',
    tool_failure: 'Tool failure', policy_limit: 'Policy limit', approval_needed: 'Approval needed',
    negative_sentiment: 'Negative sentiment', complaint: 'Complaint', rollout_stage: 'Rollout stage',
    taboo_block: 'Taboo block', model_no_answer: 'No model answer', other: 'Other',
  };

  const { el, api } = window.AttacheStaff;

  function svg(tag, attrs = {}, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text != null) e.textContent = text;
    return e;
  }

  function setStatus(text, isError) {
    $('status').textContent = text;
    $('status').classList.toggle('error', !!isError);
  }

  // ---- formatting ------------------------------------------------------------

  const pct = (x) => `${(100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0)} %`;
  const int = new Intl.NumberFormat('en');

  function duration(seconds) {
    if (seconds == null) return '–';
    if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
    if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
    if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
    return `${(seconds / 86400).toFixed(1)} d`;
  }

  function isoDay(d) {
    return d.toISOString().slice(0, 10);
  }

  // ---- the query, kept in the address -----------------------------------------

  function readQuery() {
    const q = new URLSearchParams(location.search);
    const today = new Date();
    $('to').value = q.get('to') || isoDay(today);
    $('from').value = q.get('from') || isoDay(new Date(today.getTime() - 6 * 86400e3));
    $('by').value = BY_NAMES[q.get('by')] ? q.get('by') : 'market';
    for (const f of FILTERS) $(`f-${f}`).value = q.get(f) || '';
  }

  function query() {
    const q = new URLSearchParams({ from: $('from').value, to: $('to').value, by: $('by').value });
    for (const f of FILTERS) {
      const v = $(`f-${f}`).value.trim();
      if (v) q.set(f, v);
    }
    return q;
  }

  // ---- tiles -------------------------------------------------------------------

  function tile(label, value, note, alert) {
    return el('div', { class: `tile${alert ? ' alert' : ''}` },
      el('dt', {}, label),
      el('dd', {}, el('span', { class: 'value' }, value), el('span', { class: 'note' }, note)));
  }

  function renderTiles(t) {
    const n = t.conversations;
    const tiles = $('tiles');
    tiles.replaceChildren(
      tile('Resolution rate', n ? pct(t.resolution_rate) : '–', `${int.format(t.resolved)} of ${int.format(n)} conversations by the AI`),
      tile('Handoff rate', n ? pct(t.handoff_rate) : '–', `${int.format(t.handed_off)} handed to people`),
      tile('Median first response', duration(t.first_response.median_seconds),
        t.first_response.count ? `p90 ${duration(t.first_response.p90_seconds)}` : 'no replies yet'),
      tile('SLA breaches', int.format(t.sla.breaches), `of ${int.format(t.sla.tracked)} handoffs with a deadline`, t.sla.breaches > 0),
      tile('CSAT', t.csat.mean == null ? '–' : `${t.csat.mean.toFixed(2)} / 5`,
        t.csat.responses ? `${int.format(t.csat.responses)} answers, ${pct(t.csat.satisfied_share)} satisfied` : 'no answers yet'),
      tile('Guardrail hits', int.format(t.guardrails.total),
        `taboo ${t.guardrails.taboo} · injection ${t.guardrails.injection} · abuse ${t.guardrails.abuse} · card ${t.guardrails.card}`,
        t.guardrails.total > 0),
    );
  }

  // ---- charts --------------------------------------------------------------------

  // barChart draws horizontal bars: rows are {label, value, text}, max the value of a full
  // bar. The picture is labelled for screen readers; the table below holds the numbers.
  function barChart(title, rows, max, warn) {
    if (!rows.length) return el('p', { class: 'muted' }, 'Nothing in this window.');
    // About as wide as a panel, so that the text is drawn near its CSS size.
    const labelW = 120;
    const barW = 190;
    const rowH = 26;
    const width = labelW + barW + 80;
    const height = rows.length * rowH + 4;
    const s = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
    s.append(svg('title', {}, title));
    rows.forEach((r, i) => {
      const y = i * rowH + 2;
      const w = max > 0 ? Math.max(0, Math.min(1, r.value / max)) * barW : 0;
      const label = r.label.length > 18 ? `${r.label.slice(0, 17)}…` : r.label;
      s.append(
        svg('text', { x: labelW - 8, y: y + rowH / 2 + 4, 'text-anchor': 'end' }, label),
        svg('rect', { class: 'track', x: labelW, y: y + 4, width: barW, height: rowH - 8, rx: 3 }),
        svg('rect', { class: `bar${warn && warn(r) ? ' warn' : ''}`, x: labelW, y: y + 4, width: w.toFixed(1), height: rowH - 8, rx: 3 }),
        svg('text', { class: 'value', x: labelW + barW + 6, y: y + rowH / 2 + 4 }, r.text),
      );
    });
    return s;
  }

  function renderCharts(sum) {
    const reasons = sum.total.handoffs_by_reason.map((r) => ({ label: REASONS[r.reason] || r.reason, value: r.count, text: int.format(r.count) }));
    $('chart-reasons').replaceChildren(barChart('Handoffs by reason', reasons, Math.max(0, ...reasons.map((r) => r.value))));

    const byName = BY_NAMES[sum.by] || sum.by;
    const groups = sum.groups.filter((g) => g.conversations > 0);
    const resolution = groups.map((g) => ({ label: g.key, value: g.resolution_rate, text: `${pct(g.resolution_rate)} of ${g.conversations}` }));
    $('chart-resolution').replaceChildren(barChart(`Resolution rate by ${byName}`, resolution, 1));

    const csat = groups.filter((g) => g.csat.responses > 0)
      .map((g) => ({ label: g.key, value: g.csat.mean, text: `${g.csat.mean.toFixed(2)} (${g.csat.responses})` }));
    $('chart-csat').replaceChildren(barChart(`CSAT by ${byName}`, csat, 5, (r) => r.value < 3.5));
  }

  function renderTable(sum) {
    const cols = [
      ['Conversations', (g) => int.format(g.conversations)],
      ['Resolved by AI', (g) => (g.conversations ? pct(g.resolution_rate) : '–')],
      ['Reopened', (g) => int.format(g.reopened)],
      ['Handoff rate', (g) => (g.conversations ? pct(g.handoff_rate) : '–')],
      ['First response (median)', (g) => duration(g.first_response.median_seconds)],
      ['Person’s first response (median)', (g) => duration(g.human_first_response.median_seconds)],
      ['Resolution time (median)', (g) => duration(g.resolution_time.median_seconds)],
      ['SLA breaches', (g) => `${g.sla.breaches} / ${g.sla.tracked}`],
      ['CSAT', (g) => (g.csat.mean == null ? '–' : `${g.csat.mean.toFixed(2)} (${g.csat.responses})`)],
      ['Guardrail hits', (g) => int.format(g.guardrails.total)],
      ['Tool failures', (g) => int.format(g.tool_failures)],
    ];
    const byName = BY_NAMES[sum.by] || sum.by;
    const head = el('tr', {}, el('th', { scope: 'col' }, byName.charAt(0).toUpperCase() + byName.slice(1)),
      ...cols.map(([name]) => el('th', { scope: 'col', class: 'num' }, name)));
    const row = (key, g, strong) => el('tr', {}, el('th', { scope: 'row' }, strong ? el('strong', {}, key) : key),
      ...cols.map(([, f]) => el('td', { class: 'num' }, f(g))));
    $('groups').replaceChildren(
      el('thead', {}, head),
      el('tbody', {}, ...sum.groups.map((g) => row(g.key, g)), row('All', sum.total, true)),
    );
  }

  // ---- loading -------------------------------------------------------------------------

  let loading = 0;

  async function load() {
    const q = query();
    history.replaceState(null, '', `${location.pathname}?${q}`);
    for (const s of document.querySelectorAll('.by-name')) s.textContent = BY_NAMES[$('by').value];
    const mine = ++loading;
    setStatus('Loading…');
    try {
      const sum = await api(`/v1/analytics/summary?${q}`);
      if (mine !== loading) return; // a newer query is on its way
      renderTiles(sum.total);
      renderCharts(sum);
      renderTable(sum);
      setStatus(`${int.format(sum.total.conversations)} conversations started ${sum.from.slice(0, 10)} to ${
        new Date(Date.parse(sum.to) - 1).toISOString().slice(0, 10)}, evaluation runs left out.`);
    } catch (err) {
      if (mine === loading) setStatus(err.message, true);
    }
  }

  async function start() {
    readQuery();
    $('filters').addEventListener('submit', (e) => {
      e.preventDefault();
      load();
    });
    $('by').addEventListener('change', load);
    try {
      const me = await api('/v1/auth/me');
      $('me').textContent = `${me.name || me.email} · ${me.role}`;
    } catch (err) {
      $('me').textContent = err.message;
      return;
    }
    load();
  }

  start();
})();
