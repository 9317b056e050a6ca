/**
 * The edge's small refusals, each against the running service: a form field sent twice (organiser
 * and console forms), a JSON-looking media type, a UTF-8 header, an import rejected as a whole, a
 * name that would break a mail header.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
let dialogueId: string;
let link: string;

beforeAll(async () => {
  await h.start();
  await h.api('POST', '/api/organisers', organiser({ contacts: [{ role: 'board', name: 'Nämnden', email: 'edge@testvik.example.se' }] }));
  dialogueId = await h.invite('testkommun');
  link = h.linkIn((await h.mailTo('edge@testvik.example.se')).at(-1)!);
});
afterAll(async () => {
  await h.close();
});

const postForm = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

async function consoleSession(): Promise<{ cookie: string; csrf: string }> {
  const r = await postForm(`${h.runtime.urls.app}/console/login`, new URLSearchParams({ name: 'Sara', role: 'coordinator' }).toString());
  const cookie = r.headers.get('set-cookie')?.split(';')[0] ?? '';
  const page = await (await fetch(`${h.runtime.urls.app}/console/dialogues/${dialogueId}/close`, { headers: { cookie } })).text();
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '' };
}

describe('forms', () => {
  it('refuses an answer sent twice (accept and decline) with a Swedish page, and records nothing', async () => {
    // Act
    const r = await postForm(link, 'answer=accept&answer=decline&reason=time');
    const html = await r.text();

    // Assess
    expect(r.status).toBe(400);
    expect(html).toContain('lang="sv"');
    expect(html).toContain('Fältet ”answer” skickades mer än en gång.');
    expect((await h.dialogue(dialogueId)).state).toBe('invited');
  });

  it('refuses an answer whose Origin names our host on another scheme, and records nothing', async () => {
    // Prepare: the local service is http://127.0.0.1:<port>; the same host and port on https is another origin.
    const sameHostOtherScheme = h.runtime.urls.app.replace(/^http:/, 'https:');

    // Act
    const r = await postForm(link, 'answer=accept', { origin: sameHostOtherScheme });

    // Assess
    expect(r.status).toBe(403);
    expect((await h.dialogue(dialogueId)).state).toBe('invited');
    expect((await postForm(link, 'answer=decline', { origin: h.runtime.urls.app })).status).toBe(400);
  });

  it('refuses a console form with a field sent twice (the reason, or the CSRF token), and changes nothing', async () => {
    // Prepare
    const { cookie, csrf } = await consoleSession();
    const url = `${h.runtime.urls.app}/console/dialogues/${dialogueId}/close`;

    // Act
    const twice = await postForm(url, `csrf=${csrf}&reason=En&reason=Två`, { cookie });
    const csrfTwice = await postForm(url, `csrf=${csrf}&csrf=${csrf}&reason=En`, { cookie });

    // Assess
    for (const r of [twice, csrfTwice]) {
      expect(r.status).toBe(400);
      expect(await r.text()).toContain('skickades mer än en gång');
    }
    expect((await h.dialogue(dialogueId)).state).toBe('invited');
  });

  it('refuses a campaign form with a field the form does not have, and creates no campaign', async () => {
    // Prepare
    const { cookie, csrf } = await consoleSession();
    const before = (await h.api('GET', '/api/campaigns')).json;
    const body = new URLSearchParams({ csrf, formId: 'f'.repeat(22), name: 'Syd', cycle: '2026', region: 'syd', notYetOffered: 'ja' });

    // Act
    const r = await postForm(`${h.runtime.urls.app}/console/campaigns`, body.toString(), { cookie });

    // Assess
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('Formuläret har ett fält som det inte ska ha: ”region”');
    expect((await h.api('GET', '/api/campaigns')).json).toEqual(before);
  });
});

describe('headers and bodies', () => {
  it('takes JSON only as application/json (parameters allowed), not application/jsonx', async () => {
    const send = (type: string) =>
      fetch(`${h.runtime.urls.app}/api/dialogues`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.runtime.tokens.coordinator}`, 'content-type': type },
        body: JSON.stringify({ organiserId: 'testkommun' }),
      });
    for (const type of ['application/jsonx', 'application/json-patch+json', 'text/plain'])
      expect((await send(type)).status, type).toBe(400);
    // The organiser already has its dialogue: a 409 means the body was read.
    expect((await send('Application/JSON; charset=utf-8')).status).toBe(409);
  });

  it('stores a UTF-8 X-Actor header as the name it is, å, ä and ö intact', async () => {
    // Prepare: the header's bytes are UTF-8, as curl sends them (fetch sends each character ≤ U+00FF as one byte).
    const name = 'Inspektör Åsa Ängström';
    const utf8Bytes = Buffer.from(name, 'utf8').toString('latin1');
    const body = { orgNumber: '212000-0001', kind: 'regelbunden tillsyn', start: '2027-03-05' };

    // Act
    const r = await fetch(`${h.runtime.urls.app}/api/inspections/SI-UTF8`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${h.runtime.tokens.inspectorate}`, 'content-type': 'application/json', 'x-actor': utf8Bytes },
      body: JSON.stringify(body),
    });

    // Assess
    expect(r.status).toBe(201);
    expect(((await r.json()) as { updatedBy: string }).updatedBy).toBe(`inspectorate:${name}`);
    const audit = await h.api(
      'GET',
      `/api/audit?date=${h.runtime.clock.now().toISOString().slice(0, 10)}`,
      undefined,
      h.runtime.tokens.inspectorate,
    );
    expect(audit.json.items.map((e: { actor: string }) => e.actor)).toContain(`inspectorate:${name}`);
  });

  it('refuses a contact name with CR/LF at the edge (it would break the mail), and stores nothing', async () => {
    // Act
    const r = await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: 'crlf-kommun',
        orgNumber: '212000-0009',
        contacts: [{ role: 'board', name: 'Nämnden\r\nBcc: x@example.se', email: 'x@example.se' }],
      }),
    );

    // Assess
    expect(r.status).toBe(400);
    expect(r.json.issues).toEqual([
      { path: 'contacts.0.name', message: 'name must be one line, without line breaks or control characters' },
    ]);
    expect((await h.api('GET', '/api/organisers/crlf-kommun')).status).toBe(404);
  });

  it('reports valid: 0, not -1, when the import file is rejected as a whole', async () => {
    const r = await fetch(`${h.runtime.urls.app}/api/inspections/import?dryRun=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.runtime.tokens.inspectorate}`, 'content-type': 'text/csv' },
      body: 'namn;datum\nx;2026-01-01\n',
    });
    const report = (await r.json()) as { rows: number; valid: number; errors: unknown[] };
    expect(r.status).toBe(200);
    expect(report).toMatchObject({ rows: 0, valid: 0 });
    expect(report.errors).toHaveLength(1);
  });
});

/** A GET with the Host header a browser would send for a page at `host` (fetch cannot set Host). */
const getWithHost = (url: string, host: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });

describe('the local runtime', () => {
  it('answers only requests addressed to 127.0.0.1 or localhost (a DNS-rebinding page gets 421 from every local server)', async () => {
    const { app, mailbox, dynamodb, sfn } = h.runtime.urls;
    for (const url of [`${app}/`, `${app}/api/organisers`, `${app}/console/login`, `${mailbox}/store`, `${dynamodb}/`, `${sfn}/`]) {
      const port = new URL(url).port;
      const foreign = await getWithHost(url, `rebind.attacker.example:${port}`);
      expect(foreign.status, url).toBe(421);
      expect(foreign.body).not.toContain(h.runtime.tokens.coordinator);
      expect((await getWithHost(url, `localhost:${port}`)).status, url).not.toBe(421);
    }
  });

  it('its dev routes take no unknown keys either', async () => {
    const before = h.runtime.clock.now().getTime();
    expect((await h.api('POST', '/api/dev/clock', { advance: 'P1D', advanec: 'P30D' })).status).toBe(400);
    const r = await h.api('POST', '/api/dev/ses-event', { dialogueId, email: 'edge@testvik.example.se', type: 'bounce', permanant: true });
    expect(r.status).toBe(400);
    expect(h.runtime.clock.now().getTime() - before).toBeLessThan(60_000);
  });

  it('shows no token or other secret on its start page', async () => {
    const r = await getWithHost(`${h.runtime.urls.app}/`, new URL(h.runtime.urls.app).host);
    expect(r.status).toBe(200);
    expect(r.body).toContain('Konsolen');
    const secrets = JSON.parse(readFileSync(join(h.dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(secrets)).toEqual(['linkSigningKey', 'coordinatorToken', 'inspectorateToken', 'inspectorateFeedKey']);
    for (const secret of Object.values(secrets)) expect(r.body).not.toContain(secret);
  });
});
