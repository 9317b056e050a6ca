import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routes } from '#functions/http/routes.ts';
import { ANSWER_BURST_LIMIT, ANSWER_RATE_LIMIT, FEED_BURST_LIMIT, FEED_RATE_LIMIT } from '#infra/stacks/api-stack.ts';
import { buildTestService, defaultTemplates, logicalIdOf } from './service-fixture.ts';

const t = defaultTemplates();
const { api } = t.stacks;

/** Route key → logical id of the function its integration calls. */
function deployedRoutes(template: Template): Map<string, string> {
  const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
  const fnOfIntegration = (id: string) => integrations[id]?.Properties.IntegrationUri['Fn::GetAtt'][0] as string;
  return new Map(
    Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => [
      r.Properties.RouteKey as string,
      fnOfIntegration(r.Properties.Target['Fn::Join'][1][1].Ref),
    ]),
  );
}

describe('HTTP API', () => {
  it('has exactly the routes of functions/http/routes.ts, each to its function', () => {
    // Prepare
    const expected = new Map(routes.map((r) => [`${r.method} ${r.path}`, logicalIdOf(api.functions[r.fn].function)]));

    // Act
    const deployed = deployedRoutes(t.api);

    // Assess
    expect(deployed).toEqual(expected);
    t.api.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
  });

  it('lets API Gateway invoke each function with one permission for the whole API (the policy does not grow with routes)', () => {
    // Prepare
    const permissions = Object.values(
      t.api.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'apigateway.amazonaws.com' } }),
    );
    const byFunction = new Map<string, unknown[]>();
    for (const p of permissions) {
      const fn = p.Properties.FunctionName['Fn::GetAtt'][0] as string;
      byFunction.set(fn, [...(byFunction.get(fn) ?? []), p.Properties.SourceArn]);
    }

    // Assess: every function behind a route, exactly once, for any stage, method and path of this API
    const served = new Set(routes.map((r) => logicalIdOf(api.functions[r.fn].function)));
    expect([...byFunction.keys()].sort()).toEqual([...served].sort());
    for (const [, sourceArns] of byFunction) {
      expect(sourceArns).toHaveLength(1);
      expect(sourceArns[0]).toEqual({ 'Fn::Join': ['', expect.arrayContaining([{ Ref: logicalIdOf(api.httpApi) }, '/*/*/*'])] });
    }
  });

  it('serves a throttled, auto-deployed $default stage with JSON access logs that never contain the raw path', () => {
    // Prepare
    const stage = Object.values(t.api.findResources('AWS::ApiGatewayV2::Stage'))[0]?.Properties;

    // Assess
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [expect.stringMatching(/^AccessLogs/), 'Arn'] } },
    });
    const format = JSON.parse(stage.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    expect(stage.AccessLogSettings.Format).not.toMatch(/\$context\.(path|resourcePath)\b/);
  });

  it('has no custom domain unless configured', () => {
    t.api.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
  });

  it('maps a configured custom domain to the stage, and links point at it', () => {
    // Prepare
    const context = {
      apiDomainName: 'dialog.example.se',
      apiCertificateArn: 'arn:aws:acm:eu-north-1:111111111111:certificate/abc',
    };

    // Act
    const { stacks } = buildTestService({ context });
    const template = Template.fromStack(stacks.api);

    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'dialog.example.se' });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    expect(stacks.config.publicBaseUrl).toBe('https://dialog.example.se');
  });
});

describe('answer-link and feed throttling', () => {
  it('gives the answer and feed routes their own, tighter limit than the stage, created after those routes', () => {
    // Prepare
    const [stage] = Object.values(t.api.findResources('AWS::ApiGatewayV2::Stage'));
    const routeIds = Object.fromEntries(
      Object.entries(t.api.findResources('AWS::ApiGatewayV2::Route')).map(([id, r]) => [r.Properties.RouteKey as string, id]),
    );

    // Assess
    expect(stage?.Properties.RouteSettings).toEqual({
      'GET /r/{token}': { ThrottlingRateLimit: ANSWER_RATE_LIMIT, ThrottlingBurstLimit: ANSWER_BURST_LIMIT },
      'POST /r/{token}': { ThrottlingRateLimit: ANSWER_RATE_LIMIT, ThrottlingBurstLimit: ANSWER_BURST_LIMIT },
      'GET /r/{token}/{file}': { ThrottlingRateLimit: ANSWER_RATE_LIMIT, ThrottlingBurstLimit: ANSWER_BURST_LIMIT },
      'GET /feeds/{feedKey}/planned-dates.ics': { ThrottlingRateLimit: FEED_RATE_LIMIT, ThrottlingBurstLimit: FEED_BURST_LIMIT },
      'GET /feeds/{feedKey}/calendar.ics': { ThrottlingRateLimit: FEED_RATE_LIMIT, ThrottlingBurstLimit: FEED_BURST_LIMIT },
    });
    expect(FEED_RATE_LIMIT).toBeLessThan(stage?.Properties.DefaultRouteSettings.ThrottlingRateLimit);
    expect(stage?.DependsOn).toEqual(
      expect.arrayContaining(
        [
          'GET /r/{token}',
          'POST /r/{token}',
          'GET /r/{token}/{file}',
          'GET /feeds/{feedKey}/planned-dates.ics',
          'GET /feeds/{feedKey}/calendar.ics',
        ].map((k) => routeIds[k]),
      ),
    );
  });
});
