/**
 * Sign-in in the cloud: the Cognito user pool, its two groups, the app clients, and
 * which HTTP API routes sit behind the JWT authorizer (every /api route; never the answer links).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routes } from '#functions/http/routes.ts';
import { isJwtProtected } from '#infra/stacks/api-stack.ts';
import { defaultTemplates, logicalIdOf } from './service-fixture.ts';

const t = defaultTemplates();
const { auth, signin } = t.stacks;

describe('user pool', () => {
  it('is admin-only, requires an authenticator-app second factor and a strong password, on the Plus tier with threat protection', () => {
    t.auth.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
        },
      },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    t.auth.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('has exactly the groups coordinator and inspectorate, the names the handlers read from cognito:groups', () => {
    const groups = Object.values(t.auth.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['coordinator', 'inspectorate']);
  });

  it('keeps its groups with it; a failed first create removes them (RetainExceptOnCreate)', () => {
    t.auth.allResources('AWS::Cognito::UserPoolGroup', { DeletionPolicy: 'RetainExceptOnCreate' });
  });

  it('shares its stack with nothing but its groups (the domain and the clients are in the sign-in stack)', () => {
    const types = Object.values(t.auth.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(new Set(types)).toEqual(new Set(['AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolGroup']));
  });
});

describe('sign-in', () => {
  it('has a hosted-UI domain on the pool and a console client with code + PKCE, no secret, calling back to the console', () => {
    t.signin.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'kvalitetsdialog-dev',
      UserPoolId: { 'Fn::ImportValue': Match.stringLikeRegexp('UserPool') },
    });
    t.signin.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'console',
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: Match.arrayWith(['openid', 'email', 'profile']),
      CallbackURLs: ['https://kvalitetsdialog.example.se/console/auth/callback'],
      LogoutURLs: ['https://kvalitetsdialog.example.se/console/login'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it('has an api client for scripts: SRP sign-in, no secret, no OAuth at all', () => {
    const [api] = Object.values(t.signin.findResources('AWS::Cognito::UserPoolClient', { Properties: { ClientName: 'api' } }));
    expect(api?.Properties).toMatchObject({ GenerateSecret: false, AllowedOAuthFlowsUserPoolClient: false });
    expect(api?.Properties.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    for (const key of ['AllowedOAuthFlows', 'AllowedOAuthScopes', 'CallbackURLs']) expect(api?.Properties[key]).toBeUndefined();
  });
});

describe('HTTP API authorizer', () => {
  const authorizers = () => t.api.findResources('AWS::ApiGatewayV2::Authorizer');

  it('is one JWT authorizer for the pool, accepting the console and api clients', () => {
    // Assess
    const all = Object.values(authorizers());
    expect(all).toHaveLength(1);
    expect(all[0]?.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [
          { 'Fn::ImportValue': expect.stringContaining('ApiClient') },
          { 'Fn::ImportValue': expect.stringContaining('ConsoleClient') },
        ],
        Issuer: {
          'Fn::Join': ['', ['https://cognito-idp.eu-north-1.amazonaws.com/', { 'Fn::ImportValue': expect.stringContaining('UserPool') }]],
        },
      },
    });
  });

  it('protects every /api route and leaves the answer links and console pages to their handlers', () => {
    // Prepare
    const authorizerId = Object.keys(authorizers())[0];
    const deployed = new Map(
      Object.values(t.api.findResources('AWS::ApiGatewayV2::Route')).map((r) => [r.Properties.RouteKey as string, r.Properties]),
    );

    // Assess
    expect(deployed.size).toBe(routes.length);
    for (const r of routes) {
      const props = deployed.get(`${r.method} ${r.path}`);
      if (r.path.startsWith('/api/')) {
        expect(props, `${r.method} ${r.path}`).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      } else {
        expect(props?.AuthorizationType ?? 'NONE', `${r.method} ${r.path}`).toBe('NONE');
      }
    }
    expect(routes.filter((r) => isJwtProtected(r.path)).length).toBeGreaterThan(30);
    expect(isJwtProtected('/r/{token}')).toBe(false);
  });

  it('hands the console and api functions the pool coordinates, and not the answer pages', () => {
    const env = (fn: keyof typeof t.stacks.api.functions) =>
      t.api.findResources('AWS::Lambda::Function')[logicalIdOf(t.stacks.api.functions[fn].function)]?.Properties.Environment.Variables;
    for (const fn of ['api', 'console'] as const) {
      expect(env(fn)).toMatchObject({
        COGNITO_USER_POOL_ID: { 'Fn::ImportValue': expect.stringContaining('UserPool') },
        COGNITO_CLIENT_ID: { 'Fn::ImportValue': expect.stringContaining('ConsoleClient') },
        COGNITO_DOMAIN: expect.anything(),
      });
    }
    expect(env('answerPage').COGNITO_CLIENT_ID).toBeUndefined();
    expect(logicalIdOf(auth.userPool)).toMatch(/^UserPool/);
    expect(logicalIdOf(signin.consoleClient)).toMatch(/^ConsoleClient/);
  });
});
