/**
 * The embedded local runtime: dynalite (DynamoDB), aws-ses-v2-local (SES v2 and its mailbox page),
 * the local Step Functions service running the CDK app's own state machines, a timer loop for
 * the due-dates on dialogues, and an HTTP server calling the Lambda handlers. Every part binds
 * 127.0.0.1 and the handlers reach them through the real AWS SDK clients.
 */
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Worker } from 'node:worker_threads';
import * as z from '#core/zod.ts';
import { parseDuration } from '#core/time.ts';
import { organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import { buildDeps, type Deps, currentDeps, setDeps } from '#adapters/deps.ts';
import { readEnv } from '#adapters/env.ts';
import { keys, tableModel } from '#adapters/table-model.ts';
import { LOCAL_FUNCTIONS, type PhaseName, renderLocalDefinitions } from '#workflows/index.ts';
import { INDEX_VERSION, rebuildIndexes } from '#functions/use-cases/facts-upkeep.ts';
import { DynamoFactsRebuild } from '#adapters/facts-rebuild.ts';
import { ASYNC_INVOCATION } from '../async-invocation.ts';
import { LocalAsyncInvoker } from './async-invoke.ts';
import { OffsetClock } from './clock.ts';
import { lockDataDir, loadSecrets, storageFailure } from './data-dir.ts';
import { indexPage } from './index-page.ts';
import { startHttpServer } from './http-server.ts';
import { demoFacilitators, demoIntroAudiences, demoOrganisers } from './seed.ts';
import { LocalStepFunctions } from './step-functions.ts';
import { sweepExpired } from './sweeper.ts';

export interface LocalRuntimeOptions {
  dataDir: string;
  port?: number;
  sesPort?: number;
  /** 0 picks a free port (tests). */
  dynamoPort?: number;
  sfnPort?: number;
  coordinatorToken?: string;
  inspectorateToken?: string;
  /** The inspectorate's calendar-feed key (INSPECTORATE_FEED_KEY); generated once and kept otherwise. */
  inspectorateFeedKey?: string;
  seed?: boolean;
  /** Also seed demo facilitators and group intro sessions (`npm start`; tests bring their own). */
  demo?: boolean;
  /** How often the timer loop fires due timers (ms). */
  tickMs?: number;
  /**
   * How often the campaign sender makes a pass (ms; default 1000, like the cloud sender's rounds):
   * the shared send-rate bucket holds one second, so passes further apart than that send slower.
   */
  campaignPassMs?: number;
  /** The SES account's send rate (SES_SEND_RATE) for this runtime; default from the environment (14). */
  sesSendRate?: number;
  /**
   * The default school holiday weeks (on unless false): tests that book at dates relative to the day
   * they run turn them off, so they do not fail in the weeks of a holiday.
   */
  schoolHolidayDefaults?: boolean;
  /** Retry pauses per state in ms, to shorten real back-off in tests. */
  retryIntervalOverrides?: Record<string, number>;
  /**
   * The state machine definitions to register (default: the workflows' builders, as CDK deploys
   * them). A changed definition is published as a new version; running executions keep theirs.
   */
  definitions?: Record<PhaseName, Record<string, unknown>>;
  /** The pause before Lambda's n-th async retry in ms (the cloud waits about 1 and 2 minutes). @default 1000 · 2^(n-1) */
  asyncRetryDelayMs?: (retry: number) => number;
  log?: (line: string) => void;
}

export interface LocalRuntime {
  urls: { app: string; mailbox: string; dynamodb: string; sfn: string };
  tokens: { coordinator: string; inspectorate: string };
  /** The inspectorate's calendar subscription at its current key (a rotation in the console changes it). */
  inspectorateFeedUrl(): Promise<string | undefined>;
  clock: OffsetClock;
  sfn: LocalStepFunctions;
  /** Lambda's async invocation of ses-events and timer-tick, with their failure destinations. */
  async: LocalAsyncInvoker;
  deps: Deps;
  resumed: number;
  /** Fires every due timer now (what the loop does every tickMs). */
  tick(): Promise<unknown>;
  injectDiskFull(full: boolean): void;
  stop(): Promise<void>;
}

async function ensureTable(client: DynamoDBClient, name: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return;
  } catch (e) {
    if ((e as Error).name !== 'ResourceNotFoundException') throw e;
  }
  const attrs = new Set<string>([tableModel.partitionKey, tableModel.sortKey]);
  for (const ix of Object.values(tableModel.indexes)) {
    attrs.add(ix.partitionKey);
    attrs.add(ix.sortKey);
  }
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attrs].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: tableModel.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableModel.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Object.entries(tableModel.indexes).map(([IndexName, ix]) => ({
        IndexName,
        KeySchema: [
          { AttributeName: ix.partitionKey, KeyType: 'HASH' },
          { AttributeName: ix.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  // dynalite activates a new table (and its indexes) asynchronously, even with createTableMs 0.
  for (let i = 0; i < 500; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')) {
      // A new table holds no hand-backs in the digest's earlier shape (one partition a day): none are looked for.
      const { pk, sk } = keys.digestShape();
      await client.send(
        new PutItemCommand({
          TableName: name,
          Item: { pk: { S: pk }, sk: { S: sk }, since: { S: '0000-01-01' }, earlierDone: { BOOL: true } },
        }),
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the local table ${name} did not become active`);
}

/** The names the asynchronously invoked functions have locally (their failure destinations are named so). */
export const LOCAL_ASYNC_FUNCTIONS = { sesEvents: 'ses-events', timerTick: 'timer-tick' } as const;

/** The mailbox of the last stopped runtime in this process, handed to the next one's SES worker. */
let carriedMail: unknown[] = [];

export async function startLocalRuntime(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
  const log = opts.log ?? (() => undefined);
  const dataDir = resolve(opts.dataDir);
  // The folder's lock first: nothing in a folder another instance owns is read or written.
  const lock = lockDataDir(dataDir);
  const secrets = loadSecrets(dataDir, opts);
  const clock = new OffsetClock(join(dataDir, 'clock.json'));

  // DynamoDB: dynalite persisting under the data folder.
  const dynamo = new Worker(new URL('./dynalite-worker.mjs', import.meta.url), {
    workerData: { path: join(dataDir, 'dynamodb'), port: opts.dynamoPort ?? 0 },
  });
  const dynamoPort = await new Promise<number>((ok, fail) => {
    dynamo.once('message', (m: { port?: number; error?: string }) => (m.port ? ok(m.port) : fail(new Error(`dynalite: ${m.error}`))));
    dynamo.once('error', fail);
  });
  const dynamoUrl = `http://127.0.0.1:${dynamoPort}`;
  // Once the stand-in cannot store (a full disk) or has stopped, every request is told why, in one line.
  let unavailable: string | undefined;
  let stopping = false;
  const storageFailed = (line: string) => {
    if (unavailable) return;
    unavailable = line;
    log(`[dynamodb] ${line}`);
  };
  dynamo.on('message', (m: { storageError?: string }) => {
    if (m.storageError) storageFailed(storageFailure(dataDir, m.storageError));
  });
  let dynamoExited = false;
  let dynamoError = '';
  dynamo.on('error', (e) => {
    dynamoError = `: ${e.message.split('\n', 1)[0]}`;
  });
  dynamo.on('exit', (code) => {
    dynamoExited = true;
    if (stopping) return;
    storageFailed(
      `The DynamoDB stand-in (dynalite, data in ${join(dataDir, 'dynamodb')}) stopped (exit code ${code}${dynamoError}): restart npm start.`,
    );
  });

  // SES v2: aws-ses-v2-local with its mailbox page (mail is kept in memory only), in a worker thread.
  const sesPort = opts.sesPort ?? 8005;
  const ses = new Worker(new URL('./ses-worker.mjs', import.meta.url), {
    workerData: { port: sesPort, emails: carriedMail },
    env: {
      ...process.env,
      AWS_SES_ACCOUNT: process.env.AWS_SES_ACCOUNT ?? sesAccount(opts.sesSendRate ?? Number(process.env.SES_SEND_RATE ?? 14)),
    },
  });
  const sesBoundPort = await new Promise<number>((ok, fail) => {
    ses.once('message', (m: { port?: number; error?: string }) =>
      m.port
        ? ok(m.port)
        : fail(
            new Error(
              m.error === 'in use'
                ? `Port ${sesPort} for the local mailbox is in use: stop the other process or set SES_PORT`
                : `aws-ses-v2-local: ${m.error}`,
            ),
          ),
    );
    ses.once('error', fail);
  });
  const sesUrl = `http://127.0.0.1:${sesBoundPort}`;

  // Step Functions: the CDK app's own definitions, executed locally.
  const { handler: workflowTask } = await import('#functions/workflow-task.ts');
  const sfn = new LocalStepFunctions({
    dir: join(dataDir, 'executions'),
    functions: { [LOCAL_FUNCTIONS.workflowTask]: (event) => workflowTask(event as never, {} as never) },
    retryIntervalOverrides: opts.retryIntervalOverrides,
    log,
  });
  // Executions start through each machine's live alias, as in the cloud.
  const definitions = opts.definitions ?? renderLocalDefinitions();
  const invitationArn = sfn.register('invitation', definitions.invitation);
  const meetingArn = sfn.register('meeting', definitions.meeting);
  const sfnUrl = await sfn.listen(opts.sfnPort ?? 0);

  // The HTTP server's port must be known before the handlers' env is built (links point at it).
  const { handler: api } = await import('#functions/api.ts');
  const { handler: answerPage } = await import('#functions/answer-page.ts');
  const { handler: consoleHandler } = await import('#functions/console.ts');
  const { handler: inspectionImport } = await import('#functions/inspection-import.ts');
  const { handler: consoleCampaigns } = await import('#functions/console-campaigns.ts');
  const { handler: consoleMeetings } = await import('#functions/console-meetings.ts');
  const { handler: feeds } = await import('#functions/feeds.ts');
  const { handler: consoleReports } = await import('#functions/console-reports.ts');
  const { handler: timerTick } = await import('#functions/timer-tick.ts');
  const { handler: sesEvents } = await import('#functions/ses-events.ts');

  // EventBridge and the scheduler invoke these asynchronously in the cloud: Lambda's retries, then
  // the function's failure destination (ASYNC_INVOCATION, the same config the workflows stack sets).
  const asyncInvoker = new LocalAsyncInvoker({ dir: join(dataDir, 'failed-events'), retryDelayMs: opts.asyncRetryDelayMs, log })
    .register(LOCAL_ASYNC_FUNCTIONS.sesEvents, (e) => sesEvents(e, {} as never), ASYNC_INVOCATION.sesEvents)
    .register(LOCAL_ASYNC_FUNCTIONS.timerTick, (e) => timerTick(e, {} as never), ASYNC_INVOCATION.timerTick);
  const invokeTimerTick = async (event: Record<string, unknown>) => {
    const outcome = await asyncInvoker.invoke(LOCAL_ASYNC_FUNCTIONS.timerTick, event);
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  };

  let running: Promise<unknown> | undefined;
  let sweep: () => Promise<number> = async () => 0;
  const tick = async () => {
    while (running) await running.catch(() => undefined);
    running = invokeTimerTick({}).finally(() => {
      running = undefined;
    });
    return running;
  };

  const authorised = (headers: Record<string, string>) => headers.authorization === `Bearer ${secrets.coordinatorToken}`;
  const http = await startHttpServer(opts.port ?? 3000, {
    handlers: {
      api: (e) => api(e, {} as never),
      answerPage: (e) => answerPage(e, {} as never),
      console: (e) => consoleHandler(e, {} as never),
      inspectionImport: (e) => inspectionImport(e, {} as never),
      consoleCampaigns: (e) => consoleCampaigns(e, {} as never),
      consoleMeetings: (e) => consoleMeetings(e, {} as never),
      feeds: (e) => feeds(e, {} as never),
      consoleReports: (e) => consoleReports(e, {} as never),
    },
    local: {
      'GET /api/dev/clock': async () => ({ status: 200, body: { now: clock.now().toISOString() } }),
      // Plays SES's configuration-set event publishing (aws-ses-v2-local has none): the same
      // EventBridge-shaped event the ses-events Lambda receives in the cloud.
      'POST /api/dev/ses-event': async ({ body, headers }) => {
        if (!authorised(headers))
          return {
            status: 401,
            body: { error: 'unauthorized', message: 'Send the coordinator dev token as Authorization: Bearer <token>' },
          };
        const parsed = devSesEventSchema.safeParse(safeJson(body));
        if (!parsed.success) {
          return {
            status: 400,
            body: {
              error: 'validation_failed',
              message: 'Send {"dialogueId", "step", "email", "type": "delivery"|"bounce"|"complaint", "permanent"?: boolean}',
            },
          };
        }
        // EventBridge hands the event to Lambda, which retries a handler error as configured and
        // then parks the event in the function's failure destination (GET /api/dev/failed-events).
        const outcome = await asyncInvoker.invoke(LOCAL_ASYNC_FUNCTIONS.sesEvents, toSesEvent(parsed.data, clock.now()));
        if (outcome.ok) return { status: 200, body: { results: outcome.result, attempts: outcome.attempts } };
        return {
          status: 502,
          body: {
            error: 'delivery_failed',
            message: `The ses-events handler failed ${outcome.attempts} times (${outcome.error.message}); the event is in its failure destination`,
            attempts: outcome.attempts,
          },
        };
      },
      'GET /api/dev/failed-events': async ({ headers }) => {
        if (!authorised(headers))
          return {
            status: 401,
            body: { error: 'unauthorized', message: 'Send the coordinator dev token as Authorization: Bearer <token>' },
          };
        return {
          status: 200,
          body: Object.fromEntries(Object.values(LOCAL_ASYNC_FUNCTIONS).map((name) => [name, asyncInvoker.failures(name)])),
        };
      },
      'POST /api/dev/clock': async ({ body, headers }) => {
        if (!authorised(headers))
          return {
            status: 401,
            body: { error: 'unauthorized', message: 'Send the coordinator dev token as Authorization: Bearer <token>' },
          };
        let advance: unknown;
        try {
          const parsed: unknown = JSON.parse(body || '{}');
          const keys = parsed && typeof parsed === 'object' ? Object.keys(parsed) : [''];
          if (keys.some((k) => k !== 'advance')) {
            return { status: 400, body: { error: 'validation_failed', message: 'Send only {"advance": "<ISO-8601 duration>"}' } };
          }
          advance = (parsed as { advance?: unknown }).advance;
        } catch {
          return { status: 400, body: { error: 'validation_failed', message: 'The request body is not valid JSON' } };
        }
        const ms = typeof advance === 'string' ? parseDuration(advance) : undefined;
        if (ms === undefined || ms <= 0 || ms > 400 * 86_400_000) {
          return {
            status: 400,
            body: {
              error: 'validation_failed',
              message: 'advance must be a positive ISO-8601 duration of at most 400 days, e.g. "P14D" or "PT6H"',
            },
          };
        }
        const now = clock.advance(ms);
        const fired = await tick();
        const expired = await sweep();
        return { status: 200, body: { now: now.toISOString(), timers: fired, expired } };
      },
    },
    index: () => indexPage(urls),
    unavailable: () => unavailable,
  });

  const env = readEnv({
    ...process.env,
    AWS_REGION: 'eu-north-1',
    TABLE_NAME: 'kvalitetsdialog',
    INVITATION_STATE_MACHINE_ARN: invitationArn,
    MEETING_STATE_MACHINE_ARN: meetingArn,
    PUBLIC_BASE_URL: http.url,
    MAIL_FROM: 'Kvalitetsdialog <kvalitetsdialog@skolverket.example.se>',
    MAIL_REPLY_TO: 'kvalitetsdialog@skolverket.example.se',
    COORDINATOR_EMAIL: 'samordnare@skolverket.example.se',
    LINK_SIGNING_KEY: secrets.linkSigningKey,
    COORDINATOR_TOKEN: secrets.coordinatorToken,
    INSPECTORATE_TOKEN: secrets.inspectorateToken,
    INSPECTORATE_FEED_KEY: secrets.inspectorateFeedKey,
    FEED_SECRET_ARN: undefined,
    DYNAMODB_ENDPOINT: dynamoUrl,
    SES_ENDPOINT: sesUrl,
    SFN_ENDPOINT: sfnUrl,
    LOCAL_MODE: 'true',
    APP_SECRET_ARN: undefined,
    ...(opts.sesSendRate ? { SES_SEND_RATE: String(opts.sesSendRate) } : {}),
    ...(opts.schoolHolidayDefaults === false ? { SCHOOL_HOLIDAY_DEFAULTS: 'false' } : {}),
  });
  const deps = buildDeps(env, clock);
  setDeps(deps);

  const urls = { app: http.url, mailbox: sesUrl, dynamodb: dynamoUrl, sfn: sfnUrl };
  await ensureTable(
    new DynamoDBClient({ region: env.AWS_REGION, endpoint: dynamoUrl, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    env.TABLE_NAME,
  );
  const sweepDoc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: env.AWS_REGION, endpoint: dynamoUrl, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  // A folder from before the facts and search indexes (or an older definition of them): build them once.
  const factsRebuild = new DynamoFactsRebuild(sweepDoc, env.TABLE_NAME);
  if ((await factsRebuild.builtVersion()) !== INDEX_VERSION) {
    const built = await rebuildIndexes(deps, factsRebuild);
    if (built.dialogues + built.organisers > 0) log(`[indexes] rebuilt: ${built.dialogues} dialogues, ${built.organisers} organisers`);
  }
  if (opts.seed !== false && (await deps.organisers.list(1)).items.length === 0) {
    for (const o of demoOrganisers) await deps.organisers.put(toOrganiser(organiserInputSchema.parse(o), clock.now()));
    log(`[seed] ${demoOrganisers.length} demo organisers`);
    if (opts.demo) log(`[seed] ${await seedDemoScheduling(deps)}`);
  }
  sweep = () => sweepExpired(sweepDoc, env.TABLE_NAME, clock.now());
  const resumed = sfn.resume();
  if (resumed) log(`[sfn] resumed ${resumed} execution(s) that were running at the last stop`);

  const loop = setInterval(() => {
    if (unavailable) return;
    tick().catch((e) => log(`[timers] ${(e as Error).message}`));
  }, opts.tickMs ?? 2000);
  loop.unref();
  // The campaign sender's passes between the timer loop's ticks (the cloud's one-minute sender makes one a second).
  let passing: Promise<unknown> | undefined;
  const campaignLoop = setInterval(() => {
    if (passing || unavailable) return;
    passing = invokeTimerTick({ job: 'campaign-pass' })
      .catch((e) => log(`[campaigns] ${(e as Error).message}`))
      .finally(() => {
        passing = undefined;
      });
  }, opts.campaignPassMs ?? 1000);
  campaignLoop.unref();
  const sweeper = setInterval(() => {
    sweep().catch((e) => log(`[sweeper] ${(e as Error).message}`));
  }, 3_600_000);
  sweeper.unref();

  return {
    urls,
    tokens: { coordinator: secrets.coordinatorToken, inspectorate: secrets.inspectorateToken },
    async inspectorateFeedUrl() {
      const key = await deps.feedSecrets.inspectorateKey();
      return key ? `${http.url}/feeds/${key}/planned-dates.ics` : undefined;
    },
    clock,
    sfn,
    async: asyncInvoker,
    deps,
    resumed,
    tick,
    /** Fault injection for tests: the DynamoDB stand-in's storage refuses writes as a full disk does. */
    injectDiskFull(full: boolean) {
      dynamo.postMessage({ diskFull: full });
    },
    async stop() {
      stopping = true;
      clearInterval(loop);
      clearInterval(campaignLoop);
      clearInterval(sweeper);
      while (running) await running.catch(() => undefined);
      while (passing) await passing;
      await sfn.close();
      // The workflow has let its in-flight tasks finish; what is left are idle keep-alive sockets
      // (SDK clients, browsers), which close() would wait out: end them at once.
      await shutdown(http.server);
      carriedMail = await new Promise<unknown[]>((ok) => {
        ses.once('message', (m: { emails?: unknown[] }) => ok(m.emails ?? []));
        ses.postMessage('close');
      });
      await ses.terminate();
      if (!dynamoExited) {
        await new Promise<void>((ok) => {
          dynamo.once('message', () => ok());
          dynamo.once('exit', () => ok());
          dynamo.postMessage('close');
        });
        await dynamo.terminate();
      }
      lock.release();
      // Handlers read one process-wide deps (as in Lambda): only clear it if it is still ours.
      if (currentDeps() === deps) setDeps(undefined);
    },
  };
}

const devSesEventSchema = z.strictObject({
  dialogueId: z.string().check(z.minLength(1)),
  step: z._default(z.string().check(z.minLength(1)), 'invitation'),
  email: z.email(),
  type: z.enum(['delivery', 'bounce', 'complaint']),
  permanent: z._default(z.boolean(), true),
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return undefined;
  }
}

/** An SES event as EventBridge delivers it (source aws.ses), for the local dev route and tests. */
export function toSesEvent(e: z.output<typeof devSesEventSchema>, now: Date) {
  const at = now.toISOString();
  const mail = { timestamp: at, messageId: `local-${at}`, destination: [e.email], tags: { dialogue: [e.dialogueId], step: [e.step] } };
  const detail =
    e.type === 'delivery'
      ? { eventType: 'Delivery', mail, delivery: { recipients: [e.email], timestamp: at } }
      : e.type === 'bounce'
        ? {
            eventType: 'Bounce',
            mail,
            bounce: {
              bounceType: e.permanent ? 'Permanent' : 'Transient',
              bouncedRecipients: [{ emailAddress: e.email, diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
              timestamp: at,
            },
          }
        : { eventType: 'Complaint', mail, complaint: { complainedRecipients: [{ emailAddress: e.email }], timestamp: at } };
  return { source: 'aws.ses', 'detail-type': `Email ${e.type}`, time: at, detail };
}

/** Demo facilitators and one group intro session per demo organiser, through the coordinator use-cases. */
async function seedDemoScheduling(d: Deps): Promise<string> {
  const { createIntroSession, previewSlots, upsertFacilitator } = await import('#functions/use-cases/scheduling.ts');
  for (const f of demoFacilitators) await upsertFacilitator(d, f);
  let sessions = 0;
  for (const [organiserId, audience] of Object.entries(demoIntroAudiences)) {
    const o = await d.organisers.get(organiserId);
    const [slot] = await previewSlots(d, { kind: 'intro', organiserId });
    if (!o || !slot?.sessions[0]) continue;
    // The demo pair is mailed when an organiser books a place, not at every first boot.
    await createIntroSession(
      d,
      {
        region: o.region,
        start: slot.sessions[0].start.toISOString(),
        minutes: 90,
        videoLink: `https://mote.kvalitetsdialog.example.se/intro-${o.region}`,
        capacity: 8,
        audience,
        pair: slot.pair,
      },
      { mailPair: false },
    );
    sessions++;
  }
  return `${demoFacilitators.length} demo facilitators, ${sessions} group intro sessions`;
}

function shutdown(server: Server): Promise<void> {
  const closed = new Promise<void>((ok) => server.close(() => ok()));
  server.closeAllConnections();
  return closed;
}

/** What the stand-in answers to SES GetAccount: a production account sending at `rate` mails/s. */
function sesAccount(rate: number): string {
  return JSON.stringify({
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'TRANSACTIONAL',
      ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
      UseCaseDescription: 'Kvalitetsdialog, local runtime',
      WebsiteURL: 'https://kvalitetsdialog.example.se',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { Max24HourSend: 1_000_000, MaxSendRate: rate, SentLast24Hours: 0 },
    SuppressionAttributes: { SuppressedReasons: [] },
  });
}
