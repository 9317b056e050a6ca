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
} from '#core/campaign.ts';
import { ConflictError, NotFoundError } from '#core/errors.ts';
import type { Deps } from '#adapters/deps.ts';
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
  const now = d.clock.now();
  const at = now.toISOString();
  const id = `cmp-${randomUUID()}`;
  const cycle = input.cycle ?? String(now.getUTCFullYear());
  const recipients: CampaignRecipient[] = [];
  const excluded: CampaignPreview['excluded'] = [];
  const excludedCounts: Record<ExclusionReason, number> = { missing_contacts: 0, inspection_under_way: 0, already_in_dialogue: 0 };
  let cursor: string | undefined;
  do {
    const page = await d.organisers.list(100, cursor);
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
  invited: number;
  failed: number;
  throttled: number;
}

/** One pass over the running campaigns: invites as many recipients as each one's send rate allows by now. */
export async function driveCampaigns(d: Deps, concurrency = 8): Promise<DriveResult> {
  const result: DriveResult = { campaigns: 0, invited: 0, failed: 0, throttled: 0 };
  for (const c of await d.campaigns.list()) {
    if (c.state !== 'running') continue;
    result.campaigns++;
    const r = await driveCampaign(d, c, concurrency);
    result.invited += r.invited;
    result.failed += r.failed;
    result.throttled += r.throttled ? 1 : 0;
  }
  return result;
}

async function driveCampaign(d: Deps, c: Campaign, concurrency: number): Promise<{ invited: number; failed: number; throttled: boolean }> {
  const now = d.clock.now();
  const allowance = mailAllowance(c, now);
  if (allowance <= 0 || c.position >= c.total) {
    if (c.position >= c.total) await finish(d, c.id, now);
    return { invited: 0, failed: 0, throttled: false };
  }
  const candidates = await d.campaigns.recipients(c.id, c.position, Math.min(500, allowance));
  const batch: CampaignRecipient[] = [];
  let mails = 0;
  for (const r of candidates) {
    if (mails + r.mails > allowance) break;
    batch.push(r);
    mails += r.mails;
  }
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
  await d.campaigns.mutate(c.id, (x) => {
    if (x.position !== c.position) return undefined; // another driver recorded this batch
    const position = c.position + handled.length;
    const backoffMs = throttled ? nextBackoffMs(x.backoffMs) : undefined;
    return {
      ...x,
      position,
      sent: x.sent + sent,
      failed: x.failed + failed,
      paceMails: x.paceMails + handled.reduce((s, r) => s + r.mails, 0),
      backoffMs,
      backoffUntil: backoffMs ? new Date(now.getTime() + backoffMs).toISOString() : undefined,
      ...(position >= x.total && x.state === 'running' ? { state: 'completed' as const, completedAt: at } : {}),
      updatedAt: at,
    };
  });
  return { invited: sent, failed, throttled };
}

/**
 * The cloud sender: the scheduler fires it every minute, and it drives the running campaigns
 * about once a second for up to `budgetMs`, so mail leaves at the send rate instead of in one
 * burst per tick. Pacing lives on the campaign records, so an overlapping or crashed run neither
 * speeds sending up nor loses its place; it stops early when no campaign is running.
 */
export async function sendCampaignsFor(
  d: Deps,
  budgetMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((ok) => setTimeout(ok, ms)),
  intervalMs = 1000,
): Promise<DriveResult & { rounds: number }> {
  const total = { campaigns: 0, invited: 0, failed: 0, throttled: 0, rounds: 0 };
  const started = Date.now();
  for (;;) {
    const r = await driveCampaigns(d);
    total.rounds++;
    total.campaigns = Math.max(total.campaigns, r.campaigns);
    total.invited += r.invited;
    total.failed += r.failed;
    total.throttled += r.throttled;
    if (r.campaigns === 0 || Date.now() - started + intervalMs > budgetMs) return total;
    await sleep(intervalMs);
  }
}

async function finish(d: Deps, id: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await d.campaigns.mutate(id, (x) =>
    x.state === 'running' && x.position >= x.total ? { ...x, state: 'completed', completedAt: at, updatedAt: at } : undefined,
  );
}
