// Attaché eval console: the regression sets (with a Run button where this server can start
// runs), the runs (refreshed while one is running), one run's figures and cases failures
// first, one case's attempts with checks, transcript and tool calls, and the comparison of
// two runs with their regressions. It speaks only the HTTP API under /v1/evals.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 3000;

  const state = {
    me: null,
    canStart: false, // the server has a runner and the account may start runs
    maxRepeat: 10,
    sets: [],
    runs: [],
    run: null, // GET /v1/evals/runs/{id} of the run shown
    caseKey: '', // "set/id" of the case shown
    poll: 0,
  };

  const { el, api, setStatus } = window.AttacheStaff;

  const enc = encodeURIComponent;
  const runPath = (id, rest = '') => `/v1/evals/runs/${enc(id)}${rest}`;
  const pct = (x) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '—');
  const when = (t) => (t ? el('time', { datetime: t }, new Date(t).toLocaleString()) : '—');
  const badge = (text, cls) => el('span', { class: `badge ${cls || text}` }, text.replace('_', ' '));
  const ms = (ns) => (ns ? `${Math.round(ns / 1e6)} ms` : '');

  // ---- address: ?run=ID&case=SET/ID ----

  function remember() {
    const q = new URLSearchParams();
    if (state.run) q.set('run', state.run.id);
    if (state.caseKey) q.set('case', state.caseKey);
    const s = q.toString();
    history.replaceState(null, '', s ? `?${s}` : location.pathname);
  }

  // ---- sets ----

  function renderSets() {
    const list = $('sets');
    list.replaceChildren();
    for (const s of state.sets) {
      const langs = (s.languages || []).join(', ');
      const info = el('span', { class: 'muted' }, `${s.kind || 'set'} · ${s.cases} case${s.cases === 1 ? '' : 's'}${langs ? ` · ${langs}` : ''}`);
      let action = null;
      if (state.canStart) {
        action = el('button', { type: 'button', class: 'run-set', disabled: !s.runnable, 'aria-label': `Run ${s.name}` }, 'Run');
        action.dataset.set = s.name;
        action.addEventListener('click', () => startRun([s.name], action));
      }
      list.append(el('li', { class: 'set-row' },
        el('span', {}, el('span', { class: 'name' }, s.name), el('br'), info),
        action,
        s.runnable ? null : el('span', { class: 'reason muted' }, `Not runnable here: ${s.reason || 'unknown reason'}`)));
    }
    if (!state.sets.length) list.append(el('li', { class: 'muted' }, 'No regression sets are installed on this server.'));
    const filter = $('runs-set');
    const current = filter.value;
    filter.replaceChildren(el('option', { value: '' }, 'All sets'), ...state.sets.map((s) => el('option', { value: s.name }, s.name)));
    filter.value = current;
  }

  async function loadSets() {
    try {
      const r = await api('/v1/evals/sets');
      state.sets = r.sets || [];
      state.maxRepeat = r.max_repeat || 10;
      const role = state.me && state.me.role;
      state.canStart = !!r.can_start && (role === 'evaluator' || role === 'admin');
      $('run-form').hidden = !state.canStart;
      $('repeat').max = String(state.maxRepeat);
      setStatus($('sets-note'), r.can_start ? (state.canStart ? '' : 'Evaluators and admins start runs.')
        : 'Runs are started with the CLI on this server (attache eval run).');
      renderSets();
    } catch (err) {
      setStatus($('sets-note'), `Sets not loaded: ${err.message}`, true);
    }
  }

  async function startRun(sets, button) {
    const k = Number($('repeat').value);
    if (!Number.isInteger(k) || k < 1 || k > state.maxRepeat) {
      setStatus($('run-status'), `Attempts per case must be between 1 and ${state.maxRepeat}.`, true);
      $('repeat').focus();
      return;
    }
    button.disabled = true;
    setStatus($('run-status'), `Starting ${sets.join(', ')}…`);
    try {
      const r = await api('/v1/evals/runs', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ sets, repeat: k }),
      });
      setStatus($('run-status'), `Run ${r.id} started.`);
      await loadRuns();
      await openRun(r.id);
    } catch (err) {
      setStatus($('run-status'), `Not started: ${err.message}`, true);
    } finally {
      button.disabled = false;
    }
  }

  // ---- runs ----

  function renderRuns() {
    const body = $('runs').tBodies[0];
    const focusedID = document.activeElement && body.contains(document.activeElement) ? document.activeElement.dataset.id : '';
    body.replaceChildren();
    for (const r of state.runs) {
      const s = r.summary;
      const open = el('button', { type: 'button', class: 'link' }, r.id);
      open.dataset.id = r.id;
      open.addEventListener('click', () => openRun(r.id));
      const current = state.run && state.run.id === r.id;
      body.append(el('tr', { 'aria-current': current ? 'true' : 'false' },
        el('td', {}, open, el('br'), el('span', { class: 'muted' }, when(r.started_at), r.started_by ? ` · ${r.started_by}` : '')),
        el('td', {}, badge(r.status), r.error ? el('div', { class: 'muted' }, r.error) : null),
        el('td', {}, r.engine || '—'),
        el('td', {}, String(r.repeat)),
        el('td', {}, (r.sets || []).join(', ')),
        el('td', {}, s ? pct(s.pass_rate) : '—'),
        el('td', {}, s ? pct(s.pass_k) : '—'),
        el('td', {}, s ? String(s.guardrail_violations) : '—')));
      if (focusedID === r.id) open.focus();
    }
    if (!state.runs.length) body.append(el('tr', {}, el('td', { colspan: '8', class: 'muted' }, 'No runs yet.')));
    renderCompareChoices();
  }

  async function loadRuns() {
    const set = $('runs-set').value;
    try {
      const r = await api(`/v1/evals/runs?limit=100${set ? `&set=${enc(set)}` : ''}`);
      state.runs = r.runs || [];
      setStatus($('runs-status'), '');
      renderRuns();
    } catch (err) {
      setStatus($('runs-status'), `Runs not loaded: ${err.message}`, true);
    }
    schedulePoll();
  }

  // schedulePoll refreshes the runs (and the run shown) while any run is running.
  function schedulePoll() {
    clearTimeout(state.poll);
    const running = state.runs.some((r) => r.status === 'running') || (state.run && state.run.status === 'running');
    if (!running) return;
    state.poll = setTimeout(async () => {
      const shown = state.run;
      await loadRuns();
      if (shown && shown.status === 'running' && state.run === shown) {
        const now = state.runs.find((r) => r.id === shown.id);
        if (!now || now.status !== 'running') await openRun(shown.id, { keepFocus: true });
      }
    }, POLL_MS);
  }

  // ---- one run ----

  function figure(label, value) {
    return el('div', {}, el('dt', {}, label), el('dd', {}, value));
  }

  function bars(title, groups) {
    const names = Object.keys(groups || {}).sort();
    if (!names.length) return null;
    const rows = names.map((n) => {
      const g = groups[n];
      const passK = g.cases ? g.passed / g.cases : 0;
      const bar = el('span', { class: 'bar', role: 'img', 'aria-label': `${n}: pass rate ${pct(g.pass_rate)}` }, el('span'));
      bar.firstChild.style.width = `${Math.round((g.pass_rate || 0) * 100)}%`;
      return el('tr', {},
        el('th', { scope: 'row' }, n),
        el('td', {}, bar),
        el('td', {}, pct(g.pass_rate)),
        el('td', {}, `${g.passed}/${g.cases} (${pct(passK)})`));
    });
    return el('table', { class: 'grid' },
      el('caption', {}, `${title}: pass rate over attempts; cases whose every attempt passed (pass^k).`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, title), el('th', { scope: 'col' }, el('span', { class: 'muted' }, 'bar')),
        el('th', { scope: 'col' }, 'Pass rate'), el('th', { scope: 'col' }, 'pass^k'))),
      el('tbody', {}, ...rows));
  }

  function renderRun() {
    const r = state.run;
    $('run-view').hidden = false;
    $('run-heading').textContent = `Run ${r.id}`;
    $('run-meta').replaceChildren(...[badge(r.status), ` ${r.engine || ''} · k=${r.repeat} · started `, when(r.started_at),
      r.finished_at ? ' · finished ' : '', r.finished_at ? when(r.finished_at) : '',
      r.started_by ? ` · by ${r.started_by}` : '', ` · sets: ${(r.sets || []).join(', ')}`].filter((x) => x != null));
    const links = $('run-links');
    links.replaceChildren();
    if (r.links && r.links.report_html) {
      links.append(el('a', { id: 'report-link', href: r.links.report_html, target: '_blank', rel: 'noopener' }, 'HTML report'),
        el('a', { href: r.links.junit_xml, target: '_blank', rel: 'noopener' }, 'JUnit XML'));
    }
    const s = r.summary;
    const figs = $('run-figures');
    figs.replaceChildren();
    if (s) {
      figs.append(figure('Pass rate', pct(s.pass_rate)), figure('pass^k', pct(s.pass_k)), figure('Cases', String(s.cases)),
        figure('Passed', String(s.passed)), figure('Failed', String(s.failed)), figure('Errors', String(s.errors)),
        figure('Not runnable', String(s.not_runnable)), figure('Guardrail violations', String(s.guardrail_violations)));
    }
    if (r.status === 'running') setStatus($('run-view-status'), 'Running… this view updates when the run finishes.');
    else if (r.status === 'failed') setStatus($('run-view-status'), `The run failed: ${r.error || 'no reason recorded'}`, true);
    else setStatus($('run-view-status'), '');
    const b = r.breakdown || {};
    $('run-bars').replaceChildren(...[bars('Language', b.by_language), bars('Market', b.by_market), bars('Intent', b.by_intent),
      bars('Set', b.by_set)].filter(Boolean));
    renderCases();
  }

  function renderCases() {
    const r = state.run;
    const filter = $('case-filter').value;
    const body = $('cases').tBodies[0];
    body.replaceChildren();
    const cases = (r.cases || []).filter((c) => !filter || c.status === filter);
    for (const c of cases) {
      const open = el('button', { type: 'button', class: 'link' }, c.key);
      open.dataset.key = c.key;
      open.addEventListener('click', () => openCase(c.set, c.id));
      body.append(el('tr', { 'aria-current': c.key === state.caseKey ? 'true' : 'false' },
        el('td', {}, open, c.description ? el('div', { class: 'muted', dir: 'auto' }, c.description) : null),
        el('td', {}, badge(c.status), c.guardrail_violations ? badge(`${c.guardrail_violations} guardrail`, 'guardrail') : null,
          c.reason ? el('div', { class: 'muted' }, c.reason) : null),
        el('td', {}, `${c.passed}/${c.attempts}`),
        el('td', {}, c.locale || c.language || ''),
        el('td', {}, c.market || ''),
        el('td', {}, c.intent || ''),
        el('td', {}, (c.failed_checks || []).join(', '))));
    }
    if (!cases.length) {
      const msg = r.status === 'running' ? 'The cases appear when the run finishes.' : 'No cases to show.';
      body.append(el('tr', {}, el('td', { colspan: '7', class: 'muted' }, msg)));
    }
  }

  async function openRun(id, opts = {}) {
    setStatus($('run-view-status'), 'Loading…');
    $('run-view').hidden = false;
    try {
      state.run = await api(runPath(id));
    } catch (err) {
      setStatus($('run-view-status'), `Run not loaded: ${err.message}`, true);
      return;
    }
    if (!opts.keepCase) closeCase({ quiet: true });
    renderRun();
    renderRuns();
    remember();
    if (!opts.keepFocus) $('run-heading').focus();
    schedulePoll();
  }

  // ---- one case ----

  function checksTable(checks) {
    return el('table', { class: 'grid checks' },
      el('caption', {}, 'Checks: what was expected and what was found.'),
      el('thead', {}, el('tr', {}, ...['Check', 'Turn', 'Result', 'Want', 'Got'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...(checks || []).map((ch) => el('tr', { class: ch.passed ? 'passed' : 'failed' },
        el('td', {}, ch.name, ch.guardrail ? badge('guardrail') : null),
        el('td', {}, ch.turn ? String(ch.turn) : ''),
        el('td', {}, badge(ch.passed ? 'passed' : 'failed')),
        el('td', { class: 'want', dir: 'auto' }, ch.want || ''),
        el('td', { class: 'got', dir: 'auto' }, ch.got || '')))));
  }

  function transcript(lines) {
    return el('ol', { class: 'transcript', 'aria-label': 'Transcript' }, ...(lines || []).map((l) => el('li', { class: l.author },
      el('span', { class: 'who' }, `${l.turn ? `turn ${l.turn} · ` : ''}${l.author.replace('_', ' ')}`),
      el('span', { dir: 'auto', lang: l.lang || null }, l.text),
      l.intent ? badge(`intent ${l.intent}`, 'intent') : null,
      l.handoff ? badge('handoff', 'running') : null,
      (l.taboo_hits || []).length ? badge(`taboo: ${l.taboo_hits.join(', ')}`, 'guardrail') : null,
      l.latency_ns ? el('span', { class: 'muted' }, ` ${ms(l.latency_ns)}`) : null)));
  }

  function toolTable(calls) {
    if (!calls || !calls.length) return el('p', { class: 'muted' }, 'No tool calls.');
    return el('table', { class: 'grid tools' },
      el('caption', {}, 'Tool calls the workflow ran or proposed.'),
      el('thead', {}, el('tr', {}, ...['Tool', 'Arguments', 'Outcome'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...calls.map((t) => el('tr', {},
        el('td', {}, t.name),
        el('td', {}, el('pre', { class: 'args', dir: 'auto' }, t.args == null ? '' : JSON.stringify(t.args, null, 2))),
        el('td', {}, badge(t.outcome || 'unknown', t.outcome === 'error' ? 'error' : 'passed'), t.error ? el('div', { class: 'muted' }, t.error) : null)))));
  }

  function renderCase(d) {
    const c = d.case;
    $('case-view').hidden = false;
    $('case-heading').textContent = `Case ${d.key}`;
    $('case-meta').replaceChildren(...[badge(c.status), ` ${c.passed}/${(c.attempts || []).length} attempts passed · ${c.locale} · ${c.market} · ${c.channel}`,
      c.intent ? ` · intent ${c.intent}` : '', c.description ? el('div', { dir: 'auto' }, c.description) : null,
      c.reason ? el('div', {}, c.reason) : null].filter((x) => x != null));
    const box = $('case-attempts');
    box.replaceChildren();
    for (const a of c.attempts || []) {
      box.append(el('section', { class: 'attempt', 'aria-label': `Attempt ${a.n}` },
        el('h3', {}, `Attempt ${a.n} `, badge(a.passed ? 'passed' : 'failed'), el('span', { class: 'muted' }, ` ${ms(a.duration_ns)}`),
          a.conversation_id ? el('span', { class: 'muted' }, ` · conversation ${a.conversation_id}`) : null),
        a.error ? el('p', { class: 'status error' }, a.error) : null,
        el('h4', {}, 'Checks'), checksTable(a.checks),
        el('h4', {}, 'Transcript'), transcript(a.transcript),
        el('h4', {}, 'Tool calls'), toolTable(a.tool_calls)));
    }
    if (!(c.attempts || []).length) box.append(el('p', { class: 'muted' }, 'No attempts were made.'));
  }

  async function openCase(set, id, runID) {
    const rid = runID || (state.run && state.run.id);
    if (!rid) return;
    if (!state.run || state.run.id !== rid) await openRun(rid, { keepFocus: true });
    state.caseKey = `${set}/${id}`;
    setStatus($('case-status'), 'Loading…');
    $('case-view').hidden = false;
    try {
      const d = await api(runPath(rid, `/cases/${enc(set)}/${enc(id)}`));
      renderCase(d);
      setStatus($('case-status'), '');
    } catch (err) {
      setStatus($('case-status'), `Case not loaded: ${err.message}`, true);
    }
    renderCases();
    remember();
    $('case-heading').focus();
  }

  function closeCase(opts = {}) {
    const wasOpen = !$('case-view').hidden;
    const key = state.caseKey;
    state.caseKey = '';
    $('case-view').hidden = true;
    if (opts.quiet || !wasOpen) return;
    remember();
    renderCases();
    const back = [...$('cases').querySelectorAll('button[data-key]')].find((b) => b.dataset.key === key);
    (back || $('run-heading')).focus();
  }

  $('case-close').addEventListener('click', () => closeCase());
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !$('case-view').hidden) {
      ev.preventDefault();
      closeCase();
    }
  });
  $('case-filter').addEventListener('change', () => state.run && renderCases());
  $('runs-set').addEventListener('change', loadRuns);
  $('runs-filter').addEventListener('submit', (ev) => ev.preventDefault());
  $('run-form').addEventListener('submit', (ev) => ev.preventDefault());

  // ---- compare ----

  function renderCompareChoices() {
    const done = state.runs.filter((r) => r.status === 'finished');
    for (const [id, pick] of [['compare-head', 0], ['compare-base', 1]]) {
      const sel = $(id);
      const current = sel.value;
      sel.replaceChildren(...done.map((r) => el('option', { value: r.id },
        `${r.id} · ${new Date(r.started_at).toLocaleString()} · ${(r.sets || []).join(', ')}`)));
      if (done.some((r) => r.id === current)) sel.value = current;
      else if (done[pick]) sel.value = done[pick].id;
    }
    $('compare-go').disabled = done.length < 1;
  }

  function changeList(title, changes, withChecks, headID) {
    const heading = el('h3', {}, `${title} (${changes.length})`);
    if (!changes.length) return el('div', {}, heading);
    return el('div', {}, heading, el('ul', { class: 'plain' }, ...changes.map((ch) => {
      const open = el('button', { type: 'button', class: 'link' }, ch.key);
      open.addEventListener('click', () => openCase(ch.set, ch.id, headID));
      return el('li', { class: 'change' }, open, ` ${ch.was || '—'} → ${ch.now || '—'}`,
        withChecks && ch.failed_checks && ch.failed_checks.length ? checksTable(ch.failed_checks) : null);
    })));
  }

  $('compare-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const base = $('compare-base').value;
    const head = $('compare-head').value;
    if (!base || !head) {
      setStatus($('compare-status'), 'Pick a base run and a head run.', true);
      return;
    }
    setStatus($('compare-status'), 'Comparing…');
    $('compare-go').disabled = true;
    try {
      const c = await api(`/v1/evals/compare?base=${enc(base)}&head=${enc(head)}`);
      const bs = c.base_summary || {};
      const hs = c.head_summary || {};
      $('compare-summary').textContent = `Pass rate ${pct(bs.pass_rate)} → ${pct(hs.pass_rate)} · pass^k ${pct(bs.pass_k)} → ${pct(hs.pass_k)}`
        + ` · guardrail violations ${bs.guardrail_violations ?? '—'} → ${hs.guardrail_violations ?? '—'}`;
      const reg = $('regressions');
      reg.replaceChildren(changeList('Regressions', c.regressions || [], true, c.head));
      if (!(c.regressions || []).length) reg.append(el('p', {}, 'No regressions: every case that passed in the base passes in the head.'));
      $('compare-other').replaceChildren(changeList('Fixed', c.fixed || [], false, c.head),
        changeList('Still failing', c.still_failing || [], true, c.head), changeList('Added', c.added || [], true, c.head),
        changeList('Removed', c.removed || [], false, c.head), changeList('Not runnable in one of the runs', c.not_runnable || [], false, c.head));
      setStatus($('compare-status'), c.has_regressions ? `${c.regressions.length} regression${c.regressions.length === 1 ? '' : 's'}.` : 'No regressions.', c.has_regressions);
    } catch (err) {
      setStatus($('compare-status'), `Not compared: ${err.message}`, true);
    } finally {
      $('compare-go').disabled = false;
    }
  });

  // ---- start ----

  async function start() {
    try {
      state.me = await api('/v1/auth/me');
    } catch (err) {
      setStatus($('me'), `Could not check the sign-in: ${err.message}`, true);
      return;
    }
    const m = state.me;
    $('me').textContent = `Signed in as ${m.name || m.email}${m.role ? ` (${m.role})` : ''}`;
    await loadSets();
    await loadRuns();
    const q = new URLSearchParams(location.search);
    const run = q.get('run');
    const key = q.get('case') || '';
    if (run) {
      const cut = key.indexOf('/');
      if (cut > 0) {
        await openRun(run, { keepFocus: true });
        await openCase(key.slice(0, cut), key.slice(cut + 1), run);
      } else {
        await openRun(run);
      }
    }
  }

  start();
})();
