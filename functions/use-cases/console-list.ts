/**
 * The console's dialogue list: one cycle at a time (the latest by default), filtered and counted
 * from the cycle's facts index (functions/adapters/facts-index.ts), so every filter and every
 * combination finds all its matches, page by page, with the true count; the page's dialogues are
 * then read by id. A search (`q`) finds organisers by org. number or name word prefix in the search
 * index and lists their dialogues of every cycle. Never a Scan.
 */
import * as z from '#core/zod.ts';
import { cursorSchema, oneLine } from '#core/fields.ts';
import {
  type Dialogue,
  type DialoguePhase,
  type DialogueState,
  dialoguePhases,
  dialogueStates,
  isOngoing,
  phaseOfState,
} from '#core/dialogue.ts';
import { ValidationError } from '#core/errors.ts';
import { type DialogueFacts, shortHash } from '#core/facts.ts';
import { handbackFilters } from '#core/handbacks.ts';
import { countStates } from '#core/metrics.ts';
import { isMunicipal, legalForms, schoolForms } from '#core/organiser.ts';
import type { OrganiserMatch, Page } from '#core/ports.ts';
import { regions } from '#core/regions.ts';
import { nameMatches, parseSearch, type SearchQuery } from '#core/search.ts';
import type { Deps } from '#adapters/deps.ts';
import { ALL_CYCLES, readCycleFacts } from './statistics.ts';
import { parseOrThrow } from './validate.ts';

const DAY_MS = 86_400_000;

/** An empty form field counts as absent (zod classic's preprocess; the outer optional keeps the key optional in the input type). */
const optional = <T extends z.core.SomeType>(s: T) =>
  z.optional(
    z.pipe(
      z.transform((v: unknown) => (v === '' ? undefined : v)),
      z.optional(s),
    ),
  );

export const consoleListSchema = z.strictObject({
  /** The cycle listed (a year), or 'alla'; the latest cycle when absent. */
  cycle: optional(z.union([z.string().check(z.regex(/^\d{4}$/, 'Välj en omgång (ett år).')), z.literal(ALL_CYCLES)])),
  /** Organisers by org. number, name word prefix or a dialogue id; lists their dialogues of every cycle. */
  q: optional(z.string().check(z.trim(), z.maxLength(100, 'Sök med högst 100 tecken.'), oneLine('Sökningen'))),
  state: optional(z.enum(dialogueStates, { message: 'Välj ett giltigt läge.' })),
  region: optional(z.enum(Object.keys(regions) as [string, ...string[]], { message: 'Välj en giltig region.' })),
  legalForm: optional(z.enum(legalForms, { message: 'Välj en giltig juridisk form.' })),
  ownership: optional(z.enum(['kommunal', 'enskild'], { message: 'Välj kommunal eller enskild.' })),
  waitingDays: optional(
    z.coerce
      .number({ message: 'Ange antal dagar som ett heltal.' })
      .check(z.int('Ange antal dagar som ett heltal.'), z.gte(1, 'Ange minst 1 dag.'), z.lte(400, 'Ange högst 400 dagar.')),
  ),
  sort: optional(z.enum(['nyast', 'aldst'], { message: 'Välj en giltig sortering.' })),
  /** All states of one phase. */
  phase: optional(z.enum(dialoguePhases, { message: 'Välj en giltig fas.' })),
  schoolForm: optional(z.enum(schoolForms, { message: 'Välj en giltig skolform.' })),
  facilitator: optional(z.string().check(z.regex(/^[a-z0-9-]{1,64}$/, 'Välj en dialogutförare i listan.'))),
  campaign: optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,80}$/, 'Välj en kampanj i listan.'))),
  /** "ja": only dialogues with an inspection clash; "nej": only those without. */
  conflict: optional(z.enum(['ja', 'nej'], { message: 'Välj ja eller nej för krock.' })),
  /** Only dialogues with a problem: a failed workflow step or a bounced mail. */
  failed: optional(z.enum(['ja'], { message: 'Ogiltigt värde för fel.' })),
  /** Only dialogues handed back to the coordinator (any kind, or one): the digest links here. */
  handback: optional(z.enum(handbackFilters, { message: 'Välj en giltig sorts överlämning.' })),
  /** "alla": every row of a hand-back list comes selected. */
  markera: optional(z.enum(['alla'], { message: 'Ogiltigt värde för markering.' })),
  limit: optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
  cursor: optional(cursorSchema),
});
export type ConsoleListQuery = z.output<typeof consoleListSchema>;

export interface ConsoleList extends Page<Dialogue> {
  query: ConsoleListQuery;
  /** The state filtered on ("waiting longer than" without a state means 'invited'). */
  state?: DialogueState;
  /** Every cycle with dialogues, ascending, and the one listed (undefined: all cycles, or a search). */
  cycles: string[];
  cycle?: string;
  /** Matches of the filter (or organisers found by the search) in all, not only on this page. */
  total: number;
  /** Sorted by when the dialogues entered their state (a state or waiting filter), else by creation. */
  sortedBy: 'stateSince' | 'createdAt';
  /** Counts per state and per phase of the cycle listed (before the other filters). */
  counts: { state: DialogueState; count: number }[];
  phaseCounts: { phase: DialoguePhase; count: number }[];
  /** Facts read: the dialogues of the cycle. */
  read: number;
  /** Kept for the page's wording: the list is always complete now. */
  partial: false;
  /** Set for a search: the organisers on this page (those without a dialogue too). */
  search?: { organisers: FoundOrganiser[] };
}

/** A list page's cursor: the sort value and id of the last row shown (or, for a search, the organiser). */
interface ListCursor {
  k: number;
  id: string;
}

const encodeCursor = (c: ListCursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

const invalidCursor = () =>
  new ValidationError('cursor is not valid: pass the cursor value from the previous page of the same list unchanged', [
    { path: 'cursor', message: 'not a cursor of this list' },
  ]);

/** The cursor, checked: exactly `{k, id}` with a finite number and a dialogue or organiser id. */
function readCursor(cursor: string | undefined): ListCursor | undefined {
  if (!cursor) return undefined;
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const x = c as Partial<ListCursor> | null;
  if (!x || typeof x !== 'object' || Object.keys(x).length !== 2) throw invalidCursor();
  if (typeof x.k !== 'number' || !Number.isFinite(x.k) || typeof x.id !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(x.id)) {
    throw invalidCursor();
  }
  return { k: x.k, id: x.id };
}

/** `items: false`: the counts only (a page whose filter could not be read lists nobody). */
export async function listForConsole(d: Deps, rawQuery: unknown, options: { items?: boolean } = {}): Promise<ConsoleList> {
  const q = parseOrThrow(consoleListSchema, rawQuery, 'filter');
  if (q.q) return searchForConsole(d, q);
  const state = q.state ?? (q.waitingDays ? 'invited' : undefined);
  const limit = q.limit ?? 25;
  const { cycles, cycle, facts } = await readCycleFacts(d, q.cycle);
  const stateBefore = q.waitingDays ? d.clock.now().getTime() - q.waitingDays * DAY_MS : undefined;
  const facilitator = q.facilitator ? shortHash(q.facilitator) : undefined;
  const campaign = q.campaign ? shortHash(q.campaign) : undefined;
  const keep = (x: DialogueFacts) =>
    (!state || x.state === state) &&
    (stateBefore === undefined || x.stateSince < stateBefore) &&
    (!q.region || x.region === q.region) &&
    (!q.legalForm || x.legalForm === q.legalForm) &&
    (!q.ownership || isMunicipal(x.legalForm) === (q.ownership === 'kommunal')) &&
    (!q.phase || phaseOfState[x.state] === q.phase) &&
    (!q.schoolForm || x.schoolForms.includes(q.schoolForm)) &&
    (!facilitator || x.facilitators.includes(facilitator)) &&
    (!campaign || x.campaign === campaign) &&
    (!q.conflict || x.conflict === (q.conflict === 'ja')) &&
    (!q.failed || x.problem) &&
    (!q.handback || (x.handback !== undefined && (q.handback === 'alla' || x.handback === q.handback)));
  const sortedBy = state ? 'stateSince' : 'createdAt';
  const { rows, total, next } = pageOf(facts.filter(keep), sortedBy, q.sort === 'aldst', limit, q.cursor);
  const counts = countStates(facts);
  return {
    items: options.items === false ? [] : await d.dialogues.getMany(rows),
    cursor: options.items !== false ? next : undefined,
    query: q,
    state,
    cycles,
    cycle,
    total,
    sortedBy,
    counts: counts.byState,
    phaseCounts: counts.byPhase,
    read: facts.length,
    partial: false,
  };
}

/** One page of matching facts, sorted by `sortedBy` then id: the ids shown, the total and the next page's cursor. */
function pageOf(
  matches: readonly DialogueFacts[],
  sortedBy: 'stateSince' | 'createdAt',
  ascending: boolean,
  limit: number,
  cursor: string | undefined,
): { rows: string[]; total: number; next?: string } {
  const order = (a: ListCursor, b: ListCursor) => (ascending ? 1 : -1) * (a.k - b.k || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const sorted = matches.map((x) => ({ k: x[sortedBy], id: x.id })).sort(order);
  const after = readCursor(cursor);
  const start = after ? sorted.findIndex((m) => order(m, after) > 0) : 0;
  const rows = start < 0 ? [] : sorted.slice(start, start + limit);
  const last = rows.at(-1);
  const more = start >= 0 && start + limit < sorted.length;
  return { rows: rows.map((r) => r.id), total: sorted.length, next: more && last ? encodeCursor({ k: last.k, id: last.id }) : undefined };
}

/** Dialogues on one page of the inspectorate's "ongoing dialogues". */
export const ONGOING_PAGE = 100;

/**
 * Every dialogue of the latest cycle under way (isOngoing: from created through the follow-up, with
 * or without a booked meeting or a conflict), optionally in one region, a page at a time (the most
 * recently changed first): one read of the cycle's facts and one of the dialogues shown.
 */
export async function ongoingDialogues(d: Deps, q: { region?: string; cursor?: string }): Promise<Page<Dialogue> & { total: number }> {
  const { facts } = await readCycleFacts(d);
  const { rows, total, next } = pageOf(
    facts.filter((x) => isOngoing(x.state) && (!q.region || x.region === q.region)),
    'stateSince',
    false,
    ONGOING_PAGE,
    q.cursor,
  );
  return { items: await d.dialogues.getMany(rows), cursor: next, total };
}

/**
 * The dialogues of the latest cycle in each of `states` (optionally of one region), the `perState`
 * most recently changed of each: one read of the cycle's facts and one of the dialogues shown.
 */
export async function dialoguesInStates(
  d: Deps,
  q: { states: readonly DialogueState[]; region?: string; perState: number },
): Promise<{ items: Dialogue[]; total: number }> {
  const { facts } = await readCycleFacts(d);
  const shown: string[] = [];
  let total = 0;
  for (const state of q.states) {
    const matches = facts
      .filter((x) => x.state === state && (!q.region || x.region === q.region))
      .sort((a, b) => b.stateSince - a.stateSince);
    total += matches.length;
    shown.push(...matches.slice(0, q.perState).map((x) => x.id));
  }
  return { items: await d.dialogues.getMany(shown), total };
}

/** An organiser a search found, with its dialogues of every cycle (newest first). */
export interface FoundOrganiser extends OrganiserMatch {
  dialogues: { cycle: string; dialogueId: string }[];
}

export interface SearchResult extends Page<Dialogue> {
  /** Organisers found in all (a dialogue id finds its dialogue: 1 or 0). */
  total: number;
  /** The organisers of this page (those without a dialogue too), each with its dialogues of every cycle. */
  organisers: FoundOrganiser[];
}

export const SEARCH_HINT = 'Sök på minst två tecken av ett namn, ett organisationsnummer eller ett dialog-id.';

/**
 * A search: the organisers it finds (all of them, sorted by name; `total`), the latest dialogue of
 * each on one page of them (`items`) with the ids of their earlier cycles' dialogues, or the
 * dialogue a dialogue id names. A page reads its organisers' dialogue ids and one dialogue each,
 * however many cycles there are.
 */
export async function searchDialogues(d: Deps, q: { q: string; limit?: number; cursor?: string }): Promise<SearchResult> {
  const parsed = parseSearch(q.q);
  if (!parsed) throw new ValidationError(SEARCH_HINT, [{ path: 'q', message: SEARCH_HINT }]);
  const limit = q.limit ?? 25;
  if (parsed.kind === 'dialogue') {
    const x = await d.dialogues.get(parsed.id);
    return { items: x ? [x] : [], total: x ? 1 : 0, organisers: [] };
  }
  const organisers = await findOrganisers(d, parsed);
  const after = readCursor(q.cursor);
  const start = after ? organisers.findIndex((o) => o.organiserId === after.id) + 1 : 0;
  const page = organisers.slice(start, start + limit);
  const dialogueIds = await Promise.all(page.map((o) => d.dialogues.ofOrganiser(o.organiserId)));
  const last = page.at(-1);
  return {
    items: await d.dialogues.getMany(dialogueIds.flatMap((xs) => (xs[0] ? [xs[0].dialogueId] : []))),
    cursor: last && start + limit < organisers.length ? encodeCursor({ k: start + limit, id: last.organiserId }) : undefined,
    total: organisers.length,
    organisers: page.map((o, i) => ({ ...o, dialogues: dialogueIds[i] ?? [] })),
  };
}

async function searchForConsole(d: Deps, q: ConsoleListQuery): Promise<ConsoleList> {
  const found = await searchDialogues(d, { q: q.q ?? '', limit: q.limit, cursor: q.cursor });
  return {
    items: found.items,
    cursor: found.cursor,
    query: q,
    cycles: await d.facts.cycles(),
    total: found.total,
    sortedBy: 'createdAt',
    counts: [],
    phaseCounts: [],
    read: 0,
    partial: false,
    search: { organisers: found.organisers },
  };
}

/** Every organiser the search finds, once each, by name: Queries on the search index (paged). */
export async function findOrganisers(d: Deps, query: Exclude<SearchQuery, { kind: 'dialogue' }>): Promise<OrganiserMatch[]> {
  const prefix = query.kind === 'orgNumber' ? query.digits : await leadWord(d, query.words);
  const found = new Map<string, OrganiserMatch>();
  let cursor: string | undefined;
  do {
    const page = await d.search.find(prefix, 1000, cursor);
    for (const o of page.items) {
      if (query.kind === 'name' && !nameMatches(o.name, query.words)) continue;
      found.set(o.organiserId, o);
    }
    cursor = page.cursor;
  } while (cursor);
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name, 'sv') || a.organiserId.localeCompare(b.organiserId));
}

/**
 * The word of a several-word search the index is asked for: the one with the fewest organisers
 * ("källans förskola" reads the few "källans", not every "förskola"), told by a look at the first
 * 50 of each; the longest when every word has more.
 */
async function leadWord(d: Deps, words: readonly string[]): Promise<string> {
  const candidates = [...new Set(words.filter((w) => w.length >= 2))].sort((a, b) => b.length - a.length);
  if (candidates.length <= 1) return candidates[0] ?? '';
  const sizes = await Promise.all(candidates.map(async (w) => ({ w, page: await d.search.find(w, 50) })));
  const complete = sizes.filter((x) => !x.page.cursor).sort((a, b) => a.page.items.length - b.page.items.length);
  return complete[0]?.w ?? (candidates[0] as string);
}
