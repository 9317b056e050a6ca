/**
 * What every console page stands on, shared by the console function and the inspection-import
 * function's import pages: the signed session cookie, the CSRF check on every POST, the layout's
 * data and role checks. Kept apart from functions/console.ts so the
 * import function carries none of the console's pages.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ForbiddenError, NotFoundError } from '#core/errors.ts';
import { checkCsrf, type ConsoleRole, csrfToken, readCookie, SESSION_COOKIE, type Session } from '#core/session.ts';
import { resumeSession } from '#functions/use-cases/console-sessions.ts';
import { type Deps, deps } from '#adapters/deps.ts';
import { oidcConfig } from '#adapters/oidc-config.ts';
import { checkPathParameters, formFields } from '../request.ts';
import { problem } from '../errors.ts';
import { type HttpResult, redirect } from '../respond.ts';

/** The console forms' fields that come several at a time (checkboxes: start.eta, campaign-new.eta). */
export const consoleListFields = ['organiserIds', 'regions', 'legalForms', 'schoolForms'];

export const roleLabels: Record<ConsoleRole, string> = { coordinator: 'samordnare', inspectorate: 'Inspektionen' };

export interface Ctx {
  d: Deps;
  event: APIGatewayProxyEventV2;
  session: Session;
  csrf: string;
}

export type Page = (c: Ctx) => Promise<HttpResult>;

export { redirect };

export function layoutData(c: Ctx, title: string, nav: Record<string, boolean>): Record<string, unknown> {
  return {
    title,
    csrf: c.csrf,
    session: { name: c.session.name, roleLabel: roleLabels[c.session.role] },
    nav: { ...nav, coordinator: c.session.role === 'coordinator' },
  };
}

/** Who did it, as the history and the logs name a console user: "Anna (samordnare)". */
export const actorOf = (c: Ctx): string => `${c.session.name} (${roleLabels[c.session.role]})`;

/** The {action} path parameter, if it is one of `allowed` (otherwise the page does not exist). */
export function actionParam<A extends string>(c: Ctx, allowed: readonly A[]): A {
  const a = c.event.pathParameters?.action ?? '';
  if (!(allowed as readonly string[]).includes(a)) throw new NotFoundError('Åtgärden finns inte.');
  return a as A;
}

export function requireConsoleRole(c: Ctx, allowed: readonly ConsoleRole[]): void {
  if (!allowed.includes(c.session.role)) throw new ForbiddenError('Sidan är inte till för din roll.');
}

export const qs = (params: Record<string, string | number | undefined>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/**
 * CSP's form-action also covers where a form's POST redirects to: with Cognito, "Logga ut" posts
 * here and is redirected to the hosted UI's /logout, so its origin must be allowed too.
 */
function allowSignOutRedirect(d: Deps, r: HttpResult): HttpResult {
  const cfg = oidcConfig(d.env);
  const csp = r.headers['content-security-policy'];
  if (!cfg || !csp) return r;
  r.headers['content-security-policy'] = csp.replace("form-action 'self'", `form-action 'self' ${new URL(cfg.domain).origin}`);
  return r;
}

/** A page that needs no session (signing in). */
export type PublicPage = (d: Deps, event: APIGatewayProxyEventV2) => Promise<HttpResult>;

/**
 * Serves `pages` behind the console's session cookie and CSRF check; the sign-in pages in
 * `publicPages` without. Errors are thrown to the error middleware, which renders the console's
 * Swedish error page.
 */
export function consoleRouter(
  pages: Record<string, Page>,
  publicPages: Record<string, PublicPage> = {},
): (event: APIGatewayProxyEventV2) => Promise<HttpResult> {
  return async (event) => {
    const d = deps();
    const open = publicPages[event.routeKey];
    if (open) return open(d, event);
    const page = pages[event.routeKey];
    if (!page) throw new NotFoundError('Sidan finns inte.');
    const { linkSigningKey } = await d.secrets();
    const cookie = readCookie(event.cookies ?? event.headers?.cookie, SESSION_COOKIE);
    const session = await resumeSession(d, linkSigningKey, cookie);
    const method = event.requestContext.http.method;
    if (!session) {
      if (method === 'GET')
        return redirect(`/console/login${qs({ next: `${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}` })}`);
      return problem(401, 'Du är inte inloggad', 'Logga in igen och gör om åtgärden.');
    }
    checkPathParameters(event);
    // Every console form: a field sent twice is refused here (the checkboxes' lists excepted).
    if (method === 'POST' && !checkCsrf(linkSigningKey, session, formFields(event, { lists: consoleListFields }).fields.csrf)) {
      return problem(403, 'Formuläret har gått ut', 'Ladda om sidan och försök igen.');
    }
    return allowSignOutRedirect(d, await page({ d, event, session, csrf: csrfToken(linkSigningKey, session) }));
  };
}

/** One of the console's own scripts (templates/pages/console/assets/), for the roles whose pages load it. */
export const consoleScript =
  (file: string, roles: readonly ConsoleRole[] = ['coordinator']): Page =>
  async (c) => {
    requireConsoleRole(c, roles);
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'private, max-age=300',
        'x-content-type-options': 'nosniff',
      },
      body: c.d.templates.asset(`pages/console/assets/${file}`),
    };
  };
