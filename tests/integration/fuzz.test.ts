/**
 * Property-based fuzzing of the HTTP edge with fast-check: any body, query or token gets a 2xx or
 * a 4xx with a readable message — never a 5xx — and a rejected request writes nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
let link: string;
let dialogueId: string;

beforeAll(async () => {
  await h.start();
  await h.api('POST', '/api/organisers', organiser({ contacts: [{ role: 'board', name: 'Nämnden', email: 'fuzz@testvik.example.se' }] }));
  dialogueId = await h.invite('testkommun');
  link = h.linkIn((await h.mailTo('fuzz@testvik.example.se')).at(-1)!);
});
afterAll(async () => {
  await h.close();
});

const counts = async () => ({
  organisers: (await h.api('GET', '/api/organisers?limit=100')).json.items.length,
  dialogues: (await h.api('GET', '/api/dialogues?limit=100')).json.items.length,
});

/** Organiser-like bodies: mostly valid fields with some broken, plus arbitrary JSON. */
const organiserish = fc.oneof(
  fc.record(
    {
      orgNumber: fc.oneof(fc.constant('212000-0002'), fc.string()),
      name: fc.oneof(fc.constant('Fuzzby kommun'), fc.string(), fc.integer()),
      legalForm: fc.oneof(fc.constantFrom('kommun', 'aktiebolag'), fc.string()),
      municipality: fc.string(),
      countyCode: fc.oneof(fc.constant('01'), fc.string({ maxLength: 3 })),
      schoolForms: fc.oneof(fc.constant(['grundskola']), fc.array(fc.string(), { maxLength: 3 }), fc.anything()),
      contacts: fc.oneof(
        fc.constant([]),
        fc.array(fc.record({ role: fc.string(), name: fc.string(), email: fc.string() }), { maxLength: 2 }),
      ),
      children: fc.oneof(fc.integer(), fc.double(), fc.string()),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);

describe('fuzzing the edge', () => {
  it('POST /api/organisers: never a 5xx; a 4xx writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(organiserish, async (body) => {
        const before = await counts();
        const r = await h.api('POST', '/api/organisers', JSON.stringify(body));
        expect(r.status, r.text).toBeLessThan(500);
        if (r.status >= 400) {
          expect(typeof r.json.message).toBe('string');
          expect(await counts()).toEqual(before);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('POST /api/dialogues and list queries: never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.string(), fc.string(), async (body, state, cursor) => {
        const created = await h.api('POST', '/api/dialogues', JSON.stringify(body));
        expect(created.status, created.text).toBeLessThan(500);
        const q = new URLSearchParams({ state, cursor, limit: state.length.toString() });
        const listed = await h.api('GET', `/api/dialogues?${q}`);
        expect(listed.status, listed.text).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });

  it('answer links: any token and any form gives a page, never a 5xx, and changes nothing', async () => {
    const before = await h.dialogue(dialogueId);
    const base = link.slice(0, link.indexOf('/r/') + 3);
    const token = link.slice(link.indexOf('/r/') + 3);
    const tokens = fc.oneof(
      fc.string({ minLength: 1 }).map(encodeURIComponent),
      fc
        .nat({ max: token.length - 1 })
        .chain((i) => fc.string({ minLength: 1, maxLength: 1 }).map((c) => encodeURIComponent(token.slice(0, i) + c + token.slice(i + 1)))),
    );
    await fc.assert(
      fc.asyncProperty(tokens, fc.dictionary(fc.constantFrom('answer', 'reason', 'comment', 'x'), fc.string()), async (t, form) => {
        // '.' and '..' are path segments a URL resolves away (/r/. is /r/), not tokens.
        fc.pre(t !== token && t !== '.' && t !== '..');
        const get = await h.page(`${base}${t}`);
        expect(get.status).toBeLessThan(500);
        const post = await h.page(`${base}${t}`, form);
        expect(post.status).toBeLessThan(500);
        expect(post.html).toContain('lang="sv"');
      }),
      { numRuns: 80 },
    );
    // The real link with broken forms: a readable Swedish error, still nothing recorded.
    await fc.assert(
      fc.asyncProperty(fc.record({ answer: fc.string(), reason: fc.string(), comment: fc.string({ maxLength: 50 }) }), async (form) => {
        fc.pre(form.answer !== 'accept' && form.answer !== 'decline');
        const r = await h.page(link, form);
        expect(r.status).toBe(400);
        expect(r.html).toContain('Välj om ni vill delta eller tacka nej.');
      }),
      { numRuns: 30 },
    );
    const after = await h.dialogue(dialogueId);
    expect(after.state).toBe('invited');
    expect(after.history).toEqual(before.history);
  });
});
