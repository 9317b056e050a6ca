/**
 * The invitation phase: resolve recipients → send the Swedish invitation and wait for the answer
 * (one task-token callback task: the step stores its token in the write that records the
 * invitation) → route the outcome. Reminders and escalation are timers on the dialogue record fired
 * by the scheduler; the scheduler completes the wait with `no_answer`, and the wait's own time-out
 * is only a safety net. The same builder feeds the CDK stack and the local runner.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { answerWaitTimeoutSeconds, invitationSettingsSchema } from '#core/dialogue.ts';
import { WORKFLOW_PAYLOAD_VERSION } from '#core/workflow-payload.ts';

export interface InvitationPhaseFunctions {
  /** functions/workflow-task.ts: one Lambda for the phase's steps, dispatched on `task`. */
  workflowTask: IFunction;
  /**
   * The safety-net time-out on the human wait, from the same settings the scheduler uses
   * (a fixed value: aws-local-stepfunctions reads TimeoutSecondsPath from the effective
   * parameters, AWS from the raw input, so a path would differ between the two runtimes).
   */
  answerWaitTimeoutSeconds?: number;
}

/**
 * Errors worth retrying: throttling and transient I/O, and an attempt that died (timed out or
 * crashed) — every step is idempotent, so running it again repeats nothing visible.
 */
export const RETRYABLE_ERRORS = [
  'States.Timeout',
  'Sandbox.Timedout',
  'Lambda.Unknown',
  'TransientError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** What every task hands the workflow-task function besides its own fields: the payload's version. */
export const versioned = (payload: Record<string, unknown>) => ({ ...payload, payloadVersion: WORKFLOW_PAYLOAD_VERSION });

/** The retry of every step: full jitter, long enough to outlast a send claim's lease (SEND_LEASE_SECONDS, 150 s). */
export const STEP_RETRY: sfn.RetryProps = {
  errors: RETRYABLE_ERRORS,
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 12,
  maxDelay: Duration.seconds(60),
  jitterStrategy: sfn.JitterType.FULL,
};

/**
 * The retry of a step that hands out a task token and waits for a person: the same, except for the
 * wait's own time-out (States.Timeout there is nobody answering, which its Catch routes onwards; an
 * attempt that dies ends with the function's own time-out, Sandbox.Timedout). A retried wait stores
 * its new token; the step completes it at once if the answer came meanwhile.
 */
export const WAIT_RETRY: sfn.RetryProps = { ...STEP_RETRY, errors: RETRYABLE_ERRORS.filter((e) => e !== 'States.Timeout') };

/** One step of a phase: the workflow-task Lambda with `payload` (versioned), its result at `resultPath`, retried by STEP_RETRY. */
export const workflowStep = (scope: Construct, fn: IFunction, id: string, payload: Record<string, unknown>, resultPath: string) =>
  new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject(versioned(payload)),
    payloadResponseOnly: true,
    resultPath,
    taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
    retryOnServiceExceptions: false,
  }).addRetry(STEP_RETRY);

/**
 * A step that waits for a person: the workflow-task Lambda with `payload` (versioned) and the task
 * token; it stores the token and completes it itself when the outcome is known at once. The callback's
 * output goes to `resultPath`; the wait times out after `timeoutSeconds` (a safety net), retried by WAIT_RETRY.
 */
export const waitingStep = (
  scope: Construct,
  fn: IFunction,
  id: string,
  payload: Record<string, unknown>,
  resultPath: string,
  timeoutSeconds: number | undefined,
) =>
  new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject(versioned({ ...payload, taskToken: sfn.JsonPath.taskToken })),
    resultPath,
    taskTimeout: sfn.Timeout.duration(Duration.seconds(timeoutSeconds ?? answerWaitTimeoutSeconds(invitationSettingsSchema.parse({})))),
    retryOnServiceExceptions: false,
  }).addRetry(WAIT_RETRY);

export function buildInvitationPhase(scope: Construct, fns: InvitationPhaseFunctions): sfn.IChainable {
  const step = (id: string, task: string, resultPath: string, extra: Record<string, unknown> = {}) =>
    workflowStep(scope, fns.workflowTask, id, { task, dialogueId: sfn.JsonPath.stringAt('$.dialogueId'), ...extra }, resultPath);

  const failed = new sfn.Fail(scope, 'Invitation failed', {
    errorPath: '$.failure.Error',
    causePath: '$.failure.Cause',
  });
  const markFailed = step('Mark failed', 'markFailed', sfn.JsonPath.DISCARD, { failure: sfn.JsonPath.objectAt('$.failure') }).next(failed);

  const resolve = step('Resolve recipients', 'resolveRecipients', '$.resolved');
  const sendAndAwait = waitingStep(
    scope,
    fns.workflowTask,
    'Send invitations and await answer',
    { task: 'sendInvitationsAndAwaitAnswer', dialogueId: sfn.JsonPath.stringAt('$.dialogueId') },
    '$.answer',
    fns.answerWaitTimeoutSeconds,
  );

  const accepted = new sfn.Succeed(scope, 'Accepted');
  const declined = new sfn.Succeed(scope, 'Declined');
  const noAnswer = new sfn.Succeed(scope, 'No answer');
  const closed = new sfn.Succeed(scope, 'Closed by coordinator');
  const escalate = step('Escalate after time-out', 'escalate', sfn.JsonPath.DISCARD).next(noAnswer);

  const route = new sfn.Choice(scope, 'Route answer')
    .when(sfn.Condition.stringEquals('$.answer.outcome', 'accepted'), accepted)
    .when(sfn.Condition.stringEquals('$.answer.outcome', 'declined'), declined)
    .when(sfn.Condition.stringEquals('$.answer.outcome', 'no_answer'), noAnswer)
    .when(sfn.Condition.stringEquals('$.answer.outcome', 'closed'), closed)
    .otherwise(new sfn.Fail(scope, 'Unknown answer', { error: 'UnknownAnswer', cause: 'The answer callback carried no known outcome' }));

  const catchToFailed = { errors: ['States.ALL'], resultPath: '$.failure' };
  resolve.addCatch(markFailed, catchToFailed);
  sendAndAwait.addCatch(escalate, { errors: ['States.Timeout'], resultPath: '$.failure' });
  sendAndAwait.addCatch(markFailed, catchToFailed);

  return resolve.next(sendAndAwait).next(route);
}

/** Renders a chainable to its ASL JSON, tokens resolved against `scope`'s stack. */
export function renderDefinition(scope: Construct, chain: sfn.IChainable): Record<string, unknown> {
  const graph = new sfn.StateGraph(chain.startState, 'definition');
  return Stack.of(scope).resolve(graph.toGraphJson());
}
