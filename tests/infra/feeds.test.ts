/**
 * The calendar feeds in the cloud: a function that reads the table and the inspectorate's feed-key
 * secret and nothing else; the console's reports function alone may replace that key.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { readEnv } from '#adapters/env.ts';
import type { ServiceFunction } from '#infra/constructs/service-function.ts';
import { defaultTemplates, logicalIdOf } from './service-fixture.ts';

const t = defaultTemplates();
const { api, secrets } = t.stacks;

function statements(fn: ServiceFunction, template: Template): { actions: string[]; resource: string }[] {
  const roleId = logicalIdOf(fn.role);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .map((s: { Action: string | string[]; Resource: unknown }) => ({ actions: [s.Action].flat(), resource: JSON.stringify(s.Resource) }));
}
const variables = (fn: ServiceFunction): Record<string, unknown> =>
  t.api.findResources('AWS::Lambda::Function')[logicalIdOf(fn.function)]?.Properties.Environment.Variables;
const feedSecretRef = () => logicalIdOf(secrets.feedSecret as never);

describe('the feeds function', () => {
  const feeds = api.functions.feeds;

  it('gets the feed-key secret, not the application secret', () => {
    const env = variables(feeds);
    expect(env.FEED_SECRET_ARN).toBeDefined();
    expect(env.APP_SECRET_ARN).toBeUndefined();
    expect(JSON.stringify(env.FEED_SECRET_ARN)).toContain(feedSecretRef());
  });

  it('gets variables the handler accepts (deploy-time references stubbed)', () => {
    const stubbed = Object.fromEntries(
      Object.entries(variables(feeds)).map(([k, v]) => [k, typeof v === 'string' ? v : `https://resolved-at-deploy.invalid/${k}`]),
    );
    const env = readEnv(stubbed);
    expect(env.FEED_SECRET_ARN).toBeDefined();
    expect(env.APP_SECRET_ARN).toBeUndefined();
    expect(env.LOCAL_MODE).toBe('false');
  });

  it('reads the table (Query on byKind only) and the feed key, and writes nothing', () => {
    const granted = statements(feeds, t.api);
    const actions = granted.flatMap((s) => s.actions);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'secretsmanager:GetSecretValue']));
    for (const write of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'secretsmanager:PutSecretValue',
    ])
      expect(actions).not.toContain(write);
    const secretsRead = granted.filter((s) => s.actions.some((a) => a.startsWith('secretsmanager:')));
    expect(secretsRead).toHaveLength(1);
    expect(secretsRead[0]?.resource).toContain(feedSecretRef());
    const index = granted.find((s) => s.actions.length === 1 && s.actions[0] === 'dynamodb:Query')?.resource ?? '';
    expect(index).toContain('/index/byKind');
    expect(index).not.toContain('/index/byState');
    expect(actions.filter((a) => a.startsWith('states:') || a.startsWith('ses:'))).toEqual([]);
  });
});

describe('replacing the inspectorate feed key', () => {
  it('is granted to the console reports function alone, as PutSecretValue on that one secret', () => {
    const putters = Object.entries(api.functions).filter(([, fn]) =>
      statements(fn, t.api).some((s) => s.actions.includes('secretsmanager:PutSecretValue')),
    );
    expect(putters.map(([name]) => name)).toEqual(['consoleReports']);
    const put = statements(api.functions.consoleReports, t.api).filter((s) => s.actions.includes('secretsmanager:PutSecretValue'));
    expect(put).toEqual([{ actions: ['secretsmanager:PutSecretValue'], resource: expect.stringContaining(feedSecretRef()) }]);
  });
});
