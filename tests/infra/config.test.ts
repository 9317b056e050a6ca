import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#infra/config.ts';
import { buildTestService } from './service-fixture.ts';

const withContext = (context: Record<string, unknown>) => loadConfig(new App({ context }));

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
    });
  });

  it('reads -c strings as numbers and trims the trailing slash of the base URL', () => {
    const config = withContext({ stage: 'prod', reminderAfterDays: '5', maxReminders: '0', publicBaseUrl: 'https://dialog.example.se/' });
    expect(config).toMatchObject({ stage: 'prod', prefix: 'kvalitetsdialog-prod', reminderAfterDays: 5, maxReminders: 0 });
    expect(config.publicBaseUrl).toBe('https://dialog.example.se');
  });

  it('rejects a bad stage and a non-https base URL, listing each', () => {
    const act = () => withContext({ stage: 'Prod!', publicBaseUrl: 'http://dialog.example.se' });
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
