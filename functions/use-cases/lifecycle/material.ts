/**
 * What the coordinator adds to a dialogue after acceptance: the analysis material's documents,
 * the dialogue meeting's plan, and the organisers that could share a meeting (same school chief).
 */
import { randomUUID } from 'node:crypto';
import * as z from '#core/zod.ts';
import { singleLine } from '#core/fields.ts';
import { type Dialogue, type DialogueState, isTerminal } from '#core/dialogue.ts';
import { ConflictError, NotFoundError, ValidationError } from '#core/errors.ts';
import { schoolForms } from '#core/organiser.ts';
import { sessionPlan } from '#core/scheduling.ts';
import type { Deps } from '#adapters/deps.ts';
import { parseOrThrow } from '../validate.ts';
import { schoolFormNames } from './progress.ts';

import { at, entry } from './phase.ts';

// ---- analysis material (coordinator) -----------------------------------------------------------

export const documentInputSchema = z.strictObject({
  schoolForm: z.enum(schoolForms, { message: `schoolForm must be one of ${schoolForms.join(', ')}` }),
  title: singleLine(2, 200, 'title'),
  url: z.url({ protocol: /^https$/, message: 'url must be an https link to the document' }),
});

/** Attaches a document link to the dialogue's analysis material (metadata and URL only). */
export async function attachDocument(d: Deps, dialogueId: string, body: unknown): Promise<Dialogue> {
  const input = parseOrThrow(documentInputSchema, body, 'document');
  if (!(await d.dialogues.get(dialogueId))) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  const { dialogue } = await d.dialogues.mutate(dialogueId, (y) => {
    if (isTerminal(y.state)) throw new ConflictError(`The dialogue is ${y.state}; documents can no longer be attached`);
    if ((y.documents ?? []).length >= 20) throw new ValidationError('A dialogue has at most 20 documents');
    const doc = { id: `doc-${randomUUID()}`, ...input, addedAt: at(d) };
    return {
      ...y,
      documents: [...(y.documents ?? []), doc],
      updatedAt: at(d),
      history: [...y.history, entry(d, 'documents_attached', undefined, `${schoolFormNames[input.schoolForm]}: ${input.title}`)],
    };
  });
  return dialogue;
}

// ---- the dialogue meeting's plan and shared meetings (coordinator) -----------------------------

export const meetingPlanSchema = z
  .strictObject({
    sessions: z.number().check(z.int(), z.gte(1), z.lte(3)),
    sessionMinutes: z.optional(z.number().check(z.int(), z.gte(60), z.lte(210))),
  })
  .check(
    z.superRefine((p, ctx) => {
      try {
        sessionPlan('dialogue', p.sessions, p.sessionMinutes);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message, path: ['sessionMinutes'] });
      }
    }),
  );

/** Sets how the dialogue meeting will be offered (split into 2–3 sessions, or one); before it is booked. */
export async function setMeetingPlan(d: Deps, dialogueId: string, body: unknown): Promise<Dialogue> {
  const plan = parseOrThrow(meetingPlanSchema, body, 'meeting plan');
  if (!(await d.dialogues.get(dialogueId))) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  const { dialogue } = await d.dialogues.mutate(dialogueId, (y) => {
    const order: DialogueState[] = ['dialogue_booked', 'dialogue_held', 'notes_registered'];
    if (isTerminal(y.state) || order.includes(y.state) || y.state.startsWith('feedback') || y.state.startsWith('follow_up')) {
      throw new ConflictError(`The dialogue meeting can no longer be planned (the dialogue is ${y.state})`);
    }
    return { ...y, meetingPlan: plan, updatedAt: at(d) };
  });
  return dialogue;
}

/**
 * Dialogues of other organisers that share this dialogue's school chief and wait for the same
 * meeting step: candidates for one shared meeting. Bounded: reads at most `budget` dialogues of
 * that state from the byState index.
 */
export async function sharedChiefCandidates(d: Deps, dialogueId: string, budget = 500): Promise<Dialogue[]> {
  const x = await d.dialogues.get(dialogueId);
  if (!x) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  const chiefs = new Set(x.recipients.filter((r) => r.basis === 'school_chief').map((r) => r.email.toLowerCase()));
  if (chiefs.size === 0) return [];
  const found: Dialogue[] = [];
  let cursor: string | undefined;
  let read = 0;
  do {
    const page = await d.dialogues.list({ state: x.state }, 100, cursor);
    read += page.items.length;
    for (const y of page.items) {
      if (y.id === x.id || y.organiserId === x.organiserId) continue;
      if (y.recipients.some((r) => r.basis === 'school_chief' && chiefs.has(r.email.toLowerCase()))) found.push(y);
    }
    cursor = page.cursor;
  } while (cursor && read < budget);
  return found;
}
