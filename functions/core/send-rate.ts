/**
 * The SES account's send rate, shared by everything that sends in bulk: a token bucket whose
 * capacity is one second of the account rate (so an idle account gives no burst beyond that
 * second) and that refills at the rate, counted in mails. The arithmetic is pure; the bucket is one
 * item in the table (adapters/send-rate-bucket.ts), written with a version check so senders running
 * at the same time can never together take more than it holds.
 *
 * Also here: how a pass splits what it reserved between the running campaigns (round-robin,
 * each within its own send rate) and what rate each campaign can expect while it shares.
 */

export interface RateBucket {
  /** Mails available at `at` (fractional: refill is continuous). */
  tokens: number;
  /** When `tokens` was last computed (ISO). */
  at: string;
  version: number;
  /**
   * Who is sending for what right now, written with the reservation: a campaign claimed by a pass
   * (at the campaign record's version the pass read) is left to that pass until the record moves
   * on or the claim expires, so overlapping passes never plan the same recipients twice.
   */
  claims?: Record<string, SendClaim>;
}

export interface SendClaim {
  /** The version of the claimed record (e.g. the campaign) the claiming pass planned from. */
  version: number;
  /** The claim lapses then even if the pass never finished (it crashed). */
  until: string;
}

/** The claims not yet lapsed at `now`. */
export function liveClaims(bucket: Pick<RateBucket, 'claims'> | undefined, now: Date): Record<string, SendClaim> {
  return Object.fromEntries(Object.entries(bucket?.claims ?? {}).filter(([, c]) => Date.parse(c.until) > now.getTime()));
}

/** One second of the rate: the most a bucket holds, and so the largest burst after idling. */
export const bucketCapacity = (rate: number): number => rate;

/**
 * The mails available at `now`: the stored tokens plus the refill since `at`, at most the capacity.
 * A bucket never written is full. A clock behind the bucket's (another sender's clock running
 * ahead) refills nothing rather than going back.
 */
export function availableMails(bucket: RateBucket | undefined, rate: number, now: Date): number {
  return Math.max(0, level(bucket, rate, now));
}

/** Whether the bucket holds its whole capacity: then it may lend (see takeMails). */
export const isFull = (bucket: RateBucket | undefined, rate: number, now: Date): boolean =>
  level(bucket, rate, now) >= bucketCapacity(rate) - 1e-9;

/** The bucket's level at `now`; negative while it pays back a loan. */
function level(bucket: RateBucket | undefined, rate: number, now: Date): number {
  const capacity = bucketCapacity(rate);
  if (!bucket) return capacity;
  const seconds = Math.max(0, (now.getTime() - Date.parse(bucket.at)) / 1000);
  return Math.min(capacity, bucket.tokens + rate * seconds);
}

/**
 * The bucket after taking `mails` at `now`. Throws if the bucket does not hold them: a caller
 * plans within `availableMails` first. One exception: a full bucket lends, so a single invitation
 * with more mails than a second of the rate holds (two mails at the SES sandbox's 1/s) still goes
 * out; the bucket goes below zero and pays the loan back before anything else is sent, so the rate
 * holds on average. `at` never moves back, so a late clock cannot refill twice.
 */
export function takeMails(bucket: RateBucket | undefined, rate: number, mails: number, now: Date): RateBucket {
  if (!Number.isInteger(mails) || mails < 0) throw new RangeError(`mails must be a whole number ≥ 0, got ${mails}`);
  const current = level(bucket, rate, now);
  if (mails > current + 1e-9 && !isFull(bucket, rate, now)) {
    throw new RangeError(`the bucket holds ${Math.max(0, current).toFixed(2)} mails, ${mails} asked for`);
  }
  const at = bucket && Date.parse(bucket.at) > now.getTime() ? bucket.at : now.toISOString();
  return { tokens: current - mails, at, version: (bucket?.version ?? 0) + 1 };
}

/** What one running campaign asks a pass for. */
export interface CampaignDemand {
  id: string;
  /** Mails each of its next invitations sends, in order, already within the campaign's own send rate. */
  invitations: readonly number[];
  /** The campaign's own allowance right now (mails): orders the rounds. */
  allowance: number;
  /** When it was last given mails (ISO; undefined = never): the least recently served goes first on a tie. */
  lastServed?: string;
}

/**
 * Splits `mails` between campaigns round-robin: in each round every campaign whose next invitation
 * still fits takes one, the one with the most of its own allowance left first (then the least
 * recently served), until a round gives nothing. Returns how many invitations each campaign takes
 * and the mails they use (never more than `mails`, except one invitation on a loan from a full bucket).
 */
export function splitFairly(
  mails: number,
  demands: readonly CampaignDemand[],
  /** The bucket is full and may lend: if no invitation fits, the first in line takes its next one anyway. */
  full = false,
): { invitations: Map<string, number>; mails: number } {
  const taken = new Map(demands.map((d) => [d.id, 0]));
  const left = new Map(demands.map((d) => [d.id, d.allowance]));
  let remaining = Math.floor(mails);
  const first = [...demands]
    .filter((d) => d.invitations.length > 0)
    .sort((a, b) => b.allowance - a.allowance || (a.lastServed ?? '').localeCompare(b.lastServed ?? '') || a.id.localeCompare(b.id))[0];
  if (full && first && demands.every((d) => (d.invitations[0] ?? Number.POSITIVE_INFINITY) > remaining)) {
    taken.set(first.id, 1);
    return { invitations: taken, mails: first.invitations[0]! };
  }
  for (let gave = true; gave; ) {
    gave = false;
    const order = [...demands].sort(
      (a, b) => left.get(b.id)! - left.get(a.id)! || (a.lastServed ?? '').localeCompare(b.lastServed ?? '') || a.id.localeCompare(b.id),
    );
    for (const d of order) {
      const n = taken.get(d.id)!;
      const next = d.invitations[n];
      if (next === undefined || next > remaining) continue;
      taken.set(d.id, n + 1);
      left.set(d.id, left.get(d.id)! - next);
      remaining -= next;
      gave = true;
    }
  }
  return { invitations: taken, mails: Math.floor(mails) - remaining };
}

/**
 * The rate each campaign gets when they share the account rate: max-min fair (water-filling), so a
 * campaign whose own rate is below an equal share keeps it and the rest is split between the others.
 */
export function sharedRates(accountRate: number, ownRates: readonly number[]): number[] {
  const rates = ownRates.map(() => 0);
  let left = accountRate;
  let open = ownRates.map((_, i) => i);
  while (open.length > 0 && left > 1e-9) {
    const share = left / open.length;
    const capped = open.filter((i) => ownRates[i]! - rates[i]! <= share);
    if (capped.length === 0) {
      for (const i of open) rates[i] = rates[i]! + share;
      break;
    }
    for (const i of capped) {
      left -= ownRates[i]! - rates[i]!;
      rates[i] = ownRates[i]!;
    }
    open = open.filter((i) => !capped.includes(i));
  }
  return rates;
}

/** How a campaign's sending relates to the shared account rate, for the coordinator. */
export interface RateShare {
  /** The account's maximum (SES_SEND_RATE), shared by all campaigns. */
  accountRate: number;
  /** What the campaign sends at while running as things stand (mails/s; 0 when not running). */
  effectiveRate: number;
  /** Other campaigns running at the same time. */
  sharedWith: number;
  /** It runs slower than its own rate because other campaigns share the account's. */
  waitingForSharedRate: boolean;
  /** Plain Swedish for the coordinator, e.g. "Delar sändhastigheten med 1 annan kampanj …". */
  note?: string;
}

const swedishNumber = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 1 });

/** The campaign's share of the account rate, given every campaign's own rate and whether it is running. */
export function campaignRateShare(
  campaign: { id: string; sendRate: number; state: string },
  all: readonly { id: string; sendRate: number; state: string }[],
  accountRate: number,
): RateShare {
  if (campaign.state !== 'running') return { accountRate, effectiveRate: 0, sharedWith: 0, waitingForSharedRate: false };
  const running = all.filter((c) => c.state === 'running' && c.id !== campaign.id);
  const rates = sharedRates(accountRate, [campaign.sendRate, ...running.map((c) => c.sendRate)]);
  const effectiveRate = Math.round(rates[0]! * 100) / 100;
  const waitingForSharedRate = effectiveRate < Math.min(campaign.sendRate, accountRate) - 0.005;
  const n = running.length;
  const rate = swedishNumber.format(effectiveRate);
  const note = waitingForSharedRate
    ? `Delar sändhastigheten med ${n} ${n === 1 ? 'annan kampanj' : 'andra kampanjer'}: skickar cirka ${rate} mejl per sekund (egen gräns ${swedishNumber.format(campaign.sendRate)}, kontots ${swedishNumber.format(accountRate)}).`
    : campaign.sendRate > accountRate
      ? `Skickar med kontots högsta sändhastighet, ${swedishNumber.format(accountRate)} mejl per sekund.`
      : undefined;
  return { accountRate, effectiveRate, sharedWith: n, waitingForSharedRate, ...(note ? { note } : {}) };
}
