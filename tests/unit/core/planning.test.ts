import { describe, expect, it } from 'vitest';
import { organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import { buildPlan, type PlanCandidate, planRequestSchema } from '#core/planning.ts';
import { generatePopulation } from '#core/population.ts';

const now = new Date('2026-09-01T08:00:00Z');
const population = generatePopulation({ organisers: 600, seed: 11 }).map((o) => toOrganiser(organiserInputSchema.parse(o), now));
const candidates: PlanCandidate[] = population.map((organiser, i) => ({ organiser, hadDialogue: i % 3 === 0, otherSupport: i % 10 === 0 }));
const req = (over: Record<string, unknown> = {}) => planRequestSchema.parse(over);

describe('cycle planning', () => {
  it('ranks large organisers with overlooked school forms and no earlier dialogue first', () => {
    const plan = buildPlan(candidates, req());
    const top = plan.ranked[0]!;
    const c = candidates.find((x) => x.organiser.id === top.organiserId)!;
    expect(c.hadDialogue).toBe(false);
    expect(top.reasons).toContain('ingen tidigare kvalitetsdialog');
    expect(plan.ranked.map((r) => r.score)).toEqual([...plan.ranked.map((r) => r.score)].sort((a, b) => b - a));
  });

  it('follows the weights: with only the children weight, the largest organiser comes first', () => {
    const plan = buildPlan(candidates, req({ weights: { children: 1, overlookedForms: 0, noPreviousDialogue: 0, noOtherSupport: 0 } }));
    expect(plan.ranked[0]!.children).toBe(Math.max(...population.map((o) => o.children)));
  });

  it('groups small organisers by region (or shared school chief), never mixing in large ones', () => {
    const plan = buildPlan(candidates, req({ budgetHours: 1_000_000 }));
    const groups = plan.dialogues.filter((d) => d.kind === 'group');
    expect(groups.length).toBeGreaterThan(0);
    const byId = new Map(population.map((o) => [o.id, o]));
    for (const g of groups) {
      expect(g.organiserIds.length).toBeGreaterThanOrEqual(2);
      expect(g.organiserIds.length).toBeLessThanOrEqual(6);
      expect(g.organiserIds.every((id) => byId.get(id)!.children < 50)).toBe(true);
      expect(new Set(g.organiserIds.map((id) => byId.get(id)!.region)).size).toBe(1);
    }
    // With an unlimited budget everyone is in exactly one planned dialogue.
    const planned = plan.dialogues.flatMap((d) => d.organiserIds);
    expect(new Set(planned).size).toBe(planned.length);
    expect(planned).toHaveLength(population.length);
    expect(plan.coverage.shareOfChildren).toBe(1);
  });

  it('stays within the facilitator budget and reports coverage per hour', () => {
    const plan = buildPlan(candidates, req({ budgetHours: 120 }));
    expect(plan.coverage.hours).toBeLessThanOrEqual(120);
    expect(plan.coverage.shareOfChildren).toBeGreaterThan(0);
    expect(plan.coverage.percentOfChildrenPerHour).toBeCloseTo((plan.coverage.shareOfChildren * 100) / plan.coverage.hours, 3);
    // Weighting where the children are reaches more of them per hour than ignoring size.
    const sizeBlind = buildPlan(
      candidates,
      req({ budgetHours: 120, weights: { children: 0, overlookedForms: 1, noPreviousDialogue: 2, noOtherSupport: 1 } }),
    );
    expect(plan.coverage.percentOfChildrenPerHour).toBeGreaterThan(sizeBlind.coverage.percentOfChildrenPerHour);
  });

  it('rejects a malformed request', () => {
    expect(planRequestSchema.safeParse({ previousCycles: ['förra året'] }).success).toBe(false);
  });
});
