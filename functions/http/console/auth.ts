/**
 * Signing in through the Cognito hosted UI (cloud): the authorization-code flow with PKCE, and the
 * page that moves on once signed in (templates/pages/console/signed-in.eta).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError } from '#core/errors.ts';
import { displayNameOf, roleFromClaims } from '#core/auth-claims.ts';
import { type ConsoleRole, openValue, readCookie, sealValue, same } from '#core/session.ts';
import type { Deps } from '#adapters/deps.ts';
import { authorizeUrl, exchangeCode, newPkce, oidcConfig, SignInError } from '#adapters/oidc.ts';
import { type HttpResult, html } from '#functions/http/respond.ts';
import { logger } from '#adapters/observability.ts';
import { type PublicPage, redirect } from './frame.ts';
import { loginPage, safeNext, secureFlag, sessionCookie } from './login.ts';

// ---- sign-in with Cognito (cloud) ------------------------------------------------------------

const OAUTH_COOKIE = 'kd_oauth';
const OAUTH_PURPOSE = 'console-oauth-v1';
const callbackUri = (d: Deps): string => `${d.env.PUBLIC_BASE_URL}/console/auth/callback`;

/** Starts the hosted-UI sign-in: state, PKCE verifier and return path in a signed 10-minute cookie. */
async function authLogin(d: Deps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const cfg = oidcConfig(d.env);
  if (!cfg) throw new NotFoundError('Sidan finns inte.');
  const { linkSigningKey } = await d.secrets();
  const pkce = newPkce();
  const sealed = sealValue(
    linkSigningKey,
    OAUTH_PURPOSE,
    { s: pkce.state, v: pkce.verifier, n: safeNext(event.queryStringParameters?.next) },
    new Date(d.clock.now().getTime() + 10 * 60_000),
  );
  // Lax, not Strict: the browser must send it on the top-level redirect back from the hosted UI.
  return redirect(authorizeUrl(cfg, callbackUri(d), pkce), {
    'set-cookie': `${OAUTH_COOKIE}=${sealed}; Path=/console/auth; HttpOnly; SameSite=Lax; Max-Age=600${secureFlag(d)}`,
  });
}

/**
 * The hosted UI's redirect back: the state must match the cookie, the code is exchanged with the
 * PKCE verifier, and the verified ID token's `cognito:groups` gives the role. The session cookie
 * is SameSite=Strict, which a browser does not send on a redirect chain that began on another
 * site, so this answers with a page that moves on by itself (meta refresh, no script).
 */
async function authCallback(d: Deps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const cfg = oidcConfig(d.env);
  if (!cfg) throw new NotFoundError('Sidan finns inte.');
  const { linkSigningKey } = await d.secrets();
  const q = event.queryStringParameters ?? {};
  const saved = openValue(linkSigningKey, OAUTH_PURPOSE, readCookie(event.cookies ?? event.headers?.cookie, OAUTH_COOKIE), d.clock.now());
  const clear = `${OAUTH_COOKIE}=; Path=/console/auth; HttpOnly; SameSite=Lax; Max-Age=0`;
  const fail = (status: number, message: string): HttpResult => {
    const r = loginPage(d, status, { error: message });
    return { statusCode: r.statusCode, headers: { ...r.headers, 'set-cookie': clear }, body: r.body };
  };
  if (q.error) return fail(401, 'Inloggningen avbröts. Försök igen.');
  if (!saved || !q.state || !q.code || !same(q.state, saved.s ?? ''))
    return fail(400, 'Inloggningen hade gått ut eller kom inte härifrån. Försök igen.');
  let claims: Record<string, unknown>;
  try {
    claims = await exchangeCode(cfg, { code: q.code, redirectUri: callbackUri(d), verifier: saved.v ?? '' });
  } catch (e) {
    if (!(e instanceof SignInError)) throw e;
    logger.warn('console sign-in failed', { reason: e.message });
    return fail(401, 'Inloggningen kunde inte bekräftas. Försök igen.');
  }
  let role: ConsoleRole;
  try {
    role = roleFromClaims(claims);
  } catch {
    return fail(
      403,
      'Ditt konto har ingen roll i konsolen. Be en administratör lägga till dig i gruppen samordnare eller Skolinspektionen.',
    );
  }
  const next = role === 'inspectorate' && safeNext(saved.n) === '/console' ? '/console/inspection' : safeNext(saved.n);
  logger.info('console login', { role, via: 'cognito' });
  const page = html(200, d.templates.consolePage('signed-in', { title: 'Inloggad', next, refresh: `0;url=${next}` }));
  // Two cookies at once: API Gateway v2 sends each entry of `cookies` as its own Set-Cookie header.
  return {
    statusCode: page.statusCode,
    headers: page.headers,
    body: page.body,
    cookies: [await sessionCookie(d, linkSigningKey, role, displayNameOf(claims)), clear],
  };
}

/** Signing in through the hosted UI: pages without a session. */
export const authRoutes: Record<string, PublicPage> = {
  'GET /console/auth/login': authLogin,
  'GET /console/auth/callback': authCallback,
};
