/**
 * Every resource of the synthesized app against the services' own create rules (service-rules.ts),
 * for the default stage and for a real one; and each rule shown to catch the problem it is for,
 * on a small stack that has it.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { buildTestService, REAL_STAGE_CONTEXT, templatesJson } from './service-fixture.ts';
import { type CfnTemplate, checkTemplate, checkTemplates, type RuleName } from './service-rules.ts';

const findingsOf = (stack: Stack) => checkTemplate(stack.stackName, Template.fromStack(stack).toJSON() as CfnTemplate);
const rulesOf = (stack: Stack): RuleName[] => [...new Set(findingsOf(stack).map((f) => f.rule))];

describe('the synthesized app', () => {
  it.each([
    ['dev (defaults)', {}],
    ['a real stage (prod values, custom domain)', REAL_STAGE_CONTEXT],
  ])('follows the services’ create rules: %s', (_, context) => {
    // Prepare
    const { stacks } = buildTestService({ context });

    // Act
    const findings = checkTemplates(templatesJson(stacks));

    // Assess
    expect(findings).toEqual([]);
  });
});

describe('each rule catches what it is for', () => {
  const stack = () => new Stack(new App(), 'Probe', { env: { account: '111111111111', region: 'eu-north-1' } });

  it('schema: an unknown property, a missing required one and a value outside the allowed set', () => {
    // Prepare
    const s = stack();
    const group = new logs.CfnLogGroup(s, 'Logs', { retentionInDays: 8 });
    group.addPropertyOverride('Retention', 7);
    const filter = new logs.CfnSubscriptionFilter(s, 'Filter', { logGroupName: 'x', filterPattern: '', destinationArn: 'arn:aws:x' });
    filter.addPropertyDeletionOverride('DestinationArn');

    // Act
    const messages = findingsOf(s)
      .filter((f) => f.rule === 'schema')
      .map((f) => f.message);

    // Assess
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('RetentionInDays: 8 is not one of'),
        expect.stringContaining('Retention: not a property'),
        expect.stringContaining('DestinationArn: required'),
      ]),
    );
  });

  it('cognito-oauth-client: OAuth enabled on a client with no flows (what the api client had)', () => {
    // Prepare
    const s = stack();
    const pool = new cognito.UserPool(s, 'Pool');
    pool.addClient('Api', { oAuth: { flows: { authorizationCodeGrant: false, implicitCodeGrant: false, clientCredentials: false } } });

    // Act + Assess
    expect(rulesOf(s)).toContain('cognito-oauth-client');
  });

  it('stage-route-settings: route settings on a stage that may be created before the route', () => {
    // Prepare
    const s = stack();
    const fn = lambda.Function.fromFunctionArn(s, 'Fn', 'arn:aws:lambda:eu-north-1:111111111111:function:f');
    const api = new apigwv2.HttpApi(s, 'Api', { createDefaultStage: false });
    api.addRoutes({ path: '/r/{token}', methods: [apigwv2.HttpMethod.GET], integration: new HttpLambdaIntegration('I', fn) });
    const stage = new apigwv2.HttpStage(s, 'Stage', { httpApi: api, stageName: '$default' });
    (stage.node.defaultChild as apigwv2.CfnStage).routeSettings = { 'GET /r/{token}': { ThrottlingRateLimit: 1 } };

    // Act + Assess
    expect(rulesOf(s)).toEqual(['stage-route-settings']);
  });

  it('lambda-policy-size: one invoke permission per route adds up past 20 KB', () => {
    // Prepare
    const s = stack();
    const fn = new lambda.Function(s, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'i.h', code: lambda.Code.fromInline('x') });
    const api = new apigwv2.HttpApi(s, 'Api');
    const integration = new HttpLambdaIntegration('I', fn);
    for (let i = 0; i < 70; i++) api.addRoutes({ path: `/api/route-number-${i}/{id}`, methods: [apigwv2.HttpMethod.POST], integration });

    // Act + Assess
    expect(rulesOf(s)).toContain('lambda-policy-size');
  });

  it('retained-fixed-name: a named log group kept after the rollback of its own create', () => {
    // Prepare
    const s = stack();
    new logs.LogGroup(s, 'Logs', { logGroupName: '/aws/vendedlogs/states/x', removalPolicy: RemovalPolicy.RETAIN });
    new logs.LogGroup(s, 'Fine', { logGroupName: '/aws/vendedlogs/states/y', removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });

    // Act + Assess
    expect(findingsOf(s).map((f) => [f.rule, f.resource])).toEqual([['retained-fixed-name', expect.stringMatching(/^Logs/)]]);
  });

  it('protected-shares-stack: a deletion-protected pool next to its hosted-UI domain', () => {
    // Prepare
    const s = stack();
    const pool = new cognito.UserPool(s, 'Pool', { deletionProtection: true, removalPolicy: RemovalPolicy.RETAIN });
    new cognito.UserPoolGroup(s, 'Group', { userPool: pool, groupName: 'g' });
    pool.addDomain('Domain', { cognitoDomain: { domainPrefix: 'probe-x' } });

    // Act + Assess
    expect(findingsOf(s).map((f) => f.message)).toEqual([expect.stringContaining('AWS::Cognito::UserPoolDomain')]);
  });
});
