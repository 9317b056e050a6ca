/**
 * What every console page stands on, shared by the console function and the inspection-import
 * function's import pages: the signed session cookie, the CSRF check on every POST, the layout's
 * data, role checks and the Swedish error pages. Kept apart from functions/console.ts so the
 * import function carries none of the console's pages.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ForbiddenError, NotFoundError } from '#core/errors.ts';
import { checkCsrf, type ConsoleRole, csrfToken, readCookie, SESSION_COOKIE, type Session } from '#core/session.ts';
import { resumeSession } from '#functions/use-cases/console-sessions.ts';
import { type Deps, deps } from '#adapters/deps.ts';
import { oidcConfig } from '#adapters/oidc.ts';
import { checkPathParameters, formFields } from './request.ts';
import { errorResponse, type HttpResult, html } from './respond.ts';

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

export const redirect = (location: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode: 303,
  headers: { location, 'cache-control': 'no-store', 'content-type': 'text/plain; charset=utf-8', ...headers },
  body: '',
});

export function layoutData(c: Ctx, title: string, nav: Record<string, boolean>): Record<string, unknown> {
  return {
    title,
    csrf: c.csrf,
    session: { name: c.session.name, roleLabel: roleLabels[c.session.role] },
    nav: { ...nav, coordinator: c.session.role === 'coordinator' },
  };
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

export function problem(d: Deps, status: number, heading: string, message: string): HttpResult {
  return html(status, d.templates.consolePage('error', { title: heading, heading, message, back: '/console' }));
}

/**
 * Serves `pages` behind the console's session cookie and CSRF check, with its error pages; the
 * inspection-import function serves the console's import pages through the same (issue 6).
 */
export function consoleHandler(
  pages: Record<string, Page>,
  publicPages: Record<string, (d: Deps, event: APIGatewayProxyEventV2) => Promise<HttpResult>> = {},
): (event: APIGatewayProxyEventV2) => Promise<HttpResult> {
  return async (event) => {
    const d = deps();
    try {
      const open = publicPages[event.routeKey];
      if (open) return await open(d, event);
      const page = pages[event.routeKey];
      if (!page) throw new NotFoundError('Sidan finns inte.');
      const { linkSigningKey } = await d.secrets();
      const cookie = readCookie(event.cookies ?? event.headers?.cookie, SESSION_COOKIE);
      const session = await resumeSession(d, linkSigningKey, cookie);
      const method = event.requestContext.http.method;
      if (!session) {
        if (method === 'GET')
          return redirect(`/console/login${qs({ next: `${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}` })}`);
        return problem(d, 401, 'Du är inte inloggad', 'Logga in igen och gör om åtgärden.');
      }
      checkPathParameters(event);
      // Every console form: a field sent twice is refused here (the checkboxes' lists excepted).
      if (method === 'POST' && !checkCsrf(linkSigningKey, session, formFields(event, { lists: consoleListFields }).fields.csrf)) {
        return problem(d, 403, 'Formuläret har gått ut', 'Ladda om sidan och försök igen.');
      }
      return allowSignOutRedirect(d, await page({ d, event, session, csrf: csrfToken(linkSigningKey, session) }));
    } catch (e) {
      if (e instanceof ForbiddenError) return problem(d, 403, 'Ingen behörighet', e.message);
      if (e instanceof NotFoundError) return problem(d, 404, 'Hittades inte', e.message);
      const r = errorResponse(e);
      if (r.statusCode >= 500) return problem(d, 500, 'Något gick fel', `Försök igen om en stund. ${JSON.parse(r.body).message ?? ''}`);
      return problem(d, r.statusCode, 'Det gick inte', JSON.parse(r.body).message ?? '');
    }
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
