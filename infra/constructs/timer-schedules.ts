/**
 * The service's clocks in the cloud: EventBridge Scheduler invokes the timer-tick function every
 * 5 minutes (due reminders, escalations, follow-ups) and, with {"job": "campaigns"}, every minute
 * (the paced campaign sender). Each schedule sits in a group of its own, so the scheduler's
 * per-group metrics tell whether it still fires; what the scheduler cannot deliver goes to a DLQ.
 * Alarms: a schedule that stops firing, timers failing tick after tick, and a running campaign that
 * makes no progress.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUSINESS_METRICS, type BusinessMetricName, stageDimensions } from '#core/business-metrics.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

export interface TimerSchedulesProps {
  /** Physical-name prefix, e.g. kvalitetsdialog-dev. */
  readonly prefix: string;
  readonly stage: string;
  /** functions/timer-tick.ts */
  readonly timerTick: IFunction;
}

/** A metric of this stage from functions/core/business-metrics.ts. */
export const businessMetric = (name: BusinessMetricName, stage: string, props: cloudwatch.MetricOptions = {}) =>
  new cloudwatch.Metric({ namespace: BUSINESS_METRICS.namespace, metricName: name, dimensionsMap: stageDimensions(stage), ...props });

/** The tick fires every 5 minutes: this many minutes in a row without an attempt is a missed tick (plus grace for late metrics). */
export const TICK_SILENT_MINUTES = 8;
/** The campaign sender fires every minute. */
export const CAMPAIGN_SENDER_SILENT_MINUTES = 5;
/** A campaign with organisers left and inside its hours that sent nothing this long is stuck. */
export const CAMPAIGN_STALLED_MINUTES = 15;
/** Ticks in a row (5 minutes apart) in which timers failed before it is more than one timer backing off. */
export const TIMERS_FAILING_TICKS = 3;

export class TimerSchedules extends Construct {
  public readonly tick: scheduler.Schedule;
  public readonly campaignSender: scheduler.Schedule;
  public readonly tickGroup: scheduler.ScheduleGroup;
  public readonly campaignSenderGroup: scheduler.ScheduleGroup;
  /** What the scheduler could not deliver to the function. */
  public readonly deadLetters: DeadLetterQueue;
  public readonly alarms: {
    tickNotRunning: cloudwatch.Alarm;
    campaignSenderNotRunning: cloudwatch.Alarm;
    timersFailing: cloudwatch.Alarm;
    campaignStalled: cloudwatch.Alarm;
  };

  constructor(scope: Construct, id: string, props: TimerSchedulesProps) {
    super(scope, id);

    // The next tick repeats an undelivered one's work; the alarm says why none ran.
    this.deadLetters = new DeadLetterQueue(this, 'Undelivered', {
      of: 'the timer-tick schedules',
      alarmName: `${props.prefix}-timer-tick-undelivered`,
      alarmDescription: 'The scheduler could not invoke the timer tick (reminders, escalations and campaigns are not firing)',
    });
    const deadLetterQueue: sqs.IQueue = this.deadLetters.queue;

    // Groups hold only their schedule (no state): deleted with the stack, so a retry of a failed
    // first create can create them again under the same name.
    this.tickGroup = new scheduler.ScheduleGroup(this, 'TickGroup', {
      scheduleGroupName: `${props.prefix}-timer-tick`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.tick = new scheduler.Schedule(this, 'Tick', {
      description: 'Every 5 minutes: act on the due-dates in the dialogue table',
      scheduleGroup: this.tickGroup,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(5)),
      target: new schedulerTargets.LambdaInvoke(props.timerTick, { retryAttempts: 2, maxEventAge: Duration.minutes(4), deadLetterQueue }),
    });

    // The paced campaign sender: every minute, the same function with {"job": "campaigns"} drives
    // the running campaigns about once a second for 65 s (runs overlap a little; they share the
    // account's send-rate bucket, sesSendRate, in the table), each campaign at most at its own send
    // rate, backing off when SES throttles. A missed minute is simply the next one.
    this.campaignSenderGroup = new scheduler.ScheduleGroup(this, 'CampaignSenderGroup', {
      scheduleGroupName: `${props.prefix}-campaign-sender`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.campaignSender = new scheduler.Schedule(this, 'CampaignSender', {
      description: 'Every minute: send the running campaigns at their send rate',
      scheduleGroup: this.campaignSenderGroup,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      target: new schedulerTargets.LambdaInvoke(props.timerTick, {
        input: scheduler.ScheduleTargetInput.fromObject({ job: 'campaigns' }),
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
        deadLetterQueue,
      }),
    });

    // No invocation attempt at all (a disabled or deleted schedule, the scheduler itself): every
    // minute without one breaches, so a missing data point counts.
    const silent = (group: scheduler.ScheduleGroup, name: string, minutes: number, what: string) =>
      new cloudwatch.Alarm(this, `${name}Alarm`, {
        alarmName: `${props.prefix}-${group === this.tickGroup ? 'timer-tick' : 'campaign-sender'}-not-running`,
        alarmDescription: `${what}: the scheduler made no invocation attempt for ${minutes} minutes`,
        metric: group.metricAttempts({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: minutes,
        datapointsToAlarm: minutes,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });

    // Stalled: in 5-minute windows, campaigns waited to send and nothing was sent; three in a row.
    const window = Duration.minutes(5);
    this.alarms = {
      tickNotRunning: silent(
        this.tickGroup,
        'TickNotRunning',
        TICK_SILENT_MINUTES,
        'The 5-minute timer tick (reminders, escalations, follow-ups) stopped',
      ),
      campaignSenderNotRunning: silent(
        this.campaignSenderGroup,
        'CampaignSenderNotRunning',
        CAMPAIGN_SENDER_SILENT_MINUTES,
        'The campaign sender stopped',
      ),
      // A failing timer backs off (5 minutes, doubling), so one broken dialogue fails in a tick now
      // and then; timers failing in every tick for 15 minutes is something broken for many (the
      // table, SES, a bug in a step). Minimum: a 5-minute window with a clean tick is not a failing one.
      timersFailing: new cloudwatch.Alarm(this, 'TimersFailingAlarm', {
        alarmName: `${props.prefix}-timers-failing`,
        alarmDescription: `Timers failed in ${TIMERS_FAILING_TICKS} timer ticks in a row (reminders, escalations or phase steps are not happening)`,
        metric: businessMetric('TimersFailed', props.stage, { statistic: cloudwatch.Stats.MINIMUM, period: window }),
        threshold: 0,
        evaluationPeriods: TIMERS_FAILING_TICKS,
        datapointsToAlarm: TIMERS_FAILING_TICKS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // A window without a tick is timer-tick-not-running's to report.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      campaignStalled: new cloudwatch.Alarm(this, 'CampaignStalledAlarm', {
        alarmName: `${props.prefix}-campaign-stalled`,
        alarmDescription: `A running campaign with organisers left to invite sent nothing for ${CAMPAIGN_STALLED_MINUTES} minutes`,
        metric: new cloudwatch.MathExpression({
          label: 'campaigns waiting while nothing is sent',
          expression: 'IF(FILL(waiting, 0) > 0 AND FILL(sent, 0) == 0, 1, 0)',
          usingMetrics: {
            waiting: businessMetric('CampaignsAwaitingSend', props.stage, { statistic: cloudwatch.Stats.MAXIMUM, period: window }),
            sent: businessMetric('CampaignInvitationsSent', props.stage, { statistic: cloudwatch.Stats.SUM, period: window }),
          },
          period: window,
        }),
        threshold: 1,
        evaluationPeriods: CAMPAIGN_STALLED_MINUTES / 5,
        datapointsToAlarm: CAMPAIGN_STALLED_MINUTES / 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };
  }
}
