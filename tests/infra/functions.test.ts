import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { envSchema, readEnv } from '#adapters/env.ts';
import type { ServiceFunction } from '#infra/constructs/service-function.ts';
import { defaultTemplates, logicalIdOf } from './service-fixture.ts';

const t = defaultTemplates();
const { workflows, api } = t.stacks;

const functions: [name: string, fn: ServiceFunction, template: Template][] = [
  ['workflow-task', workflows.workflowTask, t.workflows],
  ['timer-tick', workflows.timerTick, t.workflows],
  ['api', api.functions.api, t.api],
  ['answer-page', api.functions.answerPage, t.api],
  ['console', api.functions.console, t.api],
  ['inspection-import', api.functions.inspectionImport, t.api],
  ['console-campaigns', api.functions.consoleCampaigns, t.api],
  ['console-meetings', api.functions.consoleMeetings, t.api],
  ['console-reports', api.functions.consoleReports, t.api],
];

/** The functions that sign people in get the user pool's coordinates too. */
const COGNITO_ENV = ['COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'COGNITO_DOMAIN'];
const extraEnv: Record<string, string[]> = {
  api: COGNITO_ENV,
  console: COGNITO_ENV,
  'inspection-import': COGNITO_ENV,
  'console-campaigns': COGNITO_ENV,
  'console-meetings': COGNITO_ENV,
  // It shows the inspectorate's calendar address and may replace it.
  'console-reports': [...COGNITO_ENV, 'FEED_SECRET_ARN'],
};

/** Exactly what a cloud function is given: the handlers' schema minus local-only names, plus two knobs. */
const CLOUD_ENV = [
  'TABLE_NAME',
  'INVITATION_STATE_MACHINE_ARN',
  'MEETING_STATE_MACHINE_ARN',
  'PUBLIC_BASE_URL',
  'MAIL_FROM',
  'MAIL_REPLY_TO',
  'COORDINATOR_EMAIL',
  'SES_CONFIGURATION_SET',
  'APP_SECRET_ARN',
  'REMINDER_AFTER_DAYS',
  'MAX_REMINDERS',
  'ESCALATE_AFTER_DAYS',
  'LINK_VALID_DAYS',
  'MAIL_LOG_RETENTION_DAYS',
  'NODE_OPTIONS',
  'TEMPLATES_DIR',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_SERVICE_NAME',
  'STAGE',
];

interface LambdaProps {
  Handler: string;
  Environment: { Variables: Record<string, unknown> };
}

function functionProps(fn: ServiceFunction, template: Template): LambdaProps {
  return template.findResources('AWS::Lambda::Function')[logicalIdOf(fn.function)]?.Properties;
}

/** Every action the function's role is allowed, with the resources of each statement. */
function statements(fn: ServiceFunction, template: Template): { actions: string[]; resource: string }[] {
  const roleId = logicalIdOf(fn.role);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .map((s: { Action: string | string[]; Resource: unknown }) => ({ actions: [s.Action].flat(), resource: JSON.stringify(s.Resource) }));
}
const allowedActions = (fn: ServiceFunction, template: Template) => statements(fn, template).flatMap((s) => s.actions);

describe.each(functions)('%s function', (name, fn, template) => {
  it('runs Node 24 on ARM with X-Ray, its own log group and role', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      LoggingConfig: { LogGroup: { Ref: logicalIdOf(fn.logGroup) } },
      Role: { 'Fn::GetAtt': [logicalIdOf(fn.role), 'Arn'] },
    });
  });

  it('gets exactly the cloud variables of the env schema, never local-only ones', () => {
    // Prepare
    const variables: Record<string, unknown> = functionProps(fn, template).Environment.Variables;

    // Assess
    expect(Object.keys(variables).sort()).toEqual([...CLOUD_ENV, ...(extraEnv[name] ?? [])].sort());
    const knobs = ['NODE_OPTIONS', 'TEMPLATES_DIR', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'STAGE'];
    for (const key of Object.keys(variables)) {
      if (!knobs.includes(key)) expect(Object.keys(envSchema.shape)).toContain(key);
    }
    expect(variables).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      TEMPLATES_DIR: '/var/task/templates',
      // Business metrics (functions/core/business-metrics.ts): Powertools reads the first two itself.
      POWERTOOLS_METRICS_NAMESPACE: 'Kvalitetsdialog',
      POWERTOOLS_SERVICE_NAME: 'kvalitetsdialog',
      STAGE: 'dev',
    });
  });

  it('gets variables the handlers accept (deploy-time references stubbed)', () => {
    // Prepare
    const variables: Record<string, unknown> = functionProps(fn, template).Environment.Variables;
    const stubbed = Object.fromEntries(
      Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : `https://resolved-at-deploy.invalid/${k}`]),
    );

    // Act
    const env = readEnv(stubbed);

    // Assess
    expect(env.PUBLIC_BASE_URL).toBe('https://kvalitetsdialog.example.se');
    expect(env.LOCAL_MODE).toBe('false');
    expect(Boolean(env.COGNITO_CLIENT_ID)).toBe(Boolean(extraEnv[name]));
  });

  it('logs only to its own group (no AWSLambdaBasicExecutionRole)', () => {
    expect(template.findResources('AWS::IAM::Role')[logicalIdOf(fn.role)]?.Properties.ManagedPolicyArns).toBeUndefined();
    const logStatements = statements(fn, template).filter((s) => s.actions.some((a) => a.startsWith('logs:')));
    expect(logStatements).toEqual([
      {
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resource: JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(fn.logGroup), 'Arn'] }),
      },
    ]);
  });
});

describe('grants', () => {
  it('uses Resource "*" only for the X-Ray actions and the SES quota (the acknowledged IAM5 finding)', () => {
    for (const [, fn, template] of functions) {
      const wildcard = statements(fn, template).filter((s) => s.resource === '"*"');
      // The campaign pages read the account's real send rate for the launch page's estimate.
      const quota = fn === api.functions.consoleCampaigns ? ['ses:GetAccount'] : [];
      expect(wildcard.flatMap((s) => s.actions).sort()).toEqual([...quota, 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });

  const dynamoWrite = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
  const secretRead = 'secretsmanager:GetSecretValue';
  const sesSend = 'ses:SendEmail';

  it('lets every function read and write the table, query the named indexes (no index/*) and read the secret', () => {
    for (const [, fn, template] of functions) {
      const granted = allowedActions(fn, template);
      expect(granted).toEqual(expect.arrayContaining([...dynamoWrite, 'dynamodb:GetItem', 'dynamodb:Query', secretRead]));
      expect(granted).not.toContain('dynamodb:Scan');
      const indexResources = statements(fn, template).find((s) => s.actions.length === 1 && s.actions[0] === 'dynamodb:Query')?.resource;
      for (const index of ['byKind', 'byState', 'byDue']) expect(indexResources).toContain(`/index/${index}`);
      expect(JSON.stringify(statements(fn, template))).not.toContain('/index/*');
    }
  });

  it('lets only the mail-sending functions send, scoped to the identity and the configuration set', () => {
    // The api function mails the coordinator when an inspection flags a dialogue conflict.
    // The answer page books, moves and cancels meetings (calendar mail) for the organiser.
    // An inspection import that flags a dialogue mails the coordinator too.
    // The console resends invitations, reminds, and sends a corrected address's invitation and the
    // analysis material; its meeting pages send calendar mail. A coordinator booking a handed-back
    // meeting or inviting again from the console's hand-back pages mails the organiser.
    const senders = [
      workflows.workflowTask,
      workflows.timerTick,
      api.functions.api,
      api.functions.answerPage,
      api.functions.inspectionImport,
      api.functions.console,
      api.functions.consoleMeetings,
      api.functions.consoleCampaigns,
    ];
    for (const [, fn, template] of functions) {
      const ses = statements(fn, template).filter((s) => s.actions.includes(sesSend));
      if (!senders.includes(fn)) {
        expect(ses).toEqual([]);
        continue;
      }
      expect(ses).toHaveLength(1);
      expect(ses[0]?.actions).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      expect(ses[0]?.resource).toContain(':identity/",{"Fn::ImportValue":"kvalitetsdialog-dev-email:ExportsOutputRefIdentity');
      expect(ses[0]?.resource).toContain(':configuration-set/');
    }
  });

  it('gives each function exactly its Step Functions actions', () => {
    // One statement per state machine: the distinct actions.
    const statesActions = (fn: ServiceFunction, template: Template) =>
      [...new Set(allowedActions(fn, template).filter((a) => a.startsWith('states:')))].sort();
    // A step that finds its answer or booking already recorded completes its own wait.
    expect(statesActions(workflows.workflowTask, t.workflows)).toEqual(['states:SendTaskFailure', 'states:SendTaskSuccess']);
    expect(statesActions(workflows.timerTick, t.workflows)).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
      'states:StartExecution',
    ]);
    // Booking, moving and cancelling meetings completes a phase's wait or starts its next round.
    expect(statesActions(api.functions.api, t.api)).toEqual(['states:SendTaskFailure', 'states:SendTaskSuccess', 'states:StartExecution']);
    // The inspection import only writes the calendar and flags or clears conflicts.
    expect(statesActions(api.functions.inspectionImport, t.api)).toEqual([]);
    // Campaign pages only write campaign records (the scheduler's sender starts their workflows);
    // starting dialogues for a chosen set starts the first few at once; the hand-back pages start a
    // new round of a phase, retry an invitation and end a phase's wait.
    expect(statesActions(api.functions.consoleCampaigns, t.api)).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
      'states:StartExecution',
    ]);
    // The pages that read only read (a dialogue's page its workflow executions), and write feed keys.
    expect(statesActions(api.functions.consoleReports, t.api)).toEqual(['states:DescribeExecution', 'states:GetExecutionHistory']);
    // The console's meeting pages book and cancel meetings: a phase's wait ends, or a new round starts.
    expect(statesActions(api.functions.consoleMeetings, t.api)).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
      'states:StartExecution',
    ]);
    expect(statesActions(api.functions.answerPage, t.api)).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
      'states:StartExecution',
    ]);
  });
});

describe('timer tick schedule', () => {
  it('invokes the timer-tick function every 5 minutes', () => {
    t.workflows.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalIdOf(workflows.timerTick.function), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 240 },
      }),
    });
  });

  it('runs the paced campaign sender every minute through the same function', () => {
    t.workflows.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalIdOf(workflows.timerTick.function), 'Arn'] },
        Input: JSON.stringify({ job: 'campaigns' }),
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      }),
    });
  });

  it('does not let Lambda retry a failed tick (the next tick is the retry; delivery-events.test.ts has its failure destination)', () => {
    t.workflows.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(workflows.timerTick.function) },
      MaximumRetryAttempts: 0,
    });
  });
});
