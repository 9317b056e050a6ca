import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { isPlaceholderHost, loadConfig, readStagesFile, type StageSettings } from '#infra/config.ts';
import { buildTestService, REAL_STAGE_CONTEXT } from './service-fixture.ts';

const stages: Record<string, StageSettings> = { dev: {}, prod: { region: 'eu-north-1' } };
const withContext = (context: Record<string, unknown>, file = stages) => loadConfig(new App({ context }), file);
const real = (over: Record<string, unknown> = {}) => withContext({ ...REAL_STAGE_CONTEXT, ...over });

describe('loadConfig', () => {
  it('has defaults that synthesize offline', () => {
    expect(withContext({})).toMatchObject({
      stage: 'dev',
      region: 'eu-north-1',
      prefix: 'kvalitetsdialog-dev',
      sesIdentity: 'kvalitetsdialog.example.se',
      mailFrom: 'Kvalitetsdialog <noreply@kvalitetsdialog.example.se>',
      publicBaseUrl: 'https://kvalitetsdialog.example.se',
      reminderAfterDays: 7,
      maxReminders: 2,
      escalateAfterDays: 7,
      linkValidDays: 60,
      alertEmails: [],
      workflowDeployment: { type: 'ALL_AT_ONCE' },
    });
  });

  it('reads -c strings as numbers and trims the trailing slash of the base URL', () => {
    const config = withContext({ reminderAfterDays: '5', maxReminders: '0', publicBaseUrl: 'https://dialog.example.se/' });
    expect(config).toMatchObject({ stage: 'dev', prefix: 'kvalitetsdialog-dev', reminderAfterDays: 5, maxReminders: 0 });
    expect(config.publicBaseUrl).toBe('https://dialog.example.se');
  });

  it('rejects a bad stage and a non-https base URL, listing each', () => {
    const act = () => withContext({ stage: 'Prod!', publicBaseUrl: 'http://dialog.example.se' }, { ...stages, 'Prod!': {} });
    expect(act).toThrow(/stage:/);
    expect(act).toThrow(/publicBaseUrl:/);
  });

  it('rejects a sender address outside the SES identity domain', () => {
    expect(() => withContext({ mailFrom: 'noreply@elsewhere.se' })).toThrow(/mailFrom: must be an address at kvalitetsdialog.example.se/);
    expect(withContext({ mailFrom: 'Dialog <noreply@mail.kvalitetsdialog.example.se>' }).mailFrom).toContain('@mail.');
  });

  it('wants a custom domain and its certificate together', () => {
    expect(() => withContext({ apiDomainName: 'dialog.example.se' })).toThrow(/apiDomainName and apiCertificateArn go together/);
  });
});

describe('stages', () => {
  it('reads a stage’s settings from the stages file, and -c overrides one', () => {
    const file = { dev: { reminderAfterDays: 3, linkValidDays: 30 } };
    expect(withContext({}, file)).toMatchObject({ reminderAfterDays: 3, linkValidDays: 30 });
    expect(withContext({ reminderAfterDays: '4' }, file)).toMatchObject({ reminderAfterDays: 4, linkValidDays: 30 });
  });

  it('refuses a stage that is not in the stages file, and a setting it does not know', () => {
    expect(() => withContext({ stage: 'staging' })).toThrow(/stage: "staging" is not in infra\/stages.json \(known: dev, prod\)/);
    expect(() => withContext({}, { dev: { reminderDays: 3 } as StageSettings })).toThrow(/dev: unknown setting\(s\) reminderDays/);
  });

  it('keeps a valid dev and prod in the checked-in file; prod refuses to synthesize until its real values are filled in', () => {
    // Prepare
    const file = readStagesFile();

    // Act
    const dev = withContext({}, file);
    const prod = () => withContext({ stage: 'prod' }, file);

    // Assess
    expect(Object.keys(file)).toEqual(expect.arrayContaining(['dev', 'prod']));
    expect(dev.stage).toBe('dev');
    expect(prod).toThrow(/sesIdentity: kvalitetsdialog.example.se is a placeholder: stage prod needs the real value/);
    expect(prod).toThrow(/alertEmails: stage prod needs at least one address/);
    expect(prod).toThrow(/account: stage prod needs the account/);
    expect(withContext({ ...REAL_STAGE_CONTEXT }, file).workflowDeployment).toEqual({
      type: 'CANARY',
      percentage: 10,
      intervalMinutes: 10,
    });
  });

  it('outside dev, refuses the example domain in every mail address, link and callback', () => {
    expect(real()).toMatchObject({
      stage: 'prod',
      publicBaseUrl: 'https://dialog.skolverket.se',
      alertEmails: ['drift@skolverket.se', 'jour@skolverket.se'],
    });
    expect(() => real({ publicBaseUrl: 'https://dialog.example.se' })).toThrow(/publicBaseUrl: dialog.example.se is a placeholder/);
    expect(() => real({ coordinatorEmail: 'samordnare@example.com' })).toThrow(/coordinatorEmail: example.com is a placeholder/);
    expect(() => real({ mailReplyTo: 'svar@skolverket.test' })).toThrow(/mailReplyTo: skolverket.test is a placeholder/);
    expect(() => real({ alertEmails: 'jour@example.org' })).toThrow(/alertEmails: example.org is a placeholder/);
    expect(() => real({ apiDomainName: 'api.example.net' })).toThrow(/apiDomainName: api.example.net is a placeholder/);
  });

  it('knows a placeholder host', () => {
    for (const host of ['example.se', 'kvalitetsdialog.example.se', 'example.com', 'x.example', 'a.test', 'b.invalid', 'localhost'])
      expect(isPlaceholderHost(host), host).toBe(true);
    for (const host of ['skolverket.se', 'examples.se', 'spsm.se']) expect(isPlaceholderHost(host), host).toBe(false);
  });
});

describe('alert addresses', () => {
  it('reads a list from the stages file, or from -c as a JSON array or comma-separated', () => {
    expect(withContext({}, { dev: { alertEmails: ['a@b.se', 'c@d.se'] } }).alertEmails).toEqual(['a@b.se', 'c@d.se']);
    expect(withContext({ alertEmails: '["a@b.se","c@d.se"]' }).alertEmails).toEqual(['a@b.se', 'c@d.se']);
    expect(withContext({ alertEmails: 'a@b.se, c@d.se' }).alertEmails).toEqual(['a@b.se', 'c@d.se']);
  });

  it('fails the synth with a clear message on a bad address', () => {
    expect(() => withContext({ alertEmails: 'a@b.se,drift-at-skolverket.se' })).toThrow(
      /alertEmails: "drift-at-skolverket.se" \(entry 2\) is not an e-mail address/,
    );
  });
});

describe('workflow deployment', () => {
  it('takes a canary or linear shift with its step, from the file or -c as JSON', () => {
    expect(withContext({ workflowDeployment: '{"type":"LINEAR","percentage":25,"intervalMinutes":5}' }).workflowDeployment).toEqual({
      type: 'LINEAR',
      percentage: 25,
      intervalMinutes: 5,
    });
    expect(() => withContext({ workflowDeployment: { type: 'CANARY' } })).toThrow(/CANARY needs percentage and intervalMinutes/);
  });
});

describe('process settings from context', () => {
  it('accepts clash rules, school holidays, office hours and the send rate, and rejects bad clash rules', () => {
    const config = withContext({ clashRules: '{"physical_meeting":{"bufferDays":10}}', officeHours: '08:00-16:00', sesSendRate: '20' });
    expect(config).toMatchObject({
      clashRules: '{"physical_meeting":{"bufferDays":10}}',
      officeHours: '08:00-16:00',
      sesSendRate: 20,
      mailLogRetentionDays: 400,
    });
    expect(() => withContext({ clashRules: '{"physical_meeting":' })).toThrow(/clashRules: CLASH_RULES is not valid JSON/);
  });

  it('hands them to every function as the environment it reads', () => {
    const { stacks } = buildTestService({ context: { clashRules: '{"digital_meeting":{"bufferDays":2}}', sesSendRate: '9' } });
    Template.fromStack(stacks.workflows).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CLASH_RULES: '{"digital_meeting":{"bufferDays":2}}', SES_SEND_RATE: '9' }) },
    });
  });
});
