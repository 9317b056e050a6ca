/** The clash predicate for slot proposals and bookings: the calendar is read once per organiser, then checked in memory. */
import { describe, expect, it } from 'vitest';
import { defaultClashRules } from '#core/clash.ts';
import type { Inspection } from '#core/inspection.ts';
import { clashesFor } from '#functions/use-cases/clash.ts';

const inspection = (organiserId: string, start: string): Inspection => ({
  externalId: `SI-${organiserId}`,
  organiserId,
  orgNumber: '2120000001',
  kind: 'quality_review',
  start,
  end: start,
  status: 'planned',
  contentHash: 'h',
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'inspectorate',
});

describe('clashesFor', () => {
  it('queries each organiser once however many times it is asked, and reports every organiser’s clash', async () => {
    // Prepare
    const queried: string[] = [];
    const calendars: Record<string, Inspection[]> = {
      'org-a': [inspection('org-a', '2026-05-04')],
      'org-b': [inspection('org-b', '2026-06-01')],
    };
    const calendar = {
      inspectionsOf: async (id: string) => {
        queried.push(id);
        return calendars[id] ?? [];
      },
    };
    const d = { calendar, clashRules: defaultClashRules } as unknown as Parameters<typeof clashesFor>[0];
    const at = (day: string) => [{ start: new Date(`${day}T08:00:00Z`), end: new Date(`${day}T09:00:00Z`) }];

    // Act
    const clashes = await clashesFor(d, ['org-a', 'org-b', 'org-a'], 'digital_meeting');
    const results = ['2026-05-01', '2026-05-07', '2026-05-08', '2026-05-29', '2026-06-05'].map((day) =>
      clashes(at(day)).map((r) => r.inspectionId),
    );

    // Assess
    expect(queried).toEqual(['org-a', 'org-b']);
    expect(results).toEqual([['SI-org-a'], ['SI-org-a'], [], ['SI-org-b'], []]);
    expect(clashes(at('2026-05-04'))[0]?.message).toContain('Digitalt möte 4 maj 2026 ligger inom 3 dagar från Skolinspektionens');
  });
});

describe('the slot check’s meeting kinds', () => {
  it('map each meeting kind to the clash rule its meetings fall under', async () => {
    const { meetingCheckKinds } = await import('#functions/use-cases/slot-check.ts');
    const { plannedKindOf } = await import('#core/meetings.ts');
    const { meetingKinds } = await import('#core/scheduling.ts');
    expect(Object.keys(meetingCheckKinds).sort()).toEqual([...meetingKinds].sort());
    for (const kind of meetingKinds) expect(meetingCheckKinds[kind]).toBe(plannedKindOf(kind));
  });
});
