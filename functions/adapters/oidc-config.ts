/**
 * Whether the console signs people in at the Cognito hosted UI, and where: read from the
 * environment alone, so pages that only need to know (the layout's sign-out) do not carry the
 * token verifier (oidc.ts, aws-jwt-verify) in their bundle.
 */
import type { Env } from './env.ts';

export interface OidcConfig {
  clientId: string;
  /** The hosted UI, e.g. https://<prefix>.auth.eu-north-1.amazoncognito.com */
  domain: string;
  issuer: string;
  jwksUri: string;
}

export function oidcConfig(env: Env): OidcConfig | undefined {
  if (!env.COGNITO_CLIENT_ID || !env.COGNITO_DOMAIN) return undefined;
  const issuer = env.COGNITO_ISSUER ?? `https://cognito-idp.${env.AWS_REGION}.amazonaws.com/${env.COGNITO_USER_POOL_ID ?? ''}`;
  return {
    clientId: env.COGNITO_CLIENT_ID,
    domain: env.COGNITO_DOMAIN.replace(/\/+$/, ''),
    issuer: issuer.replace(/\/+$/, ''),
    jwksUri: env.COGNITO_JWKS_URI ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
  };
}
