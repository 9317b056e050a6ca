/**
 * "A function of this service": one NodejsFunction with the defaults every handler needs (Node 24
 * on ARM, ESM bundle with templates/ inside and the AWS SDK v3 taken from the runtime, source maps, X-Ray, its own log group
 * and a role that may write only to that group, alarms on its errors and throttles), plus binding
 * helpers that set an environment variable AND grant exactly what the variable is used for, in one call.
 */
import * as path from 'node:path';
import { Arn, ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { envSchema } from '#adapters/env.ts';
import { tableModel } from '#adapters/table-model.ts';
import { PROJECT_ROOT } from '../config.ts';

/** Variables only the embedded local runtime sets; a cloud function never gets them. */
type LocalOnlyEnv =
  | 'AWS_REGION'
  | 'LOCAL_MODE'
  | 'DYNAMODB_ENDPOINT'
  | 'SES_ENDPOINT'
  | 'SFN_ENDPOINT'
  | 'LINK_SIGNING_KEY'
  | 'COORDINATOR_TOKEN'
  | 'INSPECTORATE_TOKEN'
  | 'INSPECTORATE_FEED_KEY';

/**
 * The variables a cloud function may be given: the handlers' env schema, two runtime knobs, and
 * what business metrics need (Powertools' namespace and service name, the stage dimension's value).
 */
export type CloudEnvName =
  | Exclude<keyof typeof envSchema.shape, LocalOnlyEnv>
  | 'NODE_OPTIONS'
  | 'TEMPLATES_DIR'
  | 'POWERTOOLS_METRICS_NAMESPACE'
  | 'POWERTOOLS_SERVICE_NAME'
  | 'STAGE';
export type CloudEnvironment = Partial<Record<CloudEnvName, string>>;

/**
 * Left out of every bundle: the Node.js Lambda runtime ships AWS SDK v3 (every `@aws-sdk/*`
 * client and lib-dynamodb), importable from ESM. Bundling our own copy would add ~0.5 MB per
 * function and pin its version; the runtime's copy is patched by AWS.
 */
export const LAMBDA_EXTERNAL_MODULES = ['@aws-sdk/*'];

/** Where the bundle's templates/ folder lands in the Lambda filesystem. */
export const LAMBDA_TEMPLATES_DIR = '/var/task/templates';

/**
 * esbuild's ESM output cannot `require()`; a CommonJS dependency would, so the bundle defines
 * `require` from `import.meta.url`. None of today's bundled dependencies calls it (Handlebars was
 * the last); the banner stays so adding one does not break at run time only.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __kdCreateRequire } from 'node:module'; const require = __kdCreateRequire(import.meta.url);";

export type TableAccess = 'read' | 'readWrite';

/** Item-level actions on the table; the indexes get only Query (our code never scans). */
const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const INDEX_ACTIONS = ['dynamodb:Query'];

/** `start` = StartExecution; `respond` = SendTaskSuccess/SendTaskFailure (completing a callback task). */
export type StateMachineAccess = 'start' | 'respond';

/** Something that can let a principal send mail (the email stack's identity + configuration set). */
export interface IMailSender {
  grantSendEmail(grantee: iam.IGrantable): iam.Grant;
}

export interface ServiceFunctionProps
  extends Omit<
    NodejsFunctionProps,
    'entry' | 'runtime' | 'architecture' | 'logGroup' | 'role' | 'environment' | 'projectRoot' | 'functionName'
  > {
  /** Handler module relative to the project root, e.g. `functions/api.ts`. */
  readonly entry: string;
  /** The physical name, `<prefix>-<function>`: the runbook, the dashboard and the alarms name it. */
  readonly functionName: string;
  readonly environment?: CloudEnvironment;
  /** @default THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default PROJECT_ROOT (the repository root) */
  readonly projectRoot?: string;
}

export class ServiceFunction extends Construct implements iam.IGrantable {
  public readonly function: NodejsFunction;
  public readonly logGroup: logs.LogGroup;
  public readonly role: iam.Role;
  public readonly functionName: string;
  /** Any error (an unhandled exception or a time-out) and any throttled invocation, per 5 minutes. */
  public readonly alarms: { errors: cloudwatch.Alarm; throttles: cloudwatch.Alarm };

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { entry, environment, logRetention, projectRoot = PROJECT_ROOT, bundling, functionName, ...rest } = props;
    this.functionName = functionName;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole: logs only to this function's group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${entry}`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(15),
      tracing: lambda.Tracing.ACTIVE,
      awsSdkConnectionReuse: false,
      ...rest,
      functionName,
      entry: path.join(projectRoot, entry),
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        TEMPLATES_DIR: LAMBDA_TEMPLATES_DIR,
        ...environment,
      } satisfies CloudEnvironment,
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        target: 'node24',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        externalModules: LAMBDA_EXTERNAL_MODULES,
        ...bundling,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The handlers read their Swedish texts from TEMPLATES_DIR at run time.
          afterBundling: (inputDir: string, outputDir: string) => [`cp -R "${inputDir}/templates" "${outputDir}/templates"`],
        },
      },
    });
    if ((rest.tracing ?? lambda.Tracing.ACTIVE) !== lambda.Tracing.DISABLED) this.acknowledgeTracing();

    const alarm = (name: 'errors' | 'throttles', metric: cloudwatch.Metric, what: string) =>
      new cloudwatch.Alarm(this, name === 'errors' ? 'ErrorsAlarm' : 'ThrottlesAlarm', {
        alarmName: `${functionName}-${name}`,
        alarmDescription: `${what} in ${functionName} (${entry}); see its log group and the runbook (docs/operations.md).`,
        metric: metric.with({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.alarms = {
      errors: alarm('errors', this.function.metricErrors(), 'Invocations that failed (an unhandled error or a time-out)'),
      throttles: alarm('throttles', this.function.metricThrottles(), 'Invocations Lambda throttled (concurrency exhausted)'),
    };
  }

  private acknowledgeTracing(): void {
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) use Resource "*": X-Ray has no resource-level permissions for them.',
    });
  }

  public get grantPrincipal(): iam.IPrincipal {
    return this.role;
  }

  /** Sets one of the handlers' environment variables. */
  public setEnv(name: CloudEnvName, value: string): this {
    this.function.addEnvironment(name, value);
    return this;
  }

  /**
   * TABLE_NAME plus read or read/write item access, and Query on each named index. Unlike
   * `grantReadWriteData` this names the indexes (from `tableModel`) instead of granting
   * `index/*`, and leaves out Scan and the stream actions the handlers never use.
   */
  public bindTable(table: ITableV2, access: TableAccess, indexNames: readonly string[] = Object.keys(tableModel.indexes)): this {
    this.setEnv('TABLE_NAME', table.tableName);
    const tableActions = access === 'read' ? TABLE_READ_ACTIONS : [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS];
    iam.Grant.addToPrincipal({ grantee: this, actions: tableActions, resourceArns: [table.tableArn] });
    if (indexNames.length > 0) {
      iam.Grant.addToPrincipal({
        grantee: this,
        actions: INDEX_ACTIONS,
        resourceArns: indexNames.map((name) => `${table.tableArn}/index/${name}`),
      });
    }
    // A customer-managed key (we use the AWS-owned default) would need its own grant.
    if (table.encryptionKey) {
      if (access === 'read') table.encryptionKey.grantDecrypt(this);
      else table.encryptionKey.grantEncryptDecrypt(this);
    }
    return this;
  }

  /** APP_SECRET_ARN plus GetSecretValue/DescribeSecret on that one secret. */
  public bindSecret(secret: ISecret): this {
    this.setEnv('APP_SECRET_ARN', secret.secretArn);
    secret.grantRead(this);
    return this;
  }

  /**
   * FEED_SECRET_ARN plus reading that one secret; `rotate` adds PutSecretValue on it (a new key
   * from the console), nothing else (not UpdateSecret or the version stages).
   */
  public bindFeedSecret(secret: ISecret, access: 'read' | 'rotate'): this {
    this.setEnv('FEED_SECRET_ARN', secret.secretArn);
    secret.grantRead(this);
    if (access === 'rotate') {
      iam.Grant.addToPrincipal({ grantee: this, actions: ['secretsmanager:PutSecretValue'], resourceArns: [secret.secretArn] });
    }
    return this;
  }

  /**
   * Access to a state machine. The *_STATE_MACHINE_ARN variables are set for every function from
   * the machines' computed ARNs (see WorkflowsStack), so this only grants.
   */
  public grantStateMachine(stateMachine: IStateMachine, access: StateMachineAccess[]): this {
    if (access.includes('start')) stateMachine.grantStartExecution(this);
    if (access.includes('respond')) {
      iam.Grant.addToPrincipal({
        grantee: this,
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        resourceArns: [stateMachine.stateMachineArn],
      });
    }
    return this;
  }

  /** Permission to send mail through the service's SES identity and configuration set. */
  public allowSendEmail(sender: IMailSender): this {
    sender.grantSendEmail(this);
    return this;
  }

  /** Describe the executions of one state machine (by its physical name) and read their history. */
  public grantReadExecutions(stateMachineName: string): this {
    const stack = Stack.of(this);
    const executions = Arn.format(
      { service: 'states', resource: 'execution', resourceName: `${stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
      stack,
    );
    iam.Grant.addToPrincipal({
      grantee: this,
      actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
      resourceArns: [executions],
    });
    // cdk-nag prints a pinned region or account literally, an unresolved one as its pseudo parameter.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${stateMachineName}:*]`,
      reason:
        'Reading executions needs the execution ARNs of one state machine (<machine>:*); only DescribeExecution and GetExecutionHistory are granted.',
    });
    return this;
  }
}
