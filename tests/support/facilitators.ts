/** The facilitators the meeting tests book: two from Skolverket, two from SPSM (Malmö and Solna). */
import type { Harness } from './local.ts';

export const testFacilitators = {
  'sv-anna': { id: 'sv-anna', name: 'Anna Åström', agency: 'skolverket', office: 'Malmö', email: 'anna@skolverket.example.se' },
  'sv-bo': { id: 'sv-bo', name: 'Bo Berg', agency: 'skolverket', office: 'Malmö', email: 'bo@skolverket.example.se' },
  'sp-david': { id: 'sp-david', name: 'David Lund', agency: 'spsm', office: 'Malmö', email: 'david@spsm.example.se' },
  'sp-eva': { id: 'sp-eva', name: 'Eva Sjö', agency: 'spsm', office: 'Solna', email: 'eva@spsm.example.se' },
} as const;

/** Registers the named facilitators through the API; throws on a refusal. */
export async function addFacilitators(h: Harness, ids: readonly (keyof typeof testFacilitators)[]): Promise<void> {
  for (const id of ids) {
    const r = await h.api('POST', '/api/facilitators', testFacilitators[id]);
    if (r.status >= 300) throw new Error(`facilitator ${id}: ${r.status} ${r.text}`);
  }
}
