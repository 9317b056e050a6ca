/**
 * What the coordinator adds to a dialogue after acceptance: the analysis material (its documents,
 * and sending it once the introduction has been held: with a document for every school form the
 * organiser runs, or on the coordinator's explicit decision), the dialogue meeting's plan, and the
 * organisers that could share a meeting (same school chief).
 */
import { randomUUID } from 'node:crypto';
import * as z from '#core/zod.ts';
import { oneLine } from '#core/fields.ts';
import { type Dialogue, type DialogueState, isTerminal } from '#core/dialogue.ts';
import { ConflictError, NotFoundError, ValidationError } from '#core/errors.ts';
import { type SchoolForm, schoolForms } from '#core/organiser.ts';
import { sessionPlan } from '#core/scheduling.ts';
import { count } from '#core/swedish.ts';
import type { Deps } from '#adapters/deps.ts';
import { noteHandback } from '../handback-digest.ts';
import { sendStep } from '../mail.ts';
import { parseOrThrow } from '../validate.ts';

import { at, beginPhase, entry, kickPhase, move, noTimer } from './phase.ts';

export const schoolFormNames: Record<string, string> = {
  forskola: 'Förskola',
  forskoleklass: 'Förskoleklass',
  grundskola: 'Grundskola',
  anpassad_grundskola: 'Anpassad grundskola',
  sameskola: 'Sameskola',
  specialskola: 'Specialskola',
  gymnasieskola: 'Gymnasieskola',
  anpassad_gymnasieskola: 'Anpassad gymnasieskola',
  komvux: 'Komvux',
  fritidshem: 'Fritidshem',
};

/** The school forms the analysis material covers: the organiser's, fritidshem aside (it is not a school form). */
export const materialForms = (x: Pick<Dialogue, 'schoolForms'>): SchoolForm[] => (x.schoolForms ?? []).filter((f) => f !== 'fritidshem');

/** The school forms of the organiser that no attached document covers yet. */
export const missingMaterial = (x: Pick<Dialogue, 'schoolForms' | 'documents'>): SchoolForm[] =>
  materialForms(x).filter((f) => !(x.documents ?? []).some((doc) => doc.schoolForm === f));

/** The material can go: a document for every school form, or the coordinator decided to send it as it is. */
export const materialReady = (x: Pick<Dialogue, 'schoolForms' | 'documents' | 'materialDecision'>): boolean =>
  missingMaterial(x).length === 0 || Boolean(x.materialDecision);

/**
 * Once the introduction has been held: sends the material if it is ready; otherwise the dialogue
 * waits in intro_held (no timer) and is handed back to the coordinator once (the next morning's digest).
 * Attaching the last document, or the coordinator's decision, calls this again. Idempotent.
 */
export async function sendMaterialIfReady(d: Deps, dialogueId: string, known?: Dialogue): Promise<'sent' | 'waiting' | 'not_due'> {
  const x = known?.id === dialogueId ? known : await d.dialogues.get(dialogueId);
  if (x?.state !== 'intro_held') return 'not_due';
  const ready = materialReady(x);
  const { dialogue } = await d.dialogues.mutate(x.id, await materialStep(d, x), x);
  if (ready) {
    await kickPhase(d, x.id, dialogue);
    return 'sent';
  }
  // Handed back to the coordinator in the next morning's digest, which links to the material page.
  await noteHandback(d, x, 'material', 'material-missing');
  return 'waiting';
}

/**
 * The material step of a held introduction, for the write that records it: if the material is
 * ready (by `x`, the record as read) it is mailed first (once: a retry finds it sent and mails
 * nothing), and the change moves an intro_held record to material_sent with the pre-meeting
 * begun; if not, the change notes the wait once and clears the timer. The caller writes the
 * change, then kicks the phase (sent) or hands the dialogue back (waiting).
 */
export async function materialStep(d: Deps, x: Dialogue): Promise<(y: Dialogue) => Dialogue | undefined> {
  if (!materialReady(x)) return (y) => waitingForMaterial(d, y);
  const documents = await mailMaterial(d, x);
  return (y) =>
    y.state !== 'intro_held'
      ? undefined
      : beginPhase(
          d,
          move(
            d,
            y,
            'material_sent',
            'material_sent',
            `${count(documents, 'dokument', 'dokument')} till ${y.recipients.map((r) => r.email).join(', ')}`,
          ),
          'pre_meeting',
        );
}

/** An intro_held record whose material is not ready: the wait noted once, no timer. */
function waitingForMaterial(d: Deps, y: Dialogue): Dialogue | undefined {
  if (y.state !== 'intro_held' || materialReady(y)) return undefined;
  const noted = y.history.some((h) => h.type === 'material_waiting');
  if (noted && !y.dueKind) return undefined;
  const names = missingMaterial(y).map((f) => schoolFormNames[f] ?? f);
  return noTimer(
    noted
      ? y
      : {
          ...y,
          updatedAt: at(d),
          history: [...y.history, entry(d, 'material_waiting', undefined, `Dokument saknas för ${names.join(', ')}`)],
        },
  );
}

/** The analysis material: one mail per contact with the documents and a signed "we stop here" link. Returns how many documents it listed. */
async function mailMaterial(d: Deps, x: Dialogue): Promise<number> {
  const documents = (x.documents ?? []).map((doc) => ({ ...doc, schoolFormName: schoolFormNames[doc.schoolForm] ?? doc.schoolForm }));
  await sendStep(
    d,
    x.id,
    'material',
    x.recipients.map((r) => ({
      contactId: r.contactId,
      email: r.email,
      withLink: true,
      linkStep: 'stop',
      withOverview: true,
      render: (link: string | undefined, overview?: string) =>
        d.templates.email('material', {
          recipientName: r.name,
          organiserName: x.organiserName,
          documents,
          hasDocuments: documents.length > 0,
          missing: missingMaterial(x)
            .map((f) => (schoolFormNames[f] ?? f).toLowerCase())
            .join(', '),
          link,
          overviewLink: overview,
        }),
    })),
  );
  return documents.length;
}

const materialDecisionSchema = z.strictObject({
  reason: z
    .string()
    .check(
      z.trim(),
      z.minLength(3, 'Skriv varför underlaget skickas utan dokument för alla skolformer.'),
      z.maxLength(500, 'Skriv högst 500 tecken.'),
    ),
});

/**
 * The coordinator decides to send the material although a school form lacks a document (recorded
 * with who and why); it goes at once if the introduction has been held. A second decision changes nothing.
 */
export async function decideSendMaterial(
  d: Deps,
  dialogueId: string,
  body: unknown,
  by: string,
): Promise<{ changed: boolean; sent: boolean }> {
  const input = parseOrThrow(materialDecisionSchema, body, 'decision');
  const existing = await d.dialogues.get(dialogueId);
  if (!existing) throw new NotFoundError(`Det finns ingen dialog med id ${dialogueId}.`);
  const { changed } = await d.dialogues.mutate(dialogueId, (y) => {
    if (y.materialDecision) return undefined;
    if (isTerminal(y.state) || !['accepted', 'intro_offered', 'intro_booked', 'intro_held'].includes(y.state))
      throw new ConflictError('Analysunderlaget är redan skickat.');
    return {
      ...y,
      materialDecision: { by, at: at(d), reason: input.reason },
      updatedAt: at(d),
      history: [...y.history, { ...entry(d, 'material_decision', undefined, `Skickas utan komplett underlag: ${input.reason}`), by }],
    };
  });
  return { changed, sent: (await sendMaterialIfReady(d, dialogueId)) === 'sent' };
}

// ---- analysis material (coordinator) -----------------------------------------------------------

export const documentInputSchema = z.strictObject({
  schoolForm: z.enum(schoolForms, { message: `schoolForm must be one of ${schoolForms.join(', ')}` }),
  title: z
    .string()
    .check(
      z.trim(),
      z.minLength(2, 'title: skriv dokumentets namn (2–200 tecken)'),
      z.maxLength(200, 'title: skriv dokumentets namn (2–200 tecken)'),
      oneLine('title'),
    ),
  url: z.url({ protocol: /^https$/, message: 'url must be an https link to the document (länken ska börja med https://)' }),
});

/**
 * Attaches a document link to the dialogue's analysis material (metadata and URL only). The one that
 * completes the material of a dialogue waiting after its introduction sends it: mailed first (with
 * this document), then the document and the material sent are written in one change.
 */
export async function attachDocument(d: Deps, dialogueId: string, body: unknown, by?: string): Promise<Dialogue> {
  const input = parseOrThrow(documentInputSchema, body, 'document');
  const found = await d.dialogues.get(dialogueId);
  if (!found) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
  const doc = { id: `doc-${randomUUID()}`, ...input, addedAt: at(d) };
  const attach = (y: Dialogue): Dialogue => {
    if (isTerminal(y.state)) throw new ConflictError(`The dialogue is ${y.state}; documents can no longer be attached`);
    if ((y.documents ?? []).length >= 20) throw new ValidationError('A dialogue has at most 20 documents');
    return {
      ...y,
      documents: [...(y.documents ?? []), doc],
      updatedAt: at(d),
      history: [
        ...y.history,
        { ...entry(d, 'documents_attached', undefined, `${schoolFormNames[input.schoolForm]}: ${input.title}`), ...(by ? { by } : {}) },
      ],
    };
  };
  if (found.state !== 'intro_held' || !materialReady(attach(found))) {
    const { dialogue } = await d.dialogues.mutate(dialogueId, attach, found);
    // Documents attached meanwhile may have completed it.
    if (dialogue.state !== 'intro_held' || !materialReady(dialogue)) return dialogue;
    await sendMaterialIfReady(d, dialogueId, dialogue);
    return (await d.dialogues.get(dialogueId)) ?? dialogue;
  }
  const sent = await materialStep(d, attach(found));
  const { dialogue } = await d.dialogues.mutate(
    dialogueId,
    (y) => {
      const z = attach(y);
      return sent(z) ?? z;
    },
    found,
  );
  await kickPhase(d, dialogueId, dialogue);
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
  const found = await d.dialogues.get(dialogueId);
  if (!found) throw new NotFoundError(`No dialogue with id '${dialogueId}'`);
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
