/**
 * The paced campaign sender: passes over the running campaigns, each inviting what the account's
 * shared send rate allows, and the one-minute cloud run that makes a pass about once a second.
 * Every invitation goes through createDialogue, whose per-(organiser, cycle) guard makes a re-sent
 * batch (after a crash, a restart or two passes at once) find the dialogue instead of inviting
 * twice. The run reads the scheduler's work list first and reads the campaigns only while one is
 * marked running (work-markers.ts).
 */
import type { Campaign, CampaignRecipient } from '#core/campaign.ts';
import { mailAllowance, nextBackoffMs, pacedAfter, sendingStopped } from '#core/campaign.ts';
import { bucketCapacity, type CampaignDemand, splitFairly } from '#core/send-rate.ts';
import type { Deps } from '#adapters/deps.ts';
import { recordMetric } from '#adapters/observability.ts';
import { settled, WORK_RULES, type WorkMarker } from '#adapters/work-markers.ts';
import { isThrottle } from './campaign-feedback.ts';
import { createDialogue } from './dialogues.ts';

export interface DriveResult {
  campaigns: number;
  /** Running campaigns with organisers left to invite when the pass began. */
  awaiting: number;
  invited: number;
  failed: number;
  throttled: number;
  /** Mails reserved from the account's shared send rate (the bucket) by this pass. */
  reserved: number;
  /** Reservations this pass lost to another sender and made again with what was left. */
  conflicts: number;
  /** Campaigns left to another pass that was sending for them already. */
  busy: number;
}

/**
 * How long a pass's claim on a campaign holds if the pass never records its batch (it crashed):
 * longer than any pass sends (the sending Lambda's time-out is two minutes), short enough that a
 * crash stalls that one campaign for two minutes at most.
 */
const CLAIM_MS = 120_000;

/**
 * One pass over the running campaigns. Each one offers its next invitations within its own send
 * rate; the pass reserves what the account's shared bucket holds for them (one version-checked
 * write, BEFORE anything is sent, so overlapping passes cannot spend the same mails twice), splits
 * the reservation round-robin between the campaigns, and only then invites.
 *
 * Reserved mails that end up unused (an invitation failed or SES throttled it, or another pass
 * recorded the same batch first) are not given back: returning them is another conditional write
 * racing every other sender, and the cases that leave mails unused are the ones where sending less
 * is right (SES already pushing back) or rare (failures, two passes on one batch). The bucket only
 * errs on the slow side. A planned batch never leaves whole-invitation remainders, because the
 * reservation is exactly the planned invitations' mails.
 *
 * `marked`: the work list's markers as read before the pass; the pass puts the marker of a running
 * campaign that has none and removes those of campaigns no longer running.
 */
export async function driveCampaigns(d: Deps, concurrency = 8, marked?: readonly WorkMarker[]): Promise<DriveResult> {
  const result: DriveResult = { campaigns: 0, awaiting: 0, invited: 0, failed: 0, throttled: 0, reserved: 0, conflicts: 0, busy: 0 };
  const now = d.clock.now();
  const rate = d.env.SES_SEND_RATE;
  const running = (await d.campaigns.list()).filter((c) => c.state === 'running');
  if (marked) await markRunning(d, running, marked, now);
  result.campaigns = running.length;
  result.awaiting = running.filter((c) => c.position < c.total).length;
  const offers: { campaign: Campaign; batch: CampaignRecipient[]; demand: CampaignDemand }[] = [];
  for (const c of running) {
    if (c.position >= c.total) {
      await finish(d, c.id, now);
      continue;
    }
    // The campaign's own rate bounds what it asks for, and no pass can get more than the bucket holds.
    const allowance = mailAllowance(c, now);
    const budget = Math.min(allowance, Math.max(1, Math.floor(bucketCapacity(rate))));
    const candidates = budget > 0 ? await d.campaigns.recipients(c.id, c.position, Math.min(500, budget)) : [];
    const batch: CampaignRecipient[] = [];
    let mails = 0;
    for (const r of candidates) {
      if (mails + r.mails > budget) break;
      batch.push(r);
      mails += r.mails;
    }
    // An invitation with more mails than one second of the rates holds goes alone once the
    // campaign's own bucket is full (it then pays the mails back; the shared bucket lends likewise).
    if (batch.length === 0 && candidates[0] && allowance >= Math.floor(c.sendRate)) batch.push(candidates[0]);
    offers.push({ campaign: c, batch, demand: { id: c.id, invitations: batch.map((r) => r.mails), allowance, lastServed: c.paceFrom } });
  }
  if (!offers.some((o) => o.batch.length > 0)) return result;
  const until = new Date(now.getTime() + CLAIM_MS).toISOString();
  const reservation = await d.sendRate.reserve(rate, now, (available, claims, full) => {
    // A campaign another pass claimed at the version we read is that pass's to send (our copy is no newer).
    const free = offers.filter((o) => (claims[o.campaign.id]?.version ?? 0) < o.campaign.version);
    const split = splitFairly(
      available,
      free.map((o) => o.demand),
      full,
    );
    const claimed = free.filter((o) => (split.invitations.get(o.campaign.id) ?? 0) > 0);
    return {
      mails: split.mails,
      plan: { invitations: split.invitations, busy: offers.length - free.length },
      claims: Object.fromEntries(claimed.map((o) => [o.campaign.id, { version: o.campaign.version, until }])),
    };
  });
  result.reserved = reservation.mails;
  result.conflicts = reservation.conflicts;
  result.busy = reservation.plan.busy;
  for (const o of offers) {
    const share = reservation.plan.invitations.get(o.campaign.id) ?? 0;
    if (share === 0) continue;
    const r = await driveCampaign(d, o.campaign, o.batch.slice(0, share), now, concurrency);
    result.invited += r.invited;
    result.failed += r.failed;
    result.throttled += r.throttled ? 1 : 0;
  }
  return result;
}

/** Invites one campaign's share of a pass (its mails already reserved) and records how far it got. */
async function driveCampaign(
  d: Deps,
  c: Campaign,
  batch: readonly CampaignRecipient[],
  now: Date,
  concurrency: number,
): Promise<{ invited: number; failed: number; throttled: boolean }> {
  let next = 0;
  let throttledAt = batch.length;
  const outcomes = new Map<number, CampaignRecipient>();
  const worker = async () => {
    while (next < batch.length) {
      const i = next++;
      if (i >= throttledAt) return;
      const r = batch[i]!;
      try {
        const { dialogue } = await createDialogue(d, { organiserId: r.organiserId, cycle: c.cycle }, undefined, { campaignId: c.id });
        outcomes.set(i, { ...r, status: 'sent', dialogueId: dialogue.id });
      } catch (e) {
        if (isThrottle(e)) throttledAt = Math.min(throttledAt, i);
        else outcomes.set(i, { ...r, status: 'failed', error: (e as Error).message.slice(0, 500) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
  // Progress moves over the unbroken run of handled recipients; the rest is retried next time.
  let done = 0;
  while (done < batch.length && done < throttledAt && outcomes.has(done)) done++;
  const handled = batch.slice(0, done).map((_, i) => outcomes.get(i)!);
  await d.campaigns.putRecipients(handled);
  const sent = handled.filter((r) => r.status === 'sent').length;
  const failed = handled.length - sent;
  const throttled = throttledAt < batch.length;
  const at = d.clock.now().toISOString();
  const { changed } = await d.campaigns.mutate(c.id, (x) => {
    if (x.position !== c.position) return undefined; // another driver recorded this batch
    const position = c.position + handled.length;
    const backoffMs = throttled ? nextBackoffMs(x.backoffMs) : undefined;
    return {
      ...x,
      position,
      sent: x.sent + sent,
      failed: x.failed + failed,
      ...pacedAfter(
        x,
        handled.reduce((s, r) => s + r.mails, 0),
        now,
      ),
      backoffMs,
      backoffUntil: backoffMs ? new Date(now.getTime() + backoffMs).toISOString() : undefined,
      ...(position >= x.total && x.state === 'running' ? { state: 'completed' as const, completedAt: at, ...sendingStopped(x, at) } : {}),
      updatedAt: at,
    };
  });
  // Counted by the one write that records the batch: a pass that lost the race (or a re-sent batch) records nothing.
  if (changed && sent > 0) recordMetric('CampaignInvitationsSent', sent);
  if (changed && c.position + handled.length >= c.total) await d.work.unmark('CAMPAIGN', c.id);
  return { invited: sent, failed, throttled };
}

/**
 * The cloud sender: the scheduler fires it every minute, and it drives the running campaigns
 * about once a second for up to `budgetMs`, so mail leaves at the send rate instead of in one
 * burst per tick. Pacing lives in the table (the account's send-rate bucket, each campaign's own
 * pacing and position), so an overlapping or crashed run neither speeds sending up nor loses its
 * place; it stops early when no campaign is running.
 */
export async function sendCampaignsFor(
  d: Deps,
  budgetMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((ok) => setTimeout(ok, ms)),
  intervalMs = 1000,
): Promise<DriveResult & { rounds: number }> {
  const total = { campaigns: 0, awaiting: 0, invited: 0, failed: 0, throttled: 0, reserved: 0, conflicts: 0, busy: 0, rounds: 0 };
  const started = Date.now();
  // No campaign marked running: the run reads nothing more (the scheduler's full check marks one
  // that lacks its marker), unless no full check has run under these marker rules yet (just deployed).
  const work = await d.work.list();
  let marked: WorkMarker[] | undefined = work.markers.filter((m) => m.kind === 'CAMPAIGN');
  if (marked.length === 0 && work.check?.rules === WORK_RULES) return total;
  for (;;) {
    const r = await driveCampaigns(d, undefined, marked);
    // The first round brings the markers in line with the campaigns; later rounds read the campaigns only.
    marked = undefined;
    total.rounds++;
    total.campaigns = Math.max(total.campaigns, r.campaigns);
    total.awaiting = r.awaiting;
    total.invited += r.invited;
    total.failed += r.failed;
    total.throttled += r.throttled;
    total.reserved += r.reserved;
    total.conflicts += r.conflicts;
    total.busy += r.busy;
    if (r.campaigns === 0 || Date.now() - started + intervalMs > budgetMs) {
      // The gauge the campaign-stalled alarm reads (with CampaignInvitationsSent), once per run.
      if (total.campaigns > 0) recordMetric('CampaignsAwaitingSend', total.awaiting);
      return total;
    }
    await sleep(intervalMs);
  }
}

async function finish(d: Deps, id: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await d.campaigns.mutate(id, (x) =>
    x.state === 'running' && x.position >= x.total
      ? { ...x, state: 'completed', completedAt: at, ...sendingStopped(x, at), updatedAt: at }
      : undefined,
  );
  await d.work.unmark('CAMPAIGN', id);
}

/**
 * Keeps the work list true to the campaigns just listed: a running campaign without a marker (one
 * launched before markers existed, or a crash between its launch and its marker) gets one; the
 * marker of a campaign no longer running goes, unless it was put again since it was read. The
 * list is eventually consistent: a marker younger than MARKER_SETTLE_MS may stand for a launch the
 * list does not show yet, and stays.
 */
async function markRunning(d: Deps, running: readonly Campaign[], marked: readonly WorkMarker[], now: Date): Promise<void> {
  const markers = marked.filter((m) => m.kind === 'CAMPAIGN');
  const ids = new Set(running.map((c) => c.id));
  for (const c of running) if (!markers.some((m) => m.id === c.id)) await d.work.mark('CAMPAIGN', c.id, now);
  for (const m of markers) if (!ids.has(m.id) && settled(m, now)) await d.work.unmark('CAMPAIGN', m.id, m.token);
}
