import { describe, expect, it } from 'vitest';
import { durationText, measuredPace, sendingEstimate } from '#core/send-estimate.ts';

const done = (name: string, over: Record<string, unknown> = {}) => ({
  name,
  state: 'completed',
  sendRate: 14,
  mails: 4_000,
  sendingMs: 405_000,
  completedAt: '2026-09-01T10:00:00.000Z',
  ...over,
});

describe('the sending estimate', () => {
  it('is the mails at the campaign rate when no campaign has finished yet', () => {
    // 4,200 mails at 14/s: 300 s, five minutes
    const est = sendingEstimate({ mails: 4_200, campaignRate: 14, accountRate: 14, runningRates: [] });
    expect(est).toEqual({ seconds: 300, rate: 14 });
    expect(durationText(est.seconds)).toBe('ungefär 5 minuter');
  });

  it('slows to the pace the last finished campaign kept', () => {
    // The national case: 4,200 mails planned at 14/s took 6 min 45 s (405 s): 10.4 mails/s, 74 % of the rate.
    const pace = measuredPace(
      [done('Våren', { completedAt: '2026-03-01T10:00:00.000Z', sendingMs: 300_000 }), done('Hösten', { mails: 4_200 })],
      14,
    );
    expect(pace?.from).toBe('Hösten');
    expect(pace?.factor).toBeCloseTo(4_200 / 405 / 14, 5);
    const est = sendingEstimate({ mails: 4_200, campaignRate: 14, accountRate: 14, runningRates: [], pace });
    expect(est.seconds).toBe(405);
    expect(durationText(est.seconds)).toBe('ungefär 7 minuter');
  });

  it("uses the account's real rate when it is lower, and shares it with the campaigns already running", () => {
    expect(sendingEstimate({ mails: 600, campaignRate: 14, accountRate: 1, runningRates: [] }).seconds).toBe(600);
    // Two running at 14 and one starting: a third of 12 each.
    expect(sendingEstimate({ mails: 400, campaignRate: 14, accountRate: 12, runningRates: [14, 14] })).toEqual({ seconds: 100, rate: 4 });
  });

  it('measures only finished campaigns that sent long enough to tell, and never faster than allowed', () => {
    expect(measuredPace([done('Kort', { sendingMs: 5_000 }), { ...done('Pågår'), state: 'running' }], 14)).toBeUndefined();
    expect(measuredPace([done('Snabb', { mails: 100_000 })], 14)?.factor).toBe(1);
  });

  it('says hours and minutes in Swedish', () => {
    expect(durationText(45)).toBe('ungefär 45 sekunder');
    expect(durationText(3_900)).toBe('ungefär 1 timme och 5 minuter');
    expect(durationText(7_200)).toBe('ungefär 2 timmar');
  });
});
