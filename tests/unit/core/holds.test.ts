import { describe, expect, it } from 'vitest';
import { heldByOthers, holdUntil, type OfferHold, sessionPlacesHeldByOthers, sessionResource } from '#core/holds.ts';

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
});
