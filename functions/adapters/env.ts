/**
 * The environment every function reads, parsed once with zod so a missing setting fails at cold
 * start with a message instead of at the first request. The CDK stacks set exactly these names.
 */
import * as z from '#core/zod.ts';

const days = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

export const envSchema = z.object({
  AWS_REGION: z._default(z.string(), 'eu-north-1'),
  TABLE_NAME: z.string().check(z.minLength(1)),
  INVITATION_STATE_MACHINE_ARN: z.string().check(z.minLength(1)),
  /** The meeting phases after acceptance (workflows/meeting.ts). Unset: those phases are not started. */
  MEETING_STATE_MACHINE_ARN: z.optional(z.string().check(z.minLength(1))),
  /** Where the video meetings of digital steps are held; a meeting's link is this plus its id. */
  MEETING_VIDEO_BASE_URL: z._default(z.url(), 'https://mote.kvalitetsdialog.example.se'),
  /** Where organisers' links point: https://host (no trailing slash). */
  PUBLIC_BASE_URL: z.pipe(
    z.url(),
    z.transform((u) => u.replace(/\/+$/, '')),
  ),
  MAIL_FROM: z.string().check(z.minLength(3)),
  MAIL_REPLY_TO: z.string().check(z.minLength(3)),
  COORDINATOR_EMAIL: z.email(),
  SES_CONFIGURATION_SET: z.optional(z.string()),
  /** Cloud: a Secrets Manager secret with linkSigningKey, coordinatorToken, inspectorateToken. */
  APP_SECRET_ARN: z.optional(z.string()),
  /** Local only: the same secrets given directly. */
  LINK_SIGNING_KEY: z.optional(z.string().check(z.minLength(32))),
  COORDINATOR_TOKEN: z.optional(z.string().check(z.minLength(16))),
  INSPECTORATE_TOKEN: z.optional(z.string().check(z.minLength(16))),
  /** Cloud: the inspectorate's calendar-feed key, a Secrets Manager secret of its own (a plain string). */
  FEED_SECRET_ARN: z.optional(z.string()),
  /** Local only: the inspectorate's calendar-feed key given directly (a path segment: letters, digits, - and _). */
  INSPECTORATE_FEED_KEY: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9_-]{24,128}$/, 'INSPECTORATE_FEED_KEY is 24–128 letters, digits, - or _')),
  ),
  /** Local only: endpoints of the stand-ins. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  SES_ENDPOINT: z.optional(z.url()),
  SFN_ENDPOINT: z.optional(z.url()),
  REMINDER_AFTER_DAYS: days(7),
  MAX_REMINDERS: z._default(z.coerce.number().check(z.int(), z.gte(0)), 2),
  ESCALATE_AFTER_DAYS: days(7),
  LINK_VALID_DAYS: days(60),
  /** How long a send attempt may hold its claim: longer than any sending Lambda's timeout. */
  /** Mail records (addresses, message ids, delivery status) are deleted this long after the send. */
  MAIL_LOG_RETENTION_DAYS: days(400),
  SEND_LEASE_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(1)), 150),
  /** The deployment stage (dev, test, prod), a dimension of every metric; the embedded runtime is 'local'. */
  STAGE: z._default(z.string().check(z.regex(/^[a-z][a-z0-9-]{0,30}$/, 'STAGE is a lowercase name such as prod')), 'local'),
  /** Set by the embedded runtime; enables /api/dev/* routes. Never set in the cloud. */
  LOCAL_MODE: z._default(z.enum(['true', 'false']), 'false'),
  /** Clash rules per planned kind as JSON, e.g. {"physical_meeting":{"bufferDays":14}}; unset = the defaults. */
  CLASH_RULES: z.optional(z.string()),
  /** Scheduling: school holidays as JSON, e.g. [{"from":"2026-02-23","to":"2026-02-27","name":"sportlov"}]. */
  SCHOOL_HOLIDAYS: z._default(z.string(), '[]'),
  /** Scheduling: office hours in Europe/Stockholm, "HH:MM-HH:MM". */
  OFFICE_HOURS: z._default(z.string().check(z.regex(/^\d\d:\d\d-\d\d:\d\d$/, 'OFFICE_HOURS must be HH:MM-HH:MM')), '08:30-16:30'),
  /** Cloud: the Cognito user pool the console and the API sign people in with (unset = dev tokens / dev login). */
  COGNITO_USER_POOL_ID: z.optional(z.string()),
  /** The console's app client (hosted UI, authorization code + PKCE, no secret). */
  COGNITO_CLIENT_ID: z.optional(z.string()),
  /** The hosted UI's base URL, e.g. https://kvalitetsdialog-prod.auth.eu-north-1.amazoncognito.com */
  COGNITO_DOMAIN: z.optional(z.url()),
  /** Overrides of the issuer and its key set (derived from the pool id by default; tests point them at a stand-in). */
  COGNITO_ISSUER: z.optional(z.url()),
  COGNITO_JWKS_URI: z.optional(z.url()),
  /** Campaigns: the SES account's maximum send rate (mails per second) that campaign sending is paced to. */
  SES_SEND_RATE: z._default(z.coerce.number().check(z.positive(), z.lte(1000)), 14),
});
export type Env = z.output<typeof envSchema>;

/**
 * The stage alone, for what is built at module scope before the whole environment is read (the
 * metrics' default dimension). A malformed value fails here as it would in `readEnv`.
 */
export function stageOf(source: NodeJS.ProcessEnv = process.env): string {
  return envSchema.shape.STAGE.parse(source.STAGE);
}

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  // The calendar feeds' function reads only the feed key (FEED_SECRET_ARN); every other function needs the app secret.
  if (!env.APP_SECRET_ARN && !env.FEED_SECRET_ARN && !(env.LINK_SIGNING_KEY && env.COORDINATOR_TOKEN && env.INSPECTORATE_TOKEN)) {
    throw new Error('Invalid environment: set APP_SECRET_ARN, or LINK_SIGNING_KEY, COORDINATOR_TOKEN and INSPECTORATE_TOKEN');
  }
  if (env.COGNITO_CLIENT_ID && !(env.COGNITO_DOMAIN && (env.COGNITO_USER_POOL_ID || env.COGNITO_ISSUER))) {
    throw new Error('Invalid environment: COGNITO_CLIENT_ID needs COGNITO_DOMAIN and COGNITO_USER_POOL_ID (or COGNITO_ISSUER)');
  }
  return env;
}
