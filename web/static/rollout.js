// Attaché rollout console: the rollout rules with their stages, canaries and the gate's
// verdict on their regression sets; a form to change a stage that shows why the gate
// refused a promotion; a conversation tester; the history of changes. It speaks only the
// HTTP API under /v1/rollout.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  const state = {
    me: null,
    rules: [],
    editing: null, // the rule being edited, or null for a new one
    historyKey: null, // the key the history shows, or null for all
  };

  const { el } = window.AttacheStaff;

  // api calls the HTTP API and keeps the response's ETag (a rule's version, for If-Match).
  async function api(path, init) {
    const { res, body } = await window.AttacheStaff.request(path, init);
    return { body, etag: res.headers.get('ETag') };
  }

  function setStatus(node, text, isError, items) {
    node.replaceChildren(text);
    if (items && items.length) node.append(el('ul', {}, ...items.map((i) => el('li', {}, i))));
    node.classList.toggle('error', !!isError);
  }

  const any = (v) => v || '*';
  const keyText = (k) => `${any(k.market)} / ${any(k.intent)} / ${any(k.locale)} / ${any(k.channel)}`;
  const keyQuery = (k) => new URLSearchParams({ market: any(k.market), intent: any(k.intent), locale: any(k.locale), channel: any(k.channel) });
  const when = (t) => el('time', { datetime: t }, t ? new Date(t).toLocaleString() : '—');
  const stageBadge = (s) => el('span', { class: `badge stage-${s}` }, s);
  const pct = (x) => (typeof x === 'number' ? `${Math.round(x * 1000) / 10}%` : '—');

  // ---- rules ----

  function gateCell(r) {
    if (!r.next_stage) return el('span', { class: 'muted' }, 'top stage');
    const td = el('div');
    td.append(el('span', { class: `badge ${r.gate.passed ? 'gate-pass' : 'gate-fail'}` }, r.gate.passed ? `passes for ${r.next_stage}` : 'fails'));
    if (r.gate.run) {
      const run = r.gate.run;
      td.append(el('div', { class: 'muted' },
        `run ${run.run_id}: pass rate ${pct(run.pass_rate)}, pass^k ${pct(run.pass_k)}, guardrail violations ${run.guardrail_violations}, repeat ${run.repeat}, finished `,
        when(run.finished_at)));
    }
    if (!r.gate.passed && r.gate.failures.length) {
      td.append(el('ul', { class: 'failures muted' }, ...r.gate.failures.map((f) => el('li', {}, f))));
    }
    return td;
  }

  function renderRules() {
    const tbody = $('rules').tBodies[0];
    tbody.replaceChildren();
    for (const r of state.rules) {
      const edit = el('button', { type: 'button', class: 'secondary' }, 'Edit');
      edit.setAttribute('aria-label', `Edit the rule for ${keyText(r.key)}`);
      edit.addEventListener('click', () => editRule(r));
      const hist = el('button', { type: 'button', class: 'secondary' }, 'History');
      hist.setAttribute('aria-label', `History of ${keyText(r.key)}`);
      hist.addEventListener('click', () => loadHistory(r.key));
      tbody.append(el('tr', {},
        el('td', { class: 'key' }, keyText(r.key)),
        el('td', {}, stageBadge(r.stage)),
        el('td', {}, r.canary_percent ? `${r.canary_percent}% → ${r.canary_stage}` : '—'),
        el('td', {}, r.regression_set || el('span', { class: 'muted' }, 'none: cannot be promoted')),
        el('td', {}, gateCell(r)),
        el('td', {}, String(r.version)),
        el('td', {}, el('div', {}, r.updated_by), el('div', { class: 'muted' }, when(r.updated_at)), el('div', { dir: 'auto' }, r.reason)),
        el('td', {}, el('div', { class: 'row' }, edit, hist))));
    }
  }

  async function loadRules() {
    let body;
    try {
      ({ body } = await api('/v1/rollout/rules'));
    } catch (err) {
      setStatus($('rules-status'), `Could not load the rules: ${err.message}`, true);
      return;
    }
    state.rules = body.rules;
    renderRules();
    // The rule being edited may have changed (a demotion, someone else): edit its new version.
    if (state.editing) {
      const cur = state.rules.find((r) => sameKey(r.key, state.editing.key));
      if (cur && cur.version !== state.editing.version) {
        state.editing = cur;
        $('f-version').textContent = `Editing version ${cur.version} of ${keyText(cur.key)} (changed since you opened it)`;
      }
    }
    const g = body.gate;
    const t = body.thresholds;
    $('settings').textContent = `Keys without a rule: ${body.default_stage}. Standard stage resolves: ${body.standard_intents.join(', ')}. ` +
      `Gate: pass rate ≥ ${g.min_pass_rate}, pass^k ≥ ${g.min_pass_k}, guardrail violations ≤ ${g.max_guardrail_violations}, ` +
      `run at most ${g.max_age_hours} h old, repeat ≥ ${g.min_repeat}. ` +
      `Demotion over ${t.window_hours} h and ≥ ${t.min_conversations} conversations: handoff rate > ${t.max_handoff_rate}, ` +
      `CSAT < ${t.min_csat} (≥ ${t.min_csat_responses} responses), guardrail hits > ${t.max_guardrail_hits}, tool failure rate > ${t.max_tool_failure_rate}.`;
    const intents = $('intents');
    intents.replaceChildren(...body.standard_intents.map((i) => el('option', { value: i })));
    setStatus($('rules-status'), `${body.rules.length} ${body.rules.length === 1 ? 'rule' : 'rules'}`);
  }

  // ---- the form ----

  function editRule(r) {
    state.editing = r;
    $('f-market').value = r ? r.key.market : '';
    $('f-intent').value = r ? r.key.intent : '';
    $('f-locale').value = r ? r.key.locale : '';
    $('f-channel').value = r ? r.key.channel : '';
    $('f-stage').value = r ? r.stage : 'assist';
    $('f-canary').value = r ? r.canary_percent : 0;
    $('f-set').value = r ? r.regression_set : '';
    $('f-reason').value = '';
    $('f-version').textContent = r ? `Editing version ${r.version} of ${keyText(r.key)}` : 'New rule';
    setStatus($('save-status'), '');
    $('form-heading').scrollIntoView({ block: 'start' });
    (r ? $('f-stage') : $('f-market')).focus();
  }

  const formKey = () => ({
    market: $('f-market').value.trim(), intent: $('f-intent').value.trim(),
    locale: $('f-locale').value.trim(), channel: $('f-channel').value.trim(),
  });
  const sameKey = (a, b) => ['market', 'intent', 'locale', 'channel'].every((f) => (a[f] || '').toLowerCase() === (b[f] || '').replace('*', '').toLowerCase());

  $('rule-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const key = formKey();
    const canary = Number($('f-canary').value || 0);
    const payload = { key, stage: $('f-stage').value, canary_percent: canary, regression_set: $('f-set').value.trim(), reason: $('f-reason').value.trim() };
    const headers = { 'Content-Type': 'application/json' };
    // The version the change is made against: the edited rule's when the key is unchanged.
    if (state.editing && sameKey(state.editing.key, key)) headers['If-Match'] = `"${state.editing.version}"`;
    $('f-save').disabled = true;
    setStatus($('save-status'), 'Saving…');
    try {
      const { body } = await api('/v1/rollout/rules', { method: 'PUT', headers, body: JSON.stringify(payload) });
      const c = body.change;
      let msg = `Saved: ${keyText(c.key)} ${c.from_stage} → ${c.to_stage}${c.to_canary ? ` with ${c.to_canary}% canary` : ''}, version ${c.version}.`;
      if (c.evidence && c.evidence.run) msg += ` Gate passed on run ${c.evidence.run.run_id}.`;
      setStatus($('save-status'), msg);
      await loadRules();
      const saved = state.rules.find((r) => sameKey(r.key, c.key));
      state.editing = saved || null;
      if (saved) $('f-version').textContent = `Editing version ${saved.version} of ${keyText(saved.key)}`;
      loadHistory(c.key);
    } catch (err) {
      const p = err.problem || {};
      const items = (p.errors || []).map((e) => (e.field === 'gate' ? e.reason : `${e.field}: ${e.reason}`));
      let text = err.message;
      if (p.type === 'urn:attache:problem:rollout-gate') text = 'The gate refused the promotion:';
      else if (err.status === 412) text = `${err.message} The rules were reloaded.`;
      setStatus($('save-status'), text, true, items);
      if (err.status === 412 || err.status === 409) loadRules();
    } finally {
      $('f-save').disabled = false;
    }
  });

  $('f-stage').addEventListener('change', () => {
    if ($('f-stage').value === 'autonomous') $('f-canary').value = 0;
  });
  $('new-rule').addEventListener('click', () => editRule(null));

  // ---- the live check (admins) ----

  $('check-live').addEventListener('click', async () => {
    $('check-live').disabled = true;
    setStatus($('check-status'), 'Checking live metrics…');
    try {
      const { body } = await api('/v1/rollout/check', { method: 'POST' });
      const items = body.demoted.map((c) => `${keyText(c.key)}: ${c.from_stage} → ${c.to_stage}. ${c.reason}`);
      if (body.reason) {
        setStatus($('check-status'), body.reason, true);
        return;
      }
      setStatus($('check-status'), body.demoted.length ? `${body.demoted.length} demoted:` : 'No key broke a threshold.', false, items);
      if (!body.complete) $('check-status').append(' Some keys could not be judged; see the server log.');
      if (body.demoted.length) {
        await loadRules();
        loadHistory(null);
      }
    } catch (err) {
      setStatus($('check-status'), `The check did not run: ${err.message}`, true);
    } finally {
      $('check-live').disabled = false;
    }
  });

  // ---- try a conversation ----

  $('decide-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const [f, id] of [['market', 'd-market'], ['intent', 'd-intent'], ['locale', 'd-locale'], ['channel', 'd-channel'], ['conversation', 'd-conv']]) {
      const v = $(id).value.trim();
      if (v) q.set(f, v);
    }
    try {
      const { body: d } = await api(`/v1/rollout/decide?${q}`);
      let text = `Stage ${d.stage}`;
      text += d.canary ? ` (canary arm of ${d.base_stage} at ${d.canary_percent}%)` : '';
      text += d.matched ? `, by the rule ${keyText(d.rule)}.` : ', the default: no rule matches.';
      if (d.ai_may_resolve !== undefined) text += d.ai_may_resolve ? ' The AI may resolve this intent.' : ' The AI drafts; a person resolves this intent.';
      setStatus($('decide-status'), text);
    } catch (err) {
      const items = ((err.problem || {}).errors || []).map((e) => `${e.field}: ${e.reason}`);
      setStatus($('decide-status'), err.message, true, items);
    }
  });

  // ---- history ----

  function evidenceText(ev) {
    if (!ev) return '';
    if (ev.run) return `run ${ev.run.run_id} of ${ev.run.set}: pass rate ${pct(ev.run.pass_rate)}, pass^k ${pct(ev.run.pass_k)}, guardrail violations ${ev.run.guardrail_violations}`;
    if (ev.live) {
      const l = ev.live;
      return `${l.conversations} conversations: handoff rate ${pct(l.handoff_rate)}, CSAT ${l.csat_responses ? l.csat.toFixed(2) : '—'}, guardrail hits ${l.guardrail_hits}, tool failures ${l.tool_failures}/${l.tool_calls}`;
    }
    return '';
  }

  let historySeq = 0;
  async function loadHistory(key) {
    const seq = ++historySeq;
    state.historyKey = key;
    $('history-scope').textContent = key ? `Changes of ${keyText(key)}, newest first.` : 'All keys, newest first.';
    let body;
    try {
      ({ body } = await api(`/v1/rollout/changes?${key ? keyQuery(key) : ''}`));
    } catch (err) {
      setStatus($('history-status'), `Could not load the history: ${err.message}`, true);
      return;
    }
    if (seq !== historySeq) return;
    const tbody = $('history').tBodies[0];
    tbody.replaceChildren(...body.changes.map((c) => el('tr', {},
      el('td', {}, when(c.at)),
      el('td', { class: 'key' }, keyText(c.key)),
      el('td', {}, c.action === 'demoted' ? 'demoted: ' : '', stageBadge(c.from_stage), c.from_canary ? ` +${c.from_canary}%` : '', ' → ',
        stageBadge(c.to_stage), c.to_canary ? ` +${c.to_canary}%` : ''),
      el('td', {}, c.by),
      el('td', { dir: 'auto' }, c.reason),
      el('td', { class: 'muted' }, evidenceText(c.evidence)))));
    setStatus($('history-status'), `${body.changes.length} ${body.changes.length === 1 ? 'change' : 'changes'}`);
  }
  $('history-all').addEventListener('click', () => loadHistory(null));

  // ---- start ----

  (async () => {
    try {
      ({ body: state.me } = await api('/v1/auth/me'));
    } catch (err) {
      $('me').textContent = err.message;
      return;
    }
    $('me').textContent = `Signed in as ${state.me.name || state.me.email} (${state.me.role}).`;
    $('check-live').hidden = state.me.role !== 'admin';
    await loadRules();
    loadHistory(null);
  })();
})();
