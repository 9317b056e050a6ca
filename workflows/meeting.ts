/**
 * One meeting phase after acceptance (intro, pre-meeting, dialogue, feedback, follow-up), the same
 * machine for every kind: offer clash-checked times to the organiser (or places in group intro
 * sessions) → wait for a booking (task-token callback) → done. Asking for other times loops back
 * to a new offer; when nothing fits, or nobody books, the coordinator takes over. Reminders and the
 * hand-over are due-dates on the dialogue fired by the scheduler; the wait's own time-out is only
 * a safety net, so an execution lasts weeks at most. "Meeting held", the analysis material, the
 * notes and the six-month follow-up are due-dates and events on the dialogue record that start the
 * next phase's execution (functions/use-cases/lifecycle.ts).
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { answerWaitTimeoutSeconds, invitationSettingsSchema } from '#core/dialogue.ts';
import { versioned, WAIT_RETRY, workflowStep } from './invitation.ts';

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

  const offer = step('Offer times', 'offerMeeting', '$.offer');
  const awaitBooking = new tasks.LambdaInvoke(scope, 'Await booking', {
    lambdaFunction: fns.workflowTask,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject(versioned({ task: 'awaitBooking', ...input, taskToken: sfn.JsonPath.taskToken })),
    resultPath: '$.booking',
    taskTimeout: sfn.Timeout.duration(
      Duration.seconds(fns.answerWaitTimeoutSeconds ?? answerWaitTimeoutSeconds(invitationSettingsSchema.parse({}))),
    ),
    retryOnServiceExceptions: false,
  }).addRetry(WAIT_RETRY);
  const handOver = step('Hand over to coordinator', 'handOverOffer', sfn.JsonPath.DISCARD);
  const handedOver = new sfn.Succeed(scope, 'Coordinator takes over');
  handOver.next(handedOver);

  const route = new sfn.Choice(scope, 'Route booking')
    .when(sfn.Condition.stringEquals('$.booking.outcome', 'booked'), new sfn.Succeed(scope, 'Booked'))
    .when(sfn.Condition.stringEquals('$.booking.outcome', 'other_times'), offer)
    .when(sfn.Condition.stringEquals('$.booking.outcome', 'escalated'), handedOver)
    .when(sfn.Condition.stringEquals('$.booking.outcome', 'closed'), new sfn.Succeed(scope, 'Dialogue ended'))
    .otherwise(
      new sfn.Fail(scope, 'Unknown booking outcome', { error: 'UnknownOutcome', cause: 'The booking callback carried no known outcome' }),
    );

  const anything = new sfn.Choice(scope, 'Anything to offer?')
    .when(sfn.Condition.numberEquals('$.offer.offered', 0), handOver)
    .otherwise(awaitBooking);

  const catchToFailed = { errors: ['States.ALL'], resultPath: '$.failure' };
  offer.addCatch(recordFailure, catchToFailed);
  awaitBooking.addCatch(handOver, { errors: ['States.Timeout'], resultPath: '$.failure' });
  awaitBooking.addCatch(recordFailure, catchToFailed);
  handOver.addCatch(recordFailure, catchToFailed);

  offer.next(anything);
  awaitBooking.next(route);
  return offer;
}
