/**
 * Signing in to the console without Cognito (templates/pages/console/login.eta): the dev login
 * locally, the access keys otherwise; signing out (which ends the session server-side); the signed
 * session cookie.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type ConsoleRole, same, SESSION_COOKIE, SESSION_HOURS } from '#core/session.ts';
import { isSingleLine } from '#core/fields.ts';
import { endSession, startSession } from '#functions/use-cases/console-sessions.ts';
import type { Deps } from '#adapters/deps.ts';
import { logoutUrl, oidcConfig } from '#adapters/oidc.ts';
import { formBody } from '#functions/http/request.ts';
import { type HttpResult, html } from '#functions/http/respond.ts';
import { logger } from '#adapters/observability.ts';
import { type PublicPage, type Page, qs, redirect } from './frame.ts';

const logoutPost: Page = async (c) => {
  // The session ends here, for every copy of its cookie (not only the browser's, which is cleared).
  await endSession(c.d, c.session);
  const cleared = { 'set-cookie': `${SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0` };
  const cfg = oidcConfig(c.d.env);
  // Signed in through the hosted UI: end that session too, or the next login would skip the password.
  return redirect(cfg ? logoutUrl(cfg, `${c.d.env.PUBLIC_BASE_URL}/console/login`) : '/console/login', cleared);
};

// ---- login ------------------------------------------------------------------------------------

export const safeNext = (next: string | undefined): string =>
  next && /^\/console(?:[/?][^\s\\]*)?$/.test(next) && !next.startsWith('//') ? next : '/console';

export function loginPage(d: Deps, status: number, data: { next?: string; error?: string; name?: string; role?: string }): HttpResult {
  return html(
    status,
    d.templates.consolePage('login', {
      title: 'Logga in',
      next: safeNext(data.next),
      cognitoHref: oidcConfig(d.env) ? `/console/auth/login${qs({ next: safeNext(data.next) })}` : undefined,
      error: data.error,
      name: data.name ?? '',
      local: d.env.LOCAL_MODE === 'true',
      coordinatorChecked: data.role === 'coordinator' || data.role === undefined,
      inspectorateChecked: data.role === 'inspectorate',
      tokenChecked: data.role === '',
    }),
  );
}

async function loginPost(d: Deps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  // With Cognito, signing in happens only at the hosted UI: no dev login, no shared tokens.
  if (oidcConfig(d.env)) return loginPage(d, 400, { error: 'Logga in med knappen nedan.' });
  const form = formBody(event);
  const name = (form.name ?? '').trim();
  const back = { next: form.next, name, role: form.role };
  if (!name || name.length > 100 || !isSingleLine(name))
    return loginPage(d, 400, { ...back, error: 'Skriv ditt namn (högst 100 tecken).' });
  const secrets = await d.secrets();
  let role: ConsoleRole | undefined;
  const token = (form.token ?? '').trim();
  if (token) {
    role = same(token, secrets.coordinatorToken) ? 'coordinator' : same(token, secrets.inspectorateToken) ? 'inspectorate' : undefined;
    if (!role) return loginPage(d, 401, { ...back, error: 'Åtkomstnyckeln stämmer inte.' });
  } else if (d.env.LOCAL_MODE === 'true' && (form.role === 'coordinator' || form.role === 'inspectorate')) {
    role = form.role;
  } else {
    return loginPage(d, 400, { ...back, error: 'Ange din åtkomstnyckel.' });
  }
  const next = role === 'inspectorate' && safeNext(form.next) === '/console' ? '/console/inspection' : safeNext(form.next);
  logger.info('console login', { role });
  return redirect(next, { 'set-cookie': await sessionCookie(d, secrets.linkSigningKey, role, name) });
}

export const secureFlag = (d: Deps): string => (d.env.PUBLIC_BASE_URL.startsWith('https:') ? '; Secure' : '');

/** A new session, recorded server-side, as its Set-Cookie value. */
export async function sessionCookie(d: Deps, linkSigningKey: string, role: ConsoleRole, name: string): Promise<string> {
  const { value } = await startSession(d, linkSigningKey, { role, name });
  return `${SESSION_COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${SESSION_HOURS * 3600}${secureFlag(d)}`;
}

export const logoutRoutes: Record<string, Page> = { 'POST /console/logout': logoutPost };

/** Signing in: pages without a session. */
export const loginRoutes: Record<string, PublicPage> = {
  'GET /console/login': async (d, event) => loginPage(d, 200, { next: event.queryStringParameters?.next }),
  'POST /console/login': loginPost,
};
