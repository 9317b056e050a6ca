/**
 * recordMetric: only the metrics of functions/core/business-metrics.ts, each with exactly its
 * dimensions and their listed values, leave as CloudWatch embedded-metric-format lines; anything
 * else is refused (by the compiler, and at run time with a log line instead of a metric), never
 * thrown into the caller.
 */
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { dimensionProblem, metricDimensionValues } from '#core/business-metrics.ts';
import { legalForms } from '#core/organiser.ts';
import { phaseStates } from '#functions/use-cases/lifecycle/phase.ts';
import { logger, metrics, recordMetric } from '#adapters/observability.ts';

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

let out: MockInstance<typeof process.stdout.write>;
const emfLines = (): EmfLine[] =>
  out.mock.calls
    .map((c) => String(c[0]))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l));

beforeEach(() => {
  metrics.publishStoredMetrics(); // what earlier tests left in the buffer
  out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  out.mockRestore();
  vi.restoreAllMocks();
});

describe('recordMetric', () => {
  it('sends a metric with extra dimensions at once, as its own line with the stage and exactly those dimensions', () => {
    // Act
    recordMetric('AnswersRecorded', 1, { outcome: 'accepted', legalForm: 'kommun' });

    // Assess
    const [line, ...more] = emfLines();
    expect(more).toEqual([]);
    const directive = line?._aws.CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe('Kvalitetsdialog');
    expect(directive?.Dimensions).toEqual([['service', 'stage', 'outcome', 'legalForm']]);
    expect(directive?.Metrics).toEqual([{ Name: 'AnswersRecorded', Unit: 'Count' }]);
    expect(line).toMatchObject({
      service: 'kvalitetsdialog',
      stage: 'local',
      outcome: 'accepted',
      legalForm: 'kommun',
      AnswersRecorded: 1,
    });
  });

  it('buffers a metric without extra dimensions until the invocation’s flush, in the declared unit', () => {
    // Act
    recordMetric('InvitationsSent', 1);
    recordMetric('InvitationsSent', 1);
    const before = emfLines().length;
    metrics.publishStoredMetrics();

    // Assess
    expect(before).toBe(0);
    const [line] = emfLines();
    expect(line?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'stage']]);
    expect(line?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([{ Name: 'InvitationsSent', Unit: 'Count' }]);
    expect(line?.InvitationsSent).toEqual([1, 1]);
  });

  it('refuses a dimension set other than the declared one, or a value not in the list, with a log line instead of a metric', () => {
    // Prepare
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const loose = recordMetric as (name: string, value: number, dimensions?: Record<string, string>) => void;

    // Act
    loose('AnswersRecorded', 1, { outcome: 'accepted' });
    loose('MeetingsBooked', 1, { kind: 'intro', region: 'norr' });
    loose('InvitationsSent', 1, { kind: 'intro' });
    loose('AnswersRecorded', 1, { outcome: 'accepted', legalForm: 'ekonomisk förening' });
    metrics.publishStoredMetrics();

    // Assess
    expect(emfLines()).toEqual([]);
    expect(errors.mock.calls.map((c) => (c[1] as { error: Error }).error.message)).toEqual([
      'AnswersRecorded takes the dimensions [outcome, legalForm], not [outcome]',
      'MeetingsBooked takes the dimensions [kind], not [kind, region]',
      'InvitationsSent takes the dimensions [], not [kind]',
      'AnswersRecorded: legalForm /^[a-z_]{1,40}$/ does not allow "ekonomisk förening"',
    ]);
  });

  it('is typed by the list: an unknown name, a missing or extra dimension, or a wrong value does not compile', () => {
    // The compiler (npm run typecheck) holds these; at run time each is refused as above.
    const refuse = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    // @ts-expect-error not a metric of business-metrics.ts
    recordMetric('InvitationsOpened', 1);
    // @ts-expect-error AnswersRecorded needs its dimensions
    recordMetric('AnswersRecorded', 1);
    // @ts-expect-error InvitationsSent has no extra dimensions
    recordMetric('InvitationsSent', 1, { kind: 'intro' });
    // @ts-expect-error outcome is accepted, declined or no_answer
    recordMetric('AnswersRecorded', 1, { outcome: 'maybe', legalForm: 'kommun' });
    expect(refuse.mock.calls.map((c) => (c[1] as { error: Error }).error.message)).toEqual([
      'InvitationsOpened is not a metric of business-metrics.ts',
      'AnswersRecorded takes the dimensions [outcome, legalForm], not []',
      'InvitationsSent takes the dimensions [], not [kind]',
      'AnswersRecorded: outcome accepted,declined,no_answer does not allow "maybe"',
    ]);
  });
});

describe('the dimension values', () => {
  it('are ASCII codes (CloudWatch refuses anything else) and cover every meeting kind and legal form', () => {
    for (const values of Object.values(metricDimensionValues)) {
      if (Array.isArray(values)) for (const v of values) expect(v).toMatch(/^[a-z0-9_]{1,64}$/);
    }
    for (const kind of Object.keys(phaseStates)) expect(dimensionProblem('MeetingsBooked', { kind })).toBeUndefined();
    for (const legalForm of legalForms) expect(dimensionProblem('AnswersRecorded', { outcome: 'declined', legalForm })).toBeUndefined();
    expect(dimensionProblem('MeetingsBooked', { kind: 'lunch' })).toMatch(/does not allow "lunch"/);
  });
});
