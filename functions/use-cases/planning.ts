/** Cycle planning over the stored organisers: reads them page by page (byKind index, no Scan) and builds the plan. */
import { buildPlan, type Plan, type PlanCandidate, planRequestSchema } from '#core/planning.ts';
import type { Deps } from '#adapters/deps.ts';
import { parseOrThrow } from './validate.ts';

export async function planCycle(d: Deps, body: unknown): Promise<Plan> {
  const req = parseOrThrow(planRequestSchema, body, 'plan request');
  const support = new Set(req.otherSupport);
  const candidates: PlanCandidate[] = [];
  let cursor: string | undefined;
  do {
    const page = await d.organisers.list(100, cursor);
    const rows = await Promise.all(
      page.items.map(async (o) => {
        let hadDialogue = false;
        for (const cycle of req.previousCycles) {
          if (await d.campaigns.hasDialogue(o.id, cycle)) {
            hadDialogue = true;
            break;
          }
        }
        return { organiser: o, hadDialogue, otherSupport: support.has(o.id) };
      }),
    );
    candidates.push(...rows);
    cursor = page.cursor;
  } while (cursor);
  return buildPlan(candidates, req);
}
