/**
 * A Standard state machine with what every one of ours must have (after solutions-constructs'
 * step-function-helper): a /aws/vendedlogs/states/... log group with ALL events but no execution
 * data (inputs carry e-mail addresses, i.e. personal data), X-Ray tracing, and alarms on failed,
 * throttled and aborted executions. Every default can be overridden through the CDK props.
 *
 * Safe upgrades: every definition change publishes a new version (the old ones are kept, so a
 * rollback has somewhere to go and running executions keep theirs), and the `live` alias moves to
 * it as `deployment` says (all at once, or canary/linear, rolled back when the failed-executions
 * alarm fires). The service starts executions through the alias.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface ObservedStateMachineProps extends Omit<sfn.StateMachineProps, 'logs'> {
  /** Required: the log group and the alarms are named after it, and ARNs can be computed from it. */
  readonly stateMachineName: string;
  /** Log level and execution data. @default ALL, without execution data (the destination is always our own group) */
  readonly logs?: Omit<sfn.LogOptions, 'destination'>;
  /** @default THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** Actions for all three alarms (e.g. an SNS topic). @default - none */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
  /** How a new version reaches the `live` alias. @default all at once */
  readonly deployment?: LiveAliasDeployment;
}

/** Step Functions' DeploymentPreference for the `live` alias. */
export interface LiveAliasDeployment {
  readonly type: 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';
  /** CANARY: the share that runs the new version first; LINEAR: the step. */
  readonly percentage?: number;
  /** Minutes between the steps. */
  readonly intervalMinutes?: number;
}

/** The alias executions start through. */
export const LIVE_ALIAS = 'live';

/** The AWS/States metric names (note: throttling is the singular `ExecutionThrottled`). */
export type ObservedMetric = 'ExecutionsFailed' | 'ExecutionThrottled' | 'ExecutionsAborted';

export class ObservedStateMachine extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;
  public readonly alarms: Record<ObservedMetric, cloudwatch.Alarm>;
  /** The version of the current definition (a new one on every change; the old ones are kept). */
  public readonly version: sfn.CfnStateMachineVersion;
  /** `live`: where executions start. */
  public readonly liveAlias: sfn.CfnStateMachineAlias;

  constructor(scope: Construct, id: string, props: ObservedStateMachineProps) {
    super(scope, id);
    const { logRetention, alarmActions = [], logs: logOptions, deployment = { type: 'ALL_AT_ONCE' }, ...smProps } = props;

    // A fixed name: kept when the stack goes, but deleted by the rollback of a failed first create,
    // so the retry can create it again.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      ...smProps,
      logs: {
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
        ...logOptions,
        destination: this.logGroup,
      },
    });

    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Resource "*" holds only the CloudWatch Logs vended-delivery actions (logs:CreateLogDelivery, ...) and X-Ray actions that Step Functions logging and tracing require; neither supports resource-level permissions.',
    });

    const metric = {
      ExecutionsFailed: this.stateMachine.metricFailed(),
      ExecutionThrottled: this.stateMachine.metricThrottled(),
      ExecutionsAborted: this.stateMachine.metricAborted(),
    };
    this.alarms = Object.fromEntries(
      Object.entries(metric).map(([name, m]) => {
        const alarm = new cloudwatch.Alarm(this, name, {
          alarmName: `${props.stateMachineName}-${name}`,
          alarmDescription: `${name} of ${props.stateMachineName}: see the log group ${this.logGroup.logGroupName} and the dialogue record.`,
          metric: m.with({
            statistic: cloudwatch.Stats.SUM,
            period: Duration.minutes(5),
          }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        for (const action of alarmActions) alarm.addAlarmAction(action);
        return [name, alarm];
      }),
    ) as Record<ObservedMetric, cloudwatch.Alarm>;

    // The revision id changes with the definition, which replaces this resource: a new version is
    // published and the replaced one is kept (UpdateReplacePolicy Retain) for running executions
    // and rollbacks. Step Functions allows 1,000 versions per machine; delete old ones now and then.
    this.version = new sfn.CfnStateMachineVersion(this, 'Version', {
      stateMachineArn: this.stateMachine.stateMachineArn,
      stateMachineRevisionId: this.stateMachine.stateMachineRevisionId,
      description: `A published definition of ${props.stateMachineName}`,
    });
    this.version.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    this.liveAlias = new sfn.CfnStateMachineAlias(this, 'LiveAlias', {
      name: LIVE_ALIAS,
      description: `Where ${props.stateMachineName}'s executions start; moved to each new version by the deploy`,
      deploymentPreference: {
        stateMachineVersionArn: this.version.ref,
        type: deployment.type,
        percentage: deployment.percentage,
        interval: deployment.intervalMinutes,
        // A new version that fails executions is rolled back (names, not ARNs).
        alarms: [`${props.stateMachineName}-ExecutionsFailed`],
      },
    });
    this.liveAlias.node.addDependency(this.alarms.ExecutionsFailed);
  }
}
