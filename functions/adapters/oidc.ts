/**
 * Console sign-in with the Cognito hosted UI: the authorization-code flow with PKCE (the console's
 * app client has no secret), the code exchanged server-side at the pool's token endpoint, and the
 * ID token verified with aws-jwt-verify (signature against the pool's JWKS, issuer, audience =
 * the console client, expiry, token_use = id). Built only when COGNITO_CLIENT_ID is set.
 */
import { createHash, randomBytes } from 'node:crypto';
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { OidcConfig } from './oidc-config.ts';

export { type OidcConfig, oidcConfig } from './oidc-config.ts';

export interface Pkce {
  state: string;
  verifier: string;
  challenge: string;
}

export function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return {
    state: randomBytes(16).toString('base64url'),
    verifier,
    challenge: createHash('sha256').update(verifier).digest('base64url'),
  };
}

export function authorizeUrl(cfg: OidcConfig, redirectUri: string, pkce: Pkce): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.clientId,
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    state: pkce.state,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  });
  return `${cfg.domain}/oauth2/authorize?${q}`;
}

export function logoutUrl(cfg: OidcConfig, logoutUri: string): string {
  return `${cfg.domain}/logout?${new URLSearchParams({ client_id: cfg.clientId, logout_uri: logoutUri })}`;
}

/** The key set is fetched with the runtime's fetch (https in the cloud; the tests' stand-in is http). */
const jwksCache = new SimpleJwksCache({
  fetcher: {
    async fetch(uri: string) {
      const res = await fetch(uri, { signal: AbortSignal.timeout(3000) });
      if (res.status !== 200) throw new Error(`JWKS ${uri} answered ${res.status}`);
      return res.arrayBuffer();
    },
  },
});

const verifiers = new Map<string, ReturnType<typeof makeVerifier>>();
function makeVerifier(cfg: OidcConfig) {
  return JwtVerifier.create(
    {
      issuer: cfg.issuer,
      audience: cfg.clientId,
      jwksUri: cfg.jwksUri,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== 'id') throw new Error('not an ID token');
      },
    },
    { jwksCache },
  );
}

export class SignInError extends Error {}

/** Exchanges the authorization code and returns the verified ID token's claims. */
export async function exchangeCode(
  cfg: OidcConfig,
  input: { code: string; redirectUri: string; verifier: string },
): Promise<Record<string, unknown>> {
  const res = await fetch(`${cfg.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: cfg.clientId,
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.verifier,
    }).toString(),
    signal: AbortSignal.timeout(5000),
  });
  if (res.status !== 200) throw new SignInError(`the token endpoint answered ${res.status}`);
  const body = (await res.json()) as { id_token?: unknown };
  if (typeof body.id_token !== 'string') throw new SignInError('the token endpoint returned no ID token');
  const key = `${cfg.issuer}|${cfg.clientId}|${cfg.jwksUri}`;
  let verifier = verifiers.get(key);
  if (!verifier) {
    verifier = makeVerifier(cfg);
    verifiers.set(key, verifier);
  }
  try {
    return (await verifier.verify(body.id_token)) as Record<string, unknown>;
  } catch (e) {
    throw new SignInError(`the ID token is not valid: ${(e as Error).message}`);
  }
}
