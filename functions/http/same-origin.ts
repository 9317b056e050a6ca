/**
 * Did a form POST come from one of our own pages? Decided from the headers a browser sets itself
 * (a page cannot forge them): Sec-Fetch-Site first, then Origin, then Referer.
 *
 * - `Sec-Fetch-Site` (Chromium, Firefox ≥ 90, Safari ≥ 16.4): only `same-origin` (and `none`, a
 *   navigation the person started themselves) passes; `same-site` (another port or subdomain) and
 *   `cross-site` are refused.
 * - `Origin: null` is what Chromium (and the Fetch standard) sends on a same-origin form POST from
 *   a page with `Referrer-Policy: no-referrer`; it is also what a sandboxed frame or a data: URL on
 *   another site sends. It passes only together with `Sec-Fetch-Site: same-origin` or `none`.
 * - A real Origin must be one of our origins: scheme and host (with port) alike, so a page at
 *   http://our-host (a network that strips TLS, or a plain-HTTP listener) is not taken for ours.
 * - Without Origin and Sec-Fetch-Site (an old browser, or not a browser at all), a Referer, if
 *   any, must be on one of our origins; with no such header the signed link token is the protection.
 */

export type SameOriginDecision =
  | { sameOrigin: true; basis: 'sec-fetch-site' | 'origin' | 'referer' | 'no-browser-headers' }
  | { sameOrigin: false; reason: string };

type Headers = Readonly<Record<string, string | undefined>>;

const header = (headers: Headers, name: string): string | undefined => {
  const direct = headers[name];
  if (direct !== undefined) return direct.trim();
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key]?.trim();
};

/** `scheme://host[:port]` of a URL (http or https only), lower-case; undefined for anything else. */
const originOf = (url: string): string | undefined => {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? `${u.protocol}//${u.host}`.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
};

const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
};

/**
 * `expectedOrigins`: the origin (`https://host[:port]`) the page was served from, and any other
 * the service answers on (the public base URL's).
 */
export function decideSameOrigin(headers: Headers, expectedOrigins: string | readonly string[]): SameOriginDecision {
  const ours = new Set(
    (typeof expectedOrigins === 'string' ? [expectedOrigins] : expectedOrigins).map((o) => originOf(o) ?? o.toLowerCase()),
  );
  const notOurs = (url: string, what: string) => {
    const o = originOf(url);
    const sameHost = o !== undefined && [...ours].some((x) => hostOf(x) === hostOf(o));
    return `${what} ${url} is not ours${sameHost ? ' (the scheme differs)' : ''}`;
  };
  const site = header(headers, 'sec-fetch-site')?.toLowerCase();
  const origin = header(headers, 'origin');

  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { sameOrigin: false, reason: `Sec-Fetch-Site is ${site || 'empty'}` };
  }
  if (origin !== undefined && origin !== '') {
    if (origin === 'null') {
      return site
        ? { sameOrigin: true, basis: 'sec-fetch-site' }
        : { sameOrigin: false, reason: 'Origin is null and the browser did not say the request is same-origin' };
    }
    const o = originOf(origin);
    if (!o || !ours.has(o)) return { sameOrigin: false, reason: notOurs(origin, 'Origin') };
    return { sameOrigin: true, basis: 'origin' };
  }
  if (site) return { sameOrigin: true, basis: 'sec-fetch-site' };
  const referer = header(headers, 'referer');
  if (referer) {
    const o = originOf(referer);
    if (!o || !ours.has(o)) return { sameOrigin: false, reason: notOurs(referer, 'Referer') };
    return { sameOrigin: true, basis: 'referer' };
  }
  return { sameOrigin: true, basis: 'no-browser-headers' };
}

/**
 * The origins a request may legitimately come from: the one it was sent to and the public base
 * URL's. The scheme of the first is the one the request came in on (X-Forwarded-Proto behind a
 * proxy or API Gateway), else the public base URL's (https in the cloud, http locally).
 */
export function ownOrigins(headers: Headers, domainName: string | undefined, publicBaseUrl?: string): string[] {
  const sentTo = header(headers, 'x-forwarded-host') ?? header(headers, 'host') ?? domainName;
  const base = publicBaseUrl ? originOf(publicBaseUrl) : undefined;
  const scheme = (
    header(headers, 'x-forwarded-proto')?.split(',', 1)[0]?.trim().toLowerCase() ??
    base?.split(':', 1)[0] ??
    'https'
  ).replace(/:$/, '');
  const origins = [sentTo ? `${scheme}://${sentTo}` : undefined, base].filter((o): o is string => Boolean(o));
  return [...new Set(origins.map((o) => o.toLowerCase()))];
}

/** The decision for an API Gateway request to one of our pages. */
export const sameOriginOf = (
  event: { headers?: Readonly<Record<string, string | undefined>>; requestContext: { domainName?: string } },
  publicBaseUrl?: string,
): SameOriginDecision =>
  decideSameOrigin(event.headers ?? {}, ownOrigins(event.headers ?? {}, event.requestContext.domainName, publicBaseUrl));
