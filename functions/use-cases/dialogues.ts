/** Coordinator use-cases on dialogues: create (and start its invitation workflow), read, list. */
import { randomUUID } from 'node:crypto';
import * as z from '#core/zod.ts';
import { type Dialogue, dialogueStates, type TimelineEntry, timeline } from '#core/dialogue.ts';
import { cursorSchema, oneLine } from '#core/fields.ts';
import { NotFoundError, ValidationError } from '#core/errors.ts';
import type { MailRecord, Page } from '#core/ports.ts';
import type { Deps } from '#adapters/deps.ts';
import { invitationPlanned, postponedStart, registerPlanned } from './clash.ts';
import { type SearchResult, searchDialogues } from './console-list.ts';
import { parseOrThrow } from './validate.ts';

export const createDialogueSchema = z.strictObject({
  organiserId: z.string().check(z.regex(/^[a-z0-9-]{3,64}$/, 'organiserId must be the id of an organiser (see GET /api/organisers)')),
  cycle: z.optional(z.string().check(z.regex(/^\d{4}$/, 'cycle is a year, e.g. "2026"'))),
});

export const listDialoguesSchema = z.strictObject({
  state: z.optional(z.enum(dialogueStates, { message: `state must be one of ${dialogueStates.join(', ')}` })),
  /** An org. number (with or without the dash), a name word prefix or a dialogue id: the organisers' dialogues of every cycle. */
  q: z.optional(
    z.string().check(z.trim(), z.minLength(1, 'q must not be empty'), z.maxLength(100, 'q is at most 100 characters'), oneLine('q')),
  ),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  cursor: z.optional(cursorSchema),
});

/** Grace before the scheduler re-kicks a workflow start that did not go through. */
const START_GRACE_MS = 2 * 60_000;

/**
 * `actor`: who started it, for the audit trail (the console passes the signed-in person);
 * `campaignId`: the campaign offering it (never from a request body).
 */
export async function createDialogue(
  d: Deps,
  body: unknown,
  actor?: string,
  options: { campaignId?: string } = {},
): Promise<{ dialogue: Dialogue; created: boolean }> {
  const input = parseOrThrow(createDialogueSchema, body, 'dialogue');
  const organiser = await d.organisers.get(input.organiserId);
  if (!organiser) throw new NotFoundError(`No organiser with id '${input.organiserId}'; create it with POST /api/organisers first`);
  const now = d.clock.now();
  const at = now.toISOString();
  // Invitation rule: no invitation while an inspection of the organiser is under way.
  const postponed = await postponedStart(d, organiser.id, now);
  const draft: Dialogue = {
    id: `dlg-${randomUUID()}`,
    organiserId: organiser.id,
    organiserName: organiser.name,
    orgNumber: organiser.orgNumber,
    cycle: input.cycle ?? String(now.getUTCFullYear()),
    region: organiser.region,
    legalForm: organiser.legalForm,
    municipal: organiser.municipal,
    schoolForms: organiser.schoolForms,
    children: organiser.children,
    state: 'created',
    recipients: [],
    reminders: 0,
    history: [{ at, type: 'created', state: 'created', ...(actor ? { by: actor } : {}) }, ...(postponed ? [postponed.history] : [])],
    dueAt: (postponed?.at ?? new Date(now.getTime() + START_GRACE_MS)).toISOString(),
    dueKind: 'start',
    ...(options.campaignId ? { campaignId: options.campaignId } : {}),
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const { created, dialogue } = await d.dialogues.create(draft);
  if (created) await registerPlanned(d, invitationPlanned(dialogue, postponed?.at ?? now));
  if (created && !postponed) {
    try {
      await d.workflow.startInvitation(dialogue.id);
    } catch {
      // The dialogue is saved with a 'start' timer; the scheduler starts the workflow shortly.
    }
  }
  return { dialogue, created };
}

export async function getDialogue(d: Deps, id: string): Promise<Dialogue & { mails: MailRecord[]; timeline: TimelineEntry[] }> {
  const dialogue = await d.dialogues.get(id);
  if (!dialogue) throw new NotFoundError(`No dialogue with id '${id}'`);
  return { ...dialogue, mails: await d.mailLog.list(id), timeline: timeline(dialogue) };
}

/** By state (byState index, oldest change first) or every dialogue (byKind, last change first); or a search (`q`, with `total` and the organisers found). */
export function listDialogues(d: Deps, query: unknown): Promise<Page<Dialogue> & Partial<Omit<SearchResult, 'items' | 'cursor'>>> {
  const q = parseOrThrow(listDialoguesSchema, query, 'query');
  if (q.q !== undefined) {
    if (q.state) throw new ValidationError('q and state cannot be combined: search first, then open the dialogue');
    return searchDialogues(d, { q: q.q, limit: q.limit, cursor: q.cursor });
  }
  return d.dialogues.list({ state: q.state }, q.limit, q.cursor);
}
