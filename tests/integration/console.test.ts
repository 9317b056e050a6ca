/**
 * The console over HTTP against the embedded runtime: sessions and roles, CSRF, the actions'
 * idempotency and audit trail, the workflow history on the dialogue page, and metrics that
 * reproduce the raw records of a generated population.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialogue } from '#core/dialogue.ts';
import { isMunicipal, legalForms } from '#core/organiser.ts';
import { regions } from '#core/regions.ts';
import { invitationExecutionName } from '#adapters/workflow-client.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
beforeAll(async () => {
  await h.start();
});
afterAll(async () => {
  await h.close();
});

const form = (data: Record<string, string>) => ({
  method: 'POST',
  redirect: 'manual' as const,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(data).toString(),
});

async function login(data: Record<string, string>): Promise<{ status: number; cookie?: string; location?: string | null; html: string }> {
  const r = await fetch(`${h.runtime.urls.app}/console/login`, form(data));
  const set = r.headers.get('set-cookie');
  return { status: r.status, cookie: set?.split(';')[0], location: r.headers.get('location'), html: await r.text() };
}

async function get(path: string, cookie?: string) {
  const r = await fetch(`${h.runtime.urls.app}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: r.status, location: r.headers.get('location'), html: await r.text(), type: r.headers.get('content-type') };
}

async function post(path: string, cookie: string, data: Record<string, string>) {
  const f = form(data);
  const r = await fetch(`${h.runtime.urls.app}${path}`, { ...f, headers: { ...f.headers, cookie } });
  return { status: r.status, location: r.headers.get('location'), html: await r.text() };
}

/** The hidden fields of the confirmation form (csrf, n) as the browser would post them. */
async function confirmFields(path: string, cookie: string): Promise<Record<string, string>> {
  const page = await get(path, cookie);
  expect(page.status).toBe(200);
  return Object.fromEntries([...page.html.matchAll(/<input type="hidden" name="(csrf|n)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
}

describe('console sign-in and roles', () => {
  it('signs in with the coordinator token and sets a strict, HttpOnly session cookie', async () => {
    const r = await fetch(`${h.runtime.urls.app}/console/login`, form({ name: 'Sara', token: h.runtime.tokens.coordinator }));
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/console');
    expect(r.headers.get('set-cookie')).toMatch(/^kd_session=[\w-]+\.[\w-]+; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=36000$/);
  });

  it('refuses a wrong token and a missing name with a Swedish message, and no cookie', async () => {
    const wrong = await login({ name: 'Sara', token: 'fel-nyckel-fel-nyckel', role: '' });
    expect(wrong.status).toBe(401);
    expect(wrong.cookie).toBeUndefined();
    expect(wrong.html).toContain('Åtkomstnyckeln stämmer inte.');
    const noName = await login({ name: ' ', role: 'coordinator' });
    expect(noName.status).toBe(400);
    expect(noName.html).toContain('Skriv ditt namn');
  });

  it('sends a visitor without a session to the login page, keeping only local return paths', async () => {
    expect(await get('/console/metrics')).toMatchObject({ status: 303, location: '/console/login?next=%2Fconsole%2Fmetrics' });
    const evil = await login({ name: 'Sara', role: 'coordinator', next: 'https://evil.example/console' });
    expect(evil.location).toBe('/console');
    const tampered = await get('/console', 'kd_session=eyJyIjoiY29vcmRpbmF0b3IifQ.AAAA');
    expect(tampered.status).toBe(303);
  });

  it('keeps the inspectorate out of coordinator pages and actions', async () => {
    const { cookie, location } = await login({ name: 'Ivar', token: h.runtime.tokens.inspectorate });
    expect(location).toBe('/console/inspection');
    expect((await get('/console/inspection', cookie)).status).toBe(200);
    for (const path of ['/console', '/console/metrics', '/console/metrics/region.csv']) {
      const r = await get(path, cookie);
      expect(r.status).toBe(403);
      expect(r.html).toContain('Ingen behörighet');
    }
  });

  it('signs out: the cookie is cleared, and the old cookie opens nothing any more (pages, actions, a second logout)', async () => {
    // Prepare: two sessions of the same person; one stays
    const { cookie } = await login({ name: 'Sara', role: 'coordinator' });
    const other = await login({ name: 'Sara', role: 'coordinator' });
    const csrf = /name="csrf" value="([^"]+)"/.exec((await get('/console/metrics', cookie)).html)?.[1] as string;

    // Act
    const r = await fetch(`${h.runtime.urls.app}/console/logout`, {
      ...form({ csrf }),
      headers: { ...form({}).headers, cookie: cookie as string },
    });

    // Assess
    expect(r.status).toBe(303);
    expect(r.headers.get('set-cookie')).toBe('kd_session=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0');
    // The cookie a browser (or anyone who copied it) still holds, within its 10 hours:
    expect(await get('/console', cookie)).toMatchObject({ status: 303, location: '/console/login?next=%2Fconsole' });
    expect((await get('/console/metrics', cookie)).status).toBe(303);
    const action = await post('/console/dialogues/dlg-x/close', cookie as string, { csrf, reason: 'x' });
    expect(action.status).toBe(401);
    expect(action.html).toContain('Du är inte inloggad');
    expect((await post('/console/logout', cookie as string, { csrf })).status).toBe(401);
    // Another session of the same person is not affected.
    expect((await get('/console', other.cookie)).status).toBe(200);
  });

  it('refuses a POST without the session-bound CSRF token', async () => {
    const { cookie } = await login({ name: 'Sara', role: 'coordinator' });
    const r = await post('/console/dialogues/dlg-x/close', cookie as string, { reason: 'x' });
    expect(r.status).toBe(403);
    expect(r.html).toContain('Formuläret har gått ut');
  });
});

describe('console actions', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = (await login({ name: 'Sara Samordnare', role: 'coordinator' })).cookie as string;
  });

  it('resends the invitation to one recipient once, with the same answer link, and audits who did it', async () => {
    // Prepare
    const id = await h.invite('norrviks-kommun');
    await h.clearMailbox();
    const path = `/console/dialogues/${id}/resend`;
    const fields = await confirmFields(path, cookie);

    // Act: the confirmation posted twice
    const first = await post(path, cookie, { ...fields, contactId: 'school-chief-asa-oberg-norrvik-example-se' });
    const second = await post(path, cookie, { ...fields, contactId: 'school-chief-asa-oberg-norrvik-example-se' });

    // Assess
    expect(first.location).toBe(`/console/dialogues/${id}?klart=resend`);
    expect(second.location).toBe(`/console/dialogues/${id}?klart=already`);
    const mails = await h.mailbox();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.destination.to).toEqual(['asa.oberg@norrvik.example.se']);
    const d = await h.dialogue(id);
    expect(d.mails.find((m: { step: string }) => m.step === 'invitation-resend-1')).toMatchObject({ status: 'sent' });
    const original = d.mails.find(
      (m: { step: string; contactId: string }) => m.step === 'invitation' && m.contactId.startsWith('school-chief'),
    );
    // The resend carries the invitation's link: the same target and expiry.
    expect(d.mails.find((m: { step: string }) => m.step === 'invitation-resend-1').linkExpiresAt).toBe(original.linkExpiresAt);
    expect(d.history.filter((x: { type: string }) => x.type === 'invitation_resent')).toEqual([
      expect.objectContaining({ by: 'Sara Samordnare (samordnare)', detail: expect.stringContaining('asa.oberg@norrvik.example.se') }),
    ]);
  });

  it('shows a readable error and changes nothing for an action the state does not allow', async () => {
    // Prepare
    const id = await h.invite('ekbackens-ekonomiska-forening');
    const fields = await confirmFields(`/console/dialogues/${id}/close`, cookie);

    // Act: no reason given
    const r = await post(`/console/dialogues/${id}/close`, cookie, { ...fields, reason: '' });

    // Assess
    expect(r.status).toBe(400);
    expect(r.html).toContain('Skriv varför dialogen avslutas.');
    expect((await h.dialogue(id)).state).toBe('invited');
  });

  it('retries a failed dialogue in a new execution and shows both executions with the error cause', async () => {
    // Prepare: an organiser without contacts fails; then its contacts are added
    await h.api(
      'POST',
      '/api/organisers',
      organiser({ id: 'tom-stiftelse', orgNumber: '802000-1005', legalForm: 'stiftelse', contacts: [] }),
    );
    const created = await h.api('POST', '/api/dialogues', { organiserId: 'tom-stiftelse' });
    const id = created.json.id as string;
    await h.execution(id);
    expect((await h.dialogue(id)).state).toBe('failed');
    await h.api('POST', '/api/organisers', organiser({ id: 'tom-stiftelse', orgNumber: '802000-1005', legalForm: 'stiftelse' }));
    const fields = await confirmFields(`/console/dialogues/${id}/retry`, cookie);

    // Act
    const r = await post(`/console/dialogues/${id}/retry`, cookie, fields);
    await h.runtime.sfn.waitForEvent(invitationExecutionName(id, 1), (e) => e.type === 'TaskWaiting');

    // Assess
    expect(r.location).toBe(`/console/dialogues/${id}?klart=retry`);
    const d = await h.dialogue(id);
    expect(d.state).toBe('invited');
    expect(d.history.map((x: { type: string }) => x.type)).toContain('retried');
    const page = await get(`/console/dialogues/${id}`, cookie);
    expect(page.html).toContain(`Inbjudan – Misslyckades <span class="hint">(${id}-invitation)</span>`);
    expect(page.html).toContain('NoRecipientsError');
    expect(page.html).toContain(`Inbjudan, försök 2 – Pågår <span class="hint">(${id}-invitation-r1)</span>`);
    // The workflow's history in Swedish words: no event types, statuses or state names in English.
    expect(page.html).toContain('<td>Arbetsflödet startade</td><td></td>');
    expect(page.html).toContain('<td>Steget började</td><td>Skicka inbjudningar och vänta på svar</td>');
    for (const english of [
      'ExecutionStarted',
      'StateEntered',
      'RUNNING',
      'FAILED',
      'Send invitations and await answer',
      'Resolve recipients',
    ])
      expect(page.html).not.toContain(english);
    // The step indicator: invited is under way (the retry), nothing reached after it.
    expect(page.html).toMatch(/<li class="step current" aria-current="step">.*Inbjudan.*– pågår/);
    expect((await post(`/console/dialogues/${id}/retry`, cookie, fields)).location).toContain('klart=already');
    const notAllowed = await get(`/console/dialogues/${id}/retry`, cookie);
    expect(notAllowed.status).toBe(409);
    expect(notAllowed.html).toContain('Det går inte i dialogens nuvarande läge (Inbjuden, väntar på svar).');
  });
});

describe('bulk start with progress', () => {
  it('starts a selection: a few at once, the rest by the tick while the page refreshes itself; the same confirmation twice starts nothing more', async () => {
    // Prepare: twelve organisers and a coordinator session
    const ids: string[] = [];
    for (let i = 1; i <= 12; i++) {
      const id = `bulk-org-${String(i).padStart(2, '0')}`;
      const r = await h.api(
        'POST',
        '/api/organisers',
        organiser({ id, orgNumber: `212000-10${String(i).padStart(2, '0')}`, name: `Bulkby ${i} kommun` }),
      );
      expect(r.status).toBeLessThan(300);
      ids.push(id);
    }
    const { cookie } = await login({ name: 'Sara', role: 'coordinator' });
    const picked = new URLSearchParams();
    const csrf = /name="csrf" value="([^"]+)"/.exec((await get('/console/start', cookie as string)).html)?.[1] ?? '';
    picked.set('csrf', csrf);
    for (const id of ids) picked.append('organiserIds', id);
    const confirmPage = await fetch(`${h.runtime.urls.app}/console/start`, {
      method: 'POST',
      headers: { cookie: cookie as string, 'content-type': 'application/x-www-form-urlencoded' },
      body: picked.toString(),
    });
    const confirmHtml = await confirmPage.text();
    const jobId = /name="jobId" value="([^"]+)"/.exec(confirmHtml)?.[1] ?? '';
    expect(jobId).toMatch(/^[\w-]{16,40}$/);
    const run = new URLSearchParams(picked);
    run.set('step', 'run');
    run.set('jobId', jobId);
    run.set('cycle', /name="cycle" value="(\d{4})"/.exec(confirmHtml)?.[1] ?? '');
    const send = () =>
      fetch(`${h.runtime.urls.app}/console/start`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookie as string, 'content-type': 'application/x-www-form-urlencoded' },
        body: run.toString(),
      });

    // Act: confirm (the first five start at once), follow the page as the browser would, then let
    // the scheduler's tick start the rest
    const first = await send();
    const progressUrl = first.headers.get('location') as string;
    const firstPage = await fetch(`${h.runtime.urls.app}${progressUrl}`, { headers: { cookie: cookie as string } });
    const csp = firstPage.headers.get('content-security-policy') ?? '';
    const pages = [{ html: await firstPage.text() }, await get(progressUrl, cookie as string)];
    await h.runtime.tick();
    pages.push(await get(progressUrl, cookie as string));
    const again = await send();

    // Assess: loading the page starts nothing; the tick does
    expect(first.status).toBe(303);
    expect(progressUrl).toBe(`/console/start/${jobId}`);
    expect(pages[0]?.html).toContain('<noscript><meta http-equiv="refresh" content="2"></noscript>');
    expect(pages[0]?.html).toContain('<script src="/console/assets/progress.js" defer></script>');
    expect(pages[0]?.html).toContain('<progress id="framsteg" max="12" value="5">');
    expect(pages[0]?.html).toContain('5 dialoger startade, 0 fanns redan, 0 gick inte att starta. 7 återstår.');
    expect(pages[1]?.html).toContain('5 dialoger startade, 0 fanns redan, 0 gick inte att starta. 7 återstår.');
    expect(pages[2]?.html).not.toContain('http-equiv="refresh"');
    expect(pages[2]?.html).toContain('12 dialoger startade, 0 fanns redan, 0 gick inte att starta.');
    expect(again.headers.get('location')).toBe(progressUrl);
    // The page may load its one script from this origin and nothing inline
    expect(csp).toContain("script-src 'self'; connect-src 'self'");
    expect(csp).not.toContain("unsafe-inline'; script");
    const status = await fetch(`${h.runtime.urls.app}${progressUrl}/status`, { headers: { cookie: cookie as string } });
    expect(await status.json()).toMatchObject({
      done: true,
      total: 12,
      handled: 12,
      started: 12,
      text: '12 dialoger startade, 0 fanns redan, 0 gick inte att starta.',
    });
    // The list is read once no workflow writes any more (it orders by last change).
    await h.invitationsWaiting();
    const all = (await h.api('GET', '/api/dialogues?limit=100')).json.items as Dialogue[];
    for (const id of ids) expect(all.filter((x) => x.organiserId === id)).toHaveLength(1);
    expect(all.find((x) => x.organiserId === 'bulk-org-01')?.history[0]).toMatchObject({ by: 'Sara (samordnare)' });
  });
});

const later = (iso: string, days: number) => new Date(Date.parse(iso) + days * 86_400_000).toISOString();

/** A deterministic mix of 300 dialogue records, with the denormalised organiser facts the filters read. */
function generatedPopulation(): Dialogue[] {
  const states = ['created', 'invited', 'accepted', 'accepted', 'accepted', 'declined', 'no_answer', 'failed', 'closed'] as const;
  const regionIds = Object.keys(regions);
  const formsCycle: Dialogue['schoolForms'][] = [
    ['forskola'],
    ['grundskola', 'fritidshem'],
    ['gymnasieskola', 'komvux'],
    ['forskola', 'grundskola'],
  ];
  const population: Dialogue[] = [];
  for (let i = 0; i < 300; i++) {
    const state = states[(i * 7) % states.length] as Dialogue['state'];
    const legalForm = legalForms[(i * 3) % legalForms.length] as Dialogue['legalForm'];
    const at = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
    const invited = state !== 'created' && !(state === 'failed' && i % 2 === 0);
    population.push({
      id: `dlg-${randomUUID()}`,
      organiserId: `org-${i}`,
      organiserName: `Huvudman ${i}`,
      cycle: '2026',
      region: regionIds[i % regionIds.length] as string,
      legalForm,
      municipal: isMunicipal(legalForm),
      state,
      recipients: [],
      reminders: 0,
      history: [
        { at, type: 'created', state: 'created' },
        ...(invited ? [{ at: later(at, 1 + (i % 3)), type: 'invitation_sent' as const, state: 'invited' as const }] : []),
        ...(i % 17 === 0 ? [{ at, type: 'mail_bounced' as const, detail: 'x@example.se: bounce' }] : []),
        ...(state === 'accepted' || state === 'declined'
          ? [{ at: later(at, 5 + (i % 7)), type: 'answered' as const, state: state as Dialogue['state'] }]
          : []),
        ...(state === 'accepted' && i % 2 === 0
          ? [{ at: later(at, 20 + (i % 13)), type: 'phase_changed' as const, state: 'intro_offered' as const }]
          : []),
      ],
      answer:
        state === 'accepted' || state === 'declined'
          ? {
              outcome: state,
              reason: state === 'declined' ? (['time', 'resources', 'other'] as const)[i % 3] : undefined,
              answeredAt: at,
              answeredBy: 'x',
            }
          : undefined,
      schoolForms: formsCycle[i % formsCycle.length],
      children: (i * 37) % 1500,
      ...(state === 'accepted' ? { pair: { skolverket: i % 2 ? 'sv-anna' : 'sv-bo', spsm: 'spsm-cia' } } : {}),
      ...(i % 11 === 0 && state === 'accepted'
        ? {
            conflict: {
              step: 'meeting:mtg-1',
              kind: 'physical_meeting',
              plannedStart: at,
              plannedEnd: at,
              inspectionId: `insp-${i}`,
              inspectionKind: 'regular_supervision',
              inspectionStart: at,
              inspectionEnd: at,
              rule: 'physical_meeting_near_inspection',
              reason: 'Dialogmötet ligger nära en inspektion.',
              since: at,
            } satisfies Dialogue['conflict'],
          }
        : {}),
      createdAt: at,
      updatedAt: at,
      version: 1,
    });
  }
  return population;
}

describe('console metrics on a generated population', () => {
  const g = new Harness();
  const population = generatedPopulation();
  let cookie: string;
  beforeAll(async () => {
    await g.start({ seed: false });
    for (const x of population) await g.runtime.deps.dialogues.create(x);
    const r = await fetch(`${g.runtime.urls.app}/console/login`, form({ name: 'Sara', role: 'coordinator' }));
    cookie = r.headers.get('set-cookie')?.split(';')[0] as string;
  });
  afterAll(async () => {
    await g.close();
  });

  /** Every dialogue id the filtered list shows, following "Nästa sida" to the end. */
  async function listed(path: string): Promise<string[]> {
    const seen: string[] = [];
    let next: string | undefined = path;
    for (let pages = 0; next && pages < 30; pages++) {
      const html = await (await fetch(`${g.runtime.urls.app}${next}`, { headers: { cookie } })).text();
      seen.push(...[...html.matchAll(/href="\/console\/dialogues\/([^"]+)"/g)].map((m) => m[1] as string));
      next = /href="([^"]+)" rel="next"/.exec(html)?.[1]?.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
    }
    return seen;
  }

  it.each([
    ['schoolForm=komvux', (x: Dialogue) => (x.schoolForms ?? []).includes('komvux')],
    ['facilitator=sv-anna', (x: Dialogue) => x.pair?.skolverket === 'sv-anna'],
    ['facilitator=spsm-cia&legalForm=aktiebolag', (x: Dialogue) => x.pair?.spsm === 'spsm-cia' && x.legalForm === 'aktiebolag'],
    ['conflict=ja', (x: Dialogue) => Boolean(x.conflict)],
    ['failed=ja', (x: Dialogue) => x.state === 'failed' || x.history.some((h) => h.type === 'mail_bounced')],
    ['phase=end&ownership=kommunal', (x: Dialogue) => ['declined', 'no_answer', 'failed', 'closed'].includes(x.state) && x.municipal],
  ])('filters by %s exactly as a recount of the raw records', async (query, match) => {
    // Act
    const seen = await listed(`/console?${query}&sort=aldst&limit=50`);

    // Assess
    const expected = population.filter(match).map((x) => x.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(seen).toEqual(expected);
  });

  it('shows the counts per phase at the top', async () => {
    const html = await (await fetch(`${g.runtime.urls.app}/console`, { headers: { cookie } })).text();
    const ended = population.filter((x) => ['declined', 'no_answer', 'failed', 'closed'].includes(x.state)).length;
    expect(html).toContain(`<strong>${ended}</strong> Avslutade`);
    expect(html).toContain(
      `<strong>${population.filter((x) => ['created', 'invited', 'accepted'].includes(x.state)).length}</strong> Inbjudan`,
    );
  });

  it('reproduces the counts of the raw records, per legal form, ownership and region, in the CSV export', async () => {
    const csv = async (table: string) => {
      const r = await fetch(`${g.runtime.urls.app}/console/metrics/${table}.csv`, { headers: { cookie } });
      expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const bytes = Buffer.from(await r.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      return new Map(
        bytes
          .subarray(3)
          .toString('utf8')
          .trim()
          .split('\r\n')
          .slice(1)
          .map((line) => line.split(';'))
          .map(([label, ...cells]) => [label as string, cells.slice(0, 5).map(Number)]),
      );
    };

    const csvRaw = async (table: string) => {
      const r = await fetch(`${g.runtime.urls.app}/console/metrics/${table}.csv`, { headers: { cookie } });
      return (await r.text())
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n')
        .slice(1)
        .map((line) => line.split(';'));
    };

    // Act
    const [byForm, byOwnership] = [await csv('juridisk-form'), await csv('huvudmannatyp')];

    // Assess: recount from the raw records
    const offered = population.filter((x) => x.history.some((e) => e.type === 'invitation_sent'));
    const row = (xs: Dialogue[]) => [
      xs.length,
      xs.filter((x) => x.state === 'accepted').length,
      xs.filter((x) => x.state === 'declined').length,
      xs.filter((x) => x.state === 'no_answer').length,
      xs.filter((x) => x.state === 'invited').length,
    ];
    expect(byForm.get('Totalt')).toEqual(row(offered));
    expect(byForm.get('Kommuner')).toEqual(row(offered.filter((x) => x.legalForm === 'kommun')));
    expect(byForm.get('Aktiebolag')).toEqual(row(offered.filter((x) => x.legalForm === 'aktiebolag')));
    expect(byForm.get('Övriga')).toEqual(row(offered.filter((x) => x.legalForm === 'region' || x.legalForm === 'ovrig')));
    expect(byOwnership.get('Kommunala huvudmän')).toEqual(row(offered.filter((x) => x.municipal)));
    expect(byOwnership.get('Enskilda huvudmän')).toEqual(row(offered.filter((x) => !x.municipal)));
    // Assess: size bands from the children copied onto each record
    const bySize = await csv('storlek');
    const band = (lo: number, hi: number) => offered.filter((x) => (x.children ?? -1) >= lo && (x.children ?? -1) <= hi);
    expect(bySize.get('Under 50 barn och elever')).toEqual(row(band(0, 49)));
    expect(bySize.get('50–499 barn och elever')).toEqual(row(band(50, 499)));
    expect(bySize.get('500–4 999 barn och elever')).toEqual(row(band(500, 4999)));
    expect(bySize.get('Totalt')).toEqual(row(offered));
    // Assess: days in the invitation phase, recounted from the states in each history
    const spans = population.flatMap((x) => {
      const withState = x.history.filter((e) => e.state);
      const left = withState.find((e) => !['created', 'invited', 'accepted'].includes(e.state as string));
      return left && withState[0] ? [(Date.parse(left.at) - Date.parse(withState[0].at)) / 86_400_000] : [];
    });
    const phases = await csvRaw('tid-per-fas');
    const invitationRow = phases.find((r) => r[0] === 'Fas: Inbjudan');
    expect(Number(invitationRow?.[1])).toBe(spans.length);
    // Swedish Excel reads a decimal comma: 2,5 days, never 2.5
    expect(invitationRow?.[2]).toMatch(/^\d+(,\d)?$/);
    expect(Number(invitationRow?.[2]?.replace(',', '.'))).toBeCloseTo(spans.reduce((a, b) => a + b, 0) / spans.length, 1);
    const introRow = phases.find((r) => r[0] === 'Fas: Introduktion');
    expect(introRow?.slice(1)).toEqual(['0', '', '']);
    // Assess: paging a filtered list visits each matching dialogue exactly once
    const seen: string[] = [];
    let next: string | undefined = '/console?ownership=enskild&sort=aldst&limit=25';
    for (let pages = 0; next && pages < 20; pages++) {
      const html = await (await fetch(`${g.runtime.urls.app}${next}`, { headers: { cookie } })).text();
      seen.push(...[...html.matchAll(/href="\/console\/dialogues\/([^"]+)"/g)].map((m) => m[1] as string));
      next = /href="([^"]+)" rel="next"/.exec(html)?.[1]?.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
    }
    const privateIds = population.filter((x) => !x.municipal).map((x) => x.id);
    expect(seen).toEqual(privateIds);

    const page = await fetch(`${g.runtime.urls.app}/console?state=accepted&limit=100`, { headers: { cookie } });
    expect(await page.text()).toContain(`<strong>${population.filter((x) => x.state === 'accepted').length}</strong> Tackat ja`);
  });
});
