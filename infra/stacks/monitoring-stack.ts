/**
 * How the stage is doing, on one CloudWatch dashboard (`<prefix>`): campaign sending against the SES
 * rate, answers and acceptance by legal form, the process's business metrics (invitations,
 * reminders, escalations, time to answer, meetings booked, undelivered mail, conflicts, phase
 * failures, the timer tick), workflow executions, Lambda errors and p95 duration, API 4xx/5xx and
 * latency, DynamoDB capacity and throttles, SES bounce and complaint rates, and the state of every
 * alarm. Also the table's alarms (the data stack holds nothing but the table).
 *
 * Deployed last: it reads every other stack's resources, by computed name where one is fixed
 * (functions, state machines, alarms) and by reference for the API and the table.
 */
import { ArnFormat, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { BUSINESS_METRICS, type BusinessMetricName, businessMetrics, stageDimensions } from '#core/business-metrics.ts';
import { businessMetric } from '../constructs/timer-schedules.ts';
import { TABLE_OPERATIONS } from './data-stack.ts';

export interface MonitoringStackProps extends StackProps {
  readonly prefix: string;
  readonly stage: string;
  readonly table: dynamodb.ITableV2;
  readonly httpApi: apigwv2.IHttpApi;
  /** Physical names of every function of the service. */
  readonly functionNames: readonly string[];
  /** Physical names of the phase state machines, by phase. */
  readonly stateMachineNames: Record<string, string>;
  /** The account's SES send rate (mails per second) campaigns are paced to. */
  readonly sesSendRate: number;
  /** Names of every alarm of the app (the status widget), set after all stacks exist. */
  readonly alarmNames: () => readonly string[];
}

const FIVE_MINUTES = Duration.minutes(5);
const WIDE = 12;
const THIRD = 8;
const FULL = 24;
const HEIGHT = 6;

export class MonitoringStack extends Stack {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarms: { tableThrottles: cloudwatch.Alarm; tableSystemErrors: cloudwatch.Alarm };

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const every5Minutes = { period: FIVE_MINUTES, operations: TABLE_OPERATIONS };

    this.alarms = {
      // On-demand tables throttle a sudden burst above twice the previous peak; the SDK retries,
      // so a few are absorbed. Sustained throttling slows every step and page.
      tableThrottles: new cloudwatch.Alarm(this, 'TableThrottlesAlarm', {
        alarmName: `${props.prefix}-table-throttles`,
        alarmDescription: 'DynamoDB throttled 10 or more requests to the dialogue table in 5 minutes',
        metric: props.table.metricThrottledRequestsForOperations(every5Minutes),
        threshold: 10,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      tableSystemErrors: new cloudwatch.Alarm(this, 'TableSystemErrorsAlarm', {
        alarmName: `${props.prefix}-table-system-errors`,
        alarmDescription: 'DynamoDB answered requests to the dialogue table with an internal error (HTTP 500)',
        metric: props.table.metricSystemErrorsForOperations(every5Minutes),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.prefix,
      defaultInterval: Duration.days(1),
      periodOverride: cloudwatch.PeriodOverride.AUTO,
    });
    const lambdaMetric = (fn: string, metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { FunctionName: fn },
        statistic,
        period: FIVE_MINUTES,
        label: fn.replace(`${props.prefix}-`, ''),
      });
    const statesMetric = (phase: string, arn: string, metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/States',
        metricName,
        dimensionsMap: { StateMachineArn: arn },
        statistic: cloudwatch.Stats.SUM,
        period: FIVE_MINUTES,
        label: `${phase} ${metricName.replace('Executions', '').replace('Execution', '').toLowerCase()}`,
      });
    const search = (expression: string, period: Duration) => new cloudwatch.MathExpression({ expression, period, usingMetrics: {} });
    /** Every series of a metric with extra dimensions (one line per combination of their values). */
    const businessSearch = (metricName: BusinessMetricName, filter: string, statistic: string, period: Duration) =>
      search(
        `SEARCH('{${BUSINESS_METRICS.namespace},service,${BUSINESS_METRICS.stageDimension},${businessMetrics[metricName].dimensions.join(',')}} MetricName="${metricName}" ${BUSINESS_METRICS.stageDimension}="${props.stage}"${filter ? ` ${filter}` : ''}', '${statistic}', ${period.toSeconds()})`,
        period,
      );
    const perDay = (metricName: BusinessMetricName, label: string) =>
      businessMetric(metricName, props.stage, { statistic: cloudwatch.Stats.SUM, period: Duration.days(1), label });
    const ses = (metricName: string) => {
      const id = metricName.replace('Reputation.', '').toLowerCase();
      return new cloudwatch.MathExpression({
        expression: `100 * ${id}`,
        label: `${metricName.replace('Reputation.', '').replace('Rate', '')} rate (%)`,
        usingMetrics: {
          [id]: new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: cloudwatch.Stats.MAXIMUM, period: Duration.hours(1) }),
        },
        period: Duration.hours(1),
      });
    };

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Kvalitetsdialog · ${props.stage}\nAlarms go to \`${props.prefix}-alerts\`. What each one means and what to do: \`docs/operations.md\` in the repository.`,
        width: FULL,
        height: 2,
      }),
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: props
          .alarmNames()
          .map((name, i) =>
            cloudwatch.Alarm.fromAlarmArn(
              this,
              `Alarm${i}`,
              this.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
            ),
          ),
        sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        width: FULL,
        height: HEIGHT,
      }),
    );

    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Campaign sending (invitations per minute) against the SES send rate',
        left: [
          businessMetric('CampaignInvitationsSent', props.stage, {
            statistic: cloudwatch.Stats.SUM,
            period: Duration.minutes(1),
            label: 'campaign invitations sent',
          }),
          new cloudwatch.Metric({
            namespace: 'AWS/SES',
            metricName: 'Send',
            statistic: cloudwatch.Stats.SUM,
            period: Duration.minutes(1),
            label: 'all mail sent (SES)',
          }),
        ],
        right: [
          businessMetric('CampaignsAwaitingSend', props.stage, {
            statistic: cloudwatch.Stats.MAXIMUM,
            period: Duration.minutes(1),
            label: 'campaigns waiting to send',
          }),
        ],
        leftAnnotations: [{ value: props.sesSendRate * 60, label: `SES send rate (${props.sesSendRate}/s)`, color: cloudwatch.Color.RED }],
        width: WIDE,
        height: HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'SES bounce and complaint rate (%)',
        left: [ses('Reputation.BounceRate'), ses('Reputation.ComplaintRate')],
        leftAnnotations: [
          { value: 5, label: 'bounce review (5 %)', color: cloudwatch.Color.ORANGE },
          { value: 0.1, label: 'complaint review (0.1 %)', color: cloudwatch.Color.RED },
        ],
        width: WIDE,
        height: HEIGHT,
      }),
    );

    const day = Duration.days(1);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Answers per day, by outcome and legal form',
        left: [businessSearch('AnswersRecorded', '', 'Sum', day)],
        stacked: true,
        width: WIDE,
        height: HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'Acceptances per day, by legal form',
        left: [businessSearch('AnswersRecorded', 'outcome="accepted"', 'Sum', day)],
        stacked: true,
        width: WIDE,
        height: HEIGHT,
      }),
    );

    // Seconds as recorded, shown in days.
    const daysToAnswer = (outcome: 'accepted' | 'declined', statistic: 'p50' | 'p90') => {
      // Each expression's metric needs an id of its own within the graph.
      const id = `${outcome}_${statistic}`;
      return new cloudwatch.MathExpression({
        expression: `${id} / 86400`,
        label: `${outcome === 'accepted' ? 'accepted' : 'declined'} ${statistic === 'p50' ? 'median' : '90th percentile'}`,
        usingMetrics: {
          [id]: businessMetric('TimeToAnswer', props.stage, {
            dimensionsMap: { ...stageDimensions(props.stage), outcome },
            statistic,
            period: day,
          }),
        },
        period: day,
      });
    };
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Invitations, reminders and escalations per day',
        left: [
          perDay('InvitationsSent', 'invitations'),
          businessSearch('RemindersSent', '', 'Sum', day),
          businessSearch('DialoguesEscalated', '', 'Sum', day),
        ],
        width: WIDE,
        height: HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'Time from invitation to answer (days)',
        left: [
          daysToAnswer('accepted', 'p50'),
          daysToAnswer('accepted', 'p90'),
          daysToAnswer('declined', 'p50'),
          daysToAnswer('declined', 'p90'),
        ],
        width: WIDE,
        height: HEIGHT,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Meetings booked per day, by kind',
        left: [businessSearch('MeetingsBooked', '', 'Sum', day)],
        stacked: true,
        width: WIDE,
        height: HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'Mail not delivered per day: permanent bounces, complaints, unconfirmed sends',
        left: [perDay('MailsBounced', 'bounced'), perDay('MailsComplained', 'complained'), perDay('MailsUnconfirmed', 'unconfirmed')],
        width: WIDE,
        height: HEIGHT,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Conflicts with inspections per day: flagged and cleared',
        left: [perDay('ConflictsFlagged', 'flagged'), perDay('ConflictsCleared', 'cleared')],
        width: THIRD,
        height: HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'Phase failures per day, by kind',
        left: [businessSearch('PhaseFailures', '', 'Sum', day)],
        stacked: true,
        width: THIRD,
        height: HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'Timer tick: timers fired, failed and deferred (per 5 minutes)',
        left: [businessMetric('TimersFired', props.stage, { statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES, label: 'fired' })],
        right: [
          businessMetric('TimersFailed', props.stage, { statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES, label: 'failed' }),
          businessMetric('TimersDeferred', props.stage, { statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES, label: 'deferred' }),
        ],
        width: THIRD,
        height: HEIGHT,
      }),
    );

    const phases = Object.entries(props.stateMachineNames).map(([phase, name]) => [
      phase,
      this.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    ]);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Workflow executions: started, failed, timed out, aborted',
        left: phases.flatMap(([phase = '', arn = '']) =>
          ['ExecutionsStarted', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'].map((m) => statesMetric(phase, arn, m)),
        ),
        width: WIDE,
        height: HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'Workflow executions running (dialogues waiting for the organiser)',
        left: [businessSearch('DialoguesWaiting', '', 'Maximum', FIVE_MINUTES)],
        width: WIDE,
        height: HEIGHT,
      }),
    );

    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        left: props.functionNames.map((fn) => lambdaMetric(fn, 'Errors', cloudwatch.Stats.SUM)),
        width: WIDE,
        height: HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda duration p95 (ms)',
        left: props.functionNames.map((fn) => lambdaMetric(fn, 'Duration', cloudwatch.Stats.percentile(95))),
        width: WIDE,
        height: HEIGHT,
      }),
    );

    const api = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.httpApi.apiId },
        statistic,
        period: FIVE_MINUTES,
        label,
      });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests, 4xx and 5xx',
        left: [api('Count', cloudwatch.Stats.SUM, 'requests')],
        right: [api('4xx', cloudwatch.Stats.SUM, '4xx'), api('5xx', cloudwatch.Stats.SUM, '5xx')],
        width: WIDE,
        height: HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (ms)',
        left: [api('Latency', cloudwatch.Stats.percentile(50), 'p50'), api('Latency', cloudwatch.Stats.percentile(95), 'p95')],
        width: WIDE,
        height: HEIGHT,
      }),
    );

    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'DynamoDB consumed capacity (units per 5 minutes) and throttled requests',
        left: [
          props.table.metricConsumedReadCapacityUnits({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: 'read units' }),
          props.table.metricConsumedWriteCapacityUnits({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: 'write units' }),
        ],
        right: [this.alarms.tableThrottles.metric],
        width: WIDE,
        height: HEIGHT,
      }),
      // Its own graph: the two per-operation sums would share metric ids in one.
      new cloudwatch.GraphWidget({
        title: 'DynamoDB system errors',
        left: [this.alarms.tableSystemErrors.metric],
        width: WIDE,
        height: HEIGHT,
      }),
    );
  }
}
