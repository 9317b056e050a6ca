/**
 * Property-based fuzzing of EVERY API route with fast-check, as each role: arbitrary JSON bodies,
 * query strings and path parameters get a 2xx or a readable 4xx — never a 5xx. The inspection
 * import is fuzzed with arbitrary CSV and iCalendar text: a dry-run never writes.
 */
import fc from 'fast-check';
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

const apiRoutes = routes.filter((r) => r.path.startsWith('/api/'));
const segment = fc.oneof(fc.constant('norrviks-kommun'), fc.string({ minLength: 1, maxLength: 30 })).map(encodeURIComponent);
const query = fc.dictionary(
  fc.constantFrom('state', 'limit', 'cursor', 'from', 'to', 'region', 'organiserId', 'dryRun', 'date', 'kind'),
  fc.string({ maxLength: 20 }),
);

describe('every API route under fuzzing', () => {
  it.each(apiRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: never a 5xx', async (_, r) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 3, maxLength: 3 }),
        query,
        fc.jsonValue(),
        fc.boolean(),
        async (params, q, body, asInspectorate) => {
          let n = 0;
          const path = r.path.replace(/\{\w+\}/g, () => params[n++] ?? 'x');
          const token = asInspectorate ? h.runtime.tokens.inspectorate : h.runtime.tokens.coordinator;
          const res = await h.api(
            r.method,
            `${path}?${new URLSearchParams(q)}`,
            r.method === 'GET' || r.method === 'DELETE' ? undefined : JSON.stringify(body),
            token,
          );
          expect(res.status, `${r.method} ${path}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 400) expect(typeof res.json?.message).toBe('string');
        },
      ),
      { numRuns: 15 },
    );
  });

  it('inspection import: arbitrary CSV / iCalendar text never gives a 5xx, and a dry-run writes nothing', async () => {
    // The fuzzed rows name the demo organiser Solrosens Förskola AB (556677-8899); its calendar and the audit must stay as they were.
    const inspections = async () =>
      [
        (await h.api('GET', '/api/inspections?organiserId=556677-8899', undefined, h.runtime.tokens.inspectorate)).text,
        (
          await h.api(
            'GET',
            `/api/audit?date=${h.runtime.clock.now().toISOString().slice(0, 10)}`,
            undefined,
            h.runtime.tokens.inspectorate,
          )
        ).text,
      ].join('\n');
    const csvish = fc
      .array(
        fc.array(
          fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('2026-03-05', '5 mars 2026', '556677-8899', 'regelbunden tillsyn')),
          { maxLength: 7 },
        ),
        { maxLength: 6 },
      )
      .map((rows) => ['id;orgnr;skolenhetskod;typ;start;slut;status', ...rows.map((r) => r.join(';'))].join('\n'));
    const icsish = fc
      .array(fc.string({ maxLength: 40 }), { maxLength: 8 })
      .map((lines) => ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', ...lines, 'END:VEVENT', 'END:VCALENDAR'].join('\r\n'));
    const before = await inspections();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          csvish.map((t) => ['text/csv', t] as const),
          icsish.map((t) => ['text/calendar', t] as const),
          fc.string().map((t) => ['text/csv', t] as const),
        ),
        async ([type, text]) => {
          const res = await fetch(`${h.runtime.urls.app}/api/inspections/import?dryRun=true`, {
            method: 'POST',
            headers: { authorization: `Bearer ${h.runtime.tokens.inspectorate}`, 'content-type': type },
            body: text,
          });
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
    expect(await inspections()).toBe(before);
  });
});
