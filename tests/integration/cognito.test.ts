/**
 * Signing in the way the cloud does, against the embedded runtime configured for
 * Cognito and a stand-in for the hosted UI's token endpoint and key set: the console's code +
 * PKCE flow, the role from the verified ID token's `cognito:groups`, and the API's role from the
 * claims API Gateway's JWT authorizer hands the Lambda. The dev tokens and dev login are off.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as apiHandler } from '#functions/api.ts';
import { FakeIdp } from '../support/fake-idp.ts';
import { Harness } from '../support/local.ts';

const idp = new FakeIdp();
const h = new Harness();
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  await idp.start();
  for (const [k, v] of Object.entries(idp.env())) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  await h.start();
});
afterAll(async () => {
  await h.close();
  await idp.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const app = (path: string) => `${h.runtime.urls.app}${path}`;
const cookieOf = (r: Response, name: string) =>
  r.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0];

/** GET /console/auth/login: where the browser is sent, and the sign-in cookie it gets. */
async function begin(next = '/console') {
  const r = await fetch(app(`/console/auth/login?next=${encodeURIComponent(next)}`), { redirect: 'manual' });
  const location = new URL(r.headers.get('location') ?? '');
  return { status: r.status, location, oauthCookie: cookieOf(r, 'kd_oauth') as string, setCookie: r.headers.getSetCookie() };
}

/** The whole round trip as a person in the given groups; returns the callback's response. */
async function signIn(claims: Record<string, unknown>, options: { next?: string; signWith?: Parameters<FakeIdp['issueCode']>[2] } = {}) {
  const b = await begin(options.next);
  const code = idp.issueCode(b.location.searchParams.get('code_challenge') ?? '', claims, options.signWith);
  const state = b.location.searchParams.get('state') ?? '';
  const r = await fetch(app(`/console/auth/callback?code=${code}&state=${state}`), {
    redirect: 'manual',
    headers: { cookie: b.oauthCookie },
  });
  return { status: r.status, session: cookieOf(r, 'kd_session'), html: await r.text(), setCookie: r.headers.getSetCookie() };
}

describe('console sign-in through the hosted UI', () => {
  it('sends the browser to the hosted UI with code + PKCE (S256) and a Lax, short-lived sign-in cookie', async () => {
    // Act
    const b = await begin();

    // Assess
    expect(b.status).toBe(303);
    expect(`${b.location.origin}${b.location.pathname}`).toBe(`${idp.url}/oauth2/authorize`);
    expect(Object.fromEntries(b.location.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: idp.clientId,
      redirect_uri: `${h.runtime.urls.app}/console/auth/callback`,
      code_challenge_method: 'S256',
      scope: 'openid email profile',
    });
    expect(b.location.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(b.setCookie[0]).toMatch(/^kd_oauth=[\w-]+\.[\w-]+; Path=\/console\/auth; HttpOnly; SameSite=Lax; Max-Age=600$/);
  });

  it('signs a coordinator in: role from cognito:groups, name into the session, then the list', async () => {
    // Act
    const r = await signIn({ 'cognito:groups': ['coordinator'], name: 'Cecilia Cognito', email: 'cecilia@example.se' });

    // Assess: a page that moves on by itself (a Strict cookie is not sent on a cross-site redirect chain)
    expect(r.status).toBe(200);
    expect(r.html).toContain('<meta http-equiv="refresh" content="0;url&#x3D;/console">');
    expect(r.setCookie).toContain('kd_oauth=; Path=/console/auth; HttpOnly; SameSite=Lax; Max-Age=0');
    const list = await fetch(app('/console'), { headers: { cookie: r.session as string } });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('Inloggad: Cecilia Cognito');
  });

  it('signs the inspectorate in to its own page, and keeps it out of the coordinator pages', async () => {
    // Act
    const r = await signIn({ 'cognito:groups': ['inspectorate'], email: 'ivar@example.se' });

    // Assess
    expect(r.html).toContain('url&#x3D;/console/inspection');
    expect((await fetch(app('/console/inspection'), { headers: { cookie: r.session as string } })).status).toBe(200);
    expect((await fetch(app('/console'), { headers: { cookie: r.session as string } })).status).toBe(403);
  });

  it('refuses a person in no group, or in both, with no session', async () => {
    for (const groups of [[], ['coordinator', 'inspectorate'], ['admins']]) {
      const r = await signIn({ 'cognito:groups': groups, email: 'x@example.se' });
      expect(r.status).toBe(403);
      expect(r.session).toBeUndefined();
      expect(r.html).toContain('Ditt konto har ingen roll i konsolen');
    }
  });

  it('refuses an ID token signed with a key the pool never published', async () => {
    const r = await signIn({ 'cognito:groups': ['coordinator'] }, { signWith: { signWith: idp.strangerKey } });
    expect(r.status).toBe(401);
    expect(r.session).toBeUndefined();
  });

  it('refuses a callback whose state does not match the sign-in cookie, without calling the token endpoint', async () => {
    // Prepare
    const b = await begin();
    const code = idp.issueCode(b.location.searchParams.get('code_challenge') ?? '', { 'cognito:groups': ['coordinator'] });
    const before = idp.tokenRequests;

    // Act: a forged state, and a callback with no sign-in cookie at all (login CSRF)
    const forged = await fetch(app(`/console/auth/callback?code=${code}&state=forged`), {
      redirect: 'manual',
      headers: { cookie: b.oauthCookie },
    });
    const cookieless = await fetch(app(`/console/auth/callback?code=${code}&state=${b.location.searchParams.get('state')}`), {
      redirect: 'manual',
    });

    // Assess
    expect(forged.status).toBe(400);
    expect(cookieless.status).toBe(400);
    expect(cookieOf(forged, 'kd_session')).toBeUndefined();
    expect(idp.tokenRequests).toBe(before);
  });

  it('turns the dev login and the shared tokens off, and shows only the hosted-UI button', async () => {
    // Act
    const page = await fetch(app('/console/login'));
    const dev = await fetch(app('/console/login'), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'Dev', role: 'coordinator', token: h.runtime.tokens.coordinator }).toString(),
    });

    // Assess
    const html = await page.text();
    expect(html).toContain('href="/console/auth/login?next&#x3D;%2Fconsole"');
    expect(html).not.toContain('name="token"');
    expect(dev.status).toBe(400);
    expect(cookieOf(dev, 'kd_session')).toBeUndefined();
  });

  it('signs out of the hosted UI too, and ends the console session (the old cookie opens nothing)', async () => {
    // Prepare
    const r = await signIn({ 'cognito:groups': ['coordinator'], name: 'Cecilia Cognito' });
    const page = await (await fetch(app('/console'), { headers: { cookie: r.session as string } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

    // Act
    const out = await fetch(app('/console/logout'), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: r.session as string, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
    });

    // Assess
    expect(out.status).toBe(303);
    const to = new URL(out.headers.get('location') ?? '');
    expect(`${to.origin}${to.pathname}`).toBe(`${idp.url}/logout`);
    expect(to.searchParams.get('logout_uri')).toBe(`${h.runtime.urls.app}/console/login`);
    expect(out.headers.get('set-cookie')).toMatch(/^kd_session=; .*Max-Age=0/);
    const again = await fetch(app('/console'), { redirect: 'manual', headers: { cookie: r.session as string } });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/console/login?next=%2Fconsole');
  });
});

describe('API behind the JWT authorizer', () => {
  /** The event API Gateway hands the Lambda after its JWT authorizer verified the token. */
  const event = (routeKey: string, claims?: Record<string, string>): APIGatewayProxyEventV2 =>
    ({
      version: '2.0',
      routeKey,
      rawPath: routeKey.split(' ')[1],
      rawQueryString: '',
      headers: {},
      requestContext: {
        http: { method: routeKey.split(' ')[0], path: routeKey.split(' ')[1] },
        ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
      },
    }) as unknown as APIGatewayProxyEventV2;

  it('takes the role from cognito:groups as API Gateway renders it ("[a b]")', async () => {
    // Act
    const coordinator = await apiHandler(event('GET /api/dialogues', { 'cognito:groups': '[coordinator]', sub: 'u1' }), {} as never);
    const inspectorate = await apiHandler(event('GET /api/dialogues', { 'cognito:groups': '[inspectorate]', sub: 'u2' }), {} as never);
    const conflicts = await apiHandler(event('GET /api/conflicts', { 'cognito:groups': '[inspectorate other]', sub: 'u2' }), {} as never);

    // Assess
    expect(coordinator.statusCode).toBe(200);
    expect(inspectorate.statusCode).toBe(403);
    expect(conflicts.statusCode).toBe(200);
  });

  it('refuses claims with no role or both roles (403), and a request with no verified claims (401)', async () => {
    expect((await apiHandler(event('GET /api/dialogues', { sub: 'u3' }), {} as never)).statusCode).toBe(403);
    expect(
      (await apiHandler(event('GET /api/dialogues', { 'cognito:groups': '[coordinator inspectorate]' }), {} as never)).statusCode,
    ).toBe(403);
    expect((await apiHandler(event('GET /api/dialogues'), {} as never)).statusCode).toBe(401);
  });

  it('records who changed the calendar from the verified token, not from a header', async () => {
    // Prepare
    const e = event('PUT /api/inspections/{externalId}', { 'cognito:groups': '[inspectorate]', email: 'ivar@skolinspektionen.example.se' });
    const put = {
      ...e,
      pathParameters: { externalId: 'COG-1' },
      headers: { 'content-type': 'application/json', 'x-actor': 'Someone Else' },
      body: JSON.stringify({ orgNumber: '212000-2262', kind: 'other', start: '2027-03-01' }),
    } as APIGatewayProxyEventV2;

    // Act
    const r = await apiHandler(put, {} as never);

    // Assess
    expect(r.statusCode).toBe(201);
    expect(JSON.parse(r.body as string).updatedBy).toBe('inspectorate:ivar@skolinspektionen.example.se');
  });

  it('no longer accepts the shared dev tokens', async () => {
    const r = await h.api('GET', '/api/dialogues');
    expect(r.status).toBe(401);
    expect(r.json.message).toContain('Cognito');
  });
});
