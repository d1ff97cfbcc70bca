// Attaché knowledge console: browse articles, edit a variant beside its source, publish,
// see stale translations, and test what a customer's question retrieves. It speaks only
// the public HTTP API under /v1/knowledge.
'use strict';

(() => {
  const API = '/v1/knowledge';
  const LOCALES = ['en', 'es', 'de', 'fr', 'pt-BR', 'ar', 'id', 'ja', 'th', 'vi', 'zh-Hans'];
  const RTL = new Set(['ar', 'he', 'fa', 'ur', 'ps', 'sd', 'ug', 'yi', 'dv', 'ckb']);
  const $ = (id) => document.getElementById(id);

  const state = { article: null, variant: null };

  const dirOf = (locale) => (RTL.has(String(locale || '').split('-')[0].toLowerCase()) ? 'rtl' : 'ltr');
  const variantKey = (v) => (v.market ? `${v.locale}|${v.market}` : v.locale);
  const variantLabel = (v) => (v.market ? `${v.locale} (${v.market})` : v.locale);

  const { el, setStatus } = window.AttacheStaff;
  const api = (path, init) => window.AttacheStaff.api(API + path, init);

  // ---- article list ----

  function badge(v) {
    const b = el('span', { class: 'badge', dataset: { locale: v.locale, market: v.market || '' } }, variantLabel(v));
    if (v.stale) {
      b.classList.add('stale');
      b.append(' · stale');
    }
    if (v.status === 'draft') {
      b.classList.add('draft');
      b.append(' · draft');
    }
    b.title = `${variantLabel(v)}: version ${v.version}, ${v.status}${v.stale ? ', stale: its source changed since' : ''}`;
    return b;
  }

  let listSeq = 0;
  async function loadList() {
    const seq = ++listSeq;
    const q = new URLSearchParams();
    const text = $('article-search').value.trim();
    if (text) q.set('q', text);
    if ($('stale-only').checked) q.set('stale', 'true');
    let body;
    try {
      body = await api(`/articles?${q}`);
    } catch (err) {
      setStatus($('article-count'), `Could not load articles: ${err.message}`, true);
      return;
    }
    if (seq !== listSeq) return; // a newer search is under way
    const list = $('article-list');
    list.replaceChildren();
    for (const a of body.articles) {
      const current = state.article && state.article.external_id === a.external_id;
      const btn = el('button', { type: 'button', dataset: { externalId: a.external_id } },
        el('span', { class: 'title', dir: 'auto' }, a.title), el('span', { class: 'id' }, a.external_id),
        el('span', { class: 'badges' }, ...a.variants.map(badge)));
      btn.setAttribute('aria-current', current ? 'true' : 'false');
      btn.addEventListener('click', () => openArticle(a.external_id));
      list.append(el('li', { dataset: { externalId: a.external_id } }, btn));
    }
    const stale = body.articles.filter((a) => a.variants.some((v) => v.stale)).length;
    setStatus($('article-count'), `${body.articles.length} ${body.articles.length === 1 ? 'article' : 'articles'}, ${stale} with stale translations`);
  }

  let searchTimer;
  $('article-search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(loadList, 200);
  });
  $('article-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    loadList();
  });
  $('stale-only').addEventListener('change', loadList);

  // ---- article and variant editor ----

  async function openArticle(id, keep) {
    let a;
    try {
      a = await api(`/articles/${encodeURIComponent(id)}`);
    } catch (err) {
      setStatus($('article-meta'), `Could not open ${id}: ${err.message}`, true);
      return;
    }
    state.article = a;
    const source = a.variants.find((v) => !v.source_locale && !v.market) || a.variants[0];
    $('article-heading').textContent = source.title;
    $('article-heading').dir = 'auto';
    $('article-meta').textContent = `${a.external_id} · ${a.variants.length} variants`;
    $('article-view').hidden = false;
    for (const b of document.querySelectorAll('#article-list button')) {
      b.setAttribute('aria-current', b.dataset.externalId === id ? 'true' : 'false');
    }

    $('source-locale').textContent = variantLabel(source);
    $('source-meta').textContent = `version ${source.version} · ${source.status} · updated by ${source.updated_by || '—'}`;
    for (const f of ['source-title', 'source-body']) {
      $(f).lang = source.locale;
      $(f).dir = dirOf(source.locale);
    }
    $('source-title').value = source.title;
    $('source-body').value = source.body;

    // The editor offers every variant, then the demo locales the article lacks (as new
    // translations of the source).
    const sel = $('translation-locale');
    const previous = keep || sel.value;
    sel.replaceChildren();
    for (const v of a.variants) {
      const label = `${variantLabel(v)}${v === source ? ' — source' : ''}${v.stale ? ' — stale' : ''}${v.status === 'draft' ? ' — draft' : ''}`;
      sel.append(el('option', { value: variantKey(v) }, label));
    }
    for (const l of LOCALES) {
      if (!a.variants.some((v) => v.locale === l && !v.market)) sel.append(el('option', { value: l }, `${l} — new translation`));
    }
    const firstTranslation = a.variants.find((v) => v !== source);
    const keys = [...sel.options].map((o) => o.value);
    sel.value = keys.includes(previous) && keep ? previous : variantKey(firstTranslation || source);
    showVariant();
  }

  function showVariant() {
    const a = state.article;
    const key = $('translation-locale').value;
    const source = a.variants.find((v) => !v.source_locale && !v.market) || a.variants[0];
    let v = a.variants.find((x) => variantKey(x) === key);
    const isNew = !v;
    if (isNew) {
      v = { locale: key, market: '', title: '', body: '', tags: source.tags, status: 'draft', source_locale: source.locale, version: 0 };
    }
    state.variant = v;
    for (const f of ['translation-title', 'translation-body']) {
      $(f).lang = v.locale;
      $(f).dir = dirOf(v.locale);
    }
    $('translation-heading').textContent = `Edit ${variantLabel(v)}`;
    $('translation-title').value = v.title;
    $('translation-body').value = v.body;
    $('translation-status').value = v.status;
    renderVariantMeta(v);
    setStatus($('save-status'), '');
    loadHistory(v, isNew);
  }

  function renderVariantMeta(v) {
    const meta = $('translation-meta');
    meta.replaceChildren();
    if (!v.version) {
      meta.append(`New translation of ${v.source_locale}; it is saved as a draft unless you publish it.`);
      return;
    }
    meta.append(`version ${v.version} · ${v.status}`);
    if (v.source_locale) {
      meta.append(` · translated from ${v.source_locale} v${v.source_version || '?'} `);
      meta.append(v.stale ? el('span', { id: 'translation-stale', class: 'badge stale' }, 'stale: the source changed since')
        : el('span', { class: 'badge' }, 'up to date'));
      if (v.stale) {
        // A reviewer who finds the translation still right says so without editing it.
        const review = el('button', { id: 'translation-reviewed', type: 'button', class: 'secondary' }, 'Mark as reviewed');
        review.addEventListener('click', () => markReviewed(v, review));
        meta.append(' ', review);
      }
    }
    meta.append(` · updated by ${v.updated_by || '—'}`);
  }

  async function markReviewed(v, button) {
    const a = state.article;
    button.disabled = true;
    const q = v.market ? `?market=${encodeURIComponent(v.market)}` : '';
    try {
      await api(`/articles/${encodeURIComponent(a.external_id)}/variants/${encodeURIComponent(v.locale)}/reviewed${q}`, { method: 'POST' });
      await openArticle(a.external_id, variantKey(v));
      setStatus($('save-status'), 'Marked as reviewed against the current source.');
      await loadList();
    } catch (err) {
      setStatus($('save-status'), `Not recorded: ${err.message}`, true);
      button.disabled = false;
    }
  }

  async function loadHistory(v, isNew) {
    const tbody = $('history').tBodies[0];
    tbody.replaceChildren();
    if (isNew) return;
    const q = v.market ? `?market=${encodeURIComponent(v.market)}` : '';
    let body;
    try {
      body = await api(`/articles/${encodeURIComponent(state.article.external_id)}/variants/${encodeURIComponent(v.locale)}/history${q}`);
    } catch (err) {
      tbody.append(el('tr', {}, el('td', { colSpan: 6 }, `Could not load the history: ${err.message}`)));
      return;
    }
    for (const h of body.versions) {
      tbody.append(el('tr', { dataset: { version: String(h.version) } },
        el('td', {}, String(h.version)), el('td', { dir: 'auto' }, h.title), el('td', {}, h.status),
        el('td', {}, h.source_version ? String(h.source_version) : '—'), el('td', {}, h.changed_by),
        el('td', {}, el('time', { datetime: h.changed_at }, new Date(h.changed_at).toLocaleString()))));
    }
  }

  $('translation-locale').addEventListener('change', showVariant);

  $('translation-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const a = state.article;
    const v = state.variant;
    if (!a || !v) return;
    const save = $('translation-save');
    save.disabled = true;
    setStatus($('save-status'), 'Saving…');
    const payload = {
      title: $('translation-title').value,
      body: $('translation-body').value,
      tags: v.tags || [],
      status: $('translation-status').value,
      source_locale: v.source_locale || '',
      market: v.market || '',
    };
    if (v.url) payload.url = v.url;
    try {
      const res = await api(`/articles/${encodeURIComponent(a.external_id)}/variants/${encodeURIComponent(v.locale)}`, {
        method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload),
      });
      const saved = res.variant;
      const what = res.outcome === 'unchanged' ? 'Nothing changed' : `Saved as version ${saved.version}`;
      await openArticle(a.external_id, variantKey(saved));
      setStatus($('save-status'), `${what} (${saved.status}).`);
      await loadList();
    } catch (err) {
      setStatus($('save-status'), `Not saved: ${err.message}`, true);
    } finally {
      save.disabled = false;
    }
  });

  // ---- test as a customer ----

  const testLocale = $('test-locale');
  testLocale.append(el('option', { value: '' }, 'Any (server default)'));
  for (const l of LOCALES) testLocale.append(el('option', { value: l }, l));

  $('test-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const tbody = $('test-results').tBodies[0];
    const req = { query: $('test-query').value, k: 10 };
    if (testLocale.value) req.locale = testLocale.value;
    const market = $('test-market').value.trim();
    if (market) req.market = market.toUpperCase();
    setStatus($('test-status'), 'Retrieving…');
    let body;
    try {
      body = await api('/search', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(req) });
    } catch (err) {
      tbody.replaceChildren();
      setStatus($('test-status'), `Search failed: ${err.message}`, true);
      return;
    }
    tbody.replaceChildren();
    body.passages.forEach((p, i) => {
      const rank = (r) => (r ? String(r) : '—');
      tbody.append(el('tr', { class: p.fallback ? 'passage fallback' : 'passage', dataset: { externalId: p.external_id, locale: p.locale } },
        el('td', {}, String(i + 1)),
        el('td', {}, el('span', { dir: 'auto' }, p.title), el('span', { class: 'id' }, ` (${p.external_id} v${p.version})`)),
        el('td', {}, p.locale), el('td', {}, p.market || 'all'),
        el('td', { dir: 'auto', lang: p.locale }, p.heading || '—'),
        el('td', { class: 'score' }, p.score.toFixed(4)),
        el('td', { class: 'vector-rank' }, rank(p.vector_rank)),
        el('td', { class: 'text-rank' }, rank(p.text_rank)),
        el('td', { class: 'fallback-flag' }, p.fallback ? 'yes' : 'no'),
        el('td', { class: 'text', dir: 'auto', lang: p.locale }, el('div', {}, p.text))));
    });
    setStatus($('test-status'), body.passages.length ? `${body.passages.length} passages.` : 'No passage would be retrieved.');
  });

  const params = new URLSearchParams(location.search);
  loadList().then(() => {
    if (params.get('article')) openArticle(params.get('article'));
  });
})();
