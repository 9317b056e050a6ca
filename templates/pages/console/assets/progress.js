// Live progress of a bulk start: asks the server for the next step every second and updates the
// bar, the status text (a polite live region) and the table in place. Without script, the page
// reloads itself instead (<noscript> refresh). No inline script: the page's CSP allows 'self' only.
(() => {
  const root = document.querySelector('[data-progress-url]');
  if (!root) return;
  const url = root.getAttribute('data-progress-url');
  const bar = document.getElementById('framsteg');
  const label = document.querySelector('label[for="framsteg"]');
  const text = document.getElementById('framsteg-text');
  const rows = document.getElementById('framsteg-rader');
  const cell = (content) => {
    const td = document.createElement('td');
    td.append(content);
    return td;
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
    bar.max = p.total;
    bar.value = p.handled;
    bar.textContent = `${p.handled} av ${p.total}`;
    label.textContent = `Startade ${p.handled} av ${p.total}`;
    text.textContent = p.text;
    rows.replaceChildren(
      ...p.rows.map((r) => {
        const tr = document.createElement('tr');
        let name = r.name;
        if (r.dialogueId) {
          name = document.createElement('a');
          name.href = `/console/dialogues/${encodeURIComponent(r.dialogueId)}`;
          name.textContent = r.name;
        }
        const orgNumber = cell(r.orgNumber ?? '');
        orgNumber.className = 'orgnr';
        tr.append(cell(name), orgNumber, cell(r.message ? `${r.outcomeLabel}: ${r.message}` : r.outcomeLabel));
        return tr;
      }),
    );
    if (p.done) {
      document.querySelector('h1').textContent = 'Resultat';
      document.getElementById('framsteg-hint')?.remove();
      document.getElementById('framsteg-klar').hidden = false;
      text.parentElement.className = 'ok';
      return;
    }
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 1000);
})();
