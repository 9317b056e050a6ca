/**
 * Cycle planning for coordinators (templates/pages/console/planning.eta): the plan for the form's
 * weights and limits (a GET: planning writes nothing), its ranking paged, and a draft campaign from it.
 */

import * as z from '#core/zod.ts';
import { regionName } from '#core/console-labels.ts';
import { DomainError } from '#core/errors.ts';
import { type Plan, planRequestSchema } from '#core/planning.ts';
import { planCycle } from '#functions/use-cases/planning.ts';
import { type Ctx, layoutData, type Page, qs, requireConsoleRole } from './frame.ts';
import { html } from '#functions/http/respond.ts';
import { newFormId, offset, sv, blankOr } from './format.ts';
import { PAGE } from './campaigns.ts';

const planningNav = { planning: true };

// ---- cycle planning ---------------------------------------------------------------------------

/** The API's defaults, read from its schema so the form always starts where the API would. */
const planDefaults = planRequestSchema.parse({});

const weightField = (what: string) =>
  blankOr(
    z.coerce
      .number({ error: `${what}: skriv ett tal mellan 0 och 100.` })
      .check(z.gte(0, `${what}: skriv ett tal mellan 0 och 100.`), z.lte(100, `${what}: skriv ett tal mellan 0 och 100.`)),
  );
const positive = (what: string, max: number) =>
  blankOr(
    z.coerce
      .number({ error: `${what}: skriv ett tal större än 0.` })
      .check(z.positive(`${what}: skriv ett tal större än 0.`), z.lte(max, `${what}: högst ${sv(max)}.`)),
  );
const whole = (what: string, min: number, max: number) =>
  blankOr(
    z.coerce
      .number({ error: `${what}: skriv ett heltal.` })
      .check(z.int(`${what}: skriv ett heltal.`), z.gte(min, `${what}: minst ${min}.`), z.lte(max, `${what}: högst ${sv(max)}.`)),
  );

const planFormSchema = z.object({
  children: weightField('Vikt för antal barn'),
  overlookedForms: weightField('Vikt för skolformer som riskerar att förbises'),
  noPreviousDialogue: weightField('Vikt för ingen tidigare dialog'),
  noOtherSupport: weightField('Vikt för inget annat stöd'),
  previousCycles: z.pipe(
    z.pipe(
      z.string().check(z.maxLength(200, 'Tidigare omgångar: för lång text.')),
      z.transform((s: string) => s.split(/[\s,;]+/).filter(Boolean)),
    ),
    z
      .array(z.string().check(z.regex(/^\d{4}$/, 'Tidigare omgångar: skriv årtal med fyra siffror, t.ex. 2025.')))
      .check(z.maxLength(10, 'Högst 10 tidigare omgångar.')),
  ),
  otherSupport: z.pipe(
    z.pipe(
      z.string().check(z.maxLength(20_000, 'Huvudmän med annat stöd: för lång text.')),
      z.transform((s: string) => s.split(/[\s,;]+/).filter(Boolean)),
    ),
    z.array(z.string().check(z.maxLength(64, 'Huvudmän med annat stöd: ett id är högst 64 tecken.'))).check(z.maxLength(5000)),
  ),
  smallBelowChildren: whole('Små huvudmän, färre än', 0, 1_000_000),
  groupSize: whole('Huvudmän per gruppdialog', 2, 20),
  hoursPerDialogue: positive('Timmar per dialog', 200),
  hoursPerGroup: positive('Timmar per gruppdialog', 200),
  budgetHours: positive('Timmar i omgången', 1_000_000),
});

const planFields = Object.keys(planFormSchema.shape) as (keyof typeof planFormSchema.shape)[];

function groupBasis(basis: string | undefined): string {
  if (!basis) return '';
  if (basis.startsWith('region ')) return `Samma region: ${regionName(basis.slice('region '.length))}`;
  if (basis.startsWith('samma skolchef ')) return `Samma skolchef (${basis.slice('samma skolchef '.length)})`;
  return basis;
}

/** The plan for the planning form's values (the page and "create a campaign from the plan" both recompute it). */
export async function computePlan(
  c: Ctx,
  values: Record<string, string>,
): Promise<{ plan: Plan; v: z.output<typeof planFormSchema> } | { errors?: Record<string, string>; errorList: { text: string }[] }> {
  const r = planFormSchema.safeParse(values);
  if (!r.success) {
    const errors: Record<string, string> = {};
    for (const i of r.error.issues) errors[String(i.path[0] ?? 'form')] ??= i.message;
    return { errors, errorList: Object.values(errors).map((text) => ({ text })) };
  }
  const v = r.data;
  const weights = {
    children: v.children ?? planDefaults.weights.children,
    overlookedForms: v.overlookedForms ?? planDefaults.weights.overlookedForms,
    noPreviousDialogue: v.noPreviousDialogue ?? planDefaults.weights.noPreviousDialogue,
    noOtherSupport: v.noOtherSupport ?? planDefaults.weights.noOtherSupport,
  };
  try {
    const plan = await planCycle(c.d, {
      weights,
      previousCycles: v.previousCycles,
      otherSupport: v.otherSupport,
      ...(v.smallBelowChildren !== undefined ? { smallBelowChildren: v.smallBelowChildren } : {}),
      ...(v.groupSize !== undefined ? { groupSize: v.groupSize } : {}),
      ...(v.hoursPerDialogue !== undefined ? { hoursPerDialogue: v.hoursPerDialogue } : {}),
      ...(v.hoursPerGroup !== undefined ? { hoursPerGroup: v.hoursPerGroup } : {}),
      ...(v.budgetHours !== undefined ? { budgetHours: v.budgetHours } : {}),
      // Every organiser ranked: the page pages through them and names the groups' members.
      list: 5000,
    });
    return { plan, v };
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return { errorList: [{ text: `Planen kunde inte beräknas: ${e.message}` }] };
  }
}

/** The planning form's values from query parameters (the page) or the plan's hidden copy (the campaign form). */
export const planValues = (q: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(planFields.map((k) => [k, (q[k] ?? '').slice(0, 20_000)]));

/** Parameters the planning page does not take: a misspelt weight would otherwise plan with its default. */
export const unknownPlanKeys = (q: Record<string, unknown>): string[] =>
  Object.keys(q).filter((k) => !(planFields as string[]).includes(k) && k !== 'plan' && k !== 'fran');

const planningPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const q = c.event.queryStringParameters ?? {};
  const values = planValues(q);
  const defaults: Record<string, string> = {
    children: String(planDefaults.weights.children),
    overlookedForms: String(planDefaults.weights.overlookedForms),
    noPreviousDialogue: String(planDefaults.weights.noPreviousDialogue),
    noOtherSupport: String(planDefaults.weights.noOtherSupport),
    previousCycles: planDefaults.previousCycles.join(', '),
    otherSupport: '',
    smallBelowChildren: String(planDefaults.smallBelowChildren),
    groupSize: String(planDefaults.groupSize),
    hoursPerDialogue: String(planDefaults.hoursPerDialogue),
    hoursPerGroup: String(planDefaults.hoursPerGroup),
    budgetHours: String(planDefaults.budgetHours),
  };
  const submitted = q.plan === '1';
  const f = submitted ? values : defaults;
  const layout = layoutData(c, 'Planering', planningNav);
  const render = (status: number, data: Record<string, unknown>) =>
    html(status, c.d.templates.consolePage('planning', { ...layout, f, defaults, ...data }));
  if (!submitted) return render(200, {});
  const unknown = unknownPlanKeys(q);
  if (unknown.length) {
    return render(400, {
      errorList: [{ text: `Planeringen har inget fält som heter ”${unknown[0]?.slice(0, 40)}”. Fyll i formuläret igen.` }],
    });
  }

  const computed = await computePlan(c, values);
  if (!('plan' in computed)) return render(400, computed);
  const { plan, v } = computed;
  const names = new Map(plan.ranked.map((x) => [x.organiserId, x.name]));
  const rank = new Map(plan.ranked.map((x, i) => [x.organiserId, i + 1]));
  const inPlan = new Set(plan.dialogues.flatMap((d) => d.organiserIds));
  const from = Math.min(offset(q.fran), Math.max(0, plan.ranked.length - 1));
  const self = (params: Record<string, string | number | undefined>) => `/console/planning${qs({ ...values, plan: 1, ...params })}`;
  const cov = plan.coverage;
  const groups = plan.dialogues.filter((d) => d.kind === 'group');
  return render(200, {
    plan: {
      coverage: {
        organisers: sv(cov.organisers),
        children: sv(cov.children),
        childrenTotal: sv(cov.childrenTotal),
        share: `${(cov.shareOfChildren * 100).toLocaleString('sv-SE', { maximumFractionDigits: 1 })} %`,
        hours: sv(cov.hours),
        budget: sv(v.budgetHours ?? planDefaults.budgetHours),
        perHour: `${cov.percentOfChildrenPerHour.toLocaleString('sv-SE', { maximumFractionDigits: 4 })} procentenheter`,
        dialogues: sv(plan.dialogues.length),
        individual: sv(plan.dialogues.length - cov.groupDialogues),
        groupDialogues: sv(cov.groupDialogues),
      },
      groups: groups.map((g, i) => ({
        number: i + 1,
        basis: groupBasis(g.basis),
        members: g.organiserIds.map((id) => names.get(id) ?? id).join(', '),
        count: g.organiserIds.length,
        children: sv(g.children),
        hours: sv(g.hours),
      })),
      groupCaption: `${sv(groups.length)} föreslagna gruppdialoger för små huvudmän (färre än ${sv(
        v.smallBelowChildren ?? planDefaults.smallBelowChildren,
      )} barn) som ryms i timmarna`,
      rankedCaption: `Huvudmän i prioritetsordning: ${sv(plan.ranked.length)}${
        plan.ranked.length > PAGE ? `, ${from + 1}–${Math.min(from + PAGE, plan.ranked.length)} visas` : ''
      }`,
      ranked: plan.ranked.slice(from, from + PAGE).map((x) => ({
        rank: rank.get(x.organiserId),
        name: x.name,
        children: sv(x.children),
        score: x.score.toLocaleString('sv-SE', { maximumFractionDigits: 3 }),
        reasons: x.reasons.join('; '),
        inPlan: inPlan.has(x.organiserId) ? 'Ja' : 'Nej',
      })),
      prevHref: from > 0 ? `${self({ fran: Math.max(0, from - PAGE) || undefined })}#rangordning` : undefined,
      nextHref: from + PAGE < plan.ranked.length ? `${self({ fran: from + PAGE })}#rangordning` : undefined,
      // "Create a campaign from the plan": a draft over the plan's organisers, in plan order (preview first).
      campaign:
        inPlan.size > 0
          ? {
              formId: newFormId(),
              planQuery: new URLSearchParams(values).toString(),
              cycle: String(c.d.clock.now().getUTCFullYear()),
              name: `Planerad omgång ${c.d.clock.now().getUTCFullYear()}`,
              count: sv(inPlan.size),
            }
          : undefined,
    },
  });
};

export const planningRoutes: Record<string, Page> = { 'GET /console/planning': planningPage };
