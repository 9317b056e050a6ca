/**
 * Campaigns: create (selection → preview, stored as a draft with its recipient list), launch,
 * pause, resume, and the paced sender the scheduler tick drives. Every invitation goes through
 * createDialogue, whose per-(organiser, cycle) guard makes a re-sent batch (after a crash, a
 * restart or two ticks at once) find the dialogue instead of inviting twice.
 */
import { randomUUID } from 'node:crypto';
import {
  type Campaign,
  type CampaignRecipient,
  createCampaignSchema,
  eligibility,
  type ExclusionReason,
  mailAllowance,
  matchesSelection,
  nextBackoffMs,
  pacedAfter,
} from '#core/campaign.ts';
import { bucketCapacity, type CampaignDemand, splitFairly } from '#core/send-rate.ts';
import { ConflictError, NotFoundError, ValidationError } from '#core/errors.ts';
import type { Deps } from '#adapters/deps.ts';
import { recordMetric } from '#adapters/observability.ts';
import { isThrottle } from './campaign-feedback.ts';
import { checkClash } from './clash.ts';
import { createDialogue } from './dialogues.ts';
import { parseOrThrow } from './validate.ts';

export interface CampaignPreview {
  campaign: Campaign;
  /** The first recipients in invitation order. */
  recipients: { organiserId: string; name: string; mails: number }[];
  /** Who the selection covers but who will not be invited, and why (at most 200 listed). */
  excluded: { organiserId: string; name: string; reason: ExclusionReason }[];
}

const LISTED = 200;

/** `listExcluded`: how many left-out organisers to return (the console keeps all of them for its preview). */
export async function createCampaign(d: Deps, body: unknown, options: { listExcluded?: number } = {}): Promise<CampaignPreview> {
  const input = parseOrThrow(createCampaignSchema, body, 'campaign');
  // A campaign's own rate can only be lower than the account's: every campaign shares the account's.
  if (input.sendRate !== undefined && input.sendRate > d.env.SES_SEND_RATE) {
    const account = d.env.SES_SEND_RATE;
    throw new ValidationError(
      `Invalid campaign: sendRate ${input.sendRate} is above the SES account's maximum send rate, ${account} mails/s, which all campaigns share; choose at most ${account} or leave sendRate out to use it`,
      [{ path: 'sendRate', message: `at most ${account} (the SES account's send rate)` }],
    );
  }
  const now = d.clock.now();
  const at = now.toISOString();
  const id = `cmp-${randomUUID()}`;
  const cycle = input.cycle ?? String(now.getUTCFullYear());
  const recipients: CampaignRecipient[] = [];
  const excluded: CampaignPreview['excluded'] = [];
  const excludedCounts: Record<ExclusionReason, number> = { missing_contacts: 0, inspection_under_way: 0, already_in_dialogue: 0 };
  /** The named organisers (selection.organiserIds) that exist. */
  const named = new Set<string>();
  const wanted = new Set(input.selection.organiserIds ?? []);
  let cursor: string | undefined;
  let registered = 0;
  do {
    const page = await d.organisers.list(100, cursor);
    registered += page.items.length;
    for (const o of page.items) if (wanted.has(o.id)) named.add(o.id);
    const selected = page.items.filter((o) => matchesSelection(o, input.selection));
    // One page's dialogue checks at once: a national campaign must preview well within the API's time-out.
    const offered = await Promise.all(
      selected.map((o) => (input.selection.notYetOfferedThisCycle ? d.campaigns.hasDialogue(o.id, cycle) : false)),
    );
    // The invitation clash rule at this moment (one Query on the organiser's partition each).
    const inspected = await Promise.all(
      selected.map(async (o) => !(await checkClash(d, { organiserId: o.id, kind: 'invitation', start: at, end: at })).ok),
    );
    for (const [i, o] of selected.entries()) {
      const e = eligibility(o, input.selection, offered[i]!, inspected[i]!);
      if (e.eligible) {
        recipients.push({
          campaignId: id,
          seq: recipients.length,
          organiserId: o.id,
          organiserName: o.name,
          mails: e.mails,
          status: 'queued',
        });
      } else {
        excludedCounts[e.reason]++;
        if (excluded.length < (options.listExcluded ?? LISTED)) excluded.push({ organiserId: o.id, name: o.name, reason: e.reason });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  const ids = input.selection.organiserIds;
  if (ids) {
    // Every organiser named must exist (refused before anything is written), and they are invited in the order given.
    const unknown = ids.filter((x) => !named.has(x));
    if (unknown.length > 0) {
      throw new ValidationError(
        `Invalid campaign: ${unknown.length} of the selection's organiserIds are not registered organisers: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}`,
        [{ path: 'selection.organiserIds', message: 'unknown organiser ids' }],
      );
    }
    const order = new Map(ids.map((x, i) => [x, i]));
    recipients.sort((a, b) => order.get(a.organiserId)! - order.get(b.organiserId)!);
    recipients.forEach((r, i) => {
      r.seq = i;
    });
  }

  const campaign: Campaign = {
    id,
    name: input.name,
    cycle,
    selection: input.selection,
    state: recipients.length > 0 ? 'draft' : 'completed',
    sendRate: input.sendRate ?? d.env.SES_SEND_RATE,
    total: recipients.length,
    position: 0,
    sent: 0,
    failed: 0,
    paceMails: 0,
    excluded: excludedCounts,
    registered,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await d.campaigns.create(campaign, recipients);
  return {
    campaign,
    recipients: recipients.slice(0, LISTED).map((r) => ({ organiserId: r.organiserId, name: r.organiserName, mails: r.mails })),
    excluded,
  };
}

export async function getCampaign(d: Deps, id: string): Promise<Campaign> {
  const c = await d.campaigns.get(id);
  if (!c) throw new NotFoundError(`No campaign with id '${id}'`);
  return c;
}

export const listCampaigns = (d: Deps): Promise<Campaign[]> => d.campaigns.list();

/**
 * Deletes a campaign that was never launched (a draft a coordinator previewed and does not want),
 * with its recipients and the console's records. The record goes first, conditionally, so a launch
 * cannot race the delete; a delete interrupted after that finishes when called again.
 */
export async function deleteCampaign(d: Deps, id: string): Promise<void> {
  const deleted = await d.campaigns.deleteUnlaunched(id);
  const children = await d.campaigns.deleteChildren(id);
  if (!deleted && children === 0) throw new NotFoundError(`No campaign with id '${id}'`);
}

export type CampaignAction = 'launch' | 'pause' | 'resume';

/** launch: draft → running; pause: running → paused; resume: paused → running. Pacing restarts at launch and resume. */
export async function changeCampaign(d: Deps, id: string, action: CampaignAction): Promise<Campaign> {
  await getCampaign(d, id);
  const from = { launch: 'draft', pause: 'running', resume: 'paused' } as const;
  const at = d.clock.now().toISOString();
  const { campaign, changed } = await d.campaigns.mutate(id, (c) => {
    if (c.state !== from[action]) return undefined;
    return action === 'pause'
      ? { ...c, state: 'paused', updatedAt: at }
      : { ...c, state: 'running', paceFrom: at, paceMails: 0, backoffUntil: undefined, launchedAt: c.launchedAt ?? at, updatedAt: at };
  });
  if (!changed)
    throw new ConflictError(`Cannot ${action} campaign ${id}: it is ${campaign.state}; ${action} needs a ${from[action]} campaign`);
  return campaign;
}

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
 */
export async function driveCampaigns(d: Deps, concurrency = 8): Promise<DriveResult> {
  const result: DriveResult = { campaigns: 0, awaiting: 0, invited: 0, failed: 0, throttled: 0, reserved: 0, conflicts: 0, busy: 0 };
  const now = d.clock.now();
  const rate = d.env.SES_SEND_RATE;
  const running = (await d.campaigns.list()).filter((c) => c.state === 'running');
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
      ...(position >= x.total && x.state === 'running' ? { state: 'completed' as const, completedAt: at } : {}),
      updatedAt: at,
    };
  });
  // Counted by the one write that records the batch: a pass that lost the race (or a re-sent batch) records nothing.
  if (changed && sent > 0) recordMetric('CampaignInvitationsSent', sent);
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
  for (;;) {
    const r = await driveCampaigns(d);
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
    x.state === 'running' && x.position >= x.total ? { ...x, state: 'completed', completedAt: at, updatedAt: at } : undefined,
  );
}
