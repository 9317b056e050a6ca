/**
 * One CloudWatch dashboard per stage, showing what the operator needs to see, and reading the
 * business metrics by the names, namespace and dimensions functions/core/business-metrics.ts defines.
 */
import type { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { BUSINESS_METRICS, businessMetrics } from '#core/business-metrics.ts';
import { defaultTemplates, REAL_STAGE_CONTEXT } from './service-fixture.ts';

interface Widget {
  type: string;
  properties: {
    title?: string;
    markdown?: string;
    metrics?: unknown[][];
    alarms?: string[];
    annotations?: { horizontal?: { value: number; label: string }[] };
  };
}

/** The dashboard's body as JSON, every deploy-time reference replaced by a marker. */
function dashboardOf(t: ReturnType<typeof defaultTemplates>): { name: string; widgets: Widget[] } {
  const [dashboard, ...more] = Object.values(t.monitoring.findResources('AWS::CloudWatch::Dashboard'));
  expect(more).toEqual([]);
  const body = dashboard?.Properties.DashboardBody;
  const text =
    typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : '«ref»')).join('');
  return { name: dashboard?.Properties.DashboardName, widgets: JSON.parse(text).widgets };
}

const t = defaultTemplates();
const { name, widgets } = dashboardOf(t);
const titled = (pattern: RegExp) => widgets.find((w) => pattern.test(w.properties.title ?? ''));
const metricsOf = (w: Widget | undefined) => JSON.stringify(w?.properties.metrics ?? []);

describe('the stage dashboard', () => {
  it('is named after the stage, in the monitoring stack', () => {
    expect(name).toBe('kvalitetsdialog-dev');
    expect(dashboardOf(defaultTemplates({ context: REAL_STAGE_CONTEXT })).name).toBe('kvalitetsdialog-prod');
  });

  it('has a widget for each thing an operator watches', () => {
    const titles = widgets.map((w) => w.properties.title).filter(Boolean);
    expect(titles).toEqual([
      'Alarms',
      'Campaign sending (invitations per minute) against the SES send rate',
      'SES bounce and complaint rate (%)',
      'Answers per day, by outcome and legal form',
      'Acceptances per day, by legal form',
      'Invitations, reminders and escalations per day',
      'Time from invitation to answer (days)',
      'Meetings booked per day, by kind',
      'Mail not delivered per day: permanent bounces, complaints, unconfirmed sends',
      'Conflicts with inspections per day: flagged and cleared',
      'Phase failures per day, by kind',
      'Timer tick: timers fired, failed and deferred (per 5 minutes)',
      'Workflow executions: started, failed, timed out, aborted',
      'Workflow executions running (dialogues waiting for the organiser)',
      'Lambda errors',
      'Lambda duration p95 (ms)',
      'API requests, 4xx and 5xx',
      'API latency (ms)',
      'DynamoDB consumed capacity (units per 5 minutes) and throttled requests',
      'DynamoDB system errors',
    ]);
  });

  it('shows the state of every alarm of the app', () => {
    const alarms = titled(/^Alarms$/)?.properties.alarms ?? [];
    expect(alarms).toHaveLength(t.stacks.alarms.length);
    const names = alarms.map((arn) => arn.split(':alarm:')[1]).sort();
    expect(names).toEqual(t.stacks.alarms.map((a) => String((a.node.defaultChild as CfnAlarm).alarmName)).sort());
  });

  it('graphs campaign sending per minute against the SES rate (14/s = 840 a minute by default)', () => {
    const w = titled(/^Campaign sending/);
    expect(w?.properties.annotations?.horizontal).toEqual([expect.objectContaining({ value: 840, label: 'SES send rate (14/s)' })]);
    expect(metricsOf(w)).toContain('"Kvalitetsdialog","CampaignInvitationsSent","service","kvalitetsdialog","stage","dev"');
    expect(metricsOf(w)).toContain('"AWS/SES","Send"');
  });

  it('reads answers and acceptances by legal form with a search over the business metric’s dimensions', () => {
    const search = `SEARCH('{${BUSINESS_METRICS.namespace},service,stage,outcome,legalForm} MetricName=\\"AnswersRecorded\\" stage=\\"dev\\"`;
    expect(metricsOf(titled(/^Answers per day/))).toContain(search);
    expect(metricsOf(titled(/^Acceptances per day/))).toContain(`${search} outcome=\\"accepted\\"`);
  });

  it('covers every function, both state machines, the API and the table', () => {
    for (const fn of [
      'api',
      'answer-page',
      'console',
      'inspection-import',
      'console-campaigns',
      'workflow-task',
      'timer-tick',
      'ses-events',
    ]) {
      expect(metricsOf(titled(/^Lambda errors$/))).toContain(`"FunctionName","kvalitetsdialog-dev-${fn}"`);
      expect(metricsOf(titled(/^Lambda duration p95/))).toContain(`"FunctionName","kvalitetsdialog-dev-${fn}"`);
    }
    const executions = metricsOf(titled(/^Workflow executions: started/));
    for (const machine of ['invitation', 'meeting']) expect(executions).toContain(`:stateMachine:kvalitetsdialog-dev-${machine}"`);
    expect(metricsOf(titled(/^API requests/))).toMatch(/"AWS\/ApiGateway","5xx","ApiId","«ref»"/);
    expect(metricsOf(titled(/^DynamoDB consumed/))).toContain('"AWS/DynamoDB","ConsumedReadCapacityUnits","TableName","«ref»"');
  });

  it('reads only metrics the code defines, and shows every one of them', () => {
    const shown = [...JSON.stringify(widgets).matchAll(/MetricName=\\"(\w+)\\"|"Kvalitetsdialog","(\w+)"/g)].map((m) => m[1] ?? m[2]);
    expect(shown.length).toBeGreaterThan(3);
    for (const metric of shown) expect(Object.keys(businessMetrics), metric).toContain(metric);
    expect([...new Set(shown)].sort()).toEqual(Object.keys(businessMetrics).sort());
  });

  it('searches a metric with extra dimensions over exactly the dimensions it is emitted with', () => {
    const searched = [...JSON.stringify(widgets).matchAll(/SEARCH\('\{Kvalitetsdialog,([\w,]+)\} MetricName=\\"(\w+)\\"/g)];
    expect(searched.length).toBeGreaterThan(5);
    for (const [, schema, metric] of searched) {
      expect(schema, metric).toBe(['service', 'stage', ...businessMetrics[metric as keyof typeof businessMetrics].dimensions].join(','));
    }
  });

  it('shows the time to answer in days, from the seconds recorded, per outcome', () => {
    const w = metricsOf(titled(/^Time from invitation to answer/));
    expect(w).toContain('accepted_p50 / 86400');
    for (const outcome of ['accepted', 'declined']) {
      expect(w).toContain(`"Kvalitetsdialog","TimeToAnswer","outcome","${outcome}","service","kvalitetsdialog","stage","dev"`);
    }
    expect(w).toContain('"stat":"p90"');
  });
});
