/**
 * A synthetic inspection calendar at national scale (2,800 organisers, 20,000 inspections),
 * generated deterministically and written with BatchWriteItem through the real SDK, for the
 * scale test and the clash-check benchmark. Only the per-organiser copies are written: they are
 * what the clash check reads.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inspectionKinds, type Inspection } from '#core/inspection.ts';
import { addCalendarDays } from '#core/inspection.ts';
import { calendarKeys } from '#adapters/table-model.ts';

/** mulberry32: a small seeded PRNG so every run sees the same calendar. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const scaleOrganiserId = (n: number) => `scale-org-${String(n).padStart(4, '0')}`;

export function generateCalendar(organisers: number, inspections: number, seed = 4): Inspection[] {
  const rand = prng(seed);
  const out: Inspection[] = [];
  for (let i = 0; i < inspections; i++) {
    const org = i < organisers ? i : Math.floor(rand() * organisers);
    const start = addCalendarDays('2026-01-05', Math.floor(rand() * 700));
    const r = rand();
    out.push({
      externalId: `SCALE-${i}`,
      organiserId: scaleOrganiserId(org),
      orgNumber: scaleOrgNumber(org),
      ...(rand() < 0.3 ? { schoolUnitCode: String(10_000_000 + Math.floor(rand() * 89_999_999)) } : {}),
      kind: inspectionKinds[Math.floor(rand() * inspectionKinds.length)] ?? 'other',
      start,
      end: addCalendarDays(start, Math.floor(rand() * 5)),
      status: r < 0.1 ? 'cancelled' : r < 0.55 ? 'planned' : 'confirmed',
      contentHash: `seed-${i}`,
      updatedAt: '2026-01-01T00:00:00.000Z',
      updatedBy: 'seed',
    });
  }
  return out;
}

export const scaleOrgNumber = (n: number) => String(5_560_000_000 + n);

/** The per-organiser inspection copies plus an org. number look-up for every organiser. */
export async function seedCalendar(
  doc: DynamoDBDocumentClient,
  table: string,
  calendar: readonly Inspection[],
  organisers: number,
  concurrency = 8,
): Promise<void> {
  const items: Record<string, unknown>[] = [
    ...calendar.map((x) => ({ ...x, ...calendarKeys.organiserInspection(x.organiserId, x.externalId) })),
    ...Array.from({ length: organisers }, (_, n) => ({
      ...calendarKeys.orgNumber(scaleOrgNumber(n)),
      orgNumber: scaleOrgNumber(n),
      organiserId: scaleOrganiserId(n),
    })),
  ];
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let items: Record<string, unknown>[] | undefined = batches[next++];
      for (let attempt = 0; items?.length; attempt++) {
        if (attempt > 10) throw new Error('BatchWriteItem left items unprocessed');
        const r = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: items as never } }));
        items = r.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
