/**
 * The catalogue of state machines: one entry per phase, each a builder over the Lambda functions
 * it calls. The CDK workflow stack deploys every entry; the local runtime renders the same
 * builders against stand-in function ARNs and runs them.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { buildInvitationPhase, renderDefinition } from './invitation.ts';
import { resolveIntrinsics } from './intrinsics.ts';
import { buildMeetingPhase } from './meeting.ts';

export const phases = {
  invitation: { name: 'invitation', build: buildInvitationPhase },
  /** Every meeting phase after acceptance (intro, pre-meeting, dialogue, feedback, follow-up). */
  meeting: { name: 'meeting', build: buildMeetingPhase },
} as const;
export type PhaseName = keyof typeof phases;

/** The function names the definitions call, as the local runtime knows them. */
export const localFunctionArn = (name: string): string => `arn:aws:lambda:eu-north-1:000000000000:function:${name}`;
export const LOCAL_FUNCTIONS = { workflowTask: 'workflow-task' } as const;

/** Renders every phase's ASL with the local stand-in function ARNs. */
export function renderLocalDefinitions(settings: { answerWaitTimeoutSeconds?: number } = {}): Record<PhaseName, Record<string, unknown>> {
  const stack = new Stack(new App(), 'LocalDefinitions');
  const workflowTask = lambda.Function.fromFunctionArn(stack, 'WorkflowTask', localFunctionArn(LOCAL_FUNCTIONS.workflowTask));
  return {
    invitation: resolveIntrinsics(renderDefinition(stack, phases.invitation.build(stack, { workflowTask, ...settings }))) as Record<
      string,
      unknown
    >,
    meeting: resolveIntrinsics(
      renderDefinition(stack, phases.meeting.build(new Construct(stack, 'MeetingStates'), { workflowTask, ...settings })),
    ) as Record<string, unknown>,
  };
}
