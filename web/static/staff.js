// What the staff consoles share: building elements, calling the HTTP API and status lines.
// A 401 from the API goes to the sign-in page and back; any other failure throws an Error
// whose message is the problem's detail (or title) and field reasons, with status and
// problem set. Loaded before each console's own script.
'use strict';

window.AttacheStaff = (() => {
  function el(tag, props = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (v == null) continue;
      if (k === 'class') e.className = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k in e && typeof v !== 'string') e[k] = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }

  function signIn() {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }

  // request makes the call and returns the response with its decoded body.
  async function request(path, init) {
    const res = await fetch(path, init);
    if (res.status === 401) {
      signIn();
      throw new Error('Sign in to continue.');
    }
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const fields = (body.errors || []).map((e) => `${e.field}: ${e.reason}`).join('; ');
      const err = new Error([body.detail || body.title || `HTTP ${res.status}`, fields].filter(Boolean).join(' '));
      err.status = res.status;
      err.problem = body;
      throw err;
    }
    return { res, body };
  }

  const api = async (path, init) => (await request(path, init)).body;

  const post = (path, payload) => api(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });

  function setStatus(node, text, isError) {
    node.textContent = text;
    node.classList.toggle('error', !!isError);
  }

  return { el, signIn, request, api, post, setStatus };
})();
