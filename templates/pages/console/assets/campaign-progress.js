// Live progress of a running campaign: asks the server for the numbers every two seconds and
// updates the bar, the counts and the status text (a polite live region) in place; when the
// campaign stops running (completed, or paused elsewhere) it reloads the page once, so the
// actions and lists match. Without script the page reloads itself instead (<noscript> refresh).
(() => {
  const root = document.querySelector('[data-campaign-status]');
  if (!root) return;
  const url = root.getAttribute('data-campaign-status');
  const set = (id, text) => {
    const el = document.getElementById(id);
    if (el) el.textContent = text;
  };
  const note = (id, text) => {
    const el = document.getElementById(id);
    if (!el) return;
    el.textContent = text ?? '';
    el.hidden = !text;
  };
  const tick = async () => {
    let p;
    try {
      const r = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!r.ok) throw new Error(String(r.status));
      p = await r.json();
    } catch {
      setTimeout(tick, 5000);
      return;
    }
    if (p.state !== 'running') {
      // The page as it is now, without the message of the action that started it.
      const next = new URL(window.location.href);
      next.searchParams.delete('klart');
      window.location.replace(next.toString());
      return;
    }
    const bar = document.getElementById('framsteg');
    bar.max = p.barMax;
    bar.value = p.handled;
    bar.textContent = `${p.handled} av ${p.total}`;
    const label = document.querySelector('label[for="framsteg"]');
    if (label) label.textContent = `Inbjudna och misslyckade: ${p.handled} av ${p.total}`;
    set('framsteg-text', p.text);
    set('framsteg-skickade', String(p.sent));
    set('framsteg-ko', String(p.queued));
    set('framsteg-misslyckade', String(p.failed));
    note('framsteg-vantar', p.waiting);
    note('framsteg-begransning', p.throttle);
    setTimeout(tick, 2000);
  };
  setTimeout(tick, 2000);
})();
