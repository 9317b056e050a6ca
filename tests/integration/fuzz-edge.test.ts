/**
 * Property-based fuzzing of the edge with inputs that are well-formed but wrong, the kind random
 * strings almost never produce: page cursors that decode to JSON (another list's, or made up),
 * bodies with an unknown key at any depth, ids past DynamoDB's key limit, and dates that do not
 * exist, on every route that takes them and both imports. Never a 5xx, always the 400 that names
 * the problem, never a wider selection, and nothing written (the whole table is compared).
 */
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#functions/http/routes.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
let doc: DynamoDBDocumentClient;
let cookie: string;
let csrf: string;
let dialogueId: string;

beforeAll(async () => {
  await h.start();
  doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'eu-north-1',
      endpoint: h.runtime.urls.dynamodb,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    }),
  );
  await h.api('POST', '/api/organisers', organiser());
  dialogueId = await h.invite('testkommun');
  const login = await fetch(`${h.runtime.urls.app}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: 'Fuzz', role: 'coordinator' }).toString(),
  });
  cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
  csrf =
    /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${h.runtime.urls.app}/console`, { headers: { cookie } })).text())?.[1] ?? '';
});
afterAll(async () => {
  await h.close();
});

/** Every item of the table, as one digest: "nothing written" means this does not change. */
async function tableDigest(): Promise<string> {
  const items: unknown[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await doc.send(new ScanCommand({ TableName: 'kvalitetsdialog', ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  const lines = items.map((i) => JSON.stringify(i, Object.keys(i as object).sort())).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

const coordinator = () => h.runtime.tokens.coordinator;
const inspectorate = () => h.runtime.tokens.inspectorate;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function consoleGet(path: string) {
  const r = await fetch(`${h.runtime.urls.app}${path}`, { redirect: 'manual', headers: { cookie } });
  return { status: r.status, html: await r.text() };
}

describe('well-formed but foreign page cursors', () => {
  /** Cursors that decode to JSON objects but are no key of the list they are sent to. */
  const keyNames = ['pk', 'sk', 'kindPk', 'kindSk', 'statePk', 'stateSk', 'duePk', 'dueSk', 'a', ''];
  const foreignCursor = fc.oneof(
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })).map(b64),
    fc
      .dictionary(fc.constantFrom(...keyNames), fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.constant(''), fc.constant(null)), {
        minKeys: 1,
      })
      .map(b64),
    // The right attribute names with the partition of some other list.
    fc
      .record({
        pk: fc.string({ minLength: 1, maxLength: 20 }),
        sk: fc.string({ minLength: 1, maxLength: 20 }),
        kindPk: fc.constantFrom('FACILITATOR', 'INSPECTION', 'INTRO_SESSION', 'BULK_OPEN', 'X'),
        kindSk: fc.string({ minLength: 1, maxLength: 20 }),
      })
      .map(b64),
    fc
      .record({
        pk: fc.string({ minLength: 1 }),
        sk: fc.string({ minLength: 1 }),
        statePk: fc.constantFrom('DIALOGUE#nonsense', 'ORGANISER', 'DIALOGUE#'),
        stateSk: fc.string({ minLength: 1 }),
      })
      .map(b64),
    fc.string({ minLength: 1100, maxLength: 1500 }).map((s) => b64({ pk: 'ORG#x', sk: 'PROFILE', kindPk: 'ORGANISER', kindSk: s })),
    fc.constantFrom(b64({ a: 1 }), b64({}), b64([]), b64('x'), b64(null), 'eyJhIjoxfQ'),
  );

  const apiLists = [
    ['/api/dialogues?', coordinator],
    ['/api/dialogues?state=invited&', coordinator],
    ['/api/organisers?', coordinator],
    ['/api/audit?date=2026-03-05&', inspectorate],
    ['/api/conflicts?', coordinator],
  ] as const;

  it.each(apiLists)('%s a foreign cursor is a 400, never a 5xx', async (path, token) => {
    const before = await tableDigest();
    await fc.assert(
      fc.asyncProperty(foreignCursor, async (cursor) => {
        const r = await h.api('GET', `${path}cursor=${encodeURIComponent(cursor)}`, undefined, token());
        expect(r.status, r.text.slice(0, 200)).toBe(400);
        expect(r.json.message).toMatch(/cursor/);
      }),
      { numRuns: 40 },
    );
    expect(await tableDigest()).toBe(before);
  });

  it('a genuine cursor of one list is refused by every other list', async () => {
    // Prepare: one real cursor of each list
    const organisers = (await h.api('GET', '/api/organisers?limit=1')).json.cursor as string;
    await h.invite('norrviks-kommun');
    const dialogues = (await h.api('GET', '/api/dialogues?limit=1')).json.cursor as string;
    const invited = (await h.api('GET', '/api/dialogues?state=invited&limit=1')).json.cursor as string;
    for (const c of [organisers, dialogues, invited]) expect(c).toMatch(/^[\w-]+$/);

    // Act & Assess: each works where it came from, and nowhere else
    expect((await h.api('GET', `/api/organisers?cursor=${organisers}`)).status).toBe(200);
    expect((await h.api('GET', `/api/dialogues?cursor=${dialogues}`)).status).toBe(200);
    expect((await h.api('GET', `/api/dialogues?state=invited&cursor=${invited}`)).status).toBe(200);
    for (const [path, cursor] of [
      ['/api/dialogues?', organisers],
      ['/api/organisers?', dialogues],
      ['/api/dialogues?state=accepted&', invited],
      ['/api/dialogues?', invited],
      ['/api/conflicts?', organisers],
      ['/api/audit?date=2026-03-05&', dialogues],
    ] as const) {
      const r = await h.api('GET', `${path}cursor=${cursor}`, undefined, path.startsWith('/api/audit') ? inspectorate() : coordinator());
      expect(r.status, path).toBe(400);
    }
  });

  it.each(['/console?', '/console?state=invited&', '/console?waitingDays=3&', '/console/start?'])(
    '%s (console) a foreign cursor is a 400 page, never a 5xx',
    async (path) => {
      await fc.assert(
        fc.asyncProperty(foreignCursor, async (cursor) => {
          const r = await consoleGet(`${path}cursor=${encodeURIComponent(cursor)}`);
          expect(r.status).toBe(400);
          expect(r.html).toContain('lang="sv"');
        }),
        { numRuns: 25 },
      );
    },
  );
});

/** A body each JSON route takes (valid or close to it), and where in it an unknown key may go. */
const bodies: Record<string, { body: Record<string, unknown>; at: string[][]; token?: () => string }> = {
  'POST /api/organisers': {
    body: organiser({ id: 'fuzz-org', orgNumber: '212000-7001', schoolUnits: [{ code: '12345678', name: 'Skolan' }] }),
    at: [[], ['contacts', '0'], ['schoolUnits', '0']],
  },
  'POST /api/dialogues': { body: { organiserId: 'testkommun', cycle: '2031' }, at: [[]] },
  'PUT /api/inspections/{externalId}': {
    body: { orgNumber: '212000-0001', kind: 'regelbunden tillsyn', start: '2027-03-05' },
    at: [[]],
    token: inspectorate,
  },
  'POST /api/conflicts/{dialogueId}/decision': { body: { decision: 'keep', comment: 'ok' }, at: [[]] },
  'POST /api/schedule/check': { body: { organiserId: 'testkommun', kind: 'invitation', start: '2027-03-05T09:00:00+01:00' }, at: [[]] },
  'POST /api/facilitators': {
    body: { id: 'fuzz-fac', name: 'Fuzz Facilitator', agency: 'skolverket', office: 'Solna', email: 'fuzz@skolverket.example.se' },
    at: [[]],
  },
  'POST /api/facilitators/{id}/blocks': { body: { start: '2027-03-05T09:00:00+01:00', end: '2027-03-05T12:00:00+01:00' }, at: [[]] },
  'POST /api/intro-sessions': {
    body: {
      region: 'syd',
      start: '2027-03-12T09:00:00+01:00',
      videoLink: 'https://mote.example.se/x',
      pair: { skolverket: 'sv-a', spsm: 'spsm-a' },
    },
    at: [[], ['pair']],
  },
  'POST /api/meetings': {
    body: {
      dialogueIds: ['dlg-x'],
      kind: 'intro',
      sessions: [{ start: '2027-03-12T09:00:00+01:00', end: '2027-03-12T10:30:00+01:00' }],
      pair: { skolverket: 'sv-a', spsm: 'spsm-a' },
      videoLink: 'https://mote.example.se/x',
      participants: [{ name: 'Åsa', email: 'asa@example.se', role: 'rektor' }],
    },
    at: [[], ['sessions', '0'], ['pair'], ['participants', '0']],
  },
  'POST /api/meetings/{id}/reschedule': {
    body: { sessions: [{ start: '2027-03-12T09:00:00+01:00', end: '2027-03-12T10:30:00+01:00' }] },
    at: [[], ['sessions', '0']],
  },
  'POST /api/meetings/{id}/cancel': { body: { reason: 'sjukdom' }, at: [[]] },
  'POST /api/meetings/{id}/reassign': { body: { pair: { skolverket: 'sv-a', spsm: 'spsm-a' }, sequence: 0 }, at: [[], ['pair']] },
  'PUT /api/meetings/{id}/participants': {
    body: { participants: [{ name: 'Åsa', email: 'asa@example.se', role: 'rektor' }] },
    at: [[], ['participants', '0']],
  },
  'POST /api/meetings/{id}/notes': { body: { discussed: 'Vi talade om analysen.', rolesPresent: ['rektor'], public: true }, at: [[]] },
  'POST /api/dialogues/{id}/documents': { body: { schoolForm: 'grundskola', title: 'Analys', url: 'https://example.se/a.pdf' }, at: [[]] },
  'PUT /api/dialogues/{id}/meeting-plan': { body: { sessions: 2, sessionMinutes: 120 }, at: [[]] },
  'POST /api/campaigns': {
    body: { name: 'Syd', selection: { regions: ['syd'], notYetOfferedThisCycle: true }, sendRate: 1 },
    at: [[], ['selection']],
  },
  'POST /api/plans': { body: { weights: { children: 1 }, budgetHours: 10 }, at: [[], ['weights']] },
  'POST /api/campaigns/{id}/launch': { body: {}, at: [[]] },
  'POST /api/campaigns/{id}/pause': { body: {}, at: [[]] },
  'POST /api/campaigns/{id}/resume': { body: {}, at: [[]] },
};

const withKey = (body: Record<string, unknown>, at: string[], key: string, value: unknown): Record<string, unknown> => {
  const copy = structuredClone(body);
  let target: Record<string, unknown> = copy;
  for (const step of at) target = target[step] as Record<string, unknown>;
  target[key] = value;
  return copy;
};

describe('unknown keys in every body', () => {
  const bodyRoutes = routes.filter((r) => r.path.startsWith('/api/') && (r.method === 'POST' || r.method === 'PUT') && r.fn === 'api');

  it('every JSON route has a body here (a new route needs one)', () => {
    expect(bodyRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(Object.keys(bodies).sort());
  });

  it.each(Object.entries(bodies))(
    '%s: an unknown key anywhere is a 400 naming it; nothing is written',
    async (key, { body, at, token }) => {
      const [method, pattern] = key.split(' ') as [string, string];
      const path = pattern.replace(/\{\w+\}/g, (p) =>
        p === '{externalId}' ? 'SI-FUZZ-1' : p === '{dialogueId}' || p === '{id}' ? dialogueId : 'x',
      );
      const known = new Set(['id', 'name', 'email', 'role', 'start', 'end', 'pair', 'sessions', 'selection', 'weights']);
      const before = await tableDigest();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...at),
          fc.oneof(
            fc.constantFrom('region', 'regionz', 'Regions', 'state', 'emial', 'admin', '__proto__x'),
            fc.string({ minLength: 1, maxLength: 12 }),
          ),
          fc.jsonValue({ maxDepth: 1 }),
          async (where, extra, value) => {
            const target = where.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, body);
            fc.pre(!(extra in target) && !known.has(extra) && extra !== '__proto__' && extra !== 'constructor');
            const r = await h.api(method, path, JSON.stringify(withKey(body, where, extra, value)), (token ?? coordinator)());
            expect(r.status, `${key} ${r.text.slice(0, 300)}`).toBe(400);
            const paths = (r.json.issues ?? []).map((i: { path: string }) => i.path);
            expect(paths.includes([...where, extra].join('.')) || paths.includes('(body)'), r.text.slice(0, 300)).toBe(true);
          },
        ),
        { numRuns: 12 },
      );
      expect(await tableDigest()).toBe(before);
    },
  );

  it('a campaign with a misspelt selection field selects nobody: a 400, no draft (the typo that widened it to everyone)', async () => {
    const before = await h.api('GET', '/api/campaigns');
    const r = await h.api('POST', '/api/campaigns', { name: 'Syd', selection: { region: ['syd'] } });
    expect(r.status).toBe(400);
    expect(r.json.issues).toEqual([{ path: 'selection.region', message: 'unknown field; did you mean "regions"?' }]);
    expect((await h.api('GET', '/api/campaigns')).json).toEqual(before.json);
  });

  it('query filters refuse unknown keys too (a misspelt filter lists nothing, not everything)', async () => {
    for (const path of [
      '/api/dialogues?stat=invited',
      '/api/organisers?limt=5',
      '/api/conflicts?regon=syd',
      '/api/intro-sessions?regions=syd',
    ]) {
      const r = await h.api('GET', path);
      expect(r.status, path).toBe(400);
      expect(r.json.message).toMatch(/unknown field/);
    }
    expect((await h.api('GET', '/api/inspections?organiserId=testkommun&form=2026-01-01', undefined, inspectorate())).status).toBe(400);
    expect((await consoleGet('/console?stat=invited')).status).toBe(400);
    expect((await consoleGet('/console/planning?plan=1&childen=5')).status).toBe(400);
  });
});

describe('over-long ids on every route', () => {
  const withIds = routes.filter((r) => r.path.includes('{'));
  const longId = fc.oneof(
    fc.string({ minLength: 201, maxLength: 400 }),
    fc.constant('a'.repeat(2100)),
    fc.constant('å'.repeat(1100)),
    fc.string({ minLength: 2100, maxLength: 2500 }),
  );

  it.each(withIds.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: a 400 (a page for people), never a 5xx', async (_, r) => {
    const before = await tableDigest();
    await fc.assert(
      fc.asyncProperty(longId, async (id) => {
        const path = r.path.replace(/\{\w+\}/g, encodeURIComponent(id));
        if (r.path.startsWith('/api/')) {
          const token = r.path.startsWith('/api/inspections') ? inspectorate() : coordinator();
          const res = await h.api(r.method, path, r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}', token);
          // 431: the request line is past the server's header limit (API Gateway has its own) before any handler runs.
          if (res.status !== 431) {
            expect(res.status, res.text.slice(0, 200)).toBe(400);
            expect(res.json.message).toMatch(/too long|at most|external id/);
          }
        } else if (r.path.startsWith('/console/')) {
          const res = await fetch(`${h.runtime.urls.app}${path}`, {
            method: r.method,
            redirect: 'manual',
            headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
            body: r.method === 'POST' ? new URLSearchParams({ csrf }).toString() : undefined,
          });
          if (res.status !== 431) {
            expect(res.status).toBe(400);
            expect(await res.text()).toContain('lang="sv"');
          }
        } else {
          // An organiser's link: the page that says the link does not work.
          const res = await fetch(`${h.runtime.urls.app}${path}`, { method: r.method });
          expect([404, 431]).toContain(res.status);
        }
      }),
      { numRuns: 6 },
    );
    expect(await tableDigest()).toBe(before);
  });
});

describe('dates that do not exist', () => {
  const pad = (n: number) => String(n).padStart(2, '0');
  /** [year, month, day] that is no day: 30/31 February, the 31st of a 30-day month, month 0 or 13+, day 0 or 32+, 29 February of a common year. */
  const impossible = fc.oneof(
    fc.tuple(fc.integer({ min: 2001, max: 2099 }), fc.constant(2), fc.integer({ min: 30, max: 31 })),
    fc.tuple(fc.integer({ min: 2001, max: 2099 }), fc.constantFrom(4, 6, 9, 11), fc.constant(31)),
    fc.tuple(fc.integer({ min: 2001, max: 2099 }), fc.integer({ min: 13, max: 99 }), fc.integer({ min: 1, max: 28 })),
    fc.tuple(fc.integer({ min: 2001, max: 2099 }), fc.constant(0), fc.integer({ min: 1, max: 28 })),
    fc.tuple(fc.integer({ min: 2001, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom(0, 32, 45, 99)),
    fc.constantFrom<[number, number, number]>([2025, 2, 29], [2026, 2, 29], [2100, 2, 29]),
  );
  const iso = ([y, m, d]: [number, number, number]) => `${y}-${pad(m)}-${pad(d)}`;
  const basic = ([y, m, d]: [number, number, number]) => `${y}${pad(m)}${pad(d)}`;
  const instant = fc.oneof(
    impossible.map((t) => `${iso(t)}T09:00:00+01:00`),
    fc.constantFrom('2027-03-05T24:00:00+01:00', '2027-03-05T25:00:00Z', '2027-03-05T09:60:00Z'),
  );

  const jsonDates: [string, (v: string) => Record<string, unknown>, 'day' | 'instant', () => string][] = [
    ['PUT /api/inspections/SI-DATE', (v) => ({ orgNumber: '212000-0001', kind: 'tillsyn', start: v }), 'day', inspectorate],
    [
      'PUT /api/inspections/SI-DATE',
      (v) => ({ orgNumber: '212000-0001', kind: 'tillsyn', start: '2027-03-01', end: v }),
      'day',
      inspectorate,
    ],
    ['POST /api/schedule/check', (v) => ({ organiserId: 'testkommun', kind: 'invitation', start: v }), 'instant', coordinator],
    ['POST /api/facilitators/sv-a/blocks', (v) => ({ start: v, end: '2027-12-31T10:00:00+01:00' }), 'instant', coordinator],
    [
      'POST /api/intro-sessions',
      (v) => ({ region: 'syd', start: v, videoLink: 'https://mote.example.se/x', pair: { skolverket: 'a1', spsm: 'b1' } }),
      'instant',
      coordinator,
    ],
    [
      'POST /api/meetings',
      (v) => ({
        dialogueIds: ['dlg-x'],
        kind: 'intro',
        sessions: [{ start: v, end: '2027-12-31T10:00:00+01:00' }],
        pair: { skolverket: 'a1', spsm: 'b1' },
        videoLink: 'https://mote.example.se/x',
      }),
      'instant',
      coordinator,
    ],
    [
      'POST /api/meetings/mtg-x/reschedule',
      (v) => ({ sessions: [{ start: '2027-03-05T09:00:00+01:00', end: v }] }),
      'instant',
      coordinator,
    ],
  ];

  it.each(jsonDates.map(([route, make, kind, token], i) => [`${route} (${i})`, route, make, kind, token] as const))(
    '%s: a 400, nothing written',
    async (_, route, make, kind, token) => {
      const [method, path] = route.split(' ') as [string, string];
      const before = await tableDigest();
      await fc.assert(
        fc.asyncProperty(kind === 'day' ? impossible.map(iso) : instant, async (value) => {
          const r = await h.api(method, path, make(value), token());
          expect(r.status, `${value}: ${r.text.slice(0, 200)}`).toBe(400);
        }),
        { numRuns: 20 },
      );
      expect(await tableDigest()).toBe(before);
    },
  );

  it('query dates: a 400 on the API, a 400 page in the console', async () => {
    await fc.assert(
      fc.asyncProperty(impossible.map(iso), async (day) => {
        expect((await h.api('GET', `/api/audit?date=${day}`, undefined, inspectorate())).status).toBe(400);
        expect((await h.api('GET', `/api/conflicts?from=${day}`)).status).toBe(400);
        expect((await h.api('GET', `/api/inspections?organiserId=testkommun&to=${day}`, undefined, inspectorate())).status).toBe(400);
        expect((await h.api('GET', `/api/slot-proposals?kind=intro&after=${day}T09:00:00Z`)).status).toBe(400);
        expect((await consoleGet(`/console/inspection?from=${day}`)).status).toBe(400);
      }),
      { numRuns: 15 },
    );
  });

  it('both imports refuse every row with a date that does not exist, naming its line, and import nothing', async () => {
    const upload = (type: string, text: string) =>
      fetch(`${h.runtime.urls.app}/api/inspections/import?dryRun=false`, {
        method: 'POST',
        headers: { authorization: `Bearer ${inspectorate()}`, 'content-type': type },
        body: text,
      }).then(async (r) => ({
        status: r.status,
        json: (await r.json()) as { valid: number; created: number; errors: { line: number }[] },
      }));
    const swedish = ([y, m, d]: [number, number, number]) => `${d}/${m}/${y}`;
    const before = await tableDigest();
    await fc.assert(
      fc.asyncProperty(fc.array(impossible, { minLength: 1, maxLength: 4 }), fc.boolean(), async (days, asEnd) => {
        const csv = [
          'id;orgnr;typ;start;slut',
          ...days.map(
            (t, i) => `SI-BAD-${i};212000-0001;tillsyn;${asEnd ? '2027-03-01' : i % 2 ? swedish(t) : iso(t)};${asEnd ? iso(t) : ''}`,
          ),
        ].join('\n');
        const ics = [
          'BEGIN:VCALENDAR',
          'VERSION:2.0',
          ...days.flatMap((t, i) => [
            'BEGIN:VEVENT',
            `UID:si-bad-${i}`,
            asEnd ? 'DTSTART;VALUE=DATE:20270301' : `DTSTART;VALUE=DATE:${basic(t)}`,
            ...(asEnd ? [`DTEND;VALUE=DATE:${basic(t)}`] : []),
            'X-ORG-NUMBER:212000-0001',
            'X-INSPECTION-KIND:tillsyn',
            'END:VEVENT',
          ]),
          'END:VCALENDAR',
        ].join('\r\n');
        for (const [type, text] of [
          ['text/csv', csv],
          ['text/calendar', ics],
        ] as const) {
          const r = await upload(type, text);
          expect(r.status).toBe(200);
          expect(r.json).toMatchObject({ valid: 0, created: 0 });
          expect(r.json.errors).toHaveLength(days.length);
        }
      }),
      { numRuns: 15 },
    );
    expect(await tableDigest()).toBe(before);
  });

  it('an event that ends before it starts is refused by both imports and by PUT alike', async () => {
    const csv = 'id;orgnr;typ;start;slut\nSI-BACK;212000-0001;tillsyn;2027-03-10;2027-03-05';
    const ics = [
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
      'UID:si-back',
      'DTSTART;VALUE=DATE:20270310',
      'DTEND;VALUE=DATE:20270305',
      'X-ORG-NUMBER:212000-0001',
      'X-INSPECTION-KIND:tillsyn',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    for (const [type, text] of [
      ['text/csv', csv],
      ['text/calendar', ics],
    ]) {
      const r = await fetch(`${h.runtime.urls.app}/api/inspections/import?dryRun=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${inspectorate()}`, 'content-type': type as string },
        body: text,
      });
      expect(((await r.json()) as { valid: number }).valid, type).toBe(0);
    }
    const put = await h.api(
      'PUT',
      '/api/inspections/SI-BACK',
      { orgNumber: '212000-0001', kind: 'tillsyn', start: '2027-03-10', end: '2027-03-05' },
      inspectorate(),
    );
    expect(put.status).toBe(400);
  });
});

describe('a form field sent twice', () => {
  it('the organiser answer form: a 400 page, nothing recorded', async () => {
    const link = h.linkIn((await h.mailTo('namnden@testvik.example.se')).at(0)!);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('answer', 'reason', 'comment'),
        fc.array(fc.tuple(fc.constantFrom('answer', 'reason', 'comment'), fc.constantFrom('accept', 'decline', 'time', 'x')), {
          maxLength: 3,
        }),
        async (twice, rest) => {
          const form = new URLSearchParams([[twice, 'accept'], ...rest, [twice, 'decline']]);
          const r = await fetch(link, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: form.toString(),
          });
          expect(r.status).toBe(400);
          expect(await r.text()).toContain('skickades mer än en gång');
        },
      ),
      { numRuns: 20 },
    );
    expect((await h.dialogue(dialogueId)).state).toBe('invited');
  });

  it('every console form: a 400 page, nothing changed', async () => {
    const posts = routes.filter((r) => r.method === 'POST' && r.path.startsWith('/console/') && !r.path.includes('login'));
    const before = await tableDigest();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...posts),
        fc.constantFrom('csrf', 'reason', 'n', 'formId', 'seq', 'name', 'step'),
        async (r, field) => {
          const path = r.path.replace('{id}', dialogueId).replace(/\{\w+\}/g, 'x');
          const body = new URLSearchParams([
            ['csrf', csrf],
            [field, 'a'],
            [field, 'b'],
          ]);
          const res = await fetch(`${h.runtime.urls.app}${path}`, {
            method: 'POST',
            redirect: 'manual',
            headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
            body: body.toString(),
          });
          expect(res.status, `${path} ${field}`).toBe(400);
          expect(await res.text()).toContain('skickades mer än en gång');
        },
      ),
      { numRuns: 40 },
    );
    expect(await tableDigest()).toBe(before);
  });
});
