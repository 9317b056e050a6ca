/**
 * Org. numbers for the organisers a console list shows. Records made since dialogues, campaign
 * recipients and left-out lists carry the organiser's number carry it; for older ones the
 * organiser is read (one GetItem each, at most a page's worth, in parallel).
 */
import type { Deps } from '#adapters/deps.ts';

export async function orgNumbersOf(
  d: Deps,
  rows: readonly { organiserId: string; orgNumber?: string }[],
): Promise<Map<string, string | undefined>> {
  const numbers = new Map<string, string | undefined>();
  for (const r of rows) if (r.orgNumber) numbers.set(r.organiserId, r.orgNumber);
  const missing = [...new Set(rows.filter((r) => !numbers.has(r.organiserId)).map((r) => r.organiserId))];
  const found = await Promise.all(missing.map((id) => d.organisers.get(id)));
  for (const [i, id] of missing.entries()) numbers.set(id, found[i]?.orgNumber);
  return numbers;
}
