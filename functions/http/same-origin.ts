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
 * - A real Origin must name one of our hosts.
 * - Without Origin and Sec-Fetch-Site (an old browser, or not a browser at all), a Referer, if
 *   any, must name one of our hosts; with no such header the signed link token is the protection.
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

const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
};

/**
 * `expectedHosts`: the host (with port, as in the Host header) the page was served from, and any
 * other name the service answers to (the public base URL's host).
 */
export function decideSameOrigin(headers: Headers, expectedHosts: string | readonly string[]): SameOriginDecision {
  const ours = new Set((typeof expectedHosts === 'string' ? [expectedHosts] : expectedHosts).map((h) => h.toLowerCase()));
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
    const host = hostOf(origin);
    if (!host || !ours.has(host)) return { sameOrigin: false, reason: `Origin ${origin} is not ours` };
    return { sameOrigin: true, basis: 'origin' };
  }
  if (site) return { sameOrigin: true, basis: 'sec-fetch-site' };
  const referer = header(headers, 'referer');
  if (referer) {
    const host = hostOf(referer);
    if (!host || !ours.has(host)) return { sameOrigin: false, reason: 'Referer is not one of our pages' };
    return { sameOrigin: true, basis: 'referer' };
  }
  return { sameOrigin: true, basis: 'no-browser-headers' };
}

/** The hosts a request may legitimately come from: the one it was sent to, and the public base URL's. */
export function ownHosts(headers: Headers, domainName: string | undefined, publicBaseUrl?: string): string[] {
  const sentTo = header(headers, 'x-forwarded-host') ?? header(headers, 'host') ?? domainName;
  const hosts = [sentTo, publicBaseUrl ? hostOf(publicBaseUrl) : undefined].filter((h): h is string => Boolean(h));
  return [...new Set(hosts.map((h) => h.toLowerCase()))];
}

/** The decision for an API Gateway request to one of our pages. */
export const sameOriginOf = (
  event: { headers?: Readonly<Record<string, string | undefined>>; requestContext: { domainName?: string } },
  publicBaseUrl?: string,
): SameOriginDecision =>
  decideSameOrigin(event.headers ?? {}, ownHosts(event.headers ?? {}, event.requestContext.domainName, publicBaseUrl));
