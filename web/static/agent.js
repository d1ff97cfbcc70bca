// Attaché agent console: the queue of conversations handed off to people, kept live from
// the server's event stream, and the conversation view of one handoff: its packet, the
// transcript with translations beside the originals, pending approvals, the reply box,
// internal notes, and the claim, release, resolve and hand-back actions. It speaks only
// the HTTP API under /v1.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const OPEN = new Set(['queued', 'claimed']);

  const state = {
    me: null, // {id, name, languages}
    handoffs: new Map(), // id -> H, the open ones
    selected: '', // handoff id shown on the right
    detail: null, // GET /v1/handoffs/{id} of the selected handoff
    sentByMe: new Set(), // message ids this page sent
    turn: null, // {text, id}: the reply being sent, so a retry reuses its turn id
  };

  const { el, api, post, setStatus } = window.AttacheStaff;

  // newTurnID returns a random UUID; crypto.randomUUID exists only in secure
  // contexts, so plain-HTTP deployments fall back to getRandomValues.
  function newTurnID() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const agentLang = () => (state.me && state.me.languages && state.me.languages[0]) || 'en';
  const mine = (h) => !!(state.me && h.claimed_by && h.claimed_by === state.me.id);
  const hpath = (id, rest = '') => `/v1/handoffs/${encodeURIComponent(id)}${rest}`;

  function money(m) {
    if (!m || !m.currency) return '';
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: m.currency }).format(m.amount);
    } catch {
      return `${m.amount} ${m.currency}`;
    }
  }

  const when = (t) => el('time', { datetime: t }, t ? new Date(t).toLocaleString() : '—');

  // ---- SLA countdown ----

  // countdown formats the time left until due: mm:ss under an hour, else h:mm; overdue
  // when negative.
  function countdown(due, now) {
    const ms = Date.parse(due) - now;
    if (Number.isNaN(ms)) return { text: '—', overdue: false };
    const s = Math.floor(Math.abs(ms) / 1000);
    const pad = (n) => String(n).padStart(2, '0');
    const text = s >= 3600 ? `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}` : `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
    return ms < 0 ? { text: `overdue ${text}`, overdue: true } : { text, overdue: false };
  }

  function tick() {
    const now = Date.now();
    for (const t of document.querySelectorAll('#queue .sla')) {
      const c = countdown(t.dateTime, now);
      if (t.textContent !== c.text) t.textContent = c.text;
      t.classList.toggle('overdue', c.overdue);
    }
  }

  // ---- queue ----

  function sorted() {
    const rank = (h) => (mine(h) ? 0 : h.escalated ? 1 : 2);
    return [...state.handoffs.values()].sort((a, b) =>
      rank(a) - rank(b) || (Date.parse(a.sla_due_at) || Infinity) - (Date.parse(b.sla_due_at) || Infinity)
      || String(a.id).localeCompare(String(b.id)));
  }

  function renderQueue() {
    const list = $('queue');
    const focused = document.activeElement && list.contains(document.activeElement)
      ? { id: document.activeElement.closest('li').dataset.id, cls: document.activeElement.className } : null;
    list.replaceChildren();
    for (const h of sorted()) {
      const badges = el('span', { class: 'badges' },
        h.language ? el('span', { class: 'badge lang', lang: 'en' }, h.language) : null,
        h.market ? el('span', { class: 'badge market' }, h.market) : null,
        h.escalated ? el('span', { class: 'badge escalated' }, 'escalated') : null,
        mine(h) ? el('span', { class: 'badge claimed mine' }, 'claimed by you')
          : h.claimed_by ? el('span', { class: 'badge claimed' }, `claimed by ${h.claimed_by_name || 'another agent'}`) : null);
      const sla = el('time', { class: 'sla', datetime: h.sla_due_at, title: `Reply due by ${new Date(h.sla_due_at).toLocaleString()}` });
      const item = el('button', { type: 'button', class: 'item', 'aria-current': h.id === state.selected ? 'true' : 'false' },
        el('span', { class: 'reason', dir: 'auto' }, h.reason_text || h.reason || 'Handoff'),
        el('span', { class: 'when' }, 'SLA ', sla),
        badges,
        h.summary ? el('span', { class: 'summary', dir: 'auto', lang: agentLang() }, h.summary) : null);
      item.addEventListener('click', () => select(h.id));
      const li = el('li', { dataset: { id: h.id, status: h.status } }, item);
      if (!h.claimed_by) {
        const claim = el('button', { type: 'button', class: 'claim', 'aria-label': `Claim: ${h.reason_text || h.reason || h.id}` }, 'Claim');
        claim.addEventListener('click', () => claimHandoff(h.id));
        li.append(claim);
      }
      list.append(li);
    }
    tick();
    if (focused) {
      const li = list.querySelector(`li[data-id="${CSS.escape(focused.id)}"]`);
      const again = li && (li.querySelector(`button.${focused.cls.split(' ')[0]}`) || li.querySelector('button.item'));
      if (again) again.focus();
    }
    const n = state.handoffs.size;
    $('queue-count').textContent = `${n} ${n === 1 ? 'conversation' : 'conversations'} waiting or in progress.`;
  }

  // The queue's item buttons move focus with the arrow keys, Home and End.
  $('queue').addEventListener('keydown', (e) => {
    const items = [...$('queue').querySelectorAll('button.item')];
    const i = items.indexOf(e.target.closest('li')?.querySelector('button.item'));
    if (i < 0) return;
    let next = -1;
    if (e.key === 'ArrowDown') next = Math.min(i + 1, items.length - 1);
    else if (e.key === 'ArrowUp') next = Math.max(i - 1, 0);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = items.length - 1;
    else return;
    e.preventDefault();
    items[next].focus();
  });

  function upsert(h) {
    if (OPEN.has(h.status)) state.handoffs.set(h.id, h);
    else state.handoffs.delete(h.id);
    renderQueue();
    if (h.id === state.selected && state.detail) {
      state.detail.handoff = h;
      renderHeader();
    }
  }

  async function loadQueue() {
    try {
      const body = await api('/v1/handoffs?status=open');
      state.handoffs = new Map((body.handoffs || []).filter((h) => OPEN.has(h.status)).map((h) => [h.id, h]));
      renderQueue();
    } catch (err) {
      setStatus($('queue-status'), `Could not load the queue: ${err.message}`, true);
    }
  }

  async function claimHandoff(id) {
    setStatus($('queue-status'), 'Claiming…');
    try {
      const h = await post(hpath(id, '/claim'));
      setStatus($('queue-status'), 'Claimed. The conversation is yours.');
      upsert(h);
      await select(id);
    } catch (err) {
      setStatus($('queue-status'), err.message, true);
      if (err.status === 409) await loadQueue(); // someone else was faster: show who
    }
  }

  // ---- live updates ----

  let events;
  let backoff = 1000;
  function listen() {
    events = new EventSource('/v1/handoffs/events');
    events.addEventListener('open', () => {
      backoff = 1000;
      loadQueue(); // catch up with what changed while disconnected
    });
    events.addEventListener('handoff', (e) => {
      let h;
      try {
        h = JSON.parse(e.data);
      } catch {
        return;
      }
      if (h && h.id) upsert(h);
    });
    events.addEventListener('error', () => {
      // EventSource reconnects by itself unless the server refused the stream; then
      // check the session (a 401 goes to sign-in) and reconnect with backoff.
      if (events.readyState !== EventSource.CLOSED) return;
      setTimeout(async () => {
        try {
          await api('/v1/auth/me');
        } catch {
          // still down: try again later
        }
        backoff = Math.min(backoff * 2, 30000);
        listen();
      }, backoff);
    });
  }

  // ---- conversation view ----

  async function select(id) {
    state.selected = id;
    for (const li of $('queue').children) {
      li.querySelector('button.item').setAttribute('aria-current', li.dataset.id === id ? 'true' : 'false');
    }
    setStatus($('conv-status'), 'Loading…');
    let d;
    try {
      d = await api(hpath(id));
    } catch (err) {
      setStatus($('conv-status'), `Could not open the conversation: ${err.message}`, true);
      return;
    }
    if (state.selected !== id) return; // another one was chosen meanwhile
    if (state.detail?.handoff?.id !== id) {
      setStatus($('reply-status'), '');
      setStatus($('approval-status'), '');
      setStatus($('note-status'), '');
      state.turn = null;
    }
    state.detail = d;
    setStatus($('conv-status'), '');
    $('conv-view').hidden = false;
    renderHeader();
    renderPacket(d.packet || {});
    renderTranscript(d.transcript || []);
    renderDraft(d.draft);
    renderNotes(d.notes || []);
    loadApprovals();
    follow(d.handoff.conversation_id, id);
  }

  // The open conversation's transcript stays live: a message stored (the customer's, the
  // AI's, a colleague's) reloads the view, which brings its translation with it.
  let following = { conversation: null, source: null, timer: null };
  function follow(conversationID, handoffID) {
    if (following.conversation === conversationID) return;
    following.source?.close();
    clearTimeout(following.timer);
    following = { conversation: conversationID, source: null, timer: null };
    const source = new EventSource(`/v1/conversations/${encodeURIComponent(conversationID)}/events`);
    following.source = source;
    source.addEventListener('message', (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      const known = (state.detail?.transcript || []).some((l) => l.id === m.id);
      if (known || state.selected !== handoffID) return;
      clearTimeout(following.timer);
      following.timer = setTimeout(() => {
        if (state.selected === handoffID) select(handoffID);
      }, 300);
    });
  }

  // The assist stage: the AI's answer, for the agent to edit and send as their own.
  function renderDraft(draft) {
    const box = $('draft');
    box.hidden = !draft;
    if (!draft) return;
    $('draft-text').textContent = draft.text;
    $('draft-text').lang = draft.lang || '';
    const tr = $('draft-translation');
    tr.hidden = !draft.translated;
    tr.textContent = draft.translated ? draft.translation : '';
    $('draft-use').disabled = $('reply').disabled;
  }

  $('draft-use').addEventListener('click', () => {
    const draft = state.detail?.draft;
    if (!draft || $('reply').disabled) return;
    // The agent writes in their own language: the translation when there is one.
    $('reply').value = draft.translated ? draft.translation : draft.text;
    $('reply').focus();
  });

  function renderHeader() {
    const h = state.detail.handoff;
    $('conv-heading').textContent = h.reason_text || h.reason || 'Handoff';
    $('conv-heading').dir = 'auto';
    const who = mine(h) ? 'claimed by you' : h.claimed_by ? `claimed by ${h.claimed_by_name || 'another agent'}` : 'not claimed';
    const status = h.status === 'claimed' ? '' : h.status === 'handed_back' ? 'handed back to the AI' : h.status;
    $('conv-meta').textContent = [status, who, h.language, h.market, h.team && `team ${h.team}`, h.priority && `priority ${h.priority}`]
      .filter(Boolean).join(' · ');
    const open = OPEN.has(h.status);
    $('conv-claim').hidden = !open || !!h.claimed_by;
    $('conv-release').hidden = !mine(h) || !open;
    $('conv-resolve').disabled = !mine(h) || !open;
    $('conv-handback').disabled = !mine(h) || !open;
    $('reply').disabled = !mine(h) || !open;
    $('reply-send').disabled = !mine(h) || !open;
    $('reply').placeholder = mine(h) ? '' : 'Claim the conversation to reply.';
  }

  function fact(dl, term, value) {
    if (!value) return;
    dl.append(el('dt', {}, term), el('dd', { dir: 'auto' }, value));
  }

  function renderPacket(p) {
    $('packet-summary').textContent = p.summary || '—';
    $('packet-summary').lang = p.untranslated || !p.summary_translated ? (p.language || '') : agentLang();
    $('summary-mark').hidden = !p.untranslated;
    $('summary-mark').title = 'No translator was available: texts are shown as the customer wrote them.';
    $('packet-reason').textContent = [p.reason_text || p.reason, p.market && `market ${p.market}`, p.locale && `locale ${p.locale}`,
      p.sentiment && p.sentiment.negative ? `negative sentiment${p.sentiment.last_negative ? ' (last message)' : ''}` : '']
      .filter(Boolean).join(' · ');

    const dl = $('packet-customer');
    dl.replaceChildren();
    const c = p.customer || {};
    fact(dl, 'Customer', c.name);
    fact(dl, 'E-mail', c.email);
    fact(dl, 'Phone', c.phone);
    fact(dl, 'Customer ID', c.customer_id);
    const f = p.facts || {};
    fact(dl, 'AI disclosed', f.disclosed === undefined ? '' : f.disclosed ? 'yes' : 'no');

    const orders = $('packet-orders');
    orders.replaceChildren();
    for (const o of f.orders || []) {
      const text = typeof o === 'string' ? o
        : [o.id || o.order_id, o.status, o.total ? money(o.total) : ''].filter(Boolean).join(' · ') || JSON.stringify(o);
      orders.append(el('li', { dir: 'auto' }, text));
    }
    if (!orders.children.length) orders.append(el('li', { class: 'muted' }, 'None looked up.'));

    const tbody = $('tool-calls').tBodies[0];
    tbody.replaceChildren();
    for (const t of f.tool_calls || []) {
      const args = typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments ?? {});
      tbody.append(el('tr', { dataset: { key: t.key || '' } },
        el('td', {}, t.name), el('td', { class: 'args' }, el('code', {}, args)),
        el('td', { class: 'outcome' }, t.outcome || '—'), el('td', { class: 'key' }, el('code', {}, t.key || '—'))));
    }
    if (!tbody.rows.length) tbody.append(el('tr', {}, el('td', { colSpan: 4, class: 'muted' }, 'No tool calls.')));
  }

  // ---- transcript ----

  function authorLabel(m) {
    switch (m.author) {
      case 'customer': return ['Customer', 'customer'];
      case 'ai': return ['AI', 'ai'];
      case 'system': return ['System', 'system'];
      case 'human_agent':
        if (state.sentByMe.has(m.id) || (state.me && m.author_id && m.author_id === state.me.id)) return ['You', 'you'];
        return [m.author_name || 'Other agent', 'agent'];
      default: return [m.author || '—', 'system'];
    }
  }

  function messageNode(m, delivery) {
    const [label, who] = authorLabel(m);
    const li = el('li', { class: `amsg ${who}`, dataset: { id: m.id || '', author: m.author, who } },
      el('div', { class: 'meta' }, el('span', { class: 'who' }, label), ' ', when(m.created_at)));
    const pair = el('div', { class: 'pair' },
      el('div', { class: 'original', lang: m.lang || null, dir: 'auto' }, m.text));
    if (m.translation) {
      pair.append(el('div', { class: 'translation', lang: agentLang(), dir: 'auto' }, m.translation));
    } else {
      li.classList.add('single');
    }
    li.append(pair);
    if (delivery) li.append(el('p', { class: 'delivery muted' }, delivery));
    return li;
  }

  function renderTranscript(messages) {
    const ol = $('agent-transcript');
    ol.replaceChildren(...messages.map((m) => messageNode(m)));
    ol.scrollTop = ol.scrollHeight;
  }

  // ---- approvals ----

  async function loadApprovals() {
    const d = state.detail;
    const list = $('approvals');
    let approvals;
    try {
      approvals = (await api(`/v1/conversations/${encodeURIComponent(d.handoff.conversation_id)}/approvals`)).approvals || [];
    } catch (err) {
      // The packet still lists them; deciding needs the endpoint, so say why it may fail.
      approvals = (d.packet?.facts?.approvals_pending) || [];
      setStatus($('approval-status'), `Could not refresh the approvals: ${err.message}`, true);
    }
    if (state.detail !== d) return;
    list.replaceChildren();
    for (const a of approvals) {
      const note = el('input', { type: 'text', class: 'approval-note', 'aria-label': `Note for ${a.tool} ${a.key}`, placeholder: 'Note (optional)', dir: 'auto' });
      const approve = el('button', { type: 'button', class: 'approve' }, 'Approve');
      const deny = el('button', { type: 'button', class: 'deny secondary' }, 'Deny');
      approve.addEventListener('click', () => decide(a, true, note.value, [approve, deny]));
      deny.addEventListener('click', () => decide(a, false, note.value, [approve, deny]));
      const args = a.arguments ? el('code', { class: 'args' }, typeof a.arguments === 'string' ? a.arguments : JSON.stringify(a.arguments)) : null;
      list.append(el('li', { class: 'approval', dataset: { key: a.key } },
        el('span', { class: 'tool' }, a.tool), ' ', el('strong', { class: 'amount' }, money(a.amount)), ' ', args,
        el('span', { class: 'key muted' }, ` key ${a.key}`),
        el('div', { class: 'row' }, note, approve, deny)));
    }
    if (!approvals.length) list.append(el('li', { class: 'muted' }, 'Nothing waits for approval.'));
  }

  async function decide(a, approve, note, buttons) {
    const d = state.detail;
    buttons.forEach((b) => { b.disabled = true; });
    setStatus($('approval-status'), approve ? 'Approving…' : 'Denying…');
    try {
      const res = await post(`/v1/conversations/${encodeURIComponent(d.handoff.conversation_id)}/approvals/${encodeURIComponent(a.key)}`,
        { approve, note });
      const amount = res.amount ? ` ${money(res.amount)}` : '';
      setStatus($('approval-status'), `${a.tool}${amount}: ${res.outcome}${res.reason ? ` (${res.reason})` : ''}.`);
      await loadApprovals();
    } catch (err) {
      setStatus($('approval-status'), `Not decided: ${err.message}`, true);
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  // ---- reply ----

  async function sendReply() {
    const d = state.detail;
    const text = $('reply').value.trim();
    if (!d || !text || $('reply-send').disabled) return;
    // A retry of the same text after a failure reuses the turn id, so the server
    // sends it once.
    if (!state.turn || state.turn.text !== text) state.turn = { text, id: newTurnID() };
    $('reply-send').disabled = true;
    setStatus($('reply-status'), 'Sending…');
    $('reply').removeAttribute('aria-invalid');
    try {
      const res = await post(hpath(d.handoff.id, '/messages'), { text, turn_id: state.turn.id });
      const m = res.message;
      state.turn = null;
      state.sentByMe.add(m.id);
      const delivery = m.translated ? `translated to ${m.lang}` : 'sent untranslated';
      if (state.detail === d) {
        const msg = { id: m.id, author: 'human_agent', text: m.text, lang: m.lang,
          translation: m.translated ? m.original : '', created_at: new Date().toISOString() };
        $('agent-transcript').append(messageNode(msg, delivery));
        $('agent-transcript').scrollTop = $('agent-transcript').scrollHeight;
        $('reply').value = '';
      }
      setStatus($('reply-status'), `Sent, ${delivery}.`);
    } catch (err) {
      setStatus($('reply-status'), `Not sent: ${err.message}`, true);
      if (err.status === 422) $('reply').setAttribute('aria-invalid', 'true');
    } finally {
      if (state.detail === d) renderHeader();
    }
  }

  $('reply-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sendReply();
  });
  $('reply').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      sendReply();
    }
  });

  // ---- notes ----

  function noteNode(n) {
    return el('li', { class: 'note' }, el('div', { class: 'meta' }, el('span', { class: 'who' }, n.author || '—'), ' ', when(n.created_at)),
      el('p', { dir: 'auto' }, n.body));
  }

  function renderNotes(notes) {
    $('notes').replaceChildren(...notes.map(noteNode));
  }

  $('note-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const d = state.detail;
    const body = $('note').value.trim();
    if (!d || !body) return;
    $('note-add').disabled = true;
    try {
      const n = await post(hpath(d.handoff.id, '/notes'), { body });
      if (state.detail === d) {
        $('notes').append(noteNode(n));
        $('note').value = '';
      }
      setStatus($('note-status'), 'Note added.');
    } catch (err) {
      setStatus($('note-status'), `Not added: ${err.message}`, true);
    } finally {
      $('note-add').disabled = false;
    }
  });

  // ---- actions on the selected handoff ----

  function action(button, path, doing, done) {
    $(button).addEventListener('click', async () => {
      const d = state.detail;
      if (!d) return;
      $(button).disabled = true;
      setStatus($('conv-status'), doing);
      try {
        const h = await post(hpath(d.handoff.id, path));
        upsert(h);
        if (state.detail === d) {
          d.handoff = h;
          renderHeader();
        }
        setStatus($('conv-status'), done);
      } catch (err) {
        setStatus($('conv-status'), err.message, true);
        if (err.status === 409) loadQueue();
      } finally {
        $(button).disabled = false;
        if (state.detail === d) renderHeader();
      }
    });
  }

  action('conv-claim', '/claim', 'Claiming…', 'Claimed. The conversation is yours.');
  action('conv-release', '/release', 'Releasing…', 'Released to the queue.');
  action('conv-resolve', '/resolve', 'Resolving…', 'Resolved.');
  action('conv-handback', '/handback', 'Handing back…', 'Handed back to the AI; it tells the customer again that it is an AI.');

  // ---- start ----

  async function start() {
    try {
      state.me = await api('/v1/auth/me');
    } catch (err) {
      setStatus($('me'), `Could not check the sign-in: ${err.message}`, true);
      return;
    }
    const m = state.me;
    $('me').textContent = `Signed in as ${m.name || m.email}${m.role ? ` (${m.role})` : ''}${m.languages?.length ? ` · reads ${m.languages.join(', ')}` : ''}`;
    await loadQueue();
    listen();
    setInterval(tick, 1000);
    const id = new URLSearchParams(location.search).get('handoff');
    if (id) select(id);
  }

  start();
})();
