/**
 * Offers that do not collide, on the embedded runtime: organisers who accept at the same moment
 * are offered different times (each offer holds its times); the offer page shows at once which
 * times someone else has taken, and a pick of one is refused as taken; a booking gives the
 * offer's other times back (one write); the reminder names only the times still free and holds
 * them again. Holds written one item per time, before an offer's holds were one item, still count
 * and are given back.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { holdSlots, offerKey } from '#functions/use-cases/offer-holds.ts';
import { Harness, organiser } from '../support/local.ts';
import { holdsOf } from '#adapters/hold-repository.ts';

const h = new Harness();
const ORGS = ['halla', 'holma', 'hamra', 'hulta', 'hassla', 'hovra'];
const board = (n: string) => `styrelsen@${n}.example.se`;
const ids = new Map<string, string>();

beforeAll(async () => {
  await h.start({ seed: false });
  for (const f of [
    { id: 'sv-eva', name: 'Eva Berg', agency: 'skolverket', office: 'Malmö', email: 'eva@skolverket.example.se' },
    { id: 'sv-finn', name: 'Finn Holm', agency: 'skolverket', office: 'Örebro', email: 'finn@skolverket.example.se' },
    { id: 'sp-gun', name: 'Gun Ås', agency: 'spsm', office: 'Malmö', email: 'gun@spsm.example.se' },
    { id: 'sp-hans', name: 'Hans Ström', agency: 'spsm', office: 'Örebro', email: 'hans@spsm.example.se' },
  ]) {
    expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
  }
  for (const [i, n] of [...ORGS, 'sena'].entries()) {
    const r = await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: n,
        orgNumber: `556200-00${String(i).padStart(2, '0')}`,
        name: `Skolan ${n} AB`,
        legalForm: 'aktiebolag',
        countyCode: '12',
        contacts: [{ role: 'board', name: `Styrelsen ${n}`, email: board(n) }],
      }),
    );
    expect(r.status).toBe(201);
  }
  // Everyone accepts; one tick starts all their intro phases at the same moment.
  for (const n of ORGS) ids.set(n, await h.invite(n));
  for (const n of ORGS) expect((await h.page(await linkOf(n, 'Erbjudande'), { answer: 'accept' })).status).toBe(200);
  expect((await h.advance('PT10M')).status).toBe(200);
  await Promise.all(ORGS.map((n) => waiting(ids.get(n) as string)));
});
afterAll(async () => {
  await h.close();
});

const waiting = (id: string, round = 1) =>
  h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', round), (e) => e.type === 'TaskWaiting');

async function linkOf(n: string, prefix: string): Promise<string> {
  const mail = (await h.mailTo(board(n))).filter((m) => m.subject.startsWith(prefix)).at(-1);
  if (!mail) throw new Error(`no mail "${prefix}…" to ${n}`);
  return h.linkIn(mail);
}

type Slot = { pair: { skolverket: string; spsm: string }; sessions: { start: string; end: string }[] };
const offerOf = async (n: string): Promise<Slot[]> => (await h.dialogue(ids.get(n) as string)).phase.offer.slots;
/** Each facilitator at each start an offer proposes. */
const heldTimes = (slots: Slot[]) =>
  slots.flatMap((s) => s.sessions.flatMap((i) => [`${s.pair.skolverket}@${i.start}`, `${s.pair.spsm}@${i.start}`]));

describe('offers made at the same moment', () => {
  it('propose different times to each organiser, three each', async () => {
    const offers = await Promise.all(ORGS.map(offerOf));
    for (const slots of offers) expect(slots).toHaveLength(3);
    const all = offers.flatMap(heldTimes);
    expect(new Set(all).size).toBe(all.length);
  });

  it('shows a time booked for someone else as taken, and refuses a pick of it', async () => {
    // Prepare: the first organiser's hold on its first time is gone (as when it lapses) and a
    // coordinator books that time for another organiser's dialogue
    const [first, , , , , other] = ORGS as [string, string, string, string, string, string];
    const firstId = ids.get(first) as string;
    const link = await linkOf(first, 'Välj tid');
    const slots = await offerOf(first);
    await holdSlots(h.runtime.deps, firstId, offerKey('intro', 1, 1), slots.slice(1));
    const booked = await h.api('POST', '/api/meetings', {
      dialogueIds: [ids.get(other)],
      kind: 'intro',
      sessions: (slots[0] as Slot).sessions,
      pair: (slots[0] as Slot).pair,
      videoLink: 'https://mote.example.se/x',
    });
    expect(booked.status, booked.text).toBe(201);

    // Act
    const page = await h.page(link);
    const refused = await h.page(link, { choice: '0' });

    // Assess: shown as taken at once, not choosable; a pick of it anyway is refused, nothing booked
    expect(page.status).toBe(200);
    expect(page.html.match(/– inte längre ledig/g)).toHaveLength(1);
    expect(page.html).toContain('value="0" required disabled');
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('Tiden är inte längre ledig');
    expect((await h.dialogue(firstId)).state).toBe('intro_offered');
    // … and the organiser books one of its own times that are still held for it
    expect((await h.page(link, { choice: '1' })).status).toBe(200);
    expect((await h.dialogue(firstId)).state).toBe('intro_booked');
  });

  it('gives the other times of a booked offer back to the next offers', async () => {
    // Prepare
    const n = ORGS[1] as string;
    const slots = await offerOf(n);
    const before = await holdsOf(h.runtime.deps).active(h.runtime.clock.now());

    // Act
    expect((await h.page(await linkOf(n, 'Välj tid'), { choice: '0' })).status).toBe(200);

    // Assess
    const after = await holdsOf(h.runtime.deps).active(h.runtime.clock.now());
    expect(before.filter((x) => x.holder === ids.get(n)).length).toBe(heldTimes(slots).length);
    expect(after.filter((x) => x.holder === ids.get(n))).toEqual([]);
    expect((await h.dialogue(ids.get(n) as string)).state).toBe('intro_booked');
  });

  it('reminds with the times still free and holds them again; offers new times when none is', async () => {
    // Prepare: one organiser's first time is booked by a coordinator for another dialogue
    const n = ORGS[2] as string;
    const id = ids.get(n) as string;
    const slots = await offerOf(n);
    await holdSlots(h.runtime.deps, id, offerKey('intro', 1, 1), slots.slice(1));
    const other = ids.get(ORGS[3] as string) as string;
    const remindedAt = h.runtime.clock.now().getTime() + 7 * 86_400_000;
    const booked = await h.api('POST', '/api/meetings', {
      dialogueIds: [other],
      kind: 'intro',
      sessions: (slots[0] as Slot).sessions,
      pair: (slots[0] as Slot).pair,
      videoLink: 'https://mote.example.se/x',
    });
    expect(booked.status, booked.text).toBe(201);
    // … and every time offered to another organiser is blocked in a facilitator's calendar
    const full = ORGS[4] as string;
    for (const s of await offerOf(full)) {
      const block = { start: s.sessions[0]?.start, end: s.sessions[0]?.end, reason: 'Utbildningsdag' };
      expect((await h.api('POST', `/api/facilitators/${s.pair.skolverket}/blocks`, block)).status).toBe(201);
    }

    // Act: the reminders fall due
    expect((await h.advance('P7D')).status).toBe(200);

    // Assess: it names the two times still free, and holds them for another stretch
    const reminder = (await h.mailTo(board(n))).filter((m) => m.subject.startsWith('Påminnelse: Välj tid')).at(-1);
    expect(reminder?.body.text?.match(/^\d\. /gm)).toHaveLength(2);
    const holds = (await holdsOf(h.runtime.deps).active(h.runtime.clock.now())).filter((x) => x.holder === id);
    expect(holds.map((x) => x.offer)).toEqual(Array(4).fill(offerKey('intro', 1, 1)));
    for (const x of holds) {
      // renewed at the reminder: 72 hours on, or until the time itself if that comes first
      const expected = Math.min(remindedAt + 72 * 3_600_000, Date.parse(x.start as string));
      expect(Math.abs(Date.parse(x.until) - expected)).toBeLessThan(60_000);
    }

    // … and where none of the times is free, new times are offered instead of a reminder
    await expect.poll(async () => (await h.dialogue(ids.get(full) as string)).phase.offer).toMatchObject({ no: 2, status: 'open' });
    const again = await h.dialogue(ids.get(full) as string);
    expect(
      again.history
        .filter((x: { type: string; detail?: string }) => x.type === 'other_times_requested')
        .map((x: { detail?: string }) => x.detail),
    ).toEqual(['De erbjudna tiderna är inte längre lediga; nya tider erbjuds']);
    // The new offer's mail follows the write of the offer.
    await expect.poll(async () => (await h.mailTo(board(full))).filter((m) => m.subject.startsWith('Välj tid'))).toHaveLength(2);
    expect((await h.mailTo(board(full))).filter((m) => m.subject.startsWith('Påminnelse'))).toEqual([]);
  });

  it('still counts holds written one item per time, and gives them back when their offer is released', async () => {
    // Prepare: an offer held the way it was before an offer's holds were one item
    const now = h.runtime.clock.now();
    const until = new Date(now.getTime() + 3_600_000).toISOString();
    const legacy = [
      { resource: 'sv-eva', slot: '2031-01-07T08:00:00.000Z', start: '2031-01-07T08:00:00.000Z', end: '2031-01-07T09:30:00.000Z' },
      { resource: 'session:intro-x', slot: 'dlg-legacy' },
    ];
    for (const l of legacy) {
      await h.runtime.deps.aws.doc.send(
        new PutCommand({
          TableName: h.runtime.deps.env.TABLE_NAME,
          Item: {
            ...l,
            pk: `HOLD#${l.resource}`,
            sk: l.slot,
            kindPk: 'HOLD',
            kindSk: `${until}#${l.resource}#${l.slot}`,
            holder: 'dlg-legacy',
            offer: 'intro:1:1',
            until,
          },
        }),
      );
    }
    const mine = async () => (await holdsOf(h.runtime.deps).active(now)).filter((x) => x.holder === 'dlg-legacy');
    expect((await mine()).map((x) => x.resource).sort()).toEqual(['session:intro-x', 'sv-eva']);

    // Act
    await holdsOf(h.runtime.deps).release('dlg-legacy', 'intro:1:1', legacy);

    // Assess
    expect(await mine()).toEqual([]);
  });
});
