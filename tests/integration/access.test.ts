/**
 * Access control, route by route: every /api route needs a valid bearer token; coordinator-only
 * routes refuse the inspectorate token; answer pages need no token but a valid link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#functions/http/routes.ts';
import { Harness } from '../support/local.ts';

const h = new Harness();
beforeAll(async () => {
  await h.start();
});
afterAll(async () => {
  await h.close();
});

const concrete = (path: string) => path.replace(/\{(\w+)\}/g, 'x-1');
const apiRoutes = routes.filter((r) => r.path.startsWith('/api/'));
const coordinatorOnly = apiRoutes.filter((r) => /^\/api\/(organisers|dialogues)/.test(r.path));

describe('access control', () => {
  it.each(apiRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s needs a valid bearer token', async (_, r) => {
    for (const token of [null, 'not-a-real-token-at-all', `${h.runtime.tokens.coordinator}x`]) {
      const res = await h.api(r.method, concrete(r.path), r.method === 'GET' ? undefined : {}, token);
      expect(res.status).toBe(401);
      expect(res.json.message).toMatch(/bearer/i);
    }
  });

  it.each(coordinatorOnly.map((r) => [`${r.method} ${r.path}`, r] as const))('%s refuses the inspectorate token', async (_, r) => {
    const res = await h.api(r.method, concrete(r.path), r.method === 'GET' ? undefined : {}, h.runtime.tokens.inspectorate);
    expect(res.status).toBe(403);
    expect(res.json.message).toContain('coordinator');
  });

  it('keeps the dev login and every console page working without Cognito (hosted-UI routes 404)', async () => {
    for (const path of ['/console/auth/login', '/console/auth/callback?code=x&state=y']) {
      const res = await fetch(`${h.runtime.urls.app}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(404);
    }
  });

  it('answer pages answer a bad link with 404 whatever the token looks like, and never 401', async () => {
    for (const r of routes.filter((x) => x.fn === 'answerPage')) {
      const res = await fetch(`${h.runtime.urls.app}${concrete(r.path)}`, {
        method: r.method,
        headers: { authorization: `Bearer ${h.runtime.tokens.coordinator}` },
      });
      expect(res.status).toBe(404);
    }
  });
});

/** Who may call each API route; every route not listed here is for coordinators only. */
const apiRoles: Record<string, readonly ('coordinator' | 'inspectorate')[]> = {
  'GET /api/inspections': ['inspectorate'],
  'PUT /api/inspections/{externalId}': ['inspectorate'],
  'DELETE /api/inspections/{externalId}': ['inspectorate'],
  'POST /api/inspections/import': ['inspectorate'],
  'GET /api/conflicts': ['coordinator', 'inspectorate'],
  'GET /api/audit': ['coordinator', 'inspectorate'],
  'GET /api/planned-dates': ['coordinator', 'inspectorate'],
};

describe('API role matrix', () => {
  it.each(apiRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s lets in exactly its roles', async (key, r) => {
    const allowed = apiRoles[key] ?? ['coordinator'];
    for (const role of ['coordinator', 'inspectorate'] as const) {
      const res = await h.api(r.method, concrete(r.path), r.method === 'GET' ? undefined : {}, h.runtime.tokens[role]);
      if (allowed.includes(role)) expect([401, 403], `${role} on ${key}`).not.toContain(res.status);
      else expect(res.status, `${role} on ${key}`).toBe(403);
    }
  });
});

/** Console pages: a session is needed for each, and the inspectorate gets only its own pages. */
const consoleFunctions: readonly string[] = ['console', 'consoleCampaigns', 'consoleReports'];
const consoleRoutes = routes.filter((r) => consoleFunctions.includes(r.fn) && !/^\/console\/(login|logout|auth\/)/.test(r.path));
const inspectorateAllowed = (path: string) => path.startsWith('/console/inspection');

async function devSession(role: 'coordinator' | 'inspectorate'): Promise<string> {
  const r = await fetch(`${h.runtime.urls.app}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: 'Åtkomsttest', role }).toString(),
  });
  return (r.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

const consolePath = (path: string) =>
  path
    .replace('{action}', 'close')
    .replace('{table}', 'per-juridisk-form.csv')
    .replace(/\{(\w+)\}/g, 'x-1');

describe('console access control', () => {
  it.each(consoleRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s needs a session', async (_, r) => {
    const res = await fetch(`${h.runtime.urls.app}${consolePath(r.path)}`, { method: r.method, redirect: 'manual' });
    if (r.method === 'GET') {
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/console\/login\?next=/);
    } else {
      expect(res.status).toBe(401);
    }
  });

  it.each(consoleRoutes.filter((r) => r.method === 'GET').map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s checks the role',
    async (_, r) => {
      const res = await fetch(`${h.runtime.urls.app}${consolePath(r.path)}`, { headers: { cookie: await devSession('inspectorate') } });
      if (inspectorateAllowed(r.path)) expect([200, 404]).toContain(res.status);
      else expect(res.status).toBe(403);
    },
  );
});
