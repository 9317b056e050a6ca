/**
 * Per-stage settings of the cloud deployment, read once from CDK context (`cdk.json` or
 * `-c key=value`) and validated with zod, so a typo fails the synth with a message instead of
 * deploying a broken mail address. Everything has a default that synthesizes offline.
 */
import { fileURLToPath } from 'node:url';
import type { Construct } from 'constructs';
import * as z from '#core/zod.ts';
import { parseClashRules } from '#core/clash.ts';

/** The repository root: Lambda entries, templates/ and package-lock.json are found from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

const DEFAULT_DOMAIN = 'kvalitetsdialog.example.se';

/** Context values given with `-c` arrive as strings, values from cdk.json as numbers. */
const count = (fallback: number, min = 1) => z._default(z.coerce.number().check(z.int(), z.gte(min)), fallback);

/** "Name <address>" or a bare address; returns the address. */
const addressOf = (mailbox: string) => /<([^>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox.trim();

const contextSchema = z
  .pipe(
    z.object({
      stage: z._default(
        z.string().check(z.regex(/^[a-z][a-z0-9-]{1,15}$/, 'lower-case letters, digits and dashes, 2-16 characters')),
        'dev',
      ),
      region: z._default(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/)), 'eu-north-1'),
      /** Optional: pin the account; otherwise the CLI's credentials decide (CDK_DEFAULT_ACCOUNT). */
      account: z.optional(z.string().check(z.regex(/^\d{12}$/))),
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
      try {
        parseClashRules(c.clashRules);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['clashRules'], message: (e as Error).message });
      }
      const fromDomain = addressOf(c.mailFrom).split('@')[1]?.toLowerCase() ?? '';
      const identity = c.sesIdentity.toLowerCase();
      if (fromDomain !== identity && !fromDomain.endsWith(`.${identity}`)) {
        ctx.addIssue({
          code: 'custom',
          path: ['mailFrom'],
          message: `must be an address at ${c.sesIdentity} (the SES identity)`,
        });
      }
      if (!z.email().safeParse(addressOf(c.mailReplyTo)).success) {
        ctx.addIssue({
          code: 'custom',
          path: ['mailReplyTo'],
          message: 'must be an e-mail address',
        });
      }
      if (Boolean(c.apiDomainName) !== Boolean(c.apiCertificateArn)) {
        ctx.addIssue({
          code: 'custom',
          path: ['apiDomainName'],
          message: 'apiDomainName and apiCertificateArn go together',
        });
      }
    }),
  );

export type ServiceConfig = z.output<typeof contextSchema>;
export const CONTEXT_KEYS = Object.keys(contextSchema.def.in.shape) as (keyof z.input<typeof contextSchema>)[];

/** Reads and validates the service's context keys; throws with every problem listed. */
export function loadConfig(scope: Construct): ServiceConfig {
  const raw = Object.fromEntries(
    CONTEXT_KEYS.map((key) => [key, scope.node.tryGetContext(key)]).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = contextSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(context)'}: ${i.message}`);
    throw new Error(`Invalid CDK context:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
