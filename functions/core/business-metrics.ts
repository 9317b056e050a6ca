/**
 * The business metrics of the service: what the handlers emit (CloudWatch embedded metric format,
 * e.g. Powertools Metrics) and what the stage's dashboard and alarms read. One list, so an emitter
 * and a graph cannot disagree on a name, a unit or a dimension.
 *
 * Every metric lives in the namespace `Kvalitetsdialog` with the dimensions `service` (Powertools
 * always adds it; emitters set serviceName to BUSINESS_METRICS.service) and `stage` (the function's
 * STAGE variable), plus the extra dimensions listed with the metric. Dimension values are ASCII
 * codes (`kommun`, `accepted`), never Swedish labels: CloudWatch accepts only ASCII there.
 */

export const BUSINESS_METRICS = {
  namespace: 'Kvalitetsdialog',
  service: 'kvalitetsdialog',
  /** The dimension that tells the stages apart, and the variable that carries its value. */
  stageDimension: 'stage',
  stageVariable: 'STAGE',
} as const;

export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds';

export interface BusinessMetric {
  readonly unit: MetricUnit;
  /** Dimensions besides service and stage (emit the metric with exactly these). */
  readonly dimensions: readonly string[];
  /** What one data point means. */
  readonly meaning: string;
}

export const businessMetrics = {
  InvitationsSent: {
    unit: 'Count',
    dimensions: [],
    meaning: 'A dialogue’s invitation went out (once per dialogue, when its first invitation mail is sent; reminders not counted).',
  },
  CampaignInvitationsSent: {
    unit: 'Count',
    dimensions: [],
    meaning: 'An organiser invited by the campaign sender (one per dialogue a running campaign starts).',
  },
  CampaignsAwaitingSend: {
    unit: 'Count',
    dimensions: [],
    meaning:
      'A gauge, emitted at the end of every campaign-sender run (each minute): running campaigns with organisers left to invite and inside their sending hours.',
  },
  DialoguesWaiting: {
    unit: 'Count',
    dimensions: ['phase'],
    meaning:
      'A gauge, emitted by every timer tick (each 5 minutes): dialogues whose workflow execution waits for the organiser, i.e. the open executions (phase: invitation | meeting).',
  },
  RemindersSent: {
    unit: 'Count',
    dimensions: [],
    meaning: 'A reminder went out for a dialogue still waiting for its answer (once per dialogue and reminder).',
  },
  AnswersRecorded: {
    unit: 'Count',
    dimensions: ['outcome', 'legalForm'],
    meaning:
      'An organiser’s answer recorded on a dialogue: outcome accepted | declined | no_answer (escalated without answer), legalForm the organiser’s code (kommun, aktiebolag, …).',
  },
  MeetingsBooked: {
    unit: 'Count',
    dimensions: ['kind'],
    meaning: 'An organiser booked a meeting time (kind: intro, pre_meeting, dialogue, feedback, follow_up).',
  },
  MailsBounced: {
    unit: 'Count',
    dimensions: [],
    meaning: 'SES reported a permanent bounce for one of our mails (recorded by the ses-events function).',
  },
  MailsComplained: {
    unit: 'Count',
    dimensions: [],
    meaning: 'A recipient marked one of our mails as spam (SES complaint, recorded by the ses-events function).',
  },
  DialoguesEscalated: {
    unit: 'Count',
    dimensions: [],
    meaning: 'A dialogue handed to the coordinator because the organiser did not answer or book in time.',
  },
} as const satisfies Record<string, BusinessMetric>;

export type BusinessMetricName = keyof typeof businessMetrics;

/** The dimensions every business metric of a stage carries. */
export const stageDimensions = (stage: string): Record<string, string> => ({
  service: BUSINESS_METRICS.service,
  [BUSINESS_METRICS.stageDimension]: stage,
});
