/**
 * The metrics the service emits (CloudWatch embedded metric format, through Powertools Metrics in
 * functions/adapters/observability.ts `recordMetric`) and that the stage's dashboard and alarms
 * read. One list, so an emitter and a graph cannot disagree on a name, a unit or a dimension:
 * `recordMetric` accepts only a name from this list, with exactly its dimensions.
 *
 * Every metric lives in the namespace `Kvalitetsdialog` with the dimensions `service` (Powertools
 * always adds it; emitters set serviceName to BUSINESS_METRICS.service) and `stage` (the function's
 * STAGE variable), plus the extra dimensions listed with the metric. Dimension values are ASCII
 * codes (`kommun`, `accepted`), never Swedish labels: CloudWatch accepts only ASCII there.
 *
 * What each data point means is documented once, in docs/operations.md ("Metrics"); a test holds
 * that table and this list together. The meanings are not kept here as strings: every function
 * that records a metric bundles this module, and the largest bundles are close to their budget.
 */
import type { PhaseMeetingKind } from './dialogue.ts';
import type { LegalForm } from './organiser.ts';

export const BUSINESS_METRICS = {
  namespace: 'Kvalitetsdialog',
  service: 'kvalitetsdialog',
  /** The dimension that tells the stages apart, and the variable that carries its value. */
  stageDimension: 'stage',
  stageVariable: 'STAGE',
} as const;

export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds';

/** The values each extra dimension may take. */
export interface MetricDimensionValues {
  /** How an invitation ended: the organiser's answer, or no answer when it was escalated. */
  outcome: 'accepted' | 'declined' | 'no_answer';
  /** The organiser's legal form (core/organiser.ts legalForms). */
  legalForm: LegalForm;
  /** What the organiser is asked for: the invitation's answer, or a booking of that meeting kind. */
  kind: 'invitation' | PhaseMeetingKind;
  /** The workflow a dialogue waits in. */
  phase: 'invitation' | 'meeting';
}
export type MetricDimension = keyof MetricDimensionValues;

export interface MetricSpec {
  readonly unit: MetricUnit;
  /** Dimensions besides service and stage (the metric is emitted with exactly these). */
  readonly dimensions: readonly MetricDimension[];
}

export const businessMetrics = {
  /** A dialogue's invitation went out (once per dialogue, when its invitation mails are sent; reminders not counted). */
  InvitationsSent: { unit: 'Count', dimensions: [] },
  /** An organiser invited by the campaign sender (one per dialogue a running campaign starts). */
  CampaignInvitationsSent: { unit: 'Count', dimensions: [] },
  /** Gauge, at the end of every campaign-sender run while a campaign runs: running campaigns with organisers left to invite. */
  CampaignsAwaitingSend: { unit: 'Count', dimensions: [] },
  /** Gauge, every timer tick: dialogues waiting for the organiser (invitation: an answer; meeting: a booking of offered times). */
  DialoguesWaiting: { unit: 'Count', dimensions: ['phase'] },
  /** A reminder went out to an organiser who has not answered (invitation) or booked (a meeting kind). */
  RemindersSent: { unit: 'Count', dimensions: ['kind'] },
  /** An invitation's outcome: the organiser's answer, or no_answer when it was escalated. */
  AnswersRecorded: { unit: 'Count', dimensions: ['outcome', 'legalForm'] },
  /** Seconds from the invitation to the organiser's answer (one data point per answer). */
  TimeToAnswer: { unit: 'Seconds', dimensions: ['outcome'] },
  /** A meeting booked for a dialogue. */
  MeetingsBooked: { unit: 'Count', dimensions: ['kind'] },
  /** A dialogue handed to the coordinator because the organiser did not answer (invitation) or book (a meeting kind) in time. */
  DialoguesEscalated: { unit: 'Count', dimensions: ['kind'] },
  /** SES reported a permanent bounce for one of our mails. */
  MailsBounced: { unit: 'Count', dimensions: [] },
  /** A recipient marked one of our mails as spam (SES complaint). */
  MailsComplained: { unit: 'Count', dimensions: [] },
  /** A mail whose send attempt died between claim and record: marked unconfirmed, not sent again. */
  MailsUnconfirmed: { unit: 'Count', dimensions: [] },
  /** A planned step of a dialogue flagged as clashing with an inspection. */
  ConflictsFlagged: { unit: 'Count', dimensions: [] },
  /** A flagged conflict cleared (the inspection moved or was cancelled, or the step moved or was removed). */
  ConflictsCleared: { unit: 'Count', dimensions: [] },
  /** A phase's workflow failed after its retries and the failure was recorded on the dialogue. */
  PhaseFailures: { unit: 'Count', dimensions: ['kind'] },
  /** Timers the tick fired. */
  TimersFired: { unit: 'Count', dimensions: [] },
  /** Timers that failed in a tick (each backs off and is retried). */
  TimersFailed: { unit: 'Count', dimensions: [] },
  /** 1 when a tick's time budget left due timers for the next tick. */
  TimersDeferred: { unit: 'Count', dimensions: [] },
} as const satisfies Record<string, MetricSpec>;

export type BusinessMetricName = keyof typeof businessMetrics;

/** The metrics about the service's machinery rather than the process (the rest are business metrics). */
export const operationalMetrics = ['TimersFired', 'TimersFailed', 'TimersDeferred'] as const satisfies readonly BusinessMetricName[];

/** The extra dimensions of a metric, with their values. */
export type DimensionsOf<N extends BusinessMetricName> = {
  readonly [D in (typeof businessMetrics)[N]['dimensions'][number]]: MetricDimensionValues[D];
};

/** What `recordMetric` takes after the value: the dimensions, for a metric that has any. */
export type DimensionArgs<N extends BusinessMetricName> = (typeof businessMetrics)[N]['dimensions'] extends readonly []
  ? []
  : [dimensions: DimensionsOf<N>];

/**
 * Every value a dimension may take: ASCII codes, never Swedish labels. A legal form is any code
 * of core/organiser.ts legalForms, checked by its shape: importing the list would bring the
 * organiser schema into every bundle that records a metric.
 */
export const metricDimensionValues: { readonly [D in MetricDimension]: readonly MetricDimensionValues[D][] | RegExp } = {
  outcome: ['accepted', 'declined', 'no_answer'],
  legalForm: /^[a-z_]{1,40}$/,
  kind: ['invitation', 'intro', 'pre_meeting', 'dialogue', 'feedback', 'follow_up'],
  phase: ['invitation', 'meeting'],
};

const allows = (d: MetricDimension, value: string): boolean => {
  const values = metricDimensionValues[d];
  return values instanceof RegExp ? values.test(value) : (values as readonly string[]).includes(value);
};

/**
 * Why these dimensions cannot go with the metric (not the declared set, or a value not in
 * metricDimensionValues), or undefined when they can. The types already hold callers to the list;
 * this catches what only looks right to the compiler (a cast, a record read from the table).
 */
export function dimensionProblem(name: BusinessMetricName, dimensions: Readonly<Record<string, string>> = {}): string | undefined {
  const declared: readonly MetricDimension[] | undefined = businessMetrics[name]?.dimensions;
  if (!declared) return `${name} is not a metric of business-metrics.ts`;
  const given = Object.keys(dimensions);
  if (given.length !== declared.length || !declared.every((d) => given.includes(d))) {
    return `${name} takes the dimensions [${declared.join(', ')}], not [${given.join(', ')}]`;
  }
  const bad = declared.find((d) => !allows(d, dimensions[d] ?? ''));
  return bad && `${name}: ${bad} ${String(metricDimensionValues[bad])} does not allow ${JSON.stringify(dimensions[bad])}`;
}

/** The dimensions every business metric of a stage carries. */
export const stageDimensions = (stage: string): Record<string, string> => ({
  service: BUSINESS_METRICS.service,
  [BUSINESS_METRICS.stageDimension]: stage,
});
