/**
 * One meeting phase after acceptance (intro, pre-meeting, dialogue, feedback, follow-up), the same
 * machine for every kind: offer clash-checked times to the organiser (or places in group intro
 * sessions) and wait for a booking (one task-token callback task: the step stores its token in the
 * offer's write) → done. Asking for other times loops back to a new offer; when nothing fits
 * (`nothing_offered`), or nobody books, the coordinator takes over. Reminders and the
 * hand-over are due-dates on the dialogue fired by the scheduler; the wait's own time-out is only
 * a safety net, so an execution lasts weeks at most. "Meeting held", the analysis material, the
 * notes and the six-month follow-up are due-dates and events on the dialogue record that start the
 * next phase's execution (functions/use-cases/lifecycle.ts).
 */
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { NOTHING_OFFERED } from '#core/workflow-payload.ts';
import { waitingStep, workflowStep } from './invitation.ts';

export interface MeetingPhaseFunctions {
  workflowTask: IFunction;
  /** The safety-net time-out on the booking wait (the scheduler's reminder and hand-over come first). */
  answerWaitTimeoutSeconds?: number;
}

export function buildMeetingPhase(scope: Construct, fns: MeetingPhaseFunctions): sfn.IChainable {
  const input = {
    dialogueId: sfn.JsonPath.stringAt('$.dialogueId'),
    kind: sfn.JsonPath.stringAt('$.kind'),
    round: sfn.JsonPath.numberAt('$.round'),
  };
  const step = (id: string, task: string, resultPath: string, extra: Record<string, unknown> = {}) =>
    workflowStep(scope, fns.workflowTask, id, { task, ...input, ...extra }, resultPath);

  const failed = new sfn.Fail(scope, 'Phase failed', { errorPath: '$.failure.Error', causePath: '$.failure.Cause' });
  const recordFailure = step('Record failure', 'phaseFailed', sfn.JsonPath.DISCARD, {
    failure: sfn.JsonPath.objectAt('$.failure'),
  }).next(failed);

  const offer = waitingStep(
    scope,
    fns.workflowTask,
    'Offer times and await booking',
    { task: 'offerAndAwaitBooking', ...input },
    '$.booking',
    fns.answerWaitTimeoutSeconds,
  );
  const handOver = step('Hand over to coordinator', 'handOverOffer', sfn.JsonPath.DISCARD);
  const handedOver = new sfn.Succeed(scope, 'Coordinator takes over');
  handOver.next(handedOver);

  const route = new sfn.Choice(scope, 'Route booking')
    .when(sfn.Condition.stringEquals('$.booking.outcome', 'booked'), new sfn.Succeed(scope, 'Booked'))
    .when(sfn.Condition.stringEquals('$.booking.outcome', 'other_times'), offer)
    .when(sfn.Condition.stringEquals('$.booking.outcome', 'escalated'), handedOver)
    .when(sfn.Condition.stringEquals('$.booking.outcome', NOTHING_OFFERED), handOver)
    .when(sfn.Condition.stringEquals('$.booking.outcome', 'closed'), new sfn.Succeed(scope, 'Dialogue ended'))
    .otherwise(
      new sfn.Fail(scope, 'Unknown booking outcome', { error: 'UnknownOutcome', cause: 'The booking callback carried no known outcome' }),
    );

  const catchToFailed = { errors: ['States.ALL'], resultPath: '$.failure' };
  offer.addCatch(handOver, { errors: ['States.Timeout'], resultPath: '$.failure' });
  offer.addCatch(recordFailure, catchToFailed);
  handOver.addCatch(recordFailure, catchToFailed);

  offer.next(route);
  return offer;
}
