/**
 * The "Ny kampanj" form for coordinators (templates/pages/console/campaign-new.eta): its own
 * Swedish validation, then the same use-case as POST /api/campaigns; a draft from the planning page
 * takes the plan's organisers in plan order. The form carries an id, so a second post finds the first.
 */

import * as z from '#core/zod.ts';
import { legalFormLabels, schoolFormLabels } from '#core/console-labels.ts';
import { ValidationError } from '#core/errors.ts';
import { sizeBands } from '#core/metrics.ts';
import { legalForms, schoolForms } from '#core/organiser.ts';
import { type RegionId, regions } from '#core/regions.ts';
import { createCampaign } from '#functions/use-cases/campaigns.ts';
import { type Ctx, consoleScript, layoutData, type Page, redirect, requireConsoleRole, actorOf } from './frame.ts';
import { formFields } from '#functions/http/request.ts';
import { type HttpResult, html, json } from '#functions/http/respond.ts';

import { noteCreateProgress } from '#adapters/create-progress.ts';
import { logger } from '#adapters/observability.ts';
import { blankOr, check, FORM_ID, newFormId, sv } from './format.ts';
import { campaignsNav as nav } from './campaigns.ts';
import { computePlan, planValues, unknownPlanKeys } from './planning.ts';
import { campaignConsoleOf } from '#adapters/campaign-console-repository.ts';

/** How long a second post of the create form waits for the first one to finish (the function's time-out is 20 s). */
const WAIT_FOR_FIRST_POST_MS = 12_000;

// ---- the campaign form ------------------------------------------------------------------------

const regionIds = Object.keys(regions) as [RegionId, ...RegionId[]];
/** The size bands of the metrics page as selection bounds (children and pupils, inclusive). */
const sizeOptions = sizeBands.map((b, i) => {
  const min = i === 0 ? 0 : (sizeBands[i - 1]?.max ?? 0) + 1;
  return { value: `${min}-${Number.isFinite(b.max) ? b.max : ''}`, label: b.label, min, max: Number.isFinite(b.max) ? b.max : undefined };
});

const count = (what: string) =>
  blankOr(
    z.coerce
      .number({ error: `${what}: skriv ett heltal.` })
      .check(
        z.int(`${what}: skriv ett heltal.`),
        z.gte(0, `${what} kan inte vara mindre än 0.`),
        z.lte(10_000_000, `${what} är för stort.`),
      ),
  );

const campaignFormSchema = z
  .object({
    name: z.string().check(z.trim(), z.minLength(1, 'Ge kampanjen ett namn.'), z.maxLength(200, 'Namnet får vara högst 200 tecken.')),
    cycle: z.string().check(z.trim(), z.regex(/^\d{4}$/, 'Skriv omgången som ett årtal med fyra siffror, t.ex. 2026.')),
    sendRate: blankOr(
      z.coerce
        .number({ error: 'Skriv takten som ett tal, t.ex. 14.' })
        .check(z.positive('Takten måste vara större än 0 mejl per sekund.'), z.lte(1000, 'Takten får vara högst 1 000 mejl per sekund.')),
    ),
    size: z.enum(['', ...sizeOptions.map((o) => o.value)], { error: 'Välj en av storleksgrupperna.' }),
    minChildren: count('Antal barn från'),
    maxChildren: count('Antal barn till'),
    regions: z.array(z.enum(regionIds, { error: 'Okänd region.' })),
    legalForms: z.array(z.enum(legalForms, { error: 'Okänd juridisk form.' })),
    schoolForms: z.array(z.enum(schoolForms, { error: 'Okänd skolform.' })),
    notYetOffered: z.boolean(),
  })
  .check(
    z.superRefine((v, ctx) => {
      if (v.minChildren !== undefined && v.maxChildren !== undefined && v.minChildren > v.maxChildren)
        ctx.addIssue({ code: 'custom', path: ['minChildren'], message: '”Från” får inte vara större än ”till”.', input: v });
      if (v.size && (v.minChildren !== undefined || v.maxChildren !== undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['size'],
          message: 'Välj en storleksgrupp eller skriv ett eget intervall, inte båda.',
          input: v,
        });
    }),
  );

type FormValues = Record<string, string | string[] | boolean>;

/** The create form's fields (campaign-new.eta, and planning.eta's "create a campaign from the plan"). */
const campaignFormLists = ['regions', 'legalForms', 'schoolForms'];
const campaignFormFields = ['formId', 'name', 'cycle', 'sendRate', 'size', 'minChildren', 'maxChildren', 'notYetOffered', 'planQuery'];

/** The submitted form as strings and lists, kept to show it again after an error. */
function readCampaignForm(posted: { fields: Record<string, string>; all: Record<string, string[]> }): FormValues {
  const text = (k: string) => (posted.fields[k] ?? '').slice(0, 500);
  const list = (k: string) => (posted.all[k] ?? []).slice(0, 50);
  return {
    formId: text('formId'),
    name: text('name'),
    cycle: text('cycle'),
    sendRate: text('sendRate'),
    size: text('size'),
    minChildren: text('minChildren'),
    maxChildren: text('maxChildren'),
    regions: list('regions'),
    legalForms: list('legalForms'),
    schoolForms: list('schoolForms'),
    notYetOffered: posted.fields.notYetOffered === 'ja',
  };
}

/** The API's body for a valid form, or the Swedish message per field. */
function campaignBody(form: FormValues): { body?: Record<string, unknown>; errors: Record<string, string> } {
  const r = campaignFormSchema.safeParse(form);
  if (!r.success) {
    const errors: Record<string, string> = {};
    for (const i of r.error.issues) {
      const field = String(i.path[0] ?? 'form');
      errors[field] ??= i.message;
    }
    return { errors };
  }
  const v = r.data;
  const band = sizeOptions.find((o) => o.value === v.size);
  const list = <T>(xs: T[]) => (xs.length > 0 ? [...new Set(xs)] : undefined);
  return {
    errors: {},
    body: {
      name: v.name,
      cycle: v.cycle,
      ...(v.sendRate !== undefined ? { sendRate: v.sendRate } : {}),
      selection: {
        regions: list(v.regions),
        legalForms: list(v.legalForms),
        schoolForms: list(v.schoolForms),
        minChildren: band ? band.min : v.minChildren,
        maxChildren: band ? band.max : v.maxChildren,
        notYetOfferedThisCycle: v.notYetOffered,
      },
    },
  };
}

const fieldLabels: Record<string, string> = {
  name: 'Namn',
  cycle: 'Omgång',
  sendRate: 'Takt',
  size: 'Storlek',
  minChildren: 'Antal barn från',
  maxChildren: 'Antal barn till',
  regions: 'Regioner',
  legalForms: 'Juridisk form',
  schoolForms: 'Skolformer',
  form: 'Formuläret',
};

function newCampaignPage(c: Ctx, form?: FormValues, errors: Record<string, string> = {}, status = 200, message?: string): HttpResult {
  const f: FormValues = form ?? {
    formId: newFormId(),
    cycle: String(c.d.clock.now().getUTCFullYear()),
    notYetOffered: true,
    regions: [],
    legalForms: [],
    schoolForms: [],
  };
  const has = (k: string, v: string) => (f[k] as string[] | undefined)?.includes(v) ?? false;
  const errorList = Object.entries(errors).map(([field, text]) => ({ field, text, label: fieldLabels[field] ?? field }));
  return html(
    status,
    c.d.templates.consolePage('campaign-new', {
      ...layoutData(c, 'Ny kampanj', nav),
      message,
      errorList: errorList.length ? errorList : undefined,
      errors,
      f,
      defaultRate: sv(c.d.env.SES_SEND_RATE),
      regions: Object.entries(regions).map(([id, r]) => check(id, `${r.name} (kontor: ${r.office})`, has('regions', id))),
      legalForms: legalForms.map((x) => check(x, legalFormLabels[x], has('legalForms', x))),
      schoolForms: schoolForms.map((x) => check(x, schoolFormLabels[x], has('schoolForms', x))),
      sizes: sizeOptions.map((o) => ({ value: o.value, label: o.label, selected: f.size === o.value })),
      script: PROGRESS_SCRIPT,
    }),
    { allowOwnScript: true },
  );
}

const PROGRESS_SCRIPT = '/console/assets/campaign-new.js';

/**
 * How far the draft of a posted form has come, for the form page's script while the post runs
 * (it only reads): the organisers checked of about how many, then the saving, then the campaign.
 */
const createStatus: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const formId = c.event.queryStringParameters?.form ?? '';
  const claim = FORM_ID.test(formId) ? await campaignConsoleOf(c.d).getCreateForm(formId) : undefined;
  return json(200, {
    started: Boolean(claim),
    ...(claim?.progress ?? {}),
    ...(claim?.campaignId ? { campaignId: claim.campaignId } : {}),
  });
};

/** The register's size at the last preview: about how many organisers a preview checks. */
async function registerSize(c: Ctx): Promise<number | undefined> {
  const latest = (await c.d.campaigns.list())
    .filter((x) => x.registered !== undefined)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  return latest?.registered;
}

/**
 * Creates the draft from the form and keeps its preview (everyone left out, per reason). The form
 * carries an id: posting it twice finds the campaign the first post created.
 */
const createPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const posted = formFields(c.event, { lists: campaignFormLists, allowed: campaignFormFields });
  const form = readCampaignForm(posted);
  // From the planning page: the plan's parameters, recomputed here; its organisers in plan order.
  const planQuery = posted.fields.planQuery ?? null;
  const formId = String(form.formId);
  if (!FORM_ID.test(formId))
    return newCampaignPage(c, { ...form, formId: newFormId() }, { form: 'Formuläret saknar sitt id. Skicka det igen.' }, 400);
  const { body, errors } = campaignBody(form);
  if (!body) return newCampaignPage(c, form, errors, 400);
  if (planQuery !== null) {
    const planParams = Object.fromEntries(new URLSearchParams(planQuery.slice(0, 40_000)));
    const computed = unknownPlanKeys(planParams).length ? undefined : await computePlan(c, planValues(planParams));
    if (!computed || !('plan' in computed) || computed.plan.dialogues.length === 0) {
      return newCampaignPage(
        c,
        form,
        {},
        400,
        'Planen kunde inte användas (den har ändrats eller är tom). Gör om planeringen och försök igen.',
      );
    }
    body.selection = { organiserIds: computed.plan.dialogues.flatMap((x) => x.organiserIds), notYetOfferedThisCycle: true };
  }
  const accountRate = c.d.env.SES_SEND_RATE;
  if (typeof body.sendRate === 'number' && body.sendRate > accountRate) {
    return newCampaignPage(
      c,
      form,
      {
        sendRate: `Takten får vara högst ${sv(accountRate)} mejl per sekund: e-posttjänstens gräns, som alla kampanjer delar. Lämna fältet tomt för att använda den.`,
      },
      400,
    );
  }
  const by = actorOf(c);
  const now = c.d.clock.now();
  const claim = await campaignConsoleOf(c.d).claimCreateForm({ formId, by, at: now.toISOString() }, now);
  if (!claim.claimed) {
    // A double click: the browser shows this answer, so wait (a while) for the first post's campaign.
    let existing = claim.existing;
    for (let waited = 0; existing && !existing.campaignId && waited < WAIT_FOR_FIRST_POST_MS; waited += 500) {
      await new Promise((ok) => setTimeout(ok, 500));
      existing = await campaignConsoleOf(c.d).getCreateForm(formId);
    }
    if (existing?.campaignId) return redirect(`/console/campaigns/${encodeURIComponent(existing.campaignId)}?klart=redan-skapad`);
    return html(
      409,
      c.d.templates.consolePage('error', {
        ...layoutData(c, 'Kampanjen skapas', nav),
        heading: 'Kampanjen skapas redan',
        message: 'Formuläret skickades nyss och kampanjen håller på att skapas. Den visas i listan över kampanjer när den är klar.',
        back: '/console/campaigns',
      }),
    );
  }
  let preview: Awaited<ReturnType<typeof createCampaign>>;
  try {
    const of = await registerSize(c);
    preview = await createCampaign(c.d, body, {
      listExcluded: Number.POSITIVE_INFINITY,
      progress: (step, checked) =>
        noteCreateProgress(c.d, formId, { step, checked, ...(of !== undefined ? { of: Math.max(of, checked) } : {}) }),
    });
  } catch (e) {
    // Nothing was created: the same form may be posted again at once.
    await campaignConsoleOf(c.d).releaseCreateForm(formId);
    if (!(e instanceof ValidationError)) throw e;
    // The form's own rules are at least as strict as the API's; this is a safety net.
    return newCampaignPage(c, form, {}, 400, `Urvalet kunde inte användas: ${e.message}`);
  }
  const id = preview.campaign.id;
  const seqs: Record<string, number> = {};
  const next = (reason: string): number => {
    seqs[reason] = (seqs[reason] ?? -1) + 1;
    return seqs[reason];
  };
  await campaignConsoleOf(c.d).putExcluded(
    id,
    preview.excluded.map((x) => ({
      organiserId: x.organiserId,
      name: x.name,
      orgNumber: x.orgNumber,
      reason: x.reason,
      seq: next(x.reason),
    })),
  );
  await campaignConsoleOf(c.d).claimAction(id, { formId, action: 'create', by, at: now.toISOString(), outcome: 'done' });
  await campaignConsoleOf(c.d).completeCreateForm(formId, id);
  logger.info('console campaign created', { campaignId: id, total: preview.campaign.total, excluded: preview.campaign.excluded, by });
  return redirect(`/console/campaigns/${encodeURIComponent(id)}?klart=skapad`);
};

export const campaignNewRoutes: Record<string, Page> = {
  'GET /console/campaigns/new': async (c) => {
    requireConsoleRole(c, ['coordinator']);
    return newCampaignPage(c);
  },
  'POST /console/campaigns': createPost,
  'GET /console/campaigns/new/status': createStatus,
  'GET /console/assets/campaign-new.js': consoleScript('campaign-new.js'),
};
