/** Meetings meet the inspection calendar: the clash kind of a meeting, its planned item, and the check over its sessions. */
import { describe, expect, it } from 'vitest';
import { defaultClashRules, sessionsClash } from '#core/clash.ts';
import type { Inspection } from '#core/inspection.ts';
import { meetingPlanned, plannedKindOf } from '#core/meetings.ts';

const inspection = (over: Partial<Inspection> = {}): Inspection => ({
  externalId: 'SI-1',
  organiserId: 'org-a',
  orgNumber: '2120000001',
  kind: 'regular_supervision',
  start: '2026-03-10',
  end: '2026-03-12',
  status: 'confirmed',
  contentHash: 'h',
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'inspectorate',
  ...over,
});
const session = (day: string, from = '08:00', to = '11:00') => ({
  start: new Date(`${day}T${from}:00Z`),
  end: new Date(`${day}T${to}:00Z`),
});

describe('meetings and the clash rules', () => {
  it('maps the physical dialogue meeting to physical_meeting and every other kind to digital_meeting', () => {
    expect(plannedKindOf('dialogue')).toBe('physical_meeting');
    for (const kind of ['intro', 'pre_meeting', 'feedback', 'follow_up'] as const) expect(plannedKindOf(kind)).toBe('digital_meeting');
  });

  it('registers a split meeting from its first session start to its last session end, under meeting:<id>', () => {
    // Prepare
    const meeting = {
      id: 'mtg-1',
      kind: 'dialogue' as const,
      sessions: [
        { start: '2026-04-20T07:00:00.000Z', end: '2026-04-20T09:30:00.000Z' },
        { start: '2026-04-14T07:00:00.000Z', end: '2026-04-14T09:30:00.000Z' },
      ],
    };
    const dialogue = { id: 'dlg-1', organiserId: 'org-a', organiserName: 'Huvudman A', region: 'syd' };
    // Act
    const item = meetingPlanned(meeting, dialogue);
    // Assess
    expect(item).toEqual({
      organiserId: 'org-a',
      organiserName: 'Huvudman A',
      region: 'syd',
      dialogueId: 'dlg-1',
      step: 'meeting:mtg-1',
      kind: 'physical_meeting',
      start: '2026-04-14T07:00:00.000Z',
      end: '2026-04-20T09:30:00.000Z',
    });
  });

  it('checks the whole span of the sessions for every organiser, and only active inspections of those organisers', () => {
    // Prepare: organiser a inspected 10–12 March; organiser b not at all
    const inspections = [inspection(), inspection({ externalId: 'SI-X', status: 'cancelled', start: '2026-04-01', end: '2026-04-01' })];
    // Act + Assess: a split meeting whose sessions lie either side of the inspection clashes
    const split = [session('2026-03-02'), session('2026-03-20')];
    expect(sessionsClash(defaultClashRules, 'digital_meeting', ['org-a'], split, inspections).map((r) => r.rule)).toEqual([
      'digital_meeting_near_inspection',
    ]);
    expect(sessionsClash(defaultClashRules, 'digital_meeting', ['org-b'], split, inspections)).toEqual([]);
    expect(sessionsClash(defaultClashRules, 'digital_meeting', ['org-b', 'org-a', 'org-a'], split, inspections)).toHaveLength(1);
    // the digital buffer is 3 days: 7 March clashes, 6 March does not; a cancelled inspection never does
    expect(sessionsClash(defaultClashRules, 'digital_meeting', ['org-a'], [session('2026-03-07')], inspections)).toHaveLength(1);
    expect(sessionsClash(defaultClashRules, 'digital_meeting', ['org-a'], [session('2026-03-06')], inspections)).toEqual([]);
    expect(sessionsClash(defaultClashRules, 'physical_meeting', ['org-a'], [session('2026-04-01')], inspections)).toEqual([]);
    const [reason] = sessionsClash(defaultClashRules, 'physical_meeting', ['org-a'], [session('2026-03-20')], inspections);
    expect(reason?.message).toBe(
      'Fysiskt dialogmöte 20 mars 2026 ligger inom 14 dagar från Skolinspektionens regelbundna tillsyn 10–12 mars 2026.',
    );
    expect(sessionsClash(defaultClashRules, 'physical_meeting', ['org-a'], [], inspections)).toEqual([]);
  });
});
