/**
 * Every alarm reaches a person: the stage's alerts topic (encrypted, TLS only, e-mail subscriptions
 * from alertEmails) is the action of every CloudWatch alarm in the app, on ALARM and on OK; and the
 * alarms an operator needs exist, each with the shape that makes it fire when it should.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { businessMetrics } from '#core/business-metrics.ts';
import { PROJECT_ROOT } from '#infra/config.ts';
import { notifyEveryAlarm } from '#infra/constructs/notify-every-alarm.ts';
import { buildTestService, defaultTemplates, REAL_STAGE_CONTEXT, templatesJson } from './service-fixture.ts';
import type { CfnTemplate } from './service-rules.ts';

const t = defaultTemplates();
const { stacks } = t;
const templates = templatesJson(stacks);

type AlarmProps = Record<string, any>;
const alarmsIn = (tpls: Record<string, CfnTemplate>): [stack: string, id: string, props: AlarmProps][] =>
  Object.entries(tpls).flatMap(([stack, tpl]) =>
    Object.entries(tpl.Resources ?? {})
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
      .map(([id, r]): [string, string, AlarmProps] => [stack, id, r.Properties ?? {}]),
  );
const alarmNamed = (name: string) => alarmsIn(templates).find(([, , p]) => p.AlarmName === name)?.[2];

/** The alerts topic's ARN as each stack computes it. */
const TOPIC_ARN = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:eu-north-1:', { Ref: 'AWS::AccountId' }, ':kvalitetsdialog-dev-alerts']],
};

/** Alarms whose ALARM or OK actions miss the topic (what the first test asserts is empty). */
const withoutTopic = (tpls: Record<string, CfnTemplate>, topicArn: unknown) =>
  alarmsIn(tpls)
    .filter(([, , p]) =>
      ['AlarmActions', 'OKActions'].some((k) => !(p[k] ?? []).some((a: unknown) => JSON.stringify(a) === JSON.stringify(topicArn))),
    )
    .map(([stack, id]) => `${stack}/${id}`);

describe('every alarm', () => {
  it('notifies the alerts topic on ALARM and on OK, in every stack', () => {
    // Assess
    const all = alarmsIn(templates);
    expect(all.length).toBe(stacks.alarms.length);
    expect(all.length).toBeGreaterThan(30);
    expect(withoutTopic(templates, TOPIC_ARN)).toEqual([]);
  });

  it('— and that check fails on an alarm without the topic', () => {
    // Prepare
    const stack = new Stack(new App(), 'Probe', { env: { region: 'eu-north-1' } });
    new cloudwatch.Alarm(stack, 'Lonely', {
      metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }),
      threshold: 1,
      evaluationPeriods: 1,
    });

    // Act
    const lacking = withoutTopic({ Probe: Template.fromStack(stack).toJSON() }, TOPIC_ARN);

    // Assess
    expect(lacking).toEqual([expect.stringMatching(/^Probe\/Lonely/)]);
  });

  it('is a cloudwatch.Alarm: a raw CfnAlarm (whose actions would be missed) fails the synth', () => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'Probe');
    new cloudwatch.CfnAlarm(stack, 'Raw', { comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 1 });

    // Act + Assess
    expect(() => notifyEveryAlarm(app, new Stack(app, 'Alerts'), 'topic')).toThrow(/not CfnAlarm: Probe\/Raw/);
  });

  it('has a unique name under the stage prefix (the runbook and the dashboard name it)', () => {
    const names = alarmsIn(templates).map(([, , p]) => p.AlarmName);
    expect(names.every((n) => typeof n === 'string' && n.startsWith('kvalitetsdialog-dev-'))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('the alerts topic', () => {
  it('is <prefix>-alerts, encrypted with a rotating key CloudWatch may use, and refuses anything but TLS', () => {
    // Prepare
    const keyId = Object.keys(t.alerts.findResources('AWS::KMS::Key'))[0];

    // Assess
    t.alerts.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'kvalitetsdialog-dev-alerts',
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    t.alerts.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Effect: 'Allow',
          }),
        ]),
      },
    });
    t.alerts.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
  });

  it('subscribes each address of alertEmails by e-mail', () => {
    // Act
    const prod = defaultTemplates({ context: REAL_STAGE_CONTEXT });

    // Assess
    const endpoints = Object.values(prod.alerts.findResources('AWS::SNS::Subscription')).map((s) => [
      s.Properties.Protocol,
      s.Properties.Endpoint,
    ]);
    expect(endpoints).toEqual([
      ['email', 'drift@skolverket.se'],
      ['email', 'jour@skolverket.se'],
    ]);
    expect(
      withoutTopic(templatesJson(prod.stacks), {
        ...TOPIC_ARN,
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:eu-north-1:111111111111:kvalitetsdialog-prod-alerts']],
      }),
    ).toEqual([]);
  });

  it('has no subscription when dev names no address (the alarms still target the topic)', () => {
    t.alerts.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('the alarms', () => {
  const functionNames = [
    'api',
    'answer-page',
    'console',
    'inspection-import',
    'console-campaigns',
    'console-reports',
    'feeds',
    'workflow-task',
    'timer-tick',
    'ses-events',
  ];

  it('are exactly the documented set', () => {
    const expected = [
      ...functionNames.flatMap((fn) => [`${fn}-errors`, `${fn}-throttles`]),
      ...['invitation', 'meeting'].flatMap((m) => [`${m}-ExecutionsFailed`, `${m}-ExecutionThrottled`, `${m}-ExecutionsAborted`]),
      'api-5xx-rate',
      'api-latency-p95',
      'table-throttles',
      'table-system-errors',
      'timer-tick-not-running',
      'campaign-sender-not-running',
      'timers-failing',
      'campaign-stalled',
      'timer-tick-undelivered',
      'timer-tick-failed',
      'ses-events-undelivered',
      'ses-events-failed',
      'ses-bounce-rate',
      'ses-complaint-rate',
    ].map((n) => `kvalitetsdialog-dev-${n}`);
    expect(
      alarmsIn(templates)
        .map(([, , p]) => p.AlarmName)
        .sort(),
    ).toEqual(expected.sort());
  });

  it.each(functionNames)('%s: any error and any throttle in 5 minutes', (fn) => {
    for (const [suffix, metric] of [
      ['errors', 'Errors'],
      ['throttles', 'Throttles'],
    ]) {
      expect(alarmNamed(`kvalitetsdialog-dev-${fn}-${suffix}`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: expect.any(String) } }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('API: the share of 5xx answers above 5 % (with enough traffic), and p95 latency above 2.5 s for 15 minutes', () => {
    const rate = alarmNamed('kvalitetsdialog-dev-api-5xx-rate');
    expect(rate?.Metrics.find((m: { Expression?: string }) => m.Expression)?.Expression).toBe(
      'IF(requests >= 20, 100 * errors / requests, 0)',
    );
    expect(
      rate?.Metrics.map((m: any) => m.MetricStat?.Metric.MetricName)
        .filter(Boolean)
        .sort(),
    ).toEqual(['5xx', 'Count']);
    expect(rate).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarmNamed('kvalitetsdialog-dev-api-latency-p95')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p95',
      Threshold: 2500,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it('DynamoDB: throttled requests and system errors over the operations the code uses', () => {
    for (const [name, metric] of [
      ['table-throttles', 'ThrottledRequests'],
      ['table-system-errors', 'SystemErrors'],
    ] as const) {
      const alarm = alarmNamed(`kvalitetsdialog-dev-${name}`);
      const operations = alarm?.Metrics.filter((m: any) => m.MetricStat?.Metric.MetricName === metric).map(
        (m: any) => m.MetricStat.Metric.Dimensions.find((d: { Name: string }) => d.Name === 'Operation').Value,
      );
      expect(operations.sort()).toEqual(['BatchGetItem', 'BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem']);
    }
  });

  it('the timer tick and the campaign sender not running: no invocation attempt of their schedule group for 8 and 5 minutes', () => {
    for (const [name, group, minutes] of [
      ['timer-tick-not-running', 'kvalitetsdialog-dev-timer-tick', 8],
      ['campaign-sender-not-running', 'kvalitetsdialog-dev-campaign-sender', 5],
    ] as const) {
      expect(alarmNamed(`kvalitetsdialog-dev-${name}`)).toMatchObject({
        Namespace: 'AWS/Scheduler',
        MetricName: 'InvocationAttemptCount',
        Dimensions: [{ Name: 'ScheduleGroup', Value: group }],
        Period: 60,
        EvaluationPeriods: minutes,
        DatapointsToAlarm: minutes,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
    }
    // Each schedule alone in its group, so the group's attempts are that schedule's.
    const groups = Object.values(t.workflows.findResources('AWS::Scheduler::Schedule')).map((s) => JSON.stringify(s.Properties.GroupName));
    expect(new Set(groups).size).toBe(2);
  });

  it('timers failing: the tick’s TimersFailed above 0 in three 5-minute windows in a row (each window’s smallest count)', () => {
    expect(alarmNamed('kvalitetsdialog-dev-timers-failing')).toMatchObject({
      Namespace: 'Kvalitetsdialog',
      MetricName: 'TimersFailed',
      Dimensions: expect.arrayContaining([
        { Name: 'service', Value: 'kvalitetsdialog' },
        { Name: 'stage', Value: 'dev' },
      ]),
      Statistic: 'Minimum',
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(Object.keys(businessMetrics)).toContain('TimersFailed');
  });

  it('a running campaign without progress: campaigns waiting and nothing sent, three 5-minute windows in a row', () => {
    const alarm = alarmNamed('kvalitetsdialog-dev-campaign-stalled');
    const metric = (id: string) => alarm?.Metrics.find((m: { Id: string }) => m.Id === id)?.MetricStat;
    expect(alarm?.Metrics.find((m: { Expression?: string }) => m.Expression)?.Expression).toBe(
      'IF(FILL(waiting, 0) > 0 AND FILL(sent, 0) == 0, 1, 0)',
    );
    expect(metric('waiting')).toMatchObject({
      Metric: {
        Namespace: 'Kvalitetsdialog',
        MetricName: 'CampaignsAwaitingSend',
        Dimensions: expect.arrayContaining([
          { Name: 'service', Value: 'kvalitetsdialog' },
          { Name: 'stage', Value: 'dev' },
        ]),
      },
      Stat: 'Maximum',
      Period: 300,
    });
    expect(metric('sent')).toMatchObject({ Metric: { MetricName: 'CampaignInvitationsSent' }, Stat: 'Sum' });
    expect(alarm).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' });
    expect(Object.keys(businessMetrics)).toEqual(expect.arrayContaining(['CampaignsAwaitingSend', 'CampaignInvitationsSent']));
  });

  it('SES: bounce rate above 5 % and complaint rate above 0.1 %', () => {
    expect(alarmNamed('kvalitetsdialog-dev-ses-bounce-rate')).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.05,
    });
    expect(alarmNamed('kvalitetsdialog-dev-ses-complaint-rate')).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.001,
    });
  });
});

it('has a section in the runbook (docs/operations.md) saying what it means and what to do', () => {
  // Prepare: the alarm names the runbook's headings cover, `<function>` standing for any function
  const runbook = readFileSync(join(PROJECT_ROOT, 'docs/operations.md'), 'utf8');
  const alarmsChapter = runbook.slice(runbook.indexOf('## The alarms'), runbook.indexOf('## Procedures'));
  const sections = alarmsChapter.split(/^### /m).slice(1);
  const covered = sections.flatMap((section) => [...(section.split('\n')[0] ?? '').matchAll(/`([^`]+)`/g)].map((x) => x[1] ?? ''));
  const patterns = covered.map((name) => new RegExp(`^${name.replace('<function>', '[a-z-]+')}$`));

  // Act
  const uncovered = alarmsIn(templates)
    .map(([, , p]) => String(p.AlarmName).replace('kvalitetsdialog-dev-', ''))
    .filter((name) => !patterns.some((re) => re.test(name)));

  // Assess
  expect(covered.length).toBeGreaterThan(15);
  expect(uncovered).toEqual([]);
  for (const section of sections) {
    expect(section, section.split('\n')[0]).toContain('**Means**');
    expect(section, section.split('\n')[0]).toContain('**Do**');
  }
});

it('a real stage names its alarms after its own prefix', () => {
  const { stacks: prod } = buildTestService({ context: REAL_STAGE_CONTEXT });
  const names = prod.alarms.map((a) => (a.node.defaultChild as cloudwatch.CfnAlarm).alarmName);
  expect(names.every((n) => String(n).startsWith('kvalitetsdialog-prod-'))).toBe(true);
});
