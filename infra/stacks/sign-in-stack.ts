/**
 * How people sign in to the user pool: the hosted-UI domain and two app clients, the console's
 * (authorization code + PKCE, no secret: the console Lambda exchanges the code and verifies the ID
 * token) and one for scripts calling /api/* with a token (SRP sign-in, no OAuth). Nothing here
 * holds data: a failed create rolls back completely and a retry starts clean.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';

export interface SignInStackProps extends StackProps {
  readonly userPool: cognito.IUserPool;
  /** Where the console lives: https://host (its callback is /console/auth/callback). */
  readonly publicBaseUrl: string;
  /** Prefix of the hosted UI's domain, <prefix>.auth.<region>.amazoncognito.com (globally unique). */
  readonly domainPrefix: string;
}

export class SignInStack extends Stack {
  public readonly consoleClient: cognito.UserPoolClient;
  public readonly apiClient: cognito.UserPoolClient;
  public readonly domain: cognito.UserPoolDomain;
  /** https://<prefix>.auth.<region>.amazoncognito.com */
  public readonly hostedUiUrl: string;

  constructor(scope: Construct, id: string, props: SignInStackProps) {
    super(scope, id, props);

    this.domain = new cognito.UserPoolDomain(this, 'HostedUi', {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });
    this.hostedUiUrl = this.domain.baseUrl();

    // Both clients: no secret, SRP only, no hint whether an account exists, short-lived tokens.
    const clientDefaults = {
      userPool: props.userPool,
      generateSecret: false,
      authFlows: { userSrp: true },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(10),
    } satisfies cognito.UserPoolClientProps;

    this.consoleClient = new cognito.UserPoolClient(this, 'ConsoleClient', {
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
    // No OAuth at all: Cognito refuses a client that enables OAuth without naming flows and scopes.
    this.apiClient = new cognito.UserPoolClient(this, 'ApiClient', {
      ...clientDefaults,
      userPoolClientName: 'api',
      disableOAuth: true,
    });

    new CfnOutput(this, 'HostedUiUrl', { value: this.hostedUiUrl });
    new CfnOutput(this, 'ApiClientId', { value: this.apiClient.userPoolClientId, description: 'App client for scripts calling /api/*' });
  }
}
