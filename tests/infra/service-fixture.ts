/**
 * Builds the service's CDK app the way infra/app.ts does, with cdk.json's context and the
 * checked-in stages file, for the infra tests. Bundling is skipped unless asked for (it is
 * exercised once, in cdk-nag.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { PROJECT_ROOT } from '#infra/config.ts';
import { buildService, type ServiceStacks } from '#infra/service.ts';
import type { CfnTemplate } from './service-rules.ts';

const cdkJsonContext: Record<string, unknown> = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;

/** Settings a real stage outside dev must have (no placeholder domains, an account, alert addresses). */
export const REAL_STAGE_CONTEXT = {
  stage: 'prod',
  account: '111111111111',
  sesIdentity: 'kvalitetsdialog.skolverket.se',
  coordinatorEmail: 'samordnare@skolverket.se',
  apiDomainName: 'dialog.skolverket.se',
  apiCertificateArn: 'arn:aws:acm:eu-north-1:111111111111:certificate/0000-1111',
  alertEmails: ['drift@skolverket.se', 'jour@skolverket.se'],
};

export interface FixtureOptions {
  context?: Record<string, unknown>;
  bundle?: boolean;
  nag?: boolean;
}

export function buildTestService(options: FixtureOptions = {}): { app: App; stacks: ServiceStacks } {
  const app = new App({
    context: { ...cdkJsonContext, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...options.context },
  });
  return { app, stacks: buildService(app, { nag: options.nag ?? false }) };
}

export type StackName = Exclude<keyof ServiceStacks, 'config' | 'alarms'>;
export const STACK_NAMES: StackName[] = ['alerts', 'data', 'secrets', 'email', 'auth', 'signin', 'workflows', 'api', 'monitoring'];

/** One synth of the default app, shared by the assertions of a test file. */
export function defaultTemplates(options: FixtureOptions = {}): Record<StackName, Template> & { stacks: ServiceStacks } {
  const { stacks } = buildTestService(options);
  return Object.assign(Object.fromEntries(STACK_NAMES.map((n) => [n, Template.fromStack(stacks[n])])) as Record<StackName, Template>, {
    stacks,
  });
}

/** Every stack's template as CloudFormation JSON, by stack name. */
export function templatesJson(stacks: ServiceStacks): Record<string, CfnTemplate> {
  return Object.fromEntries(STACK_NAMES.map((n) => [stacks[n].stackName, Template.fromStack(stacks[n]).toJSON() as CfnTemplate]));
}

/** The logical id CloudFormation knows a construct's default resource by. */
export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}
