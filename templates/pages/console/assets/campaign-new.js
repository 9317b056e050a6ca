// Progress of the campaign draft while its form is being posted: the preview checks every
// organiser in the selection (a few seconds for the whole country), and the page is still shown
// until the answer comes. The script asks how far the post has come every half second and shows
// it in a progress bar and a polite live region. Without script the browser's own loading
// indicator is all there is. No inline script: the page's CSP allows 'self' only.
(() => {
  const form = document.querySelector('form[action="/console/campaigns"]');
  const box = document.getElementById('skapar');
  if (!form || !box) return;
  const bar = document.getElementById('skapar-framsteg');
  const label = document.getElementById('skapar-text');
  const status = document.getElementById('skapar-status');
  const sv = (n) => n.toLocaleString('sv-SE');
  const show = (p) => {
    if (p.campaignId) {
      label.textContent = 'Utkastet är klart. Förhandsgranskningen visas strax.';
      bar.max = 1;
      bar.value = 1;
      return;
    }
    if (!p.started) return;
    if (p.step === 'saving') {
      label.textContent = `Alla ${sv(p.checked)} huvudmän är granskade. Utkastet sparas …`;
      bar.max = 1;
      bar.value = 1;
      return;
    }
    label.textContent = p.of
      ? `Granskar urvalet: ${sv(p.checked)} av cirka ${sv(p.of)} huvudmän`
      : `Granskar urvalet: ${sv(p.checked)} huvudmän`;
    if (p.of) {
      bar.max = p.of;
      bar.value = Math.min(p.checked, p.of);
    }
    status.textContent = label.textContent;
  };
  form.addEventListener('submit', () => {
    const formId = form.querySelector('input[name="formId"]')?.value;
    if (!formId) return;
    box.hidden = false;
    form.querySelector('button[type="submit"]').setAttribute('aria-disabled', 'true');
    const tick = async () => {
      try {
        const r = await fetch(`/console/campaigns/new/status?form=${encodeURIComponent(formId)}`, {
          headers: { accept: 'application/json' },
          credentials: 'same-origin',
        });
        if (r.ok) show(await r.json());
      } catch {
        // the page is being replaced by the answer, or the network hiccuped: the next tick tries again
      }
      setTimeout(tick, 500);
    };
    setTimeout(tick, 300);
  });
})();
