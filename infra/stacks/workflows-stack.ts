/**
 * The dialogue's executions and timers: the workflow-task function, one observed Standard state
 * machine per phase in `phases` (the very builders the local runner renders, each with a version
 * per definition change and a `live` alias the service starts executions through), the timer-tick
 * function that EventBridge Scheduler fires every 5 minutes to act on due-dates in the table, and
 * the ses-events function. The two asynchronously invoked functions have an explicit async config
 * and an on-failure destination with an alarm (infra/async-invocation.ts).
 *
 * State machines get explicit names so their ARNs are computed, not referenced: the function a
 * machine calls can then carry the machine's ARN without a circular dependency.
 */
import { ArnFormat, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { answerWaitTimeoutSeconds, invitationSettingsSchema } from '#core/dialogue.ts';
import { type PhaseName, phases } from '#workflows/index.ts';
import { ASYNC_INVOCATION } from '../async-invocation.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { LIVE_ALIAS, type LiveAliasDeployment, ObservedStateMachine } from '../constructs/observed-state-machine.ts';
import { TimerSchedules } from '../constructs/timer-schedules.ts';
import { type CloudEnvironment, type CloudEnvName, type IMailSender, ServiceFunction } from '../constructs/service-function.ts';

/** The variable that carries a phase's state machine ARN; must exist in the handlers' env schema. */
export const stateMachineEnvName = (phase: PhaseName) => `${phase.toUpperCase() as Uppercase<PhaseName>}_STATE_MACHINE_ARN` as const;
type PhaseEnvName = ReturnType<typeof stateMachineEnvName>;
// Compile-time check: adding a phase without adding its variable to envSchema fails tsc here.
const _phaseEnvNamesAreKnown: PhaseEnvName extends CloudEnvName ? true : never = true;
void _phaseEnvNamesAreKnown;

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The invitation timings, from the same variables the functions read (so both agree). */
const invitationSettings = (env: CloudEnvironment) => ({
  reminderAfterDays: Number(env.REMINDER_AFTER_DAYS ?? 7),
  maxReminders: Number(env.MAX_REMINDERS ?? 2),
  escalateAfterDays: Number(env.ESCALATE_AFTER_DAYS ?? 7),
  linkValidDays: Number(env.LINK_VALID_DAYS ?? 60),
});

export interface WorkflowsStackProps extends StackProps {
  /** Physical-name prefix, e.g. kvalitetsdialog-dev. */
  readonly prefix: string;
  /** The stage (the business metrics' dimension). */
  readonly stage: string;
  /** How a new state-machine version reaches the `live` alias. */
  readonly deployment?: LiveAliasDeployment;
  readonly table: ITableV2;
  readonly appSecret: ISecret;
  readonly mailSender: IMailSender;
  /** Settings shared by every function (PUBLIC_BASE_URL, MAIL_*, day counts, ...). */
  readonly environment: CloudEnvironment;
  readonly logRetention: RetentionDays;
}

export class WorkflowsStack extends Stack {
  public readonly workflowTask: ServiceFunction;
  public readonly timerTick: ServiceFunction;
  public readonly stateMachines: Record<PhaseName, ObservedStateMachine>;
  /**
   * The phases' ARN variables: each machine's `live` alias, computed (safe to give to any
   * function), so the service starts executions on the version the deploy has shifted to.
   */
  public readonly stateMachineEnvironment: CloudEnvironment;
  /** The tick and campaign-sender schedules, their DLQ and alarms. */
  public readonly timers: TimerSchedules;
  public readonly timerSchedule: scheduler.Schedule;
  public readonly campaignSenderSchedule: scheduler.Schedule;
  public readonly sesEvents: ServiceFunction;
  /** Ticks and campaign runs the scheduler could not deliver to Lambda. */
  public readonly timerTickDlq: sqs.Queue;
  /** Ticks and campaign runs whose handler failed (Lambda's on-failure destination). */
  public readonly timerTickFailed: sqs.Queue;
  /** SES events the rule could not deliver to Lambda. */
  public readonly sesEventsDlq: sqs.Queue;
  /** SES events whose handler failed after Lambda's retries (Lambda's on-failure destination). */
  public readonly sesEventsFailed: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: WorkflowsStackProps) {
    super(scope, id, props);
    const phaseNames = Object.keys(phases) as PhaseName[];
    const machineName = (phase: PhaseName) => `${props.prefix}-${phase}`;
    const machineArn = (phase: PhaseName) =>
      this.formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: machineName(phase),
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    this.stateMachineEnvironment = Object.fromEntries(
      phaseNames.map((phase) => [stateMachineEnvName(phase), `${machineArn(phase)}:${LIVE_ALIAS}`]),
    );
    const environment = {
      ...props.environment,
      ...this.stateMachineEnvironment,
    };

    this.workflowTask = new ServiceFunction(this, 'WorkflowTask', {
      entry: 'functions/workflow-task.ts',
      functionName: `${props.prefix}-workflow-task`,
      description: 'Steps of the dialogue state machines (resolve recipients, send, await answer, escalate)',
      timeout: Duration.seconds(30),
      environment,
      logRetention: props.logRetention,
    })
      .bindTable(props.table, 'readWrite')
      .bindSecret(props.appSecret)
      .allowSendEmail(props.mailSender);
    // A step that finds its answer already recorded completes its own wait at once. The computed
    // ARNs (not the machines) keep the function from depending on the machines that call it.
    this.workflowTask.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        resources: phaseNames.map(machineArn),
      }),
    );

    this.stateMachines = Object.fromEntries(
      phaseNames.map((phase) => {
        const states = new Construct(this, `${pascal(phase)}States`);
        const chain = phases[phase].build(states, {
          workflowTask: this.workflowTask.function,
          answerWaitTimeoutSeconds: answerWaitTimeoutSeconds(invitationSettingsSchema.parse(invitationSettings(environment))),
        });
        const machine = new ObservedStateMachine(this, `${pascal(phase)}Phase`, {
          stateMachineName: machineName(phase),
          definitionBody: sfn.DefinitionBody.fromChainable(chain),
          logRetention: props.logRetention,
          deployment: props.deployment,
        });
        Validations.of(machine.stateMachine).acknowledge({
          id: this.invokeAnyVersionFinding(this.workflowTask),
          reason:
            'The LambdaInvoke grant covers the function ARN and its qualified ARNs (<arn>:*) so a version or alias can be invoked; it is still this one function.',
        });
        new CfnOutput(this, `${pascal(phase)}StateMachineArn`, {
          value: machine.stateMachine.stateMachineArn,
        });
        new CfnOutput(this, `${pascal(phase)}LiveAliasArn`, {
          description: `Executions of ${machineName(phase)} start here; the version it points at is the one new dialogues run`,
          value: machine.liveAlias.ref,
        });
        return [phase, machine];
      }),
    ) as Record<PhaseName, ObservedStateMachine>;

    // A tick or campaign run whose handler fails is not retried (the next one is the retry) but
    // recorded here, so a tick that keeps failing is seen even between the errors alarm's periods.
    this.timerTickFailed = new DeadLetterQueue(this, 'TimerTickFailed', {
      of: 'the timer-tick function (its on-failure destination)',
      alarmName: `${props.prefix}-timer-tick-failed`,
      alarmDescription:
        'A timer tick or campaign run failed in its handler (see the queue and the function log); the next run repeats its work',
    }).queue;
    this.timerTick = new ServiceFunction(this, 'TimerTick', {
      entry: 'functions/timer-tick.ts',
      functionName: `${props.prefix}-timer-tick`,
      description: 'Fires due reminders, escalations and follow-ups recorded on the dialogues',
      timeout: Duration.minutes(2),
      retryAttempts: ASYNC_INVOCATION.timerTick.retryAttempts,
      maxEventAge: Duration.seconds(ASYNC_INVOCATION.timerTick.maxEventAgeSeconds),
      onFailure: new destinations.SqsDestination(this.timerTickFailed),
      environment,
      logRetention: props.logRetention,
    })
      .bindTable(props.table, 'readWrite')
      .bindSecret(props.appSecret)
      .allowSendEmail(props.mailSender);
    for (const machine of Object.values(this.stateMachines)) {
      this.timerTick.grantStateMachine(machine.stateMachine, ['start', 'respond']);
    }

    this.timers = new TimerSchedules(this, 'Timers', { prefix: props.prefix, stage: props.stage, timerTick: this.timerTick.function });
    this.timerSchedule = this.timers.tick;
    this.campaignSenderSchedule = this.timers.campaignSender;
    this.timerTickDlq = this.timers.deadLetters.queue;

    // SES delivery events (bounce, complaint, delivery, reject) from the configuration set's
    // EventBridge destination. The rule retries delivery to Lambda (8 times, then its DLQ); Lambda
    // retries a handler error (twice, the most it allows, then the on-failure destination). Either
    // queue raises an alarm: a bounce that is never recorded would keep mailing a dead address.
    this.sesEventsFailed = new DeadLetterQueue(this, 'SesEventsFailed', {
      of: 'the ses-events function (its on-failure destination)',
      alarmName: `${props.prefix}-ses-events-failed`,
      alarmDescription: 'SES delivery events failed in their handler after Lambda retried them (bounces or complaints not recorded)',
    });
    this.sesEvents = new ServiceFunction(this, 'SesEvents', {
      entry: 'functions/ses-events.ts',
      functionName: `${props.prefix}-ses-events`,
      description: 'Records SES delivery events, suppresses bounced addresses, falls back to the rektor',
      timeout: Duration.seconds(30),
      retryAttempts: ASYNC_INVOCATION.sesEvents.retryAttempts,
      maxEventAge: Duration.seconds(ASYNC_INVOCATION.sesEvents.maxEventAgeSeconds),
      onFailure: new destinations.SqsDestination(this.sesEventsFailed.queue),
      environment,
      logRetention: props.logRetention,
    })
      .bindTable(props.table, 'readWrite')
      .bindSecret(props.appSecret)
      .allowSendEmail(props.mailSender);
    this.sesEventsDlq = new DeadLetterQueue(this, 'SesEventsDlq', {
      of: 'the SES events rule',
      alarmName: `${props.prefix}-ses-events-undelivered`,
      alarmDescription: 'EventBridge could not deliver SES delivery events to the ses-events function (see the DLQ)',
    }).queue;
    new events.Rule(this, 'SesEventsRule', {
      description: 'SES delivery events of the configuration set to the ses-events function',
      eventPattern: {
        source: ['aws.ses'],
        detailType: ['Email Delivered', 'Email Bounced', 'Email Complaint Received', 'Email Rejected'],
      },
      targets: [
        new eventsTargets.LambdaFunction(this.sesEvents.function, {
          deadLetterQueue: this.sesEventsDlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });

    Validations.of(this).acknowledge({
      id: this.invokeAnyVersionFinding(this.timerTick),
      reason:
        "The scheduler target's role may invoke the timer-tick function and its qualified ARNs (<arn>:*, versions/aliases); it is still this one function.",
    });
  }

  /** cdk-nag's finding id for a `lambda:InvokeFunction` grant on `<fn arn>:*`. */
  private invokeAnyVersionFinding(fn: ServiceFunction): string {
    const logicalId = this.getLogicalId(fn.function.node.defaultChild as CfnFunction);
    return `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`;
  }
}
