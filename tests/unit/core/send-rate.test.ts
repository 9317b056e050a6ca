import { describe, expect, it } from 'vitest';
import {
  availableMails,
  bucketCapacity,
  type CampaignDemand,
  isFull,
  campaignRateShare,
  type RateBucket,
  sharedRates,
  splitFairly,
  takeMails,
} from '#core/send-rate.ts';

/** A fake clock: starts at a fixed instant and moves only when told. */
class FakeClock {
  private ms = Date.parse('2026-09-01T08:00:00Z');
  now = () => new Date(this.ms);
  advance = (seconds: number) => {
    this.ms += seconds * 1000;
  };
}

describe('the account send-rate bucket', () => {
  it('starts full at one second of the rate and never holds more, however long it idles', () => {
    const clock = new FakeClock();
    expect(bucketCapacity(14)).toBe(14);
    expect(availableMails(undefined, 14, clock.now())).toBe(14);
    const emptied = takeMails(undefined, 14, 14, clock.now());
    clock.advance(3600);
    expect(availableMails(emptied, 14, clock.now())).toBe(14);
  });

  it('refills continuously at the rate', () => {
    // Prepare
    const clock = new FakeClock();

    // Act: take 10 of 10, then look after 0.25 s and 0.5 s
    const bucket = takeMails(undefined, 10, 10, clock.now());
    const empty = availableMails(bucket, 10, clock.now());
    clock.advance(0.25);
    const quarter = availableMails(bucket, 10, clock.now());
    clock.advance(0.25);
    const half = availableMails(bucket, 10, clock.now());

    // Assess
    expect(empty).toBe(0);
    expect(quarter).toBeCloseTo(2.5);
    expect(half).toBeCloseTo(5);
    expect(bucket.version).toBe(1);
  });

  it('refuses to take more than it holds, or a part of a mail', () => {
    const clock = new FakeClock();
    const bucket = takeMails(undefined, 10, 8, clock.now());
    expect(() => takeMails(bucket, 10, 3, clock.now())).toThrow(/holds 2.00 mails, 3 asked for/);
    expect(() => takeMails(bucket, 10, 1.5, clock.now())).toThrow(RangeError);
    clock.advance(0.1);
    expect(takeMails(bucket, 10, 3, clock.now()).tokens).toBeCloseTo(0);
  });

  it('never sends more than the capacity plus the rate times the time, taken as often as anyone likes', () => {
    // Prepare: 7 mails/s, greedy takers every 30 ms for 10 s
    const clock = new FakeClock();
    const rate = 7;
    let bucket: RateBucket | undefined;
    const taken: { at: number; mails: number }[] = [];

    // Act
    for (let t = 0; t <= 10_000; t += 30) {
      const n = Math.floor(availableMails(bucket, rate, clock.now()));
      if (n > 0) {
        bucket = takeMails(bucket, rate, n, clock.now());
        taken.push({ at: t, mails: n });
      }
      clock.advance(0.03);
    }

    // Assess: in every window of w seconds at most capacity + rate × w
    const total = taken.reduce((s, x) => s + x.mails, 0);
    expect(total).toBeLessThanOrEqual(rate + rate * 10);
    expect(total).toBeGreaterThanOrEqual(rate * 10);
    for (const first of taken) {
      const inSecond = taken.filter((x) => x.at >= first.at && x.at < first.at + 1000).reduce((s, x) => s + x.mails, 0);
      expect(inSecond).toBeLessThanOrEqual(2 * rate);
    }
  });

  it('lends one invitation larger than a second of the rate when full, and is paid back before anything else', () => {
    // Prepare: the SES sandbox's 1 mail/s and invitations of two mails
    const clock = new FakeClock();
    expect(isFull(undefined, 1, clock.now())).toBe(true);

    // Act: the full bucket lends a 2-mail invitation
    const lent = takeMails(undefined, 1, 2, clock.now());

    // Assess: nothing available for the next two seconds, then full again; no second loan meanwhile
    expect(lent.tokens).toBe(-1);
    clock.advance(1);
    expect(availableMails(lent, 1, clock.now())).toBe(0);
    expect(() => takeMails(lent, 1, 2, clock.now())).toThrow(RangeError);
    clock.advance(1);
    expect(isFull(lent, 1, clock.now())).toBe(true);
    expect(takeMails(lent, 1, 2, clock.now()).tokens).toBe(-1);
  });

  it('does not refill twice when a sender with a late clock writes after one with an early one', () => {
    // Prepare: a sender whose clock runs 2 s ahead takes everything
    const clock = new FakeClock();
    const ahead = new Date(clock.now().getTime() + 2000);
    const bucket = takeMails(undefined, 10, 10, ahead);

    // Act: a sender on the true clock looks, and takes nothing it could not
    const seen = availableMails(bucket, 10, clock.now());
    const after = takeMails(bucket, 10, 0, clock.now());

    // Assess: no refill for the late sender, and the bucket's time does not go back
    expect(seen).toBe(0);
    expect(after.at).toBe(ahead.toISOString());
  });
});

describe('splitting a reservation between campaigns', () => {
  const demand = (id: string, invitations: number[], allowance = 100, lastServed?: string): CampaignDemand => ({
    id,
    invitations,
    allowance,
    lastServed,
  });

  it('gives each running campaign one invitation per round until the mails run out', () => {
    const { invitations, mails } = splitFairly(14, [demand('a', [2, 2, 2, 2, 2, 2, 2, 2]), demand('b', [2, 2, 2, 2, 2, 2, 2, 2])]);
    expect(mails).toBe(14);
    expect(invitations.get('a')! + invitations.get('b')!).toBe(7);
    expect(Math.abs(invitations.get('a')! - invitations.get('b')!)).toBeLessThanOrEqual(1);
  });

  it('lets a campaign with a lower own rate keep it and gives the rest to the others', () => {
    // a may send 2 more mails by its own rate, b 14
    const { invitations, mails } = splitFairly(14, [demand('a', [1, 1], 2), demand('b', Array(14).fill(1), 14)]);
    expect(invitations.get('a')).toBe(2);
    expect(invitations.get('b')).toBe(12);
    expect(mails).toBe(14);
  });

  it('serves the campaign with more allowance left first, then the least recently served', () => {
    // Only one invitation fits: the one with more own allowance left gets it …
    expect(splitFairly(2, [demand('a', [2], 4), demand('b', [2], 10)]).invitations.get('b')).toBe(1);
    // … and on a tie the one served longer ago, so alternating passes alternate between campaigns
    const tie = [demand('a', [2], 10, '2026-09-01T08:00:01Z'), demand('b', [2], 10, '2026-09-01T08:00:00Z')];
    expect(splitFairly(3, tie).invitations).toEqual(
      new Map([
        ['a', 0],
        ['b', 1],
      ]),
    );
  });

  it('lets the first in line borrow one invitation from a full bucket that holds less than it', () => {
    const demands = [demand('a', [2, 2], 1, '2026-09-01T08:00:01Z'), demand('b', [2, 2], 1, '2026-09-01T08:00:00Z')];
    expect(splitFairly(1, demands).mails).toBe(0);
    const lent = splitFairly(1, demands, true);
    expect(lent.mails).toBe(2);
    expect(lent.invitations).toEqual(
      new Map([
        ['a', 0],
        ['b', 1],
      ]),
    );
    // With something that fits, nothing is borrowed
    expect(splitFairly(2, demands, true).mails).toBe(2);
  });

  it('uses no more than it has, whole invitations only, and skips an invitation that does not fit', () => {
    const { invitations, mails } = splitFairly(5.9, [demand('a', [3, 3]), demand('b', [2, 1])]);
    expect(mails).toBeLessThanOrEqual(5);
    expect(invitations.get('a')).toBe(1);
    expect(invitations.get('b')).toBe(1);
    expect(splitFairly(0, [demand('a', [1])]).mails).toBe(0);
    expect(splitFairly(10, []).mails).toBe(0);
  });
});

describe('the rate a campaign gets while sharing', () => {
  it('splits the account rate max-min fairly', () => {
    expect(sharedRates(14, [14, 14])).toEqual([7, 7]);
    expect(sharedRates(14, [2, 14])).toEqual([2, 12]);
    expect(sharedRates(14, [2, 3])).toEqual([2, 3]);
    const three = sharedRates(10, [1, 20, 20]);
    expect(three[0]).toBe(1);
    expect(three[1]).toBeCloseTo(4.5);
    expect(three[2]).toBeCloseTo(4.5);
  });

  it('tells the coordinator in Swedish when a campaign shares the rate with others', () => {
    const a = { id: 'a', sendRate: 14, state: 'running' };
    const b = { id: 'b', sendRate: 14, state: 'running' };
    const c = { id: 'c', sendRate: 5, state: 'running' };
    const paused = { id: 'p', sendRate: 14, state: 'paused' };

    const alone = campaignRateShare(a, [a, paused], 14);
    const two = campaignRateShare(a, [a, b, paused], 14);
    const three = campaignRateShare(a, [a, b, c], 14);

    expect(alone).toEqual({ accountRate: 14, effectiveRate: 14, sharedWith: 0, waitingForSharedRate: false });
    expect(two).toMatchObject({ effectiveRate: 7, sharedWith: 1, waitingForSharedRate: true });
    expect(two.note).toBe('Delar sändhastigheten med 1 annan kampanj: skickar cirka 7 mejl per sekund (egen gräns 14, kontots 14).');
    expect(three.note).toBe('Delar sändhastigheten med 2 andra kampanjer: skickar cirka 4,7 mejl per sekund (egen gräns 14, kontots 14).');
    // A slow campaign next to a fast one keeps its own rate: it does not wait for the shared one
    expect(campaignRateShare(c, [a, c], 14)).toMatchObject({ effectiveRate: 5, sharedWith: 1, waitingForSharedRate: false });
    expect(campaignRateShare(paused, [a, paused], 14)).toMatchObject({ effectiveRate: 0, waitingForSharedRate: false });
  });
});
