/**
 * The local runtime's start page (GET /): where the console, the mailbox and the API are. It
 * shows no token or other secret: a page is read by whatever loads it, and the tokens are
 * printed by `npm start` in its terminal (and kept in the data folder's secrets.json).
 */
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function indexPage(urls: { app: string; mailbox: string }): string {
  const app = escapeHtml(urls.app);
  const mailbox = escapeHtml(urls.mailbox);
  return `<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Kvalitetsdialog – lokal miljö</title></head>
<body style="font-family:Arial,sans-serif;max-width:46rem;margin:2rem auto;line-height:1.5">
<h1>Kvalitetsdialog – lokal miljö</h1>
<ul>
<li><a href="${app}/console">Konsolen</a> för samordnare och Inspektionen (välj roll vid inloggningen).</li>
<li><a href="${mailbox}">Brevlådan</a> (aws-ses-v2-local) visar alla skickade mejl.</li>
<li>API: <code>${app}/api/dialogues</code> med <code>Authorization: Bearer $T</code>, där <code>$T</code> är samordnarens nyckel som <code>npm start</code> skrev ut i terminalen (den finns också i datamappens <code>secrets.json</code>).</li>
<li>Starta en dialog: <code>curl -X POST ${app}/api/dialogues -H 'content-type: application/json' -H "authorization: Bearer $T" -d '{"organiserId":"norrviks-kommun"}'</code></li>
<li>Flytta klockan: <code>curl -X POST ${app}/api/dev/clock -H "authorization: Bearer $T" -d '{"advance":"P8D"}'</code></li>
</ul></body></html>`;
}
