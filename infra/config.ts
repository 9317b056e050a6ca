/**
 * Per-stage settings of the cloud deployment. Each stage's settings live in the checked-in
 * `infra/stages.json`; `-c key=value` overrides one for a single synth. Everything is validated
 * with zod, so a typo fails the synth with a message instead of deploying a broken mail address,
 * and a stage other than `dev` refuses the example domain and any other placeholder value.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Construct } from 'constructs';
import * as z from '#core/zod.ts';
import { parseClashRules } from '#core/clash.ts';

/** The repository root: Lambda entries, templates/ and package-lock.json are found from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The checked-in per-stage settings, relative to the project root. */
export const STAGES_FILE = 'infra/stages.json';

/** The stage that may synthesize with placeholder values (tests, `npm run synth` offline). */
export const PLACEHOLDER_STAGE = 'dev';

const DEFAULT_DOMAIN = 'kvalitetsdialog.example.se';

/** Context values given with `-c` arrive as strings, values from a JSON file as numbers. */
const count = (fallback: number, min = 1) => z._default(z.coerce.number().check(z.int(), z.gte(min)), fallback);

/** "Name <address>" or a bare address; returns the address. */
const addressOf = (mailbox: string) => /<([^>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox.trim();

/**
 * A host is a placeholder when one of its labels is `example` (example.se, example.com, x.example)
 * or it sits under a TLD reserved for tests and documentation (RFC 2606 / RFC 6761).
 */
export function isPlaceholderHost(host: string): boolean {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  return labels.includes('example') || ['test', 'invalid', 'localhost', 'local'].includes(labels.at(-1) ?? '');
}

/** A list from a JSON file (array), or from `-c` (a JSON array or comma-separated addresses). */
const stringList = z.pipe(
  z.union([z.array(z.string()), z.string()]),
  z.transform((v) => {
    if (Array.isArray(v)) return v.map((s) => s.trim()).filter(Boolean);
    const text = v.trim();
    if (text.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed)) return parsed.map((s) => String(s).trim()).filter(Boolean);
      } catch {
        // not JSON: read it as a comma-separated list below
      }
    }
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }),
);

/** How a new state-machine version reaches the `live` alias (Step Functions' DeploymentPreference). */
const workflowDeploymentSchema = z._default(
  z.pipe(
    z.transform((v: unknown) => {
      if (typeof v !== 'string') return v;
      try {
        return JSON.parse(v);
      } catch {
        return v;
      }
    }),
    z.strictObject({
      type: z.enum(['ALL_AT_ONCE', 'CANARY', 'LINEAR']),
      /** CANARY: the share that runs the new version first; LINEAR: the step. */
      percentage: z.optional(z.number().check(z.int(), z.gte(1), z.lte(99))),
      /** Minutes between the steps (CANARY: before the rest shifts). */
      intervalMinutes: z.optional(z.number().check(z.int(), z.gte(1), z.lte(2100))),
    }),
  ),
  { type: 'ALL_AT_ONCE' as const },
);

const settingsShape = {
  region: z._default(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/)), 'eu-north-1'),
  /** Pin the account (required outside dev: a deploy with the wrong credentials fails instead of landing elsewhere). */
  account: z.optional(z.coerce.string().check(z.regex(/^\d{12}$/, 'a 12-digit AWS account id'))),
  /** SES domain identity the mail is sent from (verified by DKIM records after deploy). */
  sesIdentity: z._default(z.string().check(z.regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/i, 'a domain name')), DEFAULT_DOMAIN),
  mailFrom: z.optional(z.string()),
  mailReplyTo: z.optional(z.string()),
  coordinatorEmail: z.optional(z.email()),
  /** Where the links in the mails point: the API's custom domain, or its execute-api URL. */
  publicBaseUrl: z.optional(z.url({ protocol: /^https$/ })),
  /** Optional custom domain for the HTTP API; needs an ACM certificate in the same region. */
  apiDomainName: z.optional(z.string()),
  apiCertificateArn: z.optional(z.string().check(z.startsWith('arn:aws'))),
  /** Who gets the alarms (ALARM and OK) by e-mail; each address confirms its SNS subscription once. */
  alertEmails: z._default(stringList, []),
  reminderAfterDays: count(7),
  maxReminders: count(2, 0),
  escalateAfterDays: count(7),
  linkValidDays: count(60),
  logRetentionDays: count(90),
  /** Process settings the functions read (see docs/deploy.md): JSON or plain values, checked below. */
  clashRules: z.optional(z.string()),
  schoolHolidays: z.optional(z.string()),
  officeHours: z.optional(z.string().check(z.regex(/^\d\d:\d\d-\d\d:\d\d$/, 'HH:MM-HH:MM'))),
  sesSendRate: z.optional(z.coerce.number().check(z.positive(), z.lte(1000))),
  mailLogRetentionDays: count(400),
  /** Prefix of the Cognito hosted UI's domain (<prefix>.auth.<region>.amazoncognito.com); globally unique. Default: the resource prefix. */
  authDomainPrefix: z.optional(
    z.string().check(
      z.regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and dashes'),
      z.refine((v) => !/aws|amazon|cognito/.test(v), 'must not contain aws, amazon or cognito'),
    ),
  ),
  apiRateLimit: count(20),
  apiBurstLimit: count(40),
  workflowDeployment: workflowDeploymentSchema,
};

const contextSchema = z
  .pipe(
    z.object({
      stage: z._default(
        z.string().check(z.regex(/^[a-z][a-z0-9-]{1,15}$/, 'lower-case letters, digits and dashes, 2-16 characters')),
        PLACEHOLDER_STAGE,
      ),
      ...settingsShape,
    }),
    z.transform((c) => {
      const mailFrom = c.mailFrom ?? `Kvalitetsdialog <noreply@${c.sesIdentity}>`;
      return {
        ...c,
        mailFrom,
        mailReplyTo: c.mailReplyTo ?? `kvalitetsdialog@${c.sesIdentity}`,
        coordinatorEmail: c.coordinatorEmail ?? `samordnare@${c.sesIdentity}`,
        publicBaseUrl: (c.publicBaseUrl ?? `https://${c.apiDomainName ?? c.sesIdentity}`).replace(/\/+$/, ''),
        /** Physical-name prefix of the stage's resources. */
        prefix: `kvalitetsdialog-${c.stage}`,
      };
    }),
  )
  .check(
    z.superRefine((c, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      try {
        parseClashRules(c.clashRules);
      } catch (e) {
        issue('clashRules', (e as Error).message);
      }
      const fromDomain = addressOf(c.mailFrom).split('@')[1]?.toLowerCase() ?? '';
      const identity = c.sesIdentity.toLowerCase();
      if (fromDomain !== identity && !fromDomain.endsWith(`.${identity}`))
        issue('mailFrom', `must be an address at ${c.sesIdentity} (the SES identity)`);
      if (!z.email().safeParse(addressOf(c.mailReplyTo)).success) issue('mailReplyTo', 'must be an e-mail address');
      if (Boolean(c.apiDomainName) !== Boolean(c.apiCertificateArn))
        issue('apiDomainName', 'apiDomainName and apiCertificateArn go together');
      for (const [i, address] of c.alertEmails.entries()) {
        if (!z.email().safeParse(address).success) issue('alertEmails', `"${address}" (entry ${i + 1}) is not an e-mail address`);
      }
      const { type, percentage, intervalMinutes } = c.workflowDeployment;
      if (type !== 'ALL_AT_ONCE' && (percentage === undefined || intervalMinutes === undefined))
        issue('workflowDeployment', `${type} needs percentage and intervalMinutes`);
      if (type === 'ALL_AT_ONCE' && (percentage !== undefined || intervalMinutes !== undefined))
        issue('workflowDeployment', 'ALL_AT_ONCE takes no percentage or intervalMinutes');

      if (c.stage === PLACEHOLDER_STAGE) return;
      // Outside dev every mail link, sender and callback must be real: no example domain, no default.
      const hosts: [string, string | undefined][] = [
        ['sesIdentity', c.sesIdentity],
        ['mailFrom', addressOf(c.mailFrom).split('@')[1]],
        ['mailReplyTo', addressOf(c.mailReplyTo).split('@')[1]],
        ['coordinatorEmail', c.coordinatorEmail.split('@')[1]],
        ['publicBaseUrl', URL.canParse(c.publicBaseUrl) ? new URL(c.publicBaseUrl).hostname : undefined],
        ['apiDomainName', c.apiDomainName],
        ...c.alertEmails.map((a): [string, string | undefined] => ['alertEmails', a.split('@')[1]]),
      ];
      for (const [key, host] of hosts) {
        if (host && isPlaceholderHost(host))
          issue(key, `${host} is a placeholder: stage ${c.stage} needs the real value (in ${STAGES_FILE} or -c ${key}=...)`);
      }
      if (c.alertEmails.length === 0)
        issue(
          'alertEmails',
          `stage ${c.stage} needs at least one address that receives the alarms (${STAGES_FILE} or -c alertEmails=a@b.se,c@d.se)`,
        );
      if (!c.account)
        issue('account', `stage ${c.stage} needs the account it deploys to pinned (${STAGES_FILE} or -c account=123456789012)`);
    }),
  );

export type ServiceConfig = z.output<typeof contextSchema>;
export type WorkflowDeployment = ServiceConfig['workflowDeployment'];
/** The settings a stage may carry (everything but `stage` itself). */
export const SETTING_KEYS = Object.keys(settingsShape) as (keyof typeof settingsShape)[];
export type StageSettings = Partial<Record<(typeof SETTING_KEYS)[number], unknown>>;

/** The checked-in per-stage settings. */
export function readStagesFile(root = PROJECT_ROOT): Record<string, StageSettings> {
  return JSON.parse(readFileSync(join(root, STAGES_FILE), 'utf8'));
}

/**
 * Reads the stage from context (default dev), its settings from the stages file and any `-c`
 * override on top, and validates the lot; throws with every problem listed.
 */
export function loadConfig(scope: Construct, stages: Record<string, StageSettings> = readStagesFile()): ServiceConfig {
  const given = (key: string) => {
    const v = scope.node.tryGetContext(key);
    return v === undefined || v === '' ? undefined : v;
  };
  const stage = String(given('stage') ?? PLACEHOLDER_STAGE);
  const fromFile = stages[stage];
  if (!fromFile) {
    throw new Error(`Invalid CDK context:\n  stage: "${stage}" is not in ${STAGES_FILE} (known: ${Object.keys(stages).join(', ')})`);
  }
  const unknown = Object.keys(fromFile).filter((k) => !(SETTING_KEYS as string[]).includes(k));
  if (unknown.length > 0) throw new Error(`Invalid ${STAGES_FILE}:\n  ${stage}: unknown setting(s) ${unknown.join(', ')}`);
  const overrides = Object.fromEntries(SETTING_KEYS.map((key) => [key, given(key)]).filter(([, v]) => v !== undefined));
  const parsed = contextSchema.safeParse({ ...fromFile, ...overrides, stage });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(context)'}: ${i.message}`);
    throw new Error(`Invalid CDK context for stage ${stage}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
