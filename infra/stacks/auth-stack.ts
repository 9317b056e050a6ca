/**
 * Who may use the console and the API in the cloud: one Cognito user pool with the groups
 * `coordinator` and `inspectorate` (a person's role is the group they are in), a hosted-UI domain,
 * and two app clients: the console's (authorization code + PKCE, no secret: the console Lambda
 * exchanges the code and verifies the ID token) and one for scripts calling /api/* with a token.
 * Administrators create the accounts; nobody signs themselves up. The pool is kept on delete.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { consoleRoles } from '#core/session.ts';

export interface AuthStackProps extends StackProps {
  /** Where the console lives: https://host (its callback is /console/auth/callback). */
  readonly publicBaseUrl: string;
  /** Prefix of the hosted UI's domain, <prefix>.auth.<region>.amazoncognito.com (globally unique). */
  readonly domainPrefix: string;
}

/** Group names are the role names the handlers read from `cognito:groups`. */
export const AUTH_GROUPS = consoleRoles;

export class AuthStack extends Stack {
  public readonly userPool: cognito.UserPool;
  public readonly consoleClient: cognito.UserPoolClient;
  public readonly apiClient: cognito.UserPoolClient;
  public readonly domain: cognito.UserPoolDomain;
  /** https://<prefix>.auth.<region>.amazoncognito.com */
  public readonly hostedUiUrl: string;

  constructor(scope: Construct, id: string, props: AuthStackProps) {
    super(scope, id, props);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: props.domainPrefix,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true }, fullname: { required: false, mutable: true } },
      // Staff accounts reaching personal data: a second factor always, by authenticator app (no SMS costs or SIM swaps).
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus tier: threat protection (compromised credentials, adaptive authentication) enforced.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    for (const role of AUTH_GROUPS) {
      new cognito.UserPoolGroup(this, `Group-${role}`, {
        userPool: this.userPool,
        groupName: role,
        description: role === 'coordinator' ? 'Samordnare på Skolverket och SPSM' : 'Skolinspektionen',
      });
    }

    this.domain = this.userPool.addDomain('HostedUi', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    this.hostedUiUrl = this.domain.baseUrl();

    // Both clients: no secret, SRP only, no hint whether an account exists, short-lived tokens.
    const clientDefaults = {
      generateSecret: false,
      authFlows: { userSrp: true },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(10),
    } satisfies cognito.UserPoolClientOptions;

    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      ...clientDefaults,
      userPoolClientName: 'console',
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${props.publicBaseUrl}/console/auth/callback`],
        logoutUrls: [`${props.publicBaseUrl}/console/login`],
      },
    });

    // Scripts and integrations: SRP sign-in (with the same MFA), then the access token as Bearer.
    this.apiClient = this.userPool.addClient('ApiClient', {
      ...clientDefaults,
      userPoolClientName: 'api',
      oAuth: { flows: { authorizationCodeGrant: false, implicitCodeGrant: false, clientCredentials: false } },
    });

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId, description: 'Create accounts here and add each to one group' });
    new CfnOutput(this, 'HostedUiUrl', { value: this.hostedUiUrl });
    new CfnOutput(this, 'ApiClientId', { value: this.apiClient.userPoolClientId, description: 'App client for scripts calling /api/*' });
  }
}
