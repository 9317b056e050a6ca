/** The coordinator API: roles, validation with readable 4xx messages, and no write on bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
beforeAll(async () => {
  await h.start();
});
afterAll(async () => {
  await h.close();
});

const counts = async () => ({
  organisers: (await h.api('GET', '/api/organisers?limit=100')).json.items.length,
  dialogues: (await h.api('GET', '/api/dialogues?limit=100')).json.items.length,
});

describe('coordinator API', () => {
  it('serves the seeded demo organisers, paged', async () => {
    const first = await h.api('GET', '/api/organisers?limit=2');
    expect(first.status).toBe(200);
    expect(first.json.items).toHaveLength(2);
    expect(first.json.cursor).toEqual(expect.any(String));
    const second = await h.api('GET', `/api/organisers?limit=2&cursor=${first.json.cursor}`);
    expect(second.json.items.map((o: { id: string }) => o.id)).toEqual(['solrosens-forskola-ab']);
    const ekbacken = await h.api('GET', '/api/organisers/ekbackens-ekonomiska-forening');
    expect(ekbacken.json).toMatchObject({ municipal: false, region: 'syd', legalForm: 'ekonomisk_forening' });
  });

  it('requires the coordinator bearer token', async () => {
    expect((await h.api('GET', '/api/dialogues', undefined, null)).status).toBe(401);
    expect((await h.api('GET', '/api/dialogues', undefined, 'wrong-token-wrong-token')).json.message).toBe('The bearer token is not valid');
    const inspectorate = await h.api('POST', '/api/dialogues', { organiserId: 'norrviks-kommun' }, h.runtime.tokens.inspectorate);
    expect(inspectorate.status).toBe(403);
    expect((await h.api('POST', '/api/dev/clock', { advance: 'P1D' }, null)).status).toBe(401);
  });

  it.each([
    ['not JSON', '{"name": ', 'The request body is not valid JSON'],
    ['an empty object', {}, 'Invalid organiser: orgNumber'],
    ['a bad organisation number', { ...organiser(), orgNumber: '12-34' }, 'orgNumber: must be a Swedish organisation number'],
    ['an unknown legal form', { ...organiser(), legalForm: 'kooperativ' }, 'legalForm must be one of'],
    [
      'a bad contact email',
      { ...organiser(), contacts: [{ role: 'board', name: 'X', email: 'inte-en-adress' }] },
      'contacts.0.email: must be a valid email address',
    ],
    ['an unknown county', { ...organiser(), countyCode: '99' }, 'countyCode must be a two-digit Swedish county'],
  ])('rejects an organiser with %s (400, readable, nothing written)', async (_, body, message) => {
    const before = await counts();
    const r = await h.api('POST', '/api/organisers', body);
    expect(r.status).toBe(400);
    expect(r.json.message).toContain(message);
    expect(r.text).not.toMatch(/at .*\.ts:\d+/);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['no organiserId', {}, 400, 'organiserId'],
    ['an unknown organiser', { organiserId: 'finns-inte' }, 404, "No organiser with id 'finns-inte'"],
    ['a bad cycle', { organiserId: 'norrviks-kommun', cycle: '26' }, 400, 'cycle is a year'],
  ])('rejects a dialogue with %s and starts nothing', async (_, body, status, message) => {
    const before = await counts();
    const r = await h.api('POST', '/api/dialogues', body);
    expect(r.status).toBe(status);
    expect(r.json.message).toContain(message);
    expect(await counts()).toEqual(before);
    expect(h.runtime.sfn.list()).toHaveLength(0);
  });

  it('rejects a body sent without the JSON content type', async () => {
    const r = await fetch(`${h.runtime.urls.app}/api/dialogues`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.runtime.tokens.coordinator}` },
      body: 'organiserId=norrviks-kommun',
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toContain('Content-Type: application/json');
  });

  it('rejects bad list queries and cursors with a readable message', async () => {
    expect((await h.api('GET', '/api/dialogues?state=pending')).json.message).toContain('state must be one of');
    expect((await h.api('GET', '/api/dialogues?limit=1000')).status).toBe(400);
    expect((await h.api('GET', '/api/organisers?cursor=bm90LWpzb24')).json.message).toContain('cursor is not valid');
  });

  it('creates one dialogue per organiser and cycle, and lists dialogues by state', async () => {
    const created = await h.api('POST', '/api/dialogues', { organiserId: 'solrosens-forskola-ab' });
    expect(created.status).toBe(201);
    await h.waitForWorkflow(created.json.id, (e) => e.type === 'TaskWaiting');
    const again = await h.api('POST', '/api/dialogues', { organiserId: 'solrosens-forskola-ab' });
    expect(again.status).toBe(409);
    expect(again.json.id).toBe(created.json.id);

    const invited = await h.api('GET', '/api/dialogues?state=invited');
    expect(invited.json.items.map((d: { id: string }) => d.id)).toEqual([created.json.id]);
    expect(invited.json.items[0]).not.toHaveProperty('waitToken');
    expect((await h.api('GET', '/api/dialogues?state=accepted')).json.items).toEqual([]);
    const detail = await h.dialogue(created.json.id);
    expect(detail.history.map((e: { type: string }) => e.type)).toEqual(['created', 'recipients_resolved', 'invitation_sent']);
    expect(detail.history.every((e: { at: string }) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
  });

  it('answers unknown routes and methods with 404/405', async () => {
    expect((await h.api('GET', '/api/nothing')).status).toBe(404);
    expect((await h.api('DELETE', '/api/dialogues')).status).toBe(405);
    expect((await h.api('POST', '/api/dev/clock', { advance: 'soon' })).json.message).toContain('ISO-8601 duration');
  });

  it('answers a body over the limit with 413 and the usual JSON error, and writes nothing', async () => {
    // Prepare
    const before = await counts();
    const huge = JSON.stringify({ organiserId: 'norrviks-kommun', cycle: '2026', note: 'x'.repeat(10 * 1024 * 1024) });
    // Act
    const res = await fetch(`${h.runtime.urls.app}/api/dialogues`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.runtime.tokens.coordinator}`, 'content-type': 'application/json' },
      body: huge,
    });
    // Assess
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.json()).toMatchObject({ error: 'payload_too_large', message: expect.stringContaining('too large') });
    expect(await counts()).toEqual(before);
  });

  it('answers a body over what a handler reads with 413 too (what reaches Lambda under the gateway limit)', async () => {
    const res = await h.api('POST', '/api/dialogues', { organiserId: 'norrviks-kommun', note: 'x'.repeat(300 * 1024) });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: 'payload_too_large', message: 'The request body is too large (at most 256 KB)' });
  });

  it('answers an oversized form on an organiser page with a Swedish page, not JSON', async () => {
    const res = await fetch(`${h.runtime.urls.app}/r/some-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `comment=${'x'.repeat(7 * 1024 * 1024)}`,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('för stort');
  });
});
