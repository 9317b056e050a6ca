/**
 * The scheduler's tick: fires every timer that is due on a dialogue (workflow start, reminder,
 * escalation, answer callback). EventBridge Scheduler calls it in the cloud, a timer loop locally.
 * One bounded Query on the sparse due index; no Scan.
 */
import { retryPendingPairMails } from './intro-session-mail.ts';
import type { Deps } from '#adapters/deps.ts';
import { deliverOutcome } from './answers.ts';
import { postponeStartIfInspection } from './clash.ts';
import { escalate, sendReminder } from './invitation.ts';
import { escalateOffer, remindOffer } from './lifecycle/offer.ts';
import { catchUpAccepted, kickPhase } from './lifecycle/phase.ts';
import { followUpDue, meetingHeld } from './lifecycle/progress.ts';

export interface TickResult {
  fired: number;
  failed: { dialogueId: string; kind: string; error: string }[];
}

export async function tick(d: Deps, limit = 100): Promise<TickResult> {
  const now = d.clock.now();
  const due = await d.dialogues.listDue(now, limit);
  const result: TickResult = { fired: 0, failed: [] };
  for (const dialogue of due) {
    try {
      switch (dialogue.dueKind) {
        case 'start': {
          if (await postponeStartIfInspection(d, dialogue, now)) break;
          const { started } = await d.workflow.startInvitation(dialogue.id);
          await d.dialogues.mutate(dialogue.id, (x) =>
            x.dueKind !== 'start'
              ? undefined
              : started
                ? { ...x, dueAt: new Date(now.getTime() + 5 * 60_000).toISOString() }
                : { ...x, dueAt: undefined, dueKind: undefined },
          );
          break;
        }
        case 'reminder':
          await sendReminder(d, dialogue.id);
          break;
        case 'escalate':
          await escalate(d, dialogue.id);
          break;
        case 'callback':
          await deliverOutcome(d, dialogue);
          break;
        case 'phase_start':
          await kickPhase(d, dialogue.id);
          break;
        case 'offer_reminder':
          await remindOffer(d, dialogue);
          break;
        case 'offer_escalate':
          await escalateOffer(d, dialogue);
          break;
        case 'held':
          await meetingHeld(d, dialogue);
          break;
        case 'follow_up':
          await followUpDue(d, dialogue);
          break;
        default:
          break;
      }
      result.fired++;
    } catch (e) {
      result.failed.push({ dialogueId: dialogue.id, kind: String(dialogue.dueKind), error: (e as Error).message });
    }
  }
  try {
    result.fired += await catchUpAccepted(d);
  } catch (e) {
    result.failed.push({ dialogueId: '-', kind: 'accepted_catch_up', error: (e as Error).message });
  }
  try {
    const mails = await retryPendingPairMails(d);
    result.fired += mails.sent;
    if (mails.failed > 0) result.failed.push({ dialogueId: '-', kind: 'intro_session_pair_mail', error: `${mails.failed} still pending` });
  } catch (e) {
    result.failed.push({ dialogueId: '-', kind: 'intro_session_pair_mail', error: (e as Error).message });
  }
  return result;
}
