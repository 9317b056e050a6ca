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
