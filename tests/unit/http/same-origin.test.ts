/**
 * The same-origin decision for the organiser's form posts, with the header sets real browsers send
 * (lower-case names, as API Gateway passes them). Chromium's no-referrer case was seen with
 * Chromium 153 via playwright-core; tests/e2e/organiser-forms.test.ts posts from real pages.
 */
import { describe, expect, it } from 'vitest';
import { decideSameOrigin, ownOrigins } from '#functions/http/same-origin.ts';

const HOST = 'svar.kvalitetsdialog.example.se';
const ORIGIN = `https://${HOST}`;
const PAGE = `${ORIGIN}/r/abc.def.ghi`;
const navigation = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'sec-fetch-user': '?1' };

describe('a post from our own page', () => {
  it.each([
    [
      'Chromium, page with Referrer-Policy: no-referrer',
      { origin: 'null', 'sec-fetch-site': 'same-origin', ...navigation },
      'sec-fetch-site',
    ],
    [
      'Chromium, page with Referrer-Policy: same-origin',
      { origin: `https://${HOST}`, referer: PAGE, 'sec-fetch-site': 'same-origin', ...navigation },
      'origin',
    ],
    ['Firefox ≥ 90, no-referrer', { origin: 'null', 'sec-fetch-site': 'same-origin', ...navigation }, 'sec-fetch-site'],
    ['Firefox ≥ 90, same-origin', { origin: `https://${HOST}`, referer: PAGE, 'sec-fetch-site': 'same-origin', ...navigation }, 'origin'],
    ['Safari ≥ 16.4, same-origin', { origin: `https://${HOST}`, referer: PAGE, 'sec-fetch-site': 'same-origin', ...navigation }, 'origin'],
    ['Safari < 16.4 (no Sec-Fetch-*), same-origin', { origin: `https://${HOST}`, referer: PAGE }, 'origin'],
    ['Firefox < 70 (no Origin on a form post), same-origin', { referer: PAGE }, 'referer'],
    [
      'a navigation the person started (Sec-Fetch-Site: none)',
      { origin: 'null', 'sec-fetch-site': 'none', ...navigation },
      'sec-fetch-site',
    ],
    ['a browser that sends only Sec-Fetch-Site', { 'sec-fetch-site': 'same-origin' }, 'sec-fetch-site'],
    ['not a browser (curl, a script with the link)', {}, 'no-browser-headers'],
  ] as const)('%s passes', (_, headers, basis) => {
    // Act
    const decision = decideSameOrigin(headers, ORIGIN);

    // Assess
    expect(decision).toEqual({ sameOrigin: true, basis });
  });

  it('compares origins: scheme, host and port, without regard to case', () => {
    expect(decideSameOrigin({ origin: 'http://127.0.0.1:3000' }, 'http://127.0.0.1:3000').sameOrigin).toBe(true);
    expect(decideSameOrigin({ origin: 'http://127.0.0.1:3001' }, 'http://127.0.0.1:3000').sameOrigin).toBe(false);
    expect(decideSameOrigin({ Origin: `https://${HOST.toUpperCase()}` }, ORIGIN).sameOrigin).toBe(true);
    expect(decideSameOrigin({ 'Sec-Fetch-Site': 'Cross-Site' }, ORIGIN).sameOrigin).toBe(false);
  });

  it('accepts any of the origins the service answers on', () => {
    expect(decideSameOrigin({ origin: ORIGIN }, ['https://abc123.execute-api.eu-north-1.amazonaws.com', ORIGIN]).sameOrigin).toBe(true);
  });
});

describe('a post from somewhere else', () => {
  it.each([
    ['Chromium, a page on another site', { origin: 'https://evil.example.com', 'sec-fetch-site': 'cross-site', ...navigation }],
    ['Chromium, another site whose page has no-referrer', { origin: 'null', 'sec-fetch-site': 'cross-site', ...navigation }],
    ['Chromium, another port or subdomain of our site', { origin: `https://x.${HOST}`, 'sec-fetch-site': 'same-site', ...navigation }],
    ['Firefox, a page on another site', { origin: 'https://evil.example.com', 'sec-fetch-site': 'cross-site', ...navigation }],
    ['Safari < 16.4, a page on another site', { origin: 'https://evil.example.com', referer: 'https://evil.example.com/x' }],
    ['an old browser, a sandboxed frame or data: URL elsewhere', { origin: 'null' }],
    ['Firefox < 70, a page on another site that sends its referrer', { referer: 'https://evil.example.com/x' }],
    ['an unreadable Referer', { referer: 'not a url' }],
    ['an unreadable Origin', { origin: 'evil' }],
    ['Sec-Fetch-Site and Origin that disagree', { origin: 'https://evil.example.com', 'sec-fetch-site': 'same-origin' }],
    ['a user-started navigation that names another origin', { origin: 'https://evil.example.com', 'sec-fetch-site': 'none' }],
    ['an empty Sec-Fetch-Site', { 'sec-fetch-site': '' }],
  ] as const)('%s is refused', (_, headers) => {
    // Act
    const decision = decideSameOrigin(headers, ORIGIN);

    // Assess
    expect(decision.sameOrigin).toBe(false);
    expect(decision).toHaveProperty('reason');
  });
});

describe('the same host on another scheme', () => {
  it.each([
    ['an Origin on http for our https page', { origin: `http://${HOST}` }],
    ['an Origin on http, the browser saying same-origin', { origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin' }],
    ['a Referer on http (no Origin)', { referer: `http://${HOST}/r/abc.def.ghi` }],
  ] as const)('%s is refused, and the reason says the scheme differs', (_, headers) => {
    // Act
    const decision = decideSameOrigin(headers, ORIGIN);

    // Assess
    expect(decision).toEqual({ sameOrigin: false, reason: expect.stringContaining('(the scheme differs)') });
  });

  it('an Origin that is not http or https is refused', () => {
    expect(decideSameOrigin({ origin: `ftp://${HOST}` }, ORIGIN).sameOrigin).toBe(false);
  });
});

describe('our own origins', () => {
  it('are the one the request was sent to (on the scheme it came in on) and the public base URL’s', () => {
    expect(ownOrigins({ host: 'abc.execute-api.eu-north-1.amazonaws.com' }, 'abc.execute-api.eu-north-1.amazonaws.com', PAGE)).toEqual([
      'https://abc.execute-api.eu-north-1.amazonaws.com',
      ORIGIN,
    ]);
    expect(ownOrigins({ 'x-forwarded-host': HOST, 'x-forwarded-proto': 'https', host: 'internal:8080' }, undefined)).toEqual([ORIGIN]);
    expect(ownOrigins({ host: 'localhost:3000' }, '127.0.0.1:3000', 'http://127.0.0.1:3000')).toEqual([
      'http://localhost:3000',
      'http://127.0.0.1:3000',
    ]);
    expect(ownOrigins({ host: HOST, 'x-forwarded-proto': 'http' }, HOST, PAGE)).toEqual([`http://${HOST}`, ORIGIN]);
  });
});
