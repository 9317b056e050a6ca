/**
 * The per-cycle facts index and the search index against the embedded runtime: every console filter
 * finds matches that lie beyond the newest 1,000 dialogues, with the true count; the statistics per
 * cycle and per campaign equal a recount of the records, stay exact when a write is repeated, late
 * or lost in a crash between the change and the facts write (the tick's sweep repairs it), and after
 * a rebuild; the search finds organisers by org. number, name prefix and dialogue id.
 */
import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialogue } from '#core/dialogue.ts';
import { factsOf } from '#core/facts.ts';
import { countStates } from '#core/metrics.ts';
import { isMunicipal, legalForms } from '#core/organiser.ts';
import { regions } from '#core/regions.ts';
import { bucketOf, type DynamoFactsIndex } from '#adapters/facts-index.ts';
import { DynamoFactsRebuild } from '#adapters/facts-rebuild.ts';
import { rebuildIndexes } from '#functions/use-cases/facts-upkeep.ts';
import { statistics } from '#functions/use-cases/statistics.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
let cookie: string;
beforeAll(async () => {
  await h.start({ seed: false });
  const r = await fetch(`${h.runtime.urls.app}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: 'Sara', role: 'coordinator' }).toString(),
  });
  cookie = r.headers.get('set-cookie')?.split(';')[0] as string;
});
afterAll(async () => {
  await h.close();
});

const t0 = Date.parse('2026-09-01T06:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const regionIds = Object.keys(regions);

function record(i: number, cycle: string, over: Partial<Dialogue> = {}): Dialogue {
  const at = iso(t0 + i * 60_000);
  const legalForm = legalForms[i % 3] as Dialogue['legalForm'];
  return {
    id: `dlg-${randomUUID()}`,
    organiserId: `org-${cycle}-${i}`,
    organiserName: `Huvudman ${i}`,
    cycle,
    region: regionIds[i % regionIds.length] as string,
    legalForm,
    municipal: isMunicipal(legalForm),
    state: 'invited',
    recipients: [],
    reminders: 0,
    history: [
      { at, type: 'created', state: 'created' },
      { at, type: 'invitation_sent', state: 'invited' },
    ],
    schoolForms: ['grundskola'],
    children: 100 + i,
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...over,
  };
}

async function pool<T>(items: T[], n: number, f: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await f(items[next++] as T);
    }),
  );
}

async function page(path: string): Promise<{ ids: string[]; html: string; next?: string }> {
  const html = await (await fetch(`${h.runtime.urls.app}${path}`, { headers: { cookie } })).text();
  return {
    html,
    ids: [...html.matchAll(/href="\/console\/dialogues\/([^"]+)"/g)].map((m) => m[1] as string),
    next: /href="([^"]+)" rel="next"/.exec(html)?.[1]?.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&'),
  };
}

describe('filters over 1,050 dialogues, the matches among the oldest 50', () => {
  const population: Dialogue[] = [];
  const at = (i: number) => iso(t0 + i * 60_000);
  beforeAll(async () => {
    const special: Record<number, Partial<Dialogue>> = {
      3: {
        state: 'intro_booked',
        conflict: {
          step: 'meeting:mtg-1',
          kind: 'physical_meeting',
          plannedStart: at(3),
          plannedEnd: at(3),
          inspectionId: 'insp-1',
          inspectionKind: 'regular_supervision',
          inspectionStart: at(3),
          inspectionEnd: at(3),
          rule: 'physical_meeting_near_inspection',
          reason: 'Dialogmötet ligger nära en inspektion.',
          since: at(3),
        } satisfies Dialogue['conflict'],
      },
      7: { state: 'dialogue_booked', pair: { skolverket: 'sv-gammal', spsm: 'sp-gammal' } },
      11: { state: 'failed', error: { code: 'X', message: 'Steget misslyckades.' } },
      13: { history: [...record(13, '2026').history, { at: at(13), type: 'mail_bounced', detail: 'x@example.se' }] },
      17: { state: 'premeeting_offered', schoolForms: ['komvux'] },
      19: { legalForm: 'trossamfund', municipal: false },
    };
    for (let i = 0; i < 1050; i++) population.push(record(i, '2026', special[i] ?? {}));
    await pool(population, 8, (x) => h.runtime.deps.dialogues.create(x));
  }, 120_000);

  it.each([
    ['conflict=ja', [3]],
    ['facilitator=sv-gammal', [7]],
    ['facilitator=sp-gammal', [7]],
    ['failed=ja', [13, 11]],
    ['phase=premeeting', [17]],
    ['phase=dialogue', [7]],
    ['schoolForm=komvux', [17]],
    ['legalForm=trossamfund', [19]],
    ['state=failed', [11]],
  ])('%s shows every match on its first page, newest first, with the true count', async (query, expected) => {
    // Act
    const { ids, html, next } = await page(`/console?${query}`);

    // Assess
    expect(ids).toEqual(expected.map((i) => population[i]?.id));
    expect(next).toBeUndefined();
    expect(html).toContain(`<caption>${expected.length} ${expected.length === 1 ? 'dialog' : 'dialoger'} i omgång 2026`);
  });

  it('pages through a dense filter visiting each match once, and counts per state and phase as a recount', async () => {
    // Act
    const seen: string[] = [];
    let path: string | undefined = '/console?ownership=enskild&sort=aldst&limit=100';
    let first = '';
    for (let n = 0; path && n < 20; n++) {
      const p = await page(path);
      if (n === 0) first = p.html;
      seen.push(...p.ids);
      path = p.next;
    }

    // Assess
    const expected = population.filter((x) => !x.municipal).map((x) => x.id);
    expect(seen).toEqual(expected);
    expect(first).toContain(`<caption>${expected.length.toLocaleString('sv-SE')} dialoger i omgång 2026`);
    const overview = (await page('/console')).html;
    expect(overview).toContain(`<strong>${population.filter((x) => x.state === 'invited').length}</strong> Inbjuden, väntar på svar`);
    expect(overview).toContain('<strong>1</strong> Förmöte');
  });

  it('reads the facts of one cycle and one page of dialogues per request, never every record', async () => {
    // Act
    const stats = await statistics(h.runtime.deps, { omgang: '2026' });

    // Assess
    expect(stats.counts).toEqual(countStates(population.map(factsOf)));
    expect(stats.metrics.total.offered).toBe(1050);
  });
});

describe('statistics per cycle and campaign, exact under repeats, crashes and rebuilds', () => {
  const cycle = '2031';
  const xs: Dialogue[] = [];
  let campaignId: string;
  const recount = async () => {
    const now = await Promise.all(xs.map((x) => h.runtime.deps.dialogues.get(x.id)));
    return countStates(now.map((x) => factsOf(x as Dialogue)));
  };
  const facts = () => h.runtime.deps.facts as unknown as DynamoFactsIndex;
  const rebuild = () => {
    const { doc, table } = facts() as unknown as { doc: ConstructorParameters<typeof DynamoFactsRebuild>[0]; table: string };
    return new DynamoFactsRebuild(doc, table);
  };

  beforeAll(async () => {
    campaignId = (await h.api('POST', '/api/campaigns', { name: 'Hösten 2031', cycle, selection: { legalForms: ['kommun'] } })).json
      .campaign.id as string;
    for (let i = 0; i < 40; i++) xs.push(record(i, cycle, i % 2 ? { campaignId } : {}));
    for (const x of xs) await h.runtime.deps.dialogues.create(x);
  });

  it('gives counts per legal form × state and per phase, for the cycle and for one campaign of it', async () => {
    // Act
    const all = await statistics(h.runtime.deps, { omgang: cycle });
    const one = await statistics(h.runtime.deps, { kampanj: campaignId });

    // Assess
    expect(all.cycles).toEqual(['2031', '2026']);
    expect(all.counts).toEqual(countStates(xs.map(factsOf)));
    expect(one.cycle).toBe(cycle);
    expect(one.campaign?.name).toBe('Hösten 2031');
    expect(one.counts).toEqual(countStates(xs.filter((x) => x.campaignId).map(factsOf)));
    expect(all.campaigns.map((c) => c.id)).toEqual([campaignId]);
  });

  it('counts a state change once when its facts write is repeated or arrives late', async () => {
    // Prepare
    const x = xs[0] as Dialogue;
    const { dialogue: after } = await h.runtime.deps.dialogues.mutate(x.id, (d) => ({
      ...d,
      state: 'accepted',
      answer: { outcome: 'accepted', answeredAt: iso(t0), answeredBy: 'x' },
      history: [...d.history, { at: iso(t0 + 3_600_000), type: 'answered', state: 'accepted' }],
      updatedAt: iso(t0 + 3_600_000),
    }));

    // Act: the same write again (a retried step), then the previous version's write arriving late
    await facts().put(cycle, factsOf(after));
    await facts().put(cycle, factsOf(x));

    // Assess
    expect((await statistics(h.runtime.deps, { omgang: cycle })).counts).toEqual(await recount());
  });

  /** Declines `x` with the facts write dying after the record was written (the step itself goes on). */
  async function declineWithoutFacts(x: Dialogue, reason: 'time' | 'resources'): Promise<void> {
    const put = facts().put.bind(facts());
    facts().put = async () => {
      throw new Error('Lambda timed out');
    };
    const now = h.runtime.clock.now().toISOString();
    try {
      await h.runtime.deps.dialogues.mutate(x.id, (d) => ({
        ...d,
        state: 'declined',
        answer: { outcome: 'declined', reason, answeredAt: now, answeredBy: 'x' },
        history: [...d.history, { at: now, type: 'answered', state: 'declined' }],
        updatedAt: now,
      }));
    } finally {
      facts().put = put;
    }
  }

  it('is exact after a crash between the change and its facts write: the next tick repairs it', async () => {
    // Prepare: the facts write dies after the record was written (the step itself goes on)
    const x = xs[1] as Dialogue;
    await declineWithoutFacts(x, 'time');
    expect((await h.runtime.deps.dialogues.get(x.id))?.state).toBe('declined');
    expect((await statistics(h.runtime.deps, { omgang: cycle })).counts).not.toEqual(await recount());

    // Act: the scheduler's next tick
    await h.advance('PT5M');

    // Assess
    const stats = await statistics(h.runtime.deps, { omgang: cycle });
    expect(stats.counts).toEqual(await recount());
    expect(stats.metrics.declineReasons.find((r) => r.label.includes('tid'))?.count).toBe(1);
  });

  it('after an upgrade, repairs by state a change an earlier version wrote (its byKind key the creation time)', async () => {
    // Prepare: a sweep mark an earlier version stored (no byChangeFrom), and a change whose facts
    // write died and whose item has the earlier byKind key
    const x = xs[3] as Dialogue;
    const mark = await facts().sweepMark();
    await facts().setSweepMark({ at: mark?.at as string });
    await declineWithoutFacts(x, 'resources');
    const { doc, table } = facts() as unknown as { doc: { send(c: unknown): Promise<unknown> }; table: string };
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: `DLG#${x.id}`, sk: 'DIALOGUE' },
        UpdateExpression: 'SET kindSk = :c',
        ExpressionAttributeValues: { ':c': x.createdAt },
      }),
    );
    expect((await statistics(h.runtime.deps, { omgang: cycle })).counts).not.toEqual(await recount());

    // Act: the scheduler's next tick
    await h.advance('PT5M');

    // Assess: repaired, and from a quarter of an hour on the sweep is one Query on byKind
    expect((await statistics(h.runtime.deps, { omgang: cycle })).counts).toEqual(await recount());
    const after = await facts().sweepMark();
    expect(after?.byChangeFrom).toBeDefined();
    expect(Date.parse(after?.byChangeFrom as string) - h.runtime.clock.now().getTime()).toBeGreaterThan(10 * 60_000);
  });

  it('recomputes every cycle from the records with the rebuild, replacing wrong and stray entries', async () => {
    // Prepare: a bucket overwritten with a wrong state and a dialogue that does not exist
    const x = xs[2] as Dialogue;
    const stray = factsOf(record(99, cycle, { state: 'closed' }));
    await rebuild().putBucket(cycle, bucketOf(x.id), [{ ...factsOf(x), state: 'cancelled', version: 99 }, stray]);
    expect((await statistics(h.runtime.deps, { omgang: cycle })).counts).not.toEqual(await recount());

    // Act
    const result = await rebuildIndexes(h.runtime.deps, rebuild());

    // Assess
    expect(result.cycles).toEqual(['2026', '2031']);
    expect((await statistics(h.runtime.deps, { omgang: cycle })).counts).toEqual(await recount());
  });
});

describe('search', () => {
  beforeAll(async () => {
    for (const o of [
      organiser({ id: 'norrviks-kommun', orgNumber: '212000-2262', name: 'Norrviks kommun' }),
      organiser({ id: 'ekbacken-ab', orgNumber: '556677-1234', name: 'Ekbäckens Montessoriskola AB', legalForm: 'aktiebolag' }),
      organiser({ id: 'ostra-stiftelsen', orgNumber: '802400-5555', name: 'Stiftelsen Östra skolan', legalForm: 'stiftelse' }),
    ]) {
      expect((await h.api('POST', '/api/organisers', o)).status).toBeLessThan(300);
    }
  });

  const search = async (q: string) => h.api('GET', `/api/dialogues?${new URLSearchParams({ q })}`);

  it.each([
    ['2120002262', 'norrviks-kommun'],
    ['212000-2262', 'norrviks-kommun'],
    ['norrvik', 'norrviks-kommun'],
    ['NORRVIKS KOM', 'norrviks-kommun'],
    ['ekback', 'ekbacken-ab'],
    ['Ekbäckens montes', 'ekbacken-ab'],
    ['östra', 'ostra-stiftelsen'],
    ['ostra sti', 'ostra-stiftelsen'],
    ['556677', 'ekbacken-ab'],
  ])('finds %s', async (q, id) => {
    const r = await search(q);
    expect(r.status).toBe(200);
    expect(r.json.organisers.map((o: { organiserId: string }) => o.organiserId)).toEqual([id]);
    expect(r.json.total).toBe(1);
  });

  it('lists the dialogues of the organisers found, and finds a dialogue by its id', async () => {
    // Prepare
    const created = await h.api('POST', '/api/dialogues', { organiserId: 'ekbacken-ab' });

    // Act
    const byName = await search('ekbäcken');
    const byId = await search(created.json.id);

    // Assess
    expect(byName.json.items.map((x: { id: string }) => x.id)).toEqual([created.json.id]);
    expect(byName.json.organisers[0]).toMatchObject({
      name: 'Ekbäckens Montessoriskola AB',
      dialogues: [{ cycle: expect.any(String), dialogueId: created.json.id }],
    });
    expect(byId.json.items.map((x: { id: string }) => x.id)).toEqual([created.json.id]);
  });

  it('forgets the old name after a rename, and refuses a search it cannot serve with a readable 400', async () => {
    // Act
    await h.api(
      'POST',
      '/api/organisers',
      organiser({ id: 'ostra-stiftelsen', orgNumber: '802400-5555', name: 'Stiftelsen Västra skolan' }),
    );
    const old = await search('östra');
    const renamed = await search('västra');
    const tooShort = await search('ö');

    // Assess
    expect(old.json.total).toBe(0);
    expect(renamed.json.organisers.map((o: { organiserId: string }) => o.organiserId)).toEqual(['ostra-stiftelsen']);
    expect(tooShort.status).toBe(400);
    expect(tooShort.json.message).toContain('minst två tecken');
  });

  it('searches from the console with the search box, in every cycle', async () => {
    const { html, ids } = await page('/console?q=norrviks');
    expect(html).toContain('Sökning på ”norrviks”: 1 huvudman');
    expect(html).toContain('Huvudmän utan dialog: Norrviks kommun (212000-2262)');
    expect(ids).toEqual([]);
  });
});
