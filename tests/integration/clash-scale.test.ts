/**
 * The clash check at national scale: 20,000 inspections for 2,800 organisers, seeded with
 * BatchWriteItem into the local runtime. Proposals never clash, every answer matches a
 * brute-force check over the whole calendar, each check is one DynamoDB request, and a late
 * inspection flags exactly the dialogue it clashes with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateClash, type PlannedKind, plannedKinds } from '#core/clash.ts';
import type { Dialogue } from '#core/dialogue.ts';
import { addCalendarDays, type Inspection, stockholmTime } from '#core/inspection.ts';
import { DynamoCalendarRepository } from '#adapters/calendar-repository.ts';
import { checkClash, freeDays, registerPlanned } from '#functions/use-cases/clash.ts';
import { generateCalendar, prng, scaleOrganiserId, scaleOrgNumber, seedCalendar } from '../support/calendar-seed.ts';
import { countingDocClient } from '../support/counting-client.ts';
import { Harness } from '../support/local.ts';

const ORGANISERS = 2800;
const INSPECTIONS = 20_000;

const h = new Harness();
let counting: ReturnType<typeof countingDocClient>;
const calendar = generateCalendar(ORGANISERS, INSPECTIONS);
const byOrganiser = new Map<string, Inspection[]>();
for (const i of calendar) byOrganiser.set(i.organiserId, [...(byOrganiser.get(i.organiserId) ?? []), i]);
const slotOn = (organiserId: string, kind: PlannedKind, day: string) => ({
  organiserId,
  kind,
  start: stockholmTime(day, 9).toISOString(),
  end: stockholmTime(day, 12).toISOString(),
});

beforeAll(async () => {
  await h.start({ seed: false });
  counting = countingDocClient(h.runtime.urls.dynamodb);
  await seedCalendar(counting.doc, h.runtime.deps.env.TABLE_NAME, calendar, ORGANISERS);
});
afterAll(async () => {
  counting?.destroy();
  await h.close();
});

const calendarDeps = () => ({
  calendar: new DynamoCalendarRepository(counting.doc, h.runtime.deps.env.TABLE_NAME),
  clashRules: h.runtime.deps.clashRules,
});

describe(`clash check with ${INSPECTIONS} inspections and ${ORGANISERS} organisers`, () => {
  it('proposes only days that break no rule, with one DynamoDB request per proposal', async () => {
    const d = calendarDeps();
    const rand = prng(7);
    for (let i = 0; i < 300; i++) {
      // Prepare
      const organiserId = scaleOrganiserId(Math.floor(rand() * ORGANISERS));
      const kind = plannedKinds[i % plannedKinds.length] as PlannedKind;
      const fromDay = addCalendarDays('2026-01-05', Math.floor(rand() * 700));
      const before = counting.counter.requests;
      // Act
      const days = await freeDays(d, { organiserId, kind, fromDay, count: 3 });
      // Assess
      expect(counting.counter.requests - before).toBe(1);
      expect(days).toHaveLength(3);
      for (const day of days)
        expect(evaluateClash(d.clashRules, slotOn(organiserId, kind, day), byOrganiser.get(organiserId) ?? []).ok).toBe(true);
    }
  });

  it('answers every check like a brute-force check over the whole calendar, in at most 2 requests', async () => {
    const d = calendarDeps();
    const rand = prng(11);
    let clashes = 0;
    for (let i = 0; i < 500; i++) {
      const slot = slotOn(
        scaleOrganiserId(Math.floor(rand() * ORGANISERS)),
        plannedKinds[i % plannedKinds.length] as PlannedKind,
        addCalendarDays('2026-01-05', Math.floor(rand() * 700)),
      );
      const before = counting.counter.requests;
      const r = await checkClash(d, slot);
      expect(counting.counter.requests - before).toBeLessThanOrEqual(2);
      expect(r.ok).toBe(evaluateClash(d.clashRules, slot, calendar).ok);
      if (!r.ok) clashes++;
    }
    expect(clashes).toBeGreaterThan(0);
  });

  it('flags exactly the dialogue a late inspection clashes with, and nothing else', async () => {
    // Prepare: 40 dialogues of different organisers, each with a physical meeting on a proposed free day
    const d = h.runtime.deps;
    const at = d.clock.now().toISOString();
    const booked: { dialogueId: string; n: number; day: string }[] = [];
    for (let k = 0; k < 40; k++) {
      const n = k * 70;
      const organiserId = scaleOrganiserId(n);
      const dialogue: Dialogue = {
        id: `dlg-scale-${n}`,
        organiserId,
        organiserName: `Huvudman ${n}`,
        cycle: '2027',
        region: 'stockholm',
        legalForm: 'aktiebolag',
        municipal: false,
        state: 'accepted',
        recipients: [],
        reminders: 0,
        history: [{ at, type: 'created', state: 'created' }],
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      await d.dialogues.create(dialogue);
      const [day] = await freeDays(d, { organiserId, kind: 'physical_meeting', fromDay: '2027-02-01', count: 1 });
      await registerPlanned(d, {
        ...slotOn(organiserId, 'physical_meeting', day as string),
        dialogueId: dialogue.id,
        step: 'dialogue_meeting',
        organiserName: dialogue.organiserName,
        region: 'stockholm',
      });
      booked.push({ dialogueId: dialogue.id, n, day: day as string });
    }
    const target = booked[17] as (typeof booked)[number];

    // Act: a new inspection of the target organiser five days before its meeting
    const put = await h.api(
      'PUT',
      '/api/inspections/SCALE-LATE',
      { orgNumber: scaleOrgNumber(target.n), kind: 'targeted_supervision', start: addCalendarDays(target.day, -5), status: 'confirmed' },
      h.runtime.tokens.inspectorate,
    );

    // Assess
    expect(put.status).toBe(201);
    expect(put.json.flaggedDialogues).toBe(1);
    for (const b of booked) {
      const dialogue = await d.dialogues.get(b.dialogueId);
      if (b === target) expect(dialogue?.conflict).toMatchObject({ inspectionId: 'SCALE-LATE', rule: 'physical_meeting_near_inspection' });
      else expect(dialogue?.conflict).toBeUndefined();
    }
    const conflicts = await h.api('GET', '/api/conflicts', undefined, h.runtime.tokens.inspectorate);
    expect(conflicts.json.items.map((c: { orgNumber: string }) => c.orgNumber)).toEqual([scaleOrgNumber(target.n)]);
  });
});
