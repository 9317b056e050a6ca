/**
 * The create rules of the AWS services, applied to synthesized CloudFormation templates. CDK checks
 * little of this at synth and `cdk synth` succeeds; CloudFormation (or the service behind it) then
 * refuses the resource halfway through the first deploy. Two kinds of rule:
 *
 * - the resource schemas CloudFormation validates against (@aws-cdk/aws-service-spec, generated
 *   from the CloudFormation registry): known types and properties, required properties, allowed
 *   values, value types;
 * - service rules outside the schemas, each with the service's own words in `source`.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, SpecDatabase } from '@aws-cdk/service-spec-types';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
}

export interface Finding {
  stack: string;
  resource: string;
  rule: RuleName;
  message: string;
}

export type RuleName =
  | 'schema'
  | 'cognito-oauth-client'
  | 'stage-route-settings'
  | 'lambda-policy-size'
  | 'retained-fixed-name'
  | 'protected-shares-stack';

/** Where each service rule is written down. */
export const RULE_SOURCES: Record<Exclude<RuleName, 'schema'>, string> = {
  'cognito-oauth-client':
    'Cognito CreateUserPoolClient: AllowedOAuthFlowsUserPoolClient "must have a value of true before you can configure ... CallbackURLs, AllowedOAuthScopes, AllowedOAuthFlows", and a client with it true needs flows and scopes; client_credentials cannot be combined with code or implicit.',
  'stage-route-settings':
    'API Gateway (HTTP API) CreateStage resolves every RouteSettings key against the existing routes: "Unable to find Route by key ... within the provided RouteSettings" unless the routes exist first.',
  'lambda-policy-size': 'Lambda quotas: a function resource-based policy is at most 20 KB.',
  'retained-fixed-name':
    'CloudFormation DeletionPolicy Retain keeps the resource when the create that made it rolls back; with a fixed physical name the retry fails with "already exists" (RetainExceptOnCreate deletes it on that rollback).',
  'protected-shares-stack':
    'A deletion-protected resource cannot be deleted by a rollback (Cognito DeleteUserPool: "The user pool cannot be deleted because deletion protection is activated"): anything else in its stack that fails on create leaves it orphaned.',
};

const LAMBDA_POLICY_LIMIT_BYTES = 20 * 1024;

let spec: SpecDatabase | undefined;
function specDb(): SpecDatabase {
  spec ??= loadAwsServiceSpecSync();
  return spec;
}

const isIntrinsic = (v: unknown): boolean =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && /^(Ref|Fn::)/.test(Object.keys(v)[0] ?? '');

/** Checks one value against a schema type; pushes what is wrong. */
function checkValue(value: unknown, type: PropertyType, path: string, problems: string[]): void {
  if (isIntrinsic(value)) return;
  const db = specDb();
  switch (type.type) {
    case 'json':
      return;
    case 'string':
    case 'date-time':
      if (!['string', 'number', 'boolean'].includes(typeof value)) problems.push(`${path}: expected a string`);
      else if ('allowedValues' in type && Array.isArray(type.allowedValues) && !type.allowedValues.includes(String(value)))
        problems.push(`${path}: "${value}" is not one of ${type.allowedValues.join(', ')}`);
      return;
    case 'integer':
    case 'number':
      if (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))) {
        if ('allowedValues' in type && Array.isArray(type.allowedValues) && !type.allowedValues.includes(Number(value)))
          problems.push(`${path}: ${value} is not one of ${type.allowedValues.join(', ')}`);
      } else problems.push(`${path}: expected a number`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') problems.push(`${path}: expected a boolean`);
      return;
    case 'array':
      if (!Array.isArray(value)) problems.push(`${path}: expected a list`);
      else for (const [i, v] of value.entries()) checkValue(v, type.element, `${path}[${i}]`, problems);
      return;
    case 'map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) problems.push(`${path}: expected a map`);
      else for (const [k, v] of Object.entries(value)) checkValue(v, type.element, `${path}.${k}`, problems);
      return;
    case 'tag':
      if (value === null || typeof value !== 'object' || !('Key' in value) || !('Value' in value))
        problems.push(`${path}: expected {Key, Value}`);
      return;
    case 'union': {
      const fits = type.types.some((t) => {
        const p: string[] = [];
        checkValue(value, t, path, p);
        return p.length === 0;
      });
      if (!fits) problems.push(`${path}: fits none of the allowed shapes`);
      return;
    }
    case 'ref': {
      const def = db.get('typeDefinition', type.reference.$ref);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${path}: expected a ${def.name} object`);
        return;
      }
      checkProperties(value as Record<string, unknown>, def.properties, path, problems);
      return;
    }
    default:
      return;
  }
}

function checkProperties(value: Record<string, unknown>, schema: Record<string, Property>, path: string, problems: string[]): void {
  for (const [name, prop] of Object.entries(schema)) {
    if (prop.required && value[name] === undefined) problems.push(`${path}.${name}: required`);
  }
  for (const [name, v] of Object.entries(value)) {
    const prop = schema[name];
    if (!prop) problems.push(`${path}.${name}: not a property of this type`);
    else if (v !== undefined) checkValue(v, prop.type, `${path}.${name}`, problems);
  }
}

/** Logical ids a resource refers to (Ref, Fn::GetAtt) or waits for (DependsOn). */
function directDependencies(resource: CfnResource): Set<string> {
  const out = new Set<string>([resource.DependsOn ?? []].flat());
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.Ref === 'string') out.add(o.Ref);
      const getAtt = o['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') out.add(getAtt[0]);
      Object.values(o).forEach(walk);
    }
  };
  walk(resource.Properties);
  return out;
}

function createdBefore(resources: Record<string, CfnResource>, id: string, target: string): boolean {
  const seen = new Set<string>();
  const stack = [...directDependencies(resources[id] ?? { Type: '' })];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (next === target) return true;
    if (seen.has(next) || !resources[next]) continue;
    seen.add(next);
    stack.push(...directDependencies(resources[next]));
  }
  return false;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** A realistic rendering of a resource-policy statement: tokens become the longest values AWS allows. */
function policyStatementBytes(permission: Record<string, unknown>, logicalId: string): number {
  const render = (v: unknown, longest: number): string => (typeof v === 'string' ? v : 'x'.repeat(longest));
  const sourceArn = permission.SourceArn
    ? JSON.stringify(permission.SourceArn)
        .replace(/\{"Ref":"AWS::Partition"\}/g, '"aws"')
        .replace(/\{"Ref":"AWS::Region"\}/g, '"eu-north-1"')
        .replace(/\{"Ref":"AWS::AccountId"\}/g, '"123456789012"')
        .replace(/\{"Ref":"[^"]+"\}/g, '"abcdefghij"')
    : undefined;
  const statement = {
    // CloudFormation names the statement after the stack and the logical id plus a suffix.
    Sid: `kvalitetsdialog-prod-api-${logicalId}-ABCDEFGHIJKL`,
    Effect: 'Allow',
    Principal: { Service: render(permission.Principal, 40) },
    Action: render(permission.Action, 30),
    Resource: `arn:aws:lambda:eu-north-1:123456789012:function:${'f'.repeat(64)}`,
    ...(sourceArn ? { Condition: { ArnLike: { 'AWS:SourceArn': sourceArn } } } : {}),
  };
  return JSON.stringify(statement).length;
}

/** The estimated size of each function's resource policy (function reference → bytes), from its permissions. */
export function lambdaPolicyBytes(template: CfnTemplate): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const [id, r] of Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::Lambda::Permission')) {
    const fn = JSON.stringify(r.Properties?.FunctionName);
    // The document around the statements: {"Version":"2012-10-17","Id":"default","Statement":[...]}
    bytes.set(fn, (bytes.get(fn) ?? 60) + policyStatementBytes(r.Properties ?? {}, id) + 1);
  }
  return bytes;
}

/** Every finding in one stack's template. */
export function checkTemplate(stack: string, template: CfnTemplate): Finding[] {
  const findings: Finding[] = [];
  const add = (resource: string, rule: RuleName, message: string) => findings.push({ stack, resource, rule, message });
  const resources = template.Resources ?? {};
  const db = specDb();

  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::CDK::Metadata') continue;
    const [type] = db.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
    if (!type) {
      if (!resource.Type.startsWith('Custom::')) add(id, 'schema', `${resource.Type} is not a CloudFormation resource type`);
      continue;
    }
    const problems: string[] = [];
    checkProperties(resource.Properties ?? {}, type.properties, resource.Type, problems);
    for (const p of problems) add(id, 'schema', p);

    // A fixed physical name on a resource that outlives the rollback of its own create.
    if (resource.DeletionPolicy === 'Retain') {
      const named = Object.entries(type.properties).filter(
        ([name, prop]) => /Name$/.test(name) && prop.causesReplacement === 'yes' && resource.Properties?.[name] !== undefined,
      );
      for (const [name] of named)
        add(id, 'retained-fixed-name', `${name} is fixed and DeletionPolicy is Retain (use RetainExceptOnCreate)`);
    }
  }

  // Cognito app clients: OAuth settings only with AllowedOAuthFlowsUserPoolClient, and then complete.
  for (const [id, r] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Cognito::UserPoolClient')) {
    const p = r.Properties ?? {};
    const flows = asList(p.AllowedOAuthFlows);
    const scopes = asList(p.AllowedOAuthScopes);
    const enabled = p.AllowedOAuthFlowsUserPoolClient === true || p.AllowedOAuthFlowsUserPoolClient === 'true';
    if (enabled && flows.length === 0) add(id, 'cognito-oauth-client', 'OAuth is enabled but AllowedOAuthFlows is empty');
    if (enabled && scopes.length === 0) add(id, 'cognito-oauth-client', 'OAuth is enabled but AllowedOAuthScopes is empty');
    if (!enabled && (flows.length > 0 || scopes.length > 0 || asList(p.CallbackURLs).length > 0))
      add(id, 'cognito-oauth-client', 'OAuth flows, scopes or callback URLs without AllowedOAuthFlowsUserPoolClient');
    if (flows.includes('client_credentials') && (flows.includes('code') || flows.includes('implicit')))
      add(id, 'cognito-oauth-client', 'client_credentials cannot be combined with code or implicit');
    if ((flows.includes('code') || flows.includes('implicit')) && asList(p.CallbackURLs).length === 0)
      add(id, 'cognito-oauth-client', 'the code and implicit flows need CallbackURLs');
  }

  // HTTP API stages: every RouteSettings key names a route of the same API created before the stage.
  for (const [id, r] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Stage')) {
    const settings = r.Properties?.RouteSettings;
    if (!settings || typeof settings !== 'object' || isIntrinsic(settings)) continue;
    const apiId = JSON.stringify(r.Properties?.ApiId);
    for (const key of Object.keys(settings)) {
      const route = Object.entries(resources).find(
        ([, x]) => x.Type === 'AWS::ApiGatewayV2::Route' && x.Properties?.RouteKey === key && JSON.stringify(x.Properties?.ApiId) === apiId,
      );
      if (!route) add(id, 'stage-route-settings', `RouteSettings for "${key}", which is no route of this API`);
      else if (!createdBefore(resources, id, route[0]))
        add(id, 'stage-route-settings', `RouteSettings for "${key}" without a dependency on ${route[0]}`);
    }
  }

  // Lambda resource policies: the permissions of one function add up to at most 20 KB.
  for (const [fn, bytes] of lambdaPolicyBytes(template)) {
    if (bytes > LAMBDA_POLICY_LIMIT_BYTES)
      add(fn, 'lambda-policy-size', `the permissions on ${fn} make a ${bytes}-byte policy (limit ${LAMBDA_POLICY_LIMIT_BYTES})`);
  }

  // Deletion-protected, retained resources: only their own parts may share the stack.
  const companions: Record<string, string[]> = {
    'AWS::Cognito::UserPool': ['AWS::Cognito::UserPoolGroup'],
    'AWS::DynamoDB::GlobalTable': [],
    'AWS::DynamoDB::Table': [],
  };
  const isProtected = (r: CfnResource): boolean => {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::Cognito::UserPool') return p.DeletionProtection === 'ACTIVE';
    if (r.Type === 'AWS::DynamoDB::Table') return p.DeletionProtectionEnabled === true;
    if (r.Type === 'AWS::DynamoDB::GlobalTable')
      return asList(p.Replicas).some((x) => (x as { DeletionProtectionEnabled?: unknown }).DeletionProtectionEnabled === true);
    return false;
  };
  for (const [id, r] of Object.entries(resources).filter(([, r]) => r.Type in companions && isProtected(r))) {
    const allowed = new Set([r.Type, ...(companions[r.Type] ?? []), 'AWS::CDK::Metadata']);
    const others = Object.entries(resources).filter(([otherId, x]) => otherId !== id && !allowed.has(x.Type));
    for (const [otherId, x] of others)
      add(
        id,
        'protected-shares-stack',
        `${otherId} (${x.Type}) shares the stack of deletion-protected ${id}: its failed create would strand ${id}`,
      );
  }
  return findings;
}

/** Every finding in a set of templates (stack name → template). */
export function checkTemplates(templates: Record<string, CfnTemplate>): Finding[] {
  return Object.entries(templates).flatMap(([stack, template]) => checkTemplate(stack, template));
}
