import { describe, expect, it } from 'vitest';
import type { Dialogue } from '#core/dialogue.ts';
import type { Meeting } from '#core/meetings.ts';
import {
  dialogueWindows,
  facilitatorWindows,
  otherMeetingWindows,
  type PlannedWindow,
  publicWindow,
  reconcileWindows,
} from '#core/planned-dates.ts';

const t0 = new Date('2027-02-01T08:00:00Z');
const t1 = new Date('2027-02-02T08:00:00Z');

const dialogue = (over: Partial<Dialogue> = {}) =>
  ({
    id: 'dlg-1',
    organiserId: 'norrvik',
    organiserName: 'Norrviks kommun',
    region: 'mitt',
    state: 'dialogue_booked',
    ...over,
  }) as Dialogue;

const meeting = (over: Partial<Meeting> = {}): Meeting =>
  ({
    id: 'mtg-1',
    kind: 'dialogue',
    dialogueIds: ['dlg-1'],
    sessions: [
      { start: '2027-03-01T08:00:00.000Z', end: '2027-03-01T11:00:00.000Z' },
      { start: '2027-03-02T08:00:00.000Z', end: '2027-03-02T11:00:00.000Z' },
    ],
    pair: { skolverket: 'sv-anna', spsm: 'sp-eva' },
    location: 'Stadshuset, Norrvik',
    status: 'booked',
    sequence: 0,
    ...over,
  }) as Meeting;

describe('planned windows of a dialogue', () => {
  it('has one booked window per session with opaque, stable UIDs', () => {
    // Act
    const ws = dialogueWindows(dialogue(), '2120000142', [meeting()]);
    // Assess
    expect(ws.map((w) => [w.status, w.kind, w.start])).toEqual([
      ['booked', 'dialogue', '2027-03-01T08:00:00.000Z'],
      ['booked', 'dialogue', '2027-03-02T08:00:00.000Z'],
    ]);
    expect(ws[0]?.uid).toMatch(/^[0-9a-f]{32}$/);
    expect(ws[0]?.uid).not.toContain('dlg-1');
    expect(dialogueWindows(dialogue(), '2120000142', [meeting({ sessions: meeting().sessions.slice(0, 1) })])[0]?.uid).toBe(ws[0]?.uid);
  });

  it('shows a cancelled meeting, and a meeting the dialogue left, as cancelled', () => {
    expect(dialogueWindows(dialogue(), '2120000142', [meeting({ status: 'cancelled' })]).map((w) => w.status)).toEqual([
      'cancelled',
      'cancelled',
    ]);
    expect(dialogueWindows(dialogue(), '2120000142', [meeting({ dialogueIds: ['dlg-2'] })]).map((w) => w.status)).toEqual([
      'cancelled',
      'cancelled',
    ]);
  });

  it('keeps the stored windows of the other meetings when only the offer and one meeting are recomputed, as a full recompute would', () => {
    // Prepare: an earlier meeting stored booked, a cancelled one, and the meeting being moved
    const earlier = meeting({
      id: 'mtg-0',
      kind: 'intro',
      sessions: [{ start: '2027-01-10T08:00:00.000Z', end: '2027-01-10T09:00:00.000Z' }],
    });
    const gone = meeting({ id: 'mtg-x', status: 'cancelled' });
    const moved = meeting({ sessions: [{ start: '2027-03-08T08:00:00.000Z', end: '2027-03-08T11:00:00.000Z' }] });
    const stored = reconcileWindows<PlannedWindow>([], dialogueWindows(dialogue(), '2120000142', [earlier, gone, meeting()]), t0);

    // Act
    const kept = otherMeetingWindows(stored, 'dlg-1', [moved]);
    const partly = reconcileWindows(stored, [...dialogueWindows(dialogue(), '2120000142', [moved]), ...kept], t1);
    const fully = reconcileWindows(stored, dialogueWindows(dialogue(), '2120000142', [earlier, gone, moved]), t1);

    // Assess
    expect(kept.map((w) => w.start)).toEqual(['2027-01-10T08:00:00.000Z']);
    expect(partly).toEqual(fully);
  });

  it('shows the open offer as offered windows while the dialogue is in the offered state only', () => {
    // Prepare
    const offer = {
      no: 1,
      slots: [
        { pair: { skolverket: 'a', spsm: 'b' }, sessions: [{ start: '2027-04-01T08:00:00Z', end: '2027-04-01T09:00:00Z' }] },
        { pair: { skolverket: 'a', spsm: 'b' }, sessions: [{ start: '2027-04-02T08:00:00Z', end: '2027-04-02T09:00:00Z' }] },
      ],
      sentAt: t0.toISOString(),
      status: 'open' as const,
      offeredDays: [],
      offeredSessions: [],
    };
    const offered = dialogue({ state: 'feedback_offered', phase: { kind: 'feedback', round: 1, offer } });
    // Act + Assess
    expect(dialogueWindows(offered, '2120000142', []).map((w) => [w.status, w.kind, w.start])).toEqual([
      ['offered', 'feedback', '2027-04-01T08:00:00.000Z'],
      ['offered', 'feedback', '2027-04-02T08:00:00.000Z'],
    ]);
    expect(dialogueWindows({ ...offered, state: 'feedback_booked' }, '2120000142', [])).toEqual([]);
    expect(
      dialogueWindows({ ...offered, phase: { kind: 'feedback', round: 1, offer: { ...offer, status: 'other_times' } } }, '2', []),
    ).toEqual([]);
  });
});

describe('reconciling stored windows', () => {
  const desired = dialogueWindows(dialogue(), '2120000142', [meeting()]);

  it('stores new windows at SEQUENCE 0 and writes nothing when nothing changed', () => {
    // Act
    const first = reconcileWindows<PlannedWindow>([], desired, t0);
    const again = reconcileWindows(first, desired, t1);
    // Assess
    expect(first.map((w) => w.sequence)).toEqual([0, 0]);
    expect(again).toEqual([]);
  });

  it('raises SEQUENCE on a move and cancels (once) what is no longer wanted', () => {
    // Prepare
    const stored = reconcileWindows<PlannedWindow>([], desired, t0);
    const moved = dialogueWindows(dialogue(), '2120000142', [
      meeting({ sessions: [{ start: '2027-03-08T08:00:00.000Z', end: '2027-03-08T11:00:00.000Z' }] }),
    ]);
    // Act
    const writes = reconcileWindows(stored, moved, t1);
    const after = stored.map((s) => writes.find((w) => w.uid === s.uid) ?? s);
    // Assess
    expect(writes.map((w) => [w.status, w.sequence, w.start, w.updatedAt])).toEqual([
      ['booked', 1, '2027-03-08T08:00:00.000Z', t1.toISOString()],
      ['cancelled', 1, '2027-03-02T08:00:00.000Z', t1.toISOString()],
    ]);
    expect(reconcileWindows(after, moved, t1)).toEqual([]);
  });

  it('keeps a cancelled window cancelled without raising SEQUENCE again', () => {
    const stored = reconcileWindows<PlannedWindow>([], desired, t0);
    const cancelled = reconcileWindows(stored, dialogueWindows(dialogue(), '2120000142', [meeting({ status: 'cancelled' })]), t1);
    expect(cancelled.map((w) => [w.status, w.sequence])).toEqual([
      ['cancelled', 1],
      ['cancelled', 1],
    ]);
    expect(reconcileWindows(cancelled, [], t1)).toEqual([]);
  });
});

describe('what leaves the service', () => {
  it('the API item names the organiser by number and name, never the dialogue', () => {
    const [w] = reconcileWindows<PlannedWindow>([], dialogueWindows(dialogue(), '2120000142', [meeting()]), t0);
    const shown = publicWindow(w as PlannedWindow);
    expect(Object.keys(shown).sort()).toEqual(
      ['end', 'kind', 'orgNumber', 'organiserName', 'region', 'sequence', 'start', 'status', 'uid', 'updatedAt'].sort(),
    );
    expect(shown.orgNumber).toBe('212000-0142');
    expect(JSON.stringify(shown)).not.toContain('dlg-1');
  });

  it('a facilitator taken off the pair sees the meeting cancelled', () => {
    const m = meeting();
    expect(facilitatorWindows('sv-anna', m, { organiserNames: ['Norrviks kommun'] }).map((w) => w.status)).toEqual(['booked', 'booked']);
    expect(facilitatorWindows('sv-bo', m, { organiserNames: ['Norrviks kommun'] }).map((w) => w.status)).toEqual([
      'cancelled',
      'cancelled',
    ]);
  });
});
