import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { defaultTemplates } from './service-fixture.ts';

const t = defaultTemplates();
const templates = [t.data, t.email, t.secrets, t.workflows, t.api];

type Statement = { Action: string | string[]; Resource?: unknown; Effect: string };
const statements = (): Statement[] =>
  templates.flatMap((tpl) =>
    Object.values(tpl.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]),
  );

describe('least privilege', () => {
  it('grants no wildcard actions (no "*" and no "service:*")', () => {
    const actions = statements().flatMap((s) => [s.Action].flat());
    expect(actions.length).toBeGreaterThan(10);
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
  });

  it('uses Resource "*" only for actions without resource-level permissions (X-Ray, log delivery)', () => {
    const onStar = statements()
      .filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')))
      .flatMap((s) => [s.Action].flat());
    expect(onStar.every((a) => a.startsWith('xray:') || a.startsWith('logs:'))).toBe(true);
  });

  it('sends undeliverable and failed timer ticks and SES events to dead-letter queues', () => {
    t.workflows.resourceCountIs('AWS::SQS::Queue', 4);
    t.workflows.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() } }),
    });
  });
});
