/**
 * Campaigns: a coordinator offers dialogues to a selection of organisers in one go. The rules
 * here are pure: who a selection covers, why an organiser would not be invited, and how many
 * mails the send rate allows by now (pacing that survives restarts because it is computed from
 * the campaign record, not kept in memory).
 */
import * as z from '#core/zod.ts';
import { singleLine } from './fields.ts';
import { legalForms, type Organiser, schoolForms } from './organiser.ts';
import { resolveRecipients } from './recipients.ts';
import { type RegionId, regions } from './regions.ts';

const regionIds = Object.keys(regions) as [RegionId, ...RegionId[]];

export const campaignSelectionSchema = z
  .strictObject({
    regions: z.optional(z.array(z.enum(regionIds, { message: `region must be one of ${regionIds.join(', ')}` })).check(z.minLength(1))),
    legalForms: z.optional(
      z.array(z.enum(legalForms, { message: `legalForm must be one of ${legalForms.join(', ')}` })).check(z.minLength(1)),
    ),
    /** Children covered, inclusive bounds. */
    minChildren: z.optional(z.number().check(z.int(), z.gte(0))),
    maxChildren: z.optional(z.number().check(z.int(), z.gte(0))),
    /** Organisers running any of these school forms. */
    schoolForms: z.optional(
      z.array(z.enum(schoolForms, { message: `schoolForm must be one of ${schoolForms.join(', ')}` })).check(z.minLength(1)),
    ),
    /** Leave out organisers that already have a dialogue in the campaign's cycle (default true). */
    notYetOfferedThisCycle: z._default(z.boolean(), true),
    /**
     * Exactly these organisers (e.g. a cycle plan's), invited in this order; with the other fields
     * it narrows further. Unknown ids are refused.
     */
    organiserIds: z.optional(
      z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(
        z.minLength(1),
        z.maxLength(5000, 'at most 5000 organiserIds'),
        z.refine((ids) => new Set(ids).size === ids.length, 'each organiser id once'),
      ),
    ),
  })
  .check(
    z.refine((s) => s.minChildren === undefined || s.maxChildren === undefined || s.minChildren <= s.maxChildren, {
      message: 'minChildren must not be larger than maxChildren',
      path: ['minChildren'],
    }),
  );
export type CampaignSelection = z.output<typeof campaignSelectionSchema>;

export const createCampaignSchema = z.strictObject({
  name: singleLine(1, 200, 'name'),
  cycle: z.optional(z.string().check(z.regex(/^\d{4}$/, 'cycle is a year like "2026"'))),
  selection: z._default(campaignSelectionSchema, { notYetOfferedThisCycle: true }),
  /** Mails per second; defaults to the configured SES send rate. */
  sendRate: z.optional(z.number().check(z.positive(), z.lte(1000))),
});

export const campaignStates = ['draft', 'running', 'paused', 'completed'] as const;
export type CampaignState = (typeof campaignStates)[number];

/** Why an organiser in the selection is not invited. */
export const exclusionReasons = ['missing_contacts', 'inspection_under_way', 'already_in_dialogue'] as const;
export type ExclusionReason = (typeof exclusionReasons)[number];

export interface CampaignRecipient {
  campaignId: string;
  seq: number;
  organiserId: string;
  organiserName: string;
  /** Mails one invitation sends (board + school chief or rektor). */
  mails: number;
  status: 'queued' | 'sent' | 'failed';
  dialogueId?: string;
  error?: string;
}

export interface Campaign {
  id: string;
  name: string;
  cycle: string;
  selection: CampaignSelection;
  state: CampaignState;
  /** Mails per second. */
  sendRate: number;
  /** Recipients in order; `position` is the next one to invite. */
  total: number;
  position: number;
  sent: number;
  failed: number;
  /**
   * The campaign's own pacing: `sendRate` × seconds since `paceFrom` + one second − `paceMails` is
   * what it may send (at most one second's worth; see mailAllowance). Reset at launch and resume,
   * moved up to each batch sent.
   */
  paceFrom?: string;
  paceMails: number;
  /** Throttled: nothing is sent before this time; the pause doubles on each throttle. */
  backoffUntil?: string;
  backoffMs?: number;
  /** Times SES refused this campaign's invitations for throttling (each retried by its workflow). */
  throttled?: number;
  lastThrottledAt?: string;
  excluded: Record<ExclusionReason, number>;
  /** Organisers in the register when the preview was made (absent on campaigns from before it was kept). */
  registered?: number;
  createdAt: string;
  updatedAt: string;
  launchedAt?: string;
  completedAt?: string;
  version: number;
}

const idSets = new WeakMap<readonly string[], ReadonlySet<string>>();
const idSet = (ids: readonly string[]): ReadonlySet<string> => {
  let set = idSets.get(ids);
  if (!set) {
    set = new Set(ids);
    idSets.set(ids, set);
  }
  return set;
};

export function matchesSelection(o: Organiser, s: CampaignSelection): boolean {
  if (s.organiserIds && !idSet(s.organiserIds).has(o.id)) return false;
  if (s.regions && !s.regions.includes(o.region as RegionId)) return false;
  if (s.legalForms && !s.legalForms.includes(o.legalForm)) return false;
  if (s.minChildren !== undefined && o.children < s.minChildren) return false;
  if (s.maxChildren !== undefined && o.children > s.maxChildren) return false;
  if (s.schoolForms && !o.schoolForms.some((f) => s.schoolForms!.includes(f))) return false;
  return true;
}

/** The reason an organiser in the selection is left out, or the number of mails its invitation sends. */
export function eligibility(
  o: Organiser,
  s: CampaignSelection,
  hasDialogueThisCycle: boolean,
  inspectionUnderWay = false,
): { eligible: true; mails: number } | { eligible: false; reason: ExclusionReason } {
  if (s.notYetOfferedThisCycle && hasDialogueThisCycle) return { eligible: false, reason: 'already_in_dialogue' };
  // The invitation clash rule: no invitation while the Schools Inspectorate is at the organiser.
  if (inspectionUnderWay) return { eligible: false, reason: 'inspection_under_way' };
  try {
    return { eligible: true, mails: resolveRecipients(o).length };
  } catch {
    return { eligible: false, reason: 'missing_contacts' };
  }
}

/**
 * How many more mails the campaign's own send rate allows at `now`: a token bucket of one second
 * (capacity = the rate, so a campaign that waited, for the shared account rate or for anything
 * else, gets no burst beyond that second), kept as rate × seconds since `paceFrom` plus one second,
 * minus `paceMails`. `pacedAfter` moves `paceFrom` up to each send, which drops the credit above
 * the capacity. Never negative; 0 before launch and while backing off.
 */
export function mailAllowance(c: Pick<Campaign, 'sendRate' | 'paceFrom' | 'paceMails' | 'backoffUntil'>, now: Date): number {
  if (!c.paceFrom) return 0;
  if (c.backoffUntil && now.getTime() < Date.parse(c.backoffUntil)) return 0;
  return Math.max(0, Math.floor(paceCredit(c, now)));
}

/** The campaign's own bucket at `now` (fractional, at most one second of its rate). */
function paceCredit(c: Pick<Campaign, 'sendRate' | 'paceFrom' | 'paceMails'>, now: Date): number {
  const seconds = Math.max(0, (now.getTime() - Date.parse(c.paceFrom ?? now.toISOString())) / 1000);
  return Math.min(c.sendRate, c.sendRate * seconds + c.sendRate - c.paceMails);
}

/** The pacing fields after the campaign sent `mails` at `now`: its bucket restarts from `now` holding what is left. */
export function pacedAfter(
  c: Pick<Campaign, 'sendRate' | 'paceFrom' | 'paceMails'>,
  mails: number,
  now: Date,
): Pick<Campaign, 'paceFrom' | 'paceMails'> {
  const left = paceCredit(c, now) - mails;
  // Never back: a pass that began before a resume must not hand the campaign the time before it.
  const from = c.paceFrom && Date.parse(c.paceFrom) > now.getTime() ? c.paceFrom : now.toISOString();
  return { paceFrom: from, paceMails: c.sendRate - left };
}

/**
 * SES throttled one of the campaign's invitations: count it and hold sending for the next
 * back-off (doubling while the previous one is still running).
 */
export function throttledCampaign(c: Campaign, now: Date): Campaign {
  const holding = c.backoffUntil !== undefined && now.getTime() < Date.parse(c.backoffUntil);
  const backoffMs = nextBackoffMs(holding ? c.backoffMs : undefined);
  const at = now.toISOString();
  return {
    ...c,
    throttled: (c.throttled ?? 0) + 1,
    lastThrottledAt: at,
    backoffMs,
    backoffUntil: new Date(now.getTime() + backoffMs).toISOString(),
    updatedAt: at,
  };
}

const sv = (n: number): string => n.toLocaleString('sv-SE');

/** A selection with no condition besides "not yet offered": it covers the whole register. */
export const selectsEveryone = (s: CampaignSelection): boolean =>
  !s.regions && !s.legalForms && !s.schoolForms && !s.organiserIds && s.minChildren === undefined && s.maxChildren === undefined;

/**
 * What the campaign will do, in plain Swedish, for the preview before launch (and the record
 * after): how many organisers it mails out of how many there are, how many the selection covers,
 * and, when nothing narrows it, that it covers everyone.
 */
export function campaignSummary(c: Pick<Campaign, 'state' | 'total' | 'excluded' | 'registered' | 'selection' | 'launchedAt'>): string {
  const left = exclusionReasons.reduce((a, r) => a + (c.excluded[r] ?? 0), 0);
  const of = c.registered !== undefined ? ` av ${sv(c.registered)} huvudmän i registret` : ' huvudmän';
  const verb =
    c.state === 'draft'
      ? 'kommer att mejla en inbjudan till'
      : c.state === 'completed'
        ? 'mejlade en inbjudan till'
        : 'mejlar en inbjudan till';
  const first = c.total === 0 ? 'Kampanjen mejlar ingen: ingen i urvalet kan bjudas in.' : `Kampanjen ${verb} ${sv(c.total)}${of}.`;
  const scope = selectsEveryone(c.selection)
    ? ' Urvalet har inga villkor och omfattar alla huvudmän i registret.'
    : ` Urvalet omfattar ${sv(c.total + left)} huvudmän.`;
  const rest = left > 0 ? ` ${sv(left)} av dem får ingen inbjudan (skälen står nedan).` : '';
  return `${first}${scope}${rest}`;
}

/** The next back-off after a throttle: 1 s, doubling, at most 5 minutes. */
export const nextBackoffMs = (previous?: number): number => Math.min(300_000, previous ? previous * 2 : 1000);
