/**
 * Campaigns: create (selection → preview, stored as a draft with its recipient list), launch,
 * pause, resume (the paced sender the scheduler drives is campaign-sender.ts). A running campaign
 * has its marker in the scheduler's work list (work-markers.ts): put at launch and resume, removed
 * at pause and when the sender completes it.
 */
import { randomUUID } from 'node:crypto';
import {
  type Campaign,
  type CampaignRecipient,
  createCampaignSchema,
  eligibility,
  type ExclusionReason,
  matchesSelection,
  sendingStopped,
} from '#core/campaign.ts';
import { ConflictError, NotFoundError, ValidationError } from '#core/errors.ts';
import type { Deps } from '#adapters/deps.ts';
import { organisersWithDialogue } from '#adapters/dialogue-guards.ts';
import { checkClash } from './clash.ts';
import { parseOrThrow } from './validate.ts';

export interface CampaignPreview {
  campaign: Campaign;
  /** The first recipients in invitation order. */
  recipients: { organiserId: string; name: string; orgNumber?: string; mails: number }[];
  /** Who the selection covers but who will not be invited, and why (at most 200 listed). */
  excluded: { organiserId: string; name: string; orgNumber?: string; reason: ExclusionReason }[];
}

const LISTED = 200;

/** How often the preview reports how far it has come (organisers checked). */
const PROGRESS_EVERY = 500;

/**
 * `listExcluded`: how many left-out organisers to return (the console keeps all of them for its
 * preview). `progress`: told how many organisers have been checked as the preview goes (the
 * console's form shows it), then that the recipients are being saved.
 */
export async function createCampaign(
  d: Deps,
  body: unknown,
  options: { listExcluded?: number; progress?: (step: 'checking' | 'saving', checked: number) => Promise<void> } = {},
): Promise<CampaignPreview> {
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
    // One page's dialogue guards in one batch read: a national campaign must preview well within the API's time-out.
    const withDialogue = input.selection.notYetOfferedThisCycle
      ? await organisersWithDialogue(
          d,
          selected.map((o) => o.id),
          cycle,
        )
      : new Set<string>();
    const offered = selected.map((o) => withDialogue.has(o.id));
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
          orgNumber: o.orgNumber,
          mails: e.mails,
          status: 'queued',
        });
      } else {
        excludedCounts[e.reason]++;
        if (excluded.length < (options.listExcluded ?? LISTED))
          excluded.push({ organiserId: o.id, name: o.name, orgNumber: o.orgNumber, reason: e.reason });
      }
    }
    cursor = page.cursor;
    if (
      options.progress &&
      (Math.floor(registered / PROGRESS_EVERY) > Math.floor((registered - page.items.length) / PROGRESS_EVERY) || !cursor)
    ) {
      await options.progress(cursor ? 'checking' : 'saving', registered);
    }
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
    mails: recipients.reduce((sum, r) => sum + r.mails, 0),
    registered,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await d.campaigns.create(campaign, recipients);
  return {
    campaign,
    recipients: recipients
      .slice(0, LISTED)
      .map((r) => ({ organiserId: r.organiserId, name: r.organiserName, orgNumber: r.orgNumber, mails: r.mails })),
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
      ? { ...c, ...sendingStopped(c, at), state: 'paused', updatedAt: at }
      : {
          ...c,
          state: 'running',
          paceFrom: at,
          paceMails: 0,
          backoffUntil: undefined,
          launchedAt: c.launchedAt ?? at,
          sendingSince: at,
          updatedAt: at,
        };
  });
  // The scheduler's work list, after the change: the sender reads the campaigns only while one is
  // marked. Also when nothing changed: a repeated request mends a marker its first attempt did not write.
  if (campaign.state === 'running') await d.work.mark('CAMPAIGN', id, new Date(at));
  else if (action === 'pause') await d.work.unmark('CAMPAIGN', id);
  if (!changed)
    throw new ConflictError(`Cannot ${action} campaign ${id}: it is ${campaign.state}; ${action} needs a ${from[action]} campaign`);
  return campaign;
}
