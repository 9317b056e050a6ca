/**
 * The Step Functions tasks of the invitation and meeting phases (workflows/), one dispatch on
 * `task`. Domain errors are thrown with their class name, which the state machines' Catch and
 * Retry match. The payload's version is checked first (core/workflow-payload.ts). The tasks that
 * definitions published before the waits were folded into the sending steps still call
 * (sendInvitations + awaitAnswer, offerMeeting + awaitBooking) stay for their executions.
 */
import { payloadVersionOf } from '#core/workflow-payload.ts';
import * as z from '#core/zod.ts';
import type { Deps } from '#adapters/deps.ts';
import {
  awaitAnswerStep,
  escalate,
  markFailed,
  resolveRecipientsStep,
  sendInvitationsAndAwaitAnswerStep,
  sendInvitationsStep,
} from './invitation.ts';
import { awaitBookingStep, handOverOffer, offerAndAwaitBookingStep, offerMeetingStep } from './lifecycle/offer.ts';
import { recordPhaseFailure } from './lifecycle/failure.ts';
import { parseOrThrow } from './validate.ts';

const dialogueId = z.string().check(z.minLength(1), z.maxLength(100));
const kind = z.enum(['intro', 'pre_meeting', 'dialogue', 'feedback', 'follow_up']);
const round = z.number().check(z.int(), z.gte(1), z.lte(1000));
const taskToken = z.string().check(z.minLength(1), z.maxLength(4096));
export const taskSchema = z.discriminatedUnion('task', [
  z.object({ task: z.literal('resolveRecipients'), dialogueId }),
  z.object({ task: z.literal('sendInvitationsAndAwaitAnswer'), dialogueId, taskToken }),
  z.object({ task: z.literal('sendInvitations'), dialogueId }),
  z.object({ task: z.literal('awaitAnswer'), dialogueId, taskToken }),
  z.object({ task: z.literal('escalate'), dialogueId }),
  z.object({
    task: z.literal('markFailed'),
    dialogueId,
    failure: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
  }),
  // The meeting phases (workflows/meeting.ts).
  z.object({ task: z.literal('offerAndAwaitBooking'), dialogueId, kind, round, taskToken }),
  z.object({ task: z.literal('offerMeeting'), dialogueId, kind, round }),
  z.object({ task: z.literal('awaitBooking'), dialogueId, kind, round, taskToken }),
  z.object({ task: z.literal('handOverOffer'), dialogueId, kind, round }),
  z.object({
    task: z.literal('phaseFailed'),
    dialogueId,
    kind,
    round,
    failure: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
  }),
]);
export type TaskEvent = z.input<typeof taskSchema>;

export async function runWorkflowTask(d: Deps, event: TaskEvent): Promise<unknown> {
  // This payload version or the previous one (executions started on the previous definition).
  payloadVersionOf(event);
  const t = parseOrThrow(taskSchema, event, 'workflow task');
  switch (t.task) {
    case 'resolveRecipients':
      return resolveRecipientsStep(d, t.dialogueId);
    case 'sendInvitationsAndAwaitAnswer':
      return sendInvitationsAndAwaitAnswerStep(d, t.dialogueId, t.taskToken);
    case 'sendInvitations':
      return sendInvitationsStep(d, t.dialogueId);
    case 'awaitAnswer':
      return awaitAnswerStep(d, t.dialogueId, t.taskToken);
    case 'escalate':
      await escalate(d, t.dialogueId);
      return { escalated: true };
    case 'markFailed':
      await markFailed(d, t.dialogueId, t.failure);
      return { failed: true };
    case 'offerAndAwaitBooking':
      return offerAndAwaitBookingStep(d, t.dialogueId, t.kind, t.round, t.taskToken);
    case 'offerMeeting':
      return offerMeetingStep(d, t.dialogueId, t.kind, t.round);
    case 'awaitBooking':
      return awaitBookingStep(d, t.dialogueId, t.kind, t.round, t.taskToken);
    case 'handOverOffer':
      await handOverOffer(d, t.dialogueId, t.kind, t.round);
      return { handedOver: true };
    case 'phaseFailed':
      await recordPhaseFailure(d, t.dialogueId, t.kind, t.failure, t.round);
      return { failed: true };
  }
}
