/**
 * The whole cloud service on one CDK app: config → stacks → cdk-nag. Used by infra/app.ts (the
 * CLI entry) and by the infra tests, which build the same app with bundling skipped.
 *
 * Dependencies run one way only: data, secrets, email ← workflows ← api; auth ← signin ← api; and
 * every stack with an alarm ← alerts (the topic its alarms notify, by computed ARN). PUBLIC_BASE_URL comes
 * from config (not from the API's URL), and the state machine ARNs handed to the functions are
 * computed from their names, so no stack needs anything from a stack that depends on it.
 */
import { type App, CrossStackReferences, ReferenceStrength, Validations } from 'aws-cdk-lib';
import { Alarm, type CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { PhaseName } from '#workflows/index.ts';
import { loadConfig, type ServiceConfig } from './config.ts';
import type { CloudEnvironment } from './constructs/service-function.ts';
import { BUSINESS_METRICS } from '#core/business-metrics.ts';
import { notifyEveryAlarm } from './constructs/notify-every-alarm.ts';
import { AlertsStack } from './stacks/alerts-stack.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { MonitoringStack } from './stacks/monitoring-stack.ts';
import { AuthStack } from './stacks/auth-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { EmailStack } from './stacks/email-stack.ts';
import { SecretsStack } from './stacks/secrets-stack.ts';
import { SignInStack } from './stacks/sign-in-stack.ts';
import { WorkflowsStack } from './stacks/workflows-stack.ts';

export interface ServiceStacks {
  config: ServiceConfig;
  alerts: AlertsStack;
  data: DataStack;
  secrets: SecretsStack;
  email: EmailStack;
  workflows: WorkflowsStack;
  api: ApiStack;
  auth: AuthStack;
  signin: SignInStack;
  monitoring: MonitoringStack;
  /** Every alarm of the app (each notifies the alerts topic on ALARM and OK). */
  alarms: Alarm[];
}

/** The SES account send rate the functions assume when the stage sets none (SES_SEND_RATE's default). */
const SES_SEND_RATE_DEFAULT = 14;

export interface BuildServiceOptions {
  /** Register cdk-nag's AwsSolutions pack (findings fail the synth). @default true */
  nag?: boolean;
}

/** CloudWatch Logs accepts only these retention values; pick the nearest one at or above. */
function retention(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays)
    .filter((v): v is number => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  return (allowed.find((v) => v >= days) ?? RetentionDays.INFINITE) as RetentionDays;
}

export function buildService(app: App, options: BuildServiceOptions = {}): ServiceStacks {
  const config = loadConfig(app);
  // Exports/imports: CloudFormation refuses to delete the table or the secret while a stack uses them.
  CrossStackReferences.of(app).consume(ReferenceStrength.STRONG);
  const env = {
    account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: config.region,
  };
  const common = {
    env,
    tags: { service: 'kvalitetsdialog', stage: config.stage },
  };
  const id = (concern: string) => `${config.prefix}-${concern}`;
  const logRetention = retention(config.logRetentionDays);

  const alertsTopicName = id('alerts');
  const alerts = new AlertsStack(app, id('alerts'), {
    ...common,
    description: 'Kvalitetsdialog: the topic every alarm notifies (ALARM and OK), with its e-mail subscriptions',
    topicName: alertsTopicName,
    emails: config.alertEmails,
  });

  const data = new DataStack(app, id('data'), {
    ...common,
    description: 'Kvalitetsdialog: dialogue table',
  });
  const secrets = new SecretsStack(app, id('secrets'), {
    ...common,
    description: 'Kvalitetsdialog: link-signing key and API tokens',
    secretName: `kvalitetsdialog/${config.stage}/app`,
  });
  const email = new EmailStack(app, id('email'), {
    ...common,
    description: 'Kvalitetsdialog: SES identity and configuration set',
    domain: config.sesIdentity,
    configurationSetName: config.prefix,
    prefix: config.prefix,
  });

  const auth = new AuthStack(app, id('auth'), {
    ...common,
    description: 'Kvalitetsdialog: the user pool of coordinators and the inspectorate (Cognito; retained)',
    userPoolName: config.prefix,
  });
  const signin = new SignInStack(app, id('signin'), {
    ...common,
    description: 'Kvalitetsdialog: hosted sign-in domain and app clients of the user pool',
    userPool: auth.userPool,
    publicBaseUrl: config.publicBaseUrl,
    domainPrefix: config.authDomainPrefix ?? config.prefix,
  });

  const environment: CloudEnvironment = {
    PUBLIC_BASE_URL: config.publicBaseUrl,
    MAIL_FROM: config.mailFrom,
    MAIL_REPLY_TO: config.mailReplyTo,
    COORDINATOR_EMAIL: config.coordinatorEmail,
    SES_CONFIGURATION_SET: email.configurationSet.configurationSetName,
    REMINDER_AFTER_DAYS: String(config.reminderAfterDays),
    MAX_REMINDERS: String(config.maxReminders),
    ESCALATE_AFTER_DAYS: String(config.escalateAfterDays),
    LINK_VALID_DAYS: String(config.linkValidDays),
    MAIL_LOG_RETENTION_DAYS: String(config.mailLogRetentionDays),
    ...(config.clashRules ? { CLASH_RULES: config.clashRules } : {}),
    ...(config.schoolHolidays ? { SCHOOL_HOLIDAYS: config.schoolHolidays } : {}),
    ...(config.officeHours ? { OFFICE_HOURS: config.officeHours } : {}),
    ...(config.sesSendRate ? { SES_SEND_RATE: String(config.sesSendRate) } : {}),
    // Business metrics (functions/core/business-metrics.ts): Powertools' namespace and service, the stage dimension.
    POWERTOOLS_METRICS_NAMESPACE: BUSINESS_METRICS.namespace,
    POWERTOOLS_SERVICE_NAME: BUSINESS_METRICS.service,
    [BUSINESS_METRICS.stageVariable]: config.stage,
  };

  const workflows = new WorkflowsStack(app, id('workflows'), {
    ...common,
    description: 'Kvalitetsdialog: phase state machines, workflow steps and the timer tick',
    prefix: config.prefix,
    stage: config.stage,
    deployment: config.workflowDeployment,
    table: data.table,
    appSecret: secrets.appSecret,
    mailSender: email,
    environment,
    logRetention,
  });

  const stateMachines = {} as Record<PhaseName, IStateMachine>;
  for (const phase of Object.keys(workflows.stateMachines) as PhaseName[])
    stateMachines[phase] = workflows.stateMachines[phase].stateMachine;

  const api = new ApiStack(app, id('api'), {
    ...common,
    description: 'Kvalitetsdialog: HTTP API and answer pages',
    prefix: config.prefix,
    table: data.table,
    appSecret: secrets.appSecret,
    feedSecret: secrets.feedSecret,
    stateMachines,
    mailSender: email,
    auth: {
      userPool: auth.userPool,
      consoleClient: signin.consoleClient,
      apiClient: signin.apiClient,
      hostedUiUrl: signin.hostedUiUrl,
    },
    environment: { ...environment, ...workflows.stateMachineEnvironment },
    logRetention,
    throttle: {
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
    },
    domain:
      config.apiDomainName && config.apiCertificateArn
        ? {
            domainName: config.apiDomainName,
            certificateArn: config.apiCertificateArn,
          }
        : undefined,
  });

  const monitoring = new MonitoringStack(app, id('monitoring'), {
    ...common,
    description: 'Kvalitetsdialog: the stage dashboard and the table alarms',
    prefix: config.prefix,
    stage: config.stage,
    table: data.table,
    httpApi: api.httpApi,
    functionNames: [...Object.values(api.functions), workflows.workflowTask, workflows.timerTick, workflows.sesEvents].map(
      (f) => f.functionName,
    ),
    stateMachineNames: Object.fromEntries(Object.keys(workflows.stateMachines).map((phase) => [phase, `${config.prefix}-${phase}`])),
    sesSendRate: config.sesSendRate ?? SES_SEND_RATE_DEFAULT,
    alarmNames: () =>
      app.node
        .findAll()
        .filter((c): c is Alarm => c instanceof Alarm)
        .map((a) => String((a.node.defaultChild as CfnAlarm).alarmName)),
  });
  for (const stack of [data, secrets, email, auth, signin, workflows, api])
    monitoring.addStackDependency(stack, 'its dashboard shows every stack');

  const alarms = notifyEveryAlarm(app, alerts, alertsTopicName);

  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { config, alerts, data, secrets, email, workflows, api, auth, signin, monitoring, alarms };
}
