/**
 * Builds the service's CDK app the way infra/app.ts does, with cdk.json's context, for the infra
 * tests. Bundling is skipped unless asked for (it is exercised once, in cdk-nag.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { PROJECT_ROOT } from '#infra/config.ts';
import { buildService, type ServiceStacks } from '#infra/service.ts';

const cdkJsonContext: Record<string, unknown> = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;

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

export type StackName = Exclude<keyof ServiceStacks, 'config'>;

/** One synth of the default app, shared by the assertions of a test file. */
export function defaultTemplates(): Record<StackName, Template> & { stacks: ServiceStacks } {
  const { stacks } = buildTestService();
  const names: StackName[] = ['data', 'secrets', 'email', 'workflows', 'api', 'auth'];
  return Object.assign(Object.fromEntries(names.map((n) => [n, Template.fromStack(stacks[n])])) as Record<StackName, Template>, { stacks });
}

/** The logical id CloudFormation knows a construct's default resource by. */
export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}
