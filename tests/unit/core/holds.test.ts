import { describe, expect, it } from 'vitest';
import { heldByOthers, holdUntil, type OfferHold, offerHolds, sessionPlacesHeldByOthers, sessionResource } from '#core/holds.ts';

const now = new Date('2026-09-01T08:00:00Z');
const hold = (over: Partial<OfferHold>): OfferHold => ({
  resource: 'sv-eva',
  slot: '2026-09-15T06:30:00.000Z',
  holder: 'dlg-a',
  offer: 'intro:1:1',
  start: '2026-09-15T06:30:00.000Z',
  end: '2026-09-15T08:00:00.000Z',
  until: '2026-09-04T08:00:00.000Z',
  ...over,
});

describe('offer holds', () => {
  it('lapse after the hold hours, never after the held time starts', () => {
    expect(holdUntil(now, 72).toISOString()).toBe('2026-09-04T08:00:00.000Z');
    expect(holdUntil(now, 72, new Date('2026-09-02T07:00:00Z')).toISOString()).toBe('2026-09-02T07:00:00.000Z');
  });

  it("are busy time for other dialogues' searches only while they last", () => {
    const holds = [hold({}), hold({ holder: 'dlg-b', resource: 'sp-gun' }), hold({ holder: 'dlg-c', until: '2026-09-01T07:59:00.000Z' })];
    expect(heldByOthers(holds, 'dlg-a', now).map((b) => [b.facilitatorId, b.source, b.ref])).toEqual([['sp-gun', 'hold', 'hold:dlg-b']]);
  });

  it("count the places of an intro session other dialogues' offers hold", () => {
    const place = (holder: string, until = '2026-09-04T08:00:00.000Z') =>
      hold({ resource: sessionResource('intro-1'), slot: holder, holder, start: undefined, end: undefined, until });
    const holds = [place('dlg-a'), place('dlg-b'), place('dlg-c', '2026-08-31T00:00:00.000Z'), hold({ holder: 'dlg-d' })];
    expect(sessionPlacesHeldByOthers(holds, 'intro-1', 'dlg-a', now)).toBe(1);
    expect(heldByOthers(holds, 'dlg-x', now).map((b) => b.ref)).toEqual(['hold:dlg-d']);
  });

  it("are each facilitator of the pair at each of an offer's starts, or one place in a group session", () => {
    const lapse = '2026-09-04T08:00:00.000Z';
    const slots = [
      {
        pair: { skolverket: 'sv-eva', spsm: 'sp-gun' },
        sessions: [
          { start: '2026-09-02T07:00:00.000Z', end: '2026-09-02T08:30:00.000Z' },
          { start: '2026-09-09T07:00:00.000Z', end: '2026-09-09T08:30:00.000Z' },
        ],
      },
      {
        pair: { skolverket: 'sv-finn', spsm: 'sp-hans' },
        sessions: [{ start: '2026-09-10T07:00:00.000Z', end: '2026-09-10T08:30:00.000Z' }],
        introSessionId: 'intro-1',
      },
    ];
    const holds = offerHolds('dlg-a', 'dialogue:1:2', slots, lapse);
    expect(holds.map((h) => [h.resource, h.slot, h.until])).toEqual([
      // a time that starts before the hold lapses is held until it starts
      ['sv-eva', '2026-09-02T07:00:00.000Z', '2026-09-02T07:00:00.000Z'],
      ['sp-gun', '2026-09-02T07:00:00.000Z', '2026-09-02T07:00:00.000Z'],
      ['sv-eva', '2026-09-09T07:00:00.000Z', lapse],
      ['sp-gun', '2026-09-09T07:00:00.000Z', lapse],
      [sessionResource('intro-1'), 'dlg-a', lapse],
    ]);
    expect(holds.every((h) => h.holder === 'dlg-a' && h.offer === 'dialogue:1:2')).toBe(true);
  });
});
