// Attaché staff sign-in: posts the e-mail address and password to /v1/auth/login, which
// sets an HttpOnly session cookie, then goes back to the page that asked for it.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  // next is a path on this site only: "/console/knowledge", never "//elsewhere" or a URL.
  function nextPath() {
    const n = new URLSearchParams(location.search).get('next') || '/console/knowledge';
    return n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/\\') ? n : '/console/knowledge';
  }

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const status = $('login-status');
    status.textContent = 'Signing in…';
    status.classList.remove('error');
    $('login-submit').disabled = true;
    try {
      const res = await fetch('/v1/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: $('login-email').value, password: $('login-password').value }),
      });
      if (res.ok) {
        location.assign(nextPath());
        return;
      }
      const body = await res.json().catch(() => ({}));
      status.textContent = body.detail || `Sign-in failed (HTTP ${res.status}).`;
      status.classList.add('error');
    } catch (e) {
      status.textContent = `Sign-in failed: ${e.message}`;
      status.classList.add('error');
    } finally {
      $('login-submit').disabled = false;
    }
  });
})();
