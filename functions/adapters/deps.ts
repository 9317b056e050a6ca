/**
 * The composition root: builds every adapter once per process from the environment. Handlers call
 * `deps()`; the embedded runtime and tests swap in their own with `setDeps`.
 */
import * as z from '#core/zod.ts';
import { type InvitationSettings, invitationSettingsSchema } from '#core/dialogue.ts';
import type {
  DialogueQueries,
  DialogueRepository,
  FactsIndex,
  LinkRepository,
  Mailer,
  MailLog,
  OrganiserRepository,
  SearchIndex,
  SessionStore,
  SuppressionList,
  WorkflowClient,
} from '#core/ports.ts';
import type { FacilitatorRepository, IntroSessionRepository, MeetingRepository, SchoolHolidayRepository } from '#core/ports.ts';
import { type Clock, systemClock } from '#core/time.ts';
import type { CalendarRepository } from '#core/calendar-ports.ts';
import type { FeedRepository, FeedSecrets } from '#core/feed-ports.ts';
import { type ClashRules, parseClashRules } from '#core/clash.ts';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CachedSecret } from './app-secret.ts';
import { type Clients, createClients } from './aws-clients.ts';
import { DynamoBulkJobs } from './bulk-repository.ts';
import { DynamoCalendarRepository } from './calendar-repository.ts';
import { DynamoDialogueQueries } from './dialogue-queries.ts';
import { DynamoFactsIndex } from './facts-index.ts';
import { DynamoSearchIndex } from './search-index.ts';
import { DynamoFeedRepository } from './feed-repository.ts';
import { LocalFeedSecrets, SecretsManagerFeedSecrets } from './feed-secrets.ts';
import { DynamoCampaignRepository } from './campaign-repository.ts';
import { type Env, readEnv } from './env.ts';
import { SesMailer } from './mailer.ts';
import { DynamoDialogueRepository, DynamoLinkRepository, DynamoOrganiserRepository } from './repositories.ts';
import { DynamoMailLog, DynamoSuppressionList } from './mail-log.ts';
import { DynamoFacilitatorRepository, DynamoIntroSessionRepository, DynamoMeetingRepository } from './scheduling-repositories.ts';
import { type SchedulingConfig, schedulingConfig } from './scheduling-config.ts';
import { DynamoSchoolHolidays } from './school-holiday-repository.ts';
import { DynamoSendRateBucket } from './send-rate-bucket.ts';
import { DynamoSessionStore } from './session-store.ts';
import { TemplateRenderer } from './templates.ts';
import { DynamoWorkMarkers } from './work-markers.ts';
import { SfnWorkflowClient } from './workflow-client.ts';

export interface Secrets {
  linkSigningKey: string;
  coordinatorToken: string;
  inspectorateToken: string;
}
const secretsSchema = z.object({
  linkSigningKey: z.string().check(z.minLength(32)),
  coordinatorToken: z.string().check(z.minLength(16)),
  inspectorateToken: z.string().check(z.minLength(16)),
});

export interface Deps {
  env: Env;
  /**
   * The shared AWS clients, for the adapters only some functions use: those are built on first use
   * by the module that needs them (e.g. `holdsOf(d)`), so the other functions' bundles do not carry them.
   */
  aws: Pick<Clients, 'doc' | 'ses'>;
  clock: Clock;
  settings: InvitationSettings;
  /** See SEND_LEASE_SECONDS. */
  sendLeaseMs: number;
  organisers: OrganiserRepository;
  dialogues: DialogueRepository;
  links: LinkRepository;
  mailLog: MailLog;
  suppressions: SuppressionList;
  mailer: Mailer;
  workflow: WorkflowClient;
  templates: TemplateRenderer;
  secrets(): Promise<Secrets>;
  calendar: CalendarRepository;
  clashRules: ClashRules;
  facilitators: FacilitatorRepository;
  introSessions: IntroSessionRepository;
  meetings: MeetingRepository;
  scheduling: SchedulingConfig;
  /** Console read queries (bounded index queries). */
  queries: DialogueQueries;
  /** Each dialogue's facts per cycle: the console's lists, counts and statistics. */
  facts: FactsIndex;
  /** Organisers by name word or org. number prefix. */
  search: SearchIndex;
  campaigns: DynamoCampaignRepository;
  /** Console bulk starts and their progress. */
  bulkJobs: DynamoBulkJobs;
  /** The scheduler's work list: markers of running campaigns, open bulk starts, pending pair mails. */
  work: DynamoWorkMarkers;
  /** The SES account's send rate, shared by every bulk sender (SES_SEND_RATE mails/s). */
  sendRate: DynamoSendRateBucket;
  /** The console's preview lists, action log and form claims around campaigns. */
  /** School holidays per year as coordinators set them (otherwise the defaults). */
  schoolHolidays: SchoolHolidayRepository;
  /** Console sessions, server-side (logout ends one at once). */
  sessions: SessionStore;
  /** Calendar feeds: planned dialogue dates, facilitators' windows and feed keys. */
  feeds: FeedRepository;
  /** The inspectorate's feed key (a secret of its own). */
  feedSecrets: FeedSecrets;
}

export function buildDeps(env: Env, clock: Clock = systemClock): Deps {
  const clients = createClients({
    region: env.AWS_REGION,
    dynamodb: env.DYNAMODB_ENDPOINT,
    ses: env.SES_ENDPOINT,
    sfn: env.SFN_ENDPOINT,
  });
  const settings = invitationSettingsSchema.parse({
    reminderAfterDays: env.REMINDER_AFTER_DAYS,
    maxReminders: env.MAX_REMINDERS,
    escalateAfterDays: env.ESCALATE_AFTER_DAYS,
    linkValidDays: env.LINK_VALID_DAYS,
  });
  const appSecret = env.APP_SECRET_ARN
    ? new CachedSecret(env.APP_SECRET_ARN, new SecretsManagerClient({ region: env.AWS_REGION }))
    : undefined;
  const secrets = async (): Promise<Secrets> => {
    // Cached for five minutes, so a rotated coordinator token takes effect without a deploy.
    if (appSecret) return secretsSchema.parse(await appSecret.json());
    return secretsSchema.parse({
      linkSigningKey: env.LINK_SIGNING_KEY,
      coordinatorToken: env.COORDINATOR_TOKEN,
      inspectorateToken: env.INSPECTORATE_TOKEN,
    });
  };
  const facts = new DynamoFactsIndex(clients.doc, env.TABLE_NAME);
  const search = new DynamoSearchIndex(clients.doc, env.TABLE_NAME);
  const work = new DynamoWorkMarkers(clients.doc, env.TABLE_NAME);
  return {
    env,
    aws: { doc: clients.doc, ses: clients.ses },
    clock,
    settings,
    sendLeaseMs: env.SEND_LEASE_SECONDS * 1000,
    organisers: new DynamoOrganiserRepository(clients.doc, env.TABLE_NAME, search),
    dialogues: new DynamoDialogueRepository(clients.doc, env.TABLE_NAME, facts),
    links: new DynamoLinkRepository(clients.doc, env.TABLE_NAME),
    mailLog: new DynamoMailLog(clients.doc, env.TABLE_NAME, env.MAIL_LOG_RETENTION_DAYS),
    suppressions: new DynamoSuppressionList(clients.doc, env.TABLE_NAME),
    mailer: new SesMailer(clients.ses, { from: env.MAIL_FROM, replyTo: env.MAIL_REPLY_TO, configurationSet: env.SES_CONFIGURATION_SET }),
    workflow: new SfnWorkflowClient(clients.sfn, env.INVITATION_STATE_MACHINE_ARN, env.MEETING_STATE_MACHINE_ARN),
    templates: new TemplateRenderer(),
    secrets,
    calendar: new DynamoCalendarRepository(clients.doc, env.TABLE_NAME),
    clashRules: parseClashRules(env.CLASH_RULES),
    facilitators: new DynamoFacilitatorRepository(clients.doc, env.TABLE_NAME),
    introSessions: new DynamoIntroSessionRepository(clients.doc, env.TABLE_NAME),
    meetings: new DynamoMeetingRepository(clients.doc, env.TABLE_NAME),
    scheduling: schedulingConfig(env),
    queries: new DynamoDialogueQueries(clients.doc, env.TABLE_NAME),
    facts,
    search,
    campaigns: new DynamoCampaignRepository(clients.doc, env.TABLE_NAME),
    bulkJobs: new DynamoBulkJobs(clients.doc, env.TABLE_NAME),
    work,
    sendRate: new DynamoSendRateBucket(clients.doc, env.TABLE_NAME),
    schoolHolidays: new DynamoSchoolHolidays(clients.doc, env.TABLE_NAME),
    sessions: new DynamoSessionStore(clients.doc, env.TABLE_NAME),
    feeds: new DynamoFeedRepository(clients.doc, env.TABLE_NAME),
    feedSecrets: env.FEED_SECRET_ARN
      ? new SecretsManagerFeedSecrets(env.FEED_SECRET_ARN, new SecretsManagerClient({ region: env.AWS_REGION }))
      : new LocalFeedSecrets(clients.doc, env.TABLE_NAME, env.INSPECTORATE_FEED_KEY),
  };
}

let current: Deps | undefined;

export function deps(): Deps {
  current ??= buildDeps(readEnv());
  return current;
}

/** The deps in use, without building them (the local runtime checks it still owns them). */
export function currentDeps(): Deps | undefined {
  return current;
}

export function setDeps(d: Deps | undefined): void {
  current = d;
}
