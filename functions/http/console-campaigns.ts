/**
 * The console's campaign and cycle-planning pages (issue 6), for coordinators: the campaign list,
 * the "Ny kampanj" form (its own Swedish validation, then the same use-case as POST /api/campaigns),
 * the campaign page (preview with the reasons organisers are left out, progress, throttling,
 * failed recipients, the action log) with confirmed, idempotent launch / pause / resume, and the
 * planning page (a GET: planning writes nothing). console.ts spreads `consoleCampaignPages` into
 * its pages; the routes are listed in routes.ts.
 */
import { randomBytes } from 'node:crypto';
import * as z from '#core/zod.ts';
import {
  type Campaign,
  type CampaignState,
  campaignStates,
  campaignSummary,
  type ExclusionReason,
  exclusionReasons,
} from '#core/campaign.ts';
import { campaignStateLabels, exclusionReasonLabels, legalFormLabels, regionName, schoolFormLabels } from '#core/console-labels.ts';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '#core/errors.ts';
import { sizeBands } from '#core/metrics.ts';
import { legalForms, schoolForms } from '#core/organiser.ts';
import { type Plan, planRequestSchema } from '#core/planning.ts';
import { type RegionId, regions } from '#core/regions.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import type { CampaignActionEntry, CampaignActionKind, ExcludedOrganiser } from '#adapters/campaign-console-repository.ts';
import {
  type CampaignAction,
  changeCampaign,
  createCampaign,
  deleteCampaign,
  getCampaign,
  listCampaigns,
} from '#functions/use-cases/campaigns.ts';
import { planCycle } from '#functions/use-cases/planning.ts';
import { campaignView } from './api-routes/campaigns.ts';
import { consoleScript, type Ctx, layoutData, type Page, qs, redirect, requireConsoleRole, roleLabels } from './console-frame.ts';
import { formBody, formFields } from './request.ts';
import { type HttpResult, html, json, logger } from './respond.ts';

const when = (iso: string | undefined): string => (iso ? formatSwedishDateTime(new Date(iso)) : '');
const actorOf = (c: Ctx): string => `${c.session.name} (${roleLabels[c.session.role]})`;
const newFormId = (): string => randomBytes(16).toString('base64url');
const FORM_ID = /^[A-Za-z0-9_-]{16,40}$/;
const PAGE = 25;
/** Seconds between reloads of a running campaign's page when script is off. */
const REFRESH_SECONDS = 3;
const PROGRESS_SCRIPT = '/console/assets/campaign-progress.js';
/** How long a second post of the create form waits for the first one to finish (the function's time-out is 20 s). */
const WAIT_FOR_FIRST_POST_MS = 12_000;
const sv = (n: number): string => n.toLocaleString('sv-SE');
const nav = { campaigns: true };
const planningNav = { planning: true };

/** A non-negative page offset from the query string (anything else is the first page). */
const offset = (v: string | undefined): number => (v && /^\d{1,7}$/.test(v) ? Number(v) : 0);

const check = (value: string, label: string, selected: boolean) => ({ value, label, checked: selected, id: value });

// ---- the campaign form ------------------------------------------------------------------------

const regionIds = Object.keys(regions) as [RegionId, ...RegionId[]];
/** The size bands of the metrics page as selection bounds (children and pupils, inclusive). */
const sizeOptions = sizeBands.map((b, i) => {
  const min = i === 0 ? 0 : (sizeBands[i - 1]?.max ?? 0) + 1;
  return { value: `${min}-${Number.isFinite(b.max) ? b.max : ''}`, label: b.label, min, max: Number.isFinite(b.max) ? b.max : undefined };
});

/** Blank fields are "not given"; a decimal comma is accepted. */
const blank = (v: unknown) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim().replace(',', '.')) : v);
/** zod classic's preprocess in zod/mini: blank → absent, then the schema (the outer optional keeps the key optional). */
const blankOr = <T extends z.core.SomeType>(s: T) => z.optional(z.pipe(z.transform(blank), z.optional(s)));
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
    }),
  );
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
  const claim = await c.d.campaignConsole.claimCreateForm({ formId, by, at: now.toISOString() }, now);
  if (!claim.claimed) {
    // A double click: the browser shows this answer, so wait (a while) for the first post's campaign.
    let existing = claim.existing;
    for (let waited = 0; existing && !existing.campaignId && waited < WAIT_FOR_FIRST_POST_MS; waited += 500) {
      await new Promise((ok) => setTimeout(ok, 500));
      existing = await c.d.campaignConsole.getCreateForm(formId);
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
    preview = await createCampaign(c.d, body, { listExcluded: Number.POSITIVE_INFINITY });
  } catch (e) {
    // Nothing was created: the same form may be posted again at once.
    await c.d.campaignConsole.releaseCreateForm(formId);
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
  await c.d.campaignConsole.putExcluded(
    id,
    preview.excluded.map((x) => ({
      organiserId: x.organiserId,
      name: x.name,
      reason: x.reason,
      seq: next(x.reason),
    })),
  );
  await c.d.campaignConsole.claimAction(id, { formId, action: 'create', by, at: now.toISOString(), outcome: 'done' });
  await c.d.campaignConsole.completeCreateForm(formId, id);
  logger.info('console campaign created', { campaignId: id, total: preview.campaign.total, excluded: preview.campaign.excluded, by });
  return redirect(`/console/campaigns/${encodeURIComponent(id)}?klart=skapad`);
};

// ---- the list ---------------------------------------------------------------------------------

function progressText(v: ReturnType<typeof campaignView>): string {
  const p = v.progress;
  return `${sv(p.sent)} skickade, ${sv(p.queued)} i kö, ${sv(p.failed)} misslyckade av ${sv(p.total)}`;
}

const listPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const q = c.event.queryStringParameters ?? {};
  const state = (campaignStates as readonly string[]).includes(q.state ?? '') ? (q.state as CampaignState) : undefined;
  const error = q.state && !state ? 'Okänt läge i filtret; alla kampanjer visas.' : undefined;
  const all = await listCampaigns(c.d);
  const matching = state ? all.filter((x) => x.state === state) : all;
  const from = Math.min(offset(q.fran), Math.max(0, matching.length - 1));
  const now = c.d.clock.now();
  const rows = matching.slice(from, from + PAGE).map((x) => {
    const v = campaignView(x, now);
    return {
      id: x.id,
      name: x.name,
      cycle: x.cycle,
      stateLabel: campaignStateLabels[x.state],
      progress: progressText(v),
      sent: v.progress.sent,
      handled: v.progress.sent + v.progress.failed,
      total: v.progress.total,
      barMax: Math.max(1, v.progress.total),
      createdAt: when(x.createdAt),
      launchedAt: when(x.launchedAt),
      completedAt: when(x.completedAt),
    };
  });
  const counts = campaignStates.map((s) => ({
    state: s,
    label: campaignStateLabels[s],
    count: all.filter((x) => x.state === s).length,
    href: `/console/campaigns${qs({ state: s })}`,
    current: s === state,
  }));
  return html(
    200,
    c.d.templates.consolePage('campaigns', {
      ...layoutData(c, 'Kampanjer', nav),
      error,
      flash: q.klart === 'borttagen' ? 'Utkastet är borttaget. Ingen fick någon inbjudan genom det.' : undefined,
      counts,
      states: campaignStates.map((s) => ({ value: s, label: campaignStateLabels[s], selected: s === state })),
      caption: `${matching.length} kampanjer${state ? ` i läget ”${campaignStateLabels[state]}”` : ''}, nyast först${
        matching.length > PAGE ? `, ${from + 1}–${Math.min(from + PAGE, matching.length)} visas` : ''
      }`,
      rows,
      prevHref: from > 0 ? `/console/campaigns${qs({ state, fran: Math.max(0, from - PAGE) || undefined })}` : undefined,
      nextHref: from + PAGE < matching.length ? `/console/campaigns${qs({ state, fran: from + PAGE })}` : undefined,
    }),
  );
};

// ---- one campaign -----------------------------------------------------------------------------

async function campaignOf(c: Ctx): Promise<Campaign> {
  try {
    return await getCampaign(c.d, c.event.pathParameters?.id ?? '');
  } catch (e) {
    if (e instanceof NotFoundError) throw new NotFoundError('Kampanjen finns inte.');
    throw e;
  }
}

function selectionText(x: Campaign): string[] {
  const s = x.selection;
  const out: string[] = [];
  if (s.organiserIds) out.push(`Utvalda huvudmän (till exempel ur en planering): ${sv(s.organiserIds.length)}, inbjudna i den ordningen`);
  out.push(s.regions ? `Regioner: ${s.regions.map((r) => regionName(r)).join(', ')}` : 'Alla regioner');
  out.push(s.legalForms ? `Juridisk form: ${s.legalForms.map((f) => legalFormLabels[f]).join(', ')}` : 'Alla juridiska former');
  out.push(s.schoolForms ? `Driver någon av skolformerna: ${s.schoolForms.map((f) => schoolFormLabels[f]).join(', ')}` : 'Alla skolformer');
  if (s.minChildren !== undefined || s.maxChildren !== undefined) {
    out.push(
      s.maxChildren === undefined
        ? `Minst ${sv(s.minChildren ?? 0)} barn och elever`
        : `${sv(s.minChildren ?? 0)}–${sv(s.maxChildren)} barn och elever`,
    );
  } else out.push('Alla storlekar');
  out.push(
    s.notYetOfferedThisCycle ? `Bara de som inte redan har en dialog i omgång ${x.cycle}` : 'Även de som redan har en dialog i omgången',
  );
  return out;
}

/** The stored error of a failed invitation in words a coordinator reads (the record keeps the original). */
function swedishError(error: string | undefined): string {
  if (!error) return '';
  if (/^No organiser with id/.test(error)) return 'Huvudmannen finns inte längre i registret.';
  if (/has no board, school chief or rektor contact/.test(error))
    return 'Huvudmannen saknar kontaktuppgifter (nämnd, styrelse, skolchef eller rektor med e-postadress).';
  return `Tekniskt fel: ${error}`;
}

const recipientStatusLabels = { queued: 'I kö', sent: 'Inbjuden', failed: 'Misslyckades' } as const;
const actionLabels: Record<CampaignActionKind, string> = {
  create: 'Skapade kampanjen',
  launch: 'Startade utskicket',
  pause: 'Pausade utskicket',
  resume: 'Återupptog utskicket',
};
const outcomeLabels: Record<CampaignActionEntry['outcome'], string> = {
  pending: 'Pågår eller avbröts',
  done: 'Utfört',
  already: 'Redan utfört; inget ändrades',
  refused: 'Inte utfört',
};

const flashes: Record<string, string> = {
  skapad: 'Kampanjen är skapad som utkast. Granska urvalet och starta utskicket när det stämmer.',
  'redan-skapad': 'Formuläret var redan skickat; kampanjen nedan skapades då. Ingen ny kampanj skapades.',
  launch: 'Utskicket har startat. Inbjudningarna går ut i den valda takten.',
  pause: 'Utskicket är pausat. Inga fler inbjudningar skickas förrän du återupptar det.',
  resume: 'Utskicket har återupptagits där det slutade. Ingen får sin inbjudan två gånger.',
  already: 'Åtgärden var redan utförd; inget ändrades.',
};

/** What the page and its script show of the progress, and the throttling in plain Swedish. */
function progressOf(x: Campaign, now: Date) {
  const v = campaignView(x, now);
  const p = v.progress;
  const handled = p.sent + p.failed;
  const waitSeconds = x.backoffUntil ? Math.max(1, Math.ceil((Date.parse(x.backoffUntil) - now.getTime()) / 1000)) : 0;
  const throttle =
    p.throttled > 0
      ? `E-posttjänsten (SES) bad oss sakta ner ${sv(p.throttled)} ${p.throttled === 1 ? 'gång' : 'gånger'}${
          x.lastThrottledAt ? `, senast ${when(x.lastThrottledAt)}` : ''
        }. De inbjudningarna skickas om automatiskt.`
      : undefined;
  const waiting =
    p.retrying && x.state === 'running'
      ? `Utskicket väntar ${sv(waitSeconds)} ${waitSeconds === 1 ? 'sekund' : 'sekunder'} efter begränsningen och fortsätter sedan av sig självt (väntetiden fördubblas om begränsningen fortsätter, högst 5 minuter).`
      : undefined;
  const stateText: Record<CampaignState, string> = {
    draft: 'Utskicket har inte startat.',
    running: 'Utskicket pågår.',
    paused: 'Utskicket är pausat.',
    completed: 'Utskicket är klart.',
  };
  return {
    state: x.state,
    stateLabel: campaignStateLabels[x.state],
    running: x.state === 'running',
    sent: p.sent,
    queued: p.queued,
    failed: p.failed,
    total: p.total,
    /** A <progress> needs a maximum above 0, also for a campaign with nobody to invite. */
    barMax: Math.max(1, p.total),
    handled,
    throttled: p.throttled,
    retrying: p.retrying,
    text: `${stateText[x.state]} ${sv(p.sent)} av ${sv(p.total)} inbjudna, ${sv(p.queued)} i kö, ${sv(p.failed)} misslyckade.`,
    throttle,
    waiting,
  };
}

const actionsFor = (x: Campaign): { href: string; label: string; danger?: boolean }[] => {
  const base = `/console/campaigns/${encodeURIComponent(x.id)}`;
  const remove = { href: `${base}/delete`, label: 'Ta bort utkastet', danger: true };
  if (x.state === 'draft' && x.total > 0) return [{ href: `${base}/launch`, label: 'Starta utskicket' }, remove];
  if (!x.launchedAt) return [remove];
  if (x.state === 'running') return [{ href: `${base}/pause`, label: 'Pausa utskicket', danger: true }];
  if (x.state === 'paused') return [{ href: `${base}/resume`, label: 'Återuppta utskicket' }];
  return [];
};

const campaignPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const x = await campaignOf(c);
  const q = c.event.queryStringParameters ?? {};
  const now = c.d.clock.now();
  const base = `/console/campaigns/${encodeURIComponent(x.id)}`;
  const reason = (exclusionReasons as readonly string[]).includes(q.skal ?? '') ? (q.skal as ExclusionReason) : undefined;
  const from = Math.min(offset(q.fran), Math.max(0, x.total - 1));
  const excludedFrom = offset(q.skalfran);
  const [recipients, excluded, failed, log] = await Promise.all([
    c.d.campaigns.recipients(x.id, from, PAGE),
    reason ? c.d.campaignConsole.excluded(x.id, reason, excludedFrom, PAGE) : undefined,
    x.failed > 0 ? c.d.campaignConsole.failedRecipients(x.id, 100) : undefined,
    c.d.campaignConsole.actions(x.id),
  ]);
  const excludedTotal = exclusionReasons.reduce((a, r) => a + (x.excluded[r] ?? 0), 0);
  const progress = progressOf(x, now);
  const keep = { skal: reason, skalfran: excludedFrom || undefined };
  const body = c.d.templates.consolePage('campaign', {
    ...layoutData(c, x.name, nav),
    noscriptRefresh: x.state === 'running' ? String(REFRESH_SECONDS) : undefined,
    script: x.state === 'running' ? PROGRESS_SCRIPT : undefined,
    statusUrl: x.state === 'running' ? `${base}/status` : undefined,
    flash: flashes[q.klart ?? ''],
    x: {
      ...x,
      sendRate: sv(x.sendRate),
      createdAt: when(x.createdAt),
      launchedAt: when(x.launchedAt),
      completedAt: when(x.completedAt),
    },
    draft: x.state === 'draft',
    empty: x.total === 0,
    selection: selectionText(x),
    summary: campaignSummary(x),
    progress,
    actions: actionsFor(x),
    invitedCount: sv(x.total),
    excludedCount: sv(excludedTotal),
    reasons: exclusionReasons.map((r) => ({
      reason: r,
      label: exclusionReasonLabels[r],
      count: sv(x.excluded[r] ?? 0),
      href: (x.excluded[r] ?? 0) > 0 ? `${base}${qs({ skal: r, fran: from || undefined })}#utelamnade` : undefined,
      current: r === reason,
    })),
    excludedList: reason
      ? {
          caption: `${exclusionReasonLabels[reason]}: ${sv(x.excluded[reason] ?? 0)} huvudmän${
            (x.excluded[reason] ?? 0) > PAGE ? `, ${excludedFrom + 1}–${excludedFrom + (excluded?.items.length ?? 0)} visas` : ''
          }`,
          rows: (excluded?.items ?? []).map((e: ExcludedOrganiser) => ({ ...e, number: e.seq + 1 })),
          missing: (x.excluded[reason] ?? 0) > 0 && (excluded?.items.length ?? 0) === 0 && excludedFrom === 0,
          prevHref:
            excludedFrom > 0
              ? `${base}${qs({ fran: from || undefined, skal: reason, skalfran: Math.max(0, excludedFrom - PAGE) || undefined })}#utelamnade`
              : undefined,
          nextHref: excluded?.more
            ? `${base}${qs({ fran: from || undefined, skal: reason, skalfran: excludedFrom + PAGE })}#utelamnade`
            : undefined,
          closeHref: `${base}${qs({ fran: from || undefined })}`,
        }
      : undefined,
    recipients: {
      caption: `${x.state === 'draft' ? 'Bjuds in' : 'Mottagare'}: ${sv(x.total)} huvudmän i den ordning de bjuds in${
        x.total > PAGE ? `, ${from + 1}–${from + recipients.length} visas` : ''
      }`,
      rows: recipients.map((r) => ({
        number: r.seq + 1,
        name: r.organiserName,
        organiserId: r.organiserId,
        mails: r.mails,
        statusLabel: recipientStatusLabels[r.status],
        dialogueId: r.dialogueId,
        error: swedishError(r.error),
      })),
      prevHref: from > 0 ? `${base}${qs({ ...keep, fran: Math.max(0, from - PAGE) || undefined })}#mottagare` : undefined,
      nextHref: from + PAGE < x.total ? `${base}${qs({ ...keep, fran: from + PAGE })}#mottagare` : undefined,
    },
    failed: failed
      ? {
          caption: `${sv(x.failed)} inbjudningar misslyckades${failed.partial ? `; de första ${failed.items.length} visas` : ''}`,
          rows: failed.items.map((r) => ({
            number: r.seq + 1,
            name: r.organiserName,
            organiserId: r.organiserId,
            error: swedishError(r.error),
          })),
        }
      : undefined,
    log: log.map((e) => ({
      at: when(e.at),
      label: actionLabels[e.action],
      by: e.by,
      outcome: outcomeLabels[e.outcome],
      message: e.message,
    })),
  });
  return html(200, body, { allowOwnScript: x.state === 'running' });
};

/** The progress as JSON for the page's script (reads only). */
const statusPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  return json(200, progressOf(await campaignOf(c), c.d.clock.now()));
};

const progressScript = consoleScript('campaign-progress.js');

// ---- launch / pause / resume --------------------------------------------------------------------

const campaignActions = ['launch', 'pause', 'resume'] as const satisfies readonly CampaignAction[];
/** The state an action needs, and the states in which it counts as done already. */
const needs: Record<CampaignAction, CampaignState> = { launch: 'draft', pause: 'running', resume: 'paused' };
const doneIn: Record<CampaignAction, readonly CampaignState[]> = {
  launch: ['running', 'paused', 'completed'],
  pause: ['paused'],
  resume: ['running', 'completed'],
};

const confirmTexts: Record<CampaignAction, { heading: string; confirmLabel: string; danger?: boolean }> = {
  launch: { heading: 'Starta utskicket', confirmLabel: 'Starta utskicket' },
  pause: { heading: 'Pausa utskicket', confirmLabel: 'Pausa utskicket', danger: true },
  resume: { heading: 'Återuppta utskicket', confirmLabel: 'Återuppta utskicket' },
};

function explanation(action: CampaignAction, x: Campaign): string {
  const left = x.total - x.position;
  const seconds = Math.ceil((left * 1.5) / x.sendRate);
  const duration = seconds < 120 ? `ungefär ${sv(seconds)} sekunder` : `ungefär ${sv(Math.ceil(seconds / 60))} minuter`;
  if (action === 'launch')
    return `${sv(x.total)} huvudmän får en inbjudan till kvalitetsdialog (nämnd eller styrelse och skolchef eller rektor), i takt med högst ${sv(
      x.sendRate,
    )} mejl per sekund: ${duration}. Urvalet gäller som det visades i förhandsgranskningen. Du kan pausa utskicket när som helst.`;
  if (action === 'pause')
    return `Inga fler inbjudningar skickas förrän du återupptar utskicket. ${sv(x.sent)} huvudmän har redan fått sin inbjudan; ${sv(left)} väntar.`;
  return `Utskicket fortsätter där det slutade med de ${sv(left)} huvudmän som återstår, i takt med högst ${sv(x.sendRate)} mejl per sekund (${duration}). Ingen får sin inbjudan två gånger.`;
}

function actionOf(c: Ctx): CampaignAction {
  const a = c.event.pathParameters?.action ?? '';
  if (!(campaignActions as readonly string[]).includes(a)) throw new NotFoundError('Åtgärden finns inte.');
  return a as CampaignAction;
}

/** Deleting a campaign that was never launched: a confirmation, then the POST (a second POST finds it gone). */
async function deleteConfirmPage(c: Ctx): Promise<HttpResult> {
  const x = await campaignOf(c);
  const heading = 'Ta bort utkastet';
  if (x.launchedAt) {
    return html(
      409,
      c.d.templates.consolePage('error', {
        ...layoutData(c, heading, nav),
        heading,
        message: 'Kampanjen har startats och kan inte tas bort. Pausa utskicket i stället.',
        back: `/console/campaigns/${encodeURIComponent(x.id)}`,
      }),
    );
  }
  return html(
    200,
    c.d.templates.consolePage('campaign-confirm', {
      ...layoutData(c, heading, nav),
      heading,
      confirmLabel: heading,
      danger: true,
      explanation: `Kampanjen ”${x.name}” tas bort med sitt urval och sin förhandsgranskning. Ingen har fått någon inbjudan genom den.`,
      id: x.id,
      name: x.name,
      action: 'delete',
      formId: newFormId(),
    }),
  );
}

const deletePost: Page = async (c) => {
  const id = c.event.pathParameters?.id ?? '';
  const gone = redirect('/console/campaigns?klart=borttagen');
  if (!(await c.d.campaigns.get(id))) return gone; // deleted by the first of two submits
  try {
    await deleteCampaign(c.d, id);
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    return deleteConfirmPage(c);
  }
  logger.info('console campaign deleted', { campaignId: id, by: actorOf(c) });
  return gone;
};

async function confirmPage(c: Ctx, error?: string): Promise<HttpResult> {
  requireConsoleRole(c, ['coordinator']);
  if (c.event.pathParameters?.action === 'delete') return deleteConfirmPage(c);
  const action = actionOf(c);
  const x = await campaignOf(c);
  const texts = confirmTexts[action];
  if (x.state !== needs[action]) {
    return html(
      409,
      c.d.templates.consolePage('error', {
        ...layoutData(c, texts.heading, nav),
        heading: texts.heading,
        message: `Det går inte när kampanjen är i läget ”${campaignStateLabels[x.state]}”.`,
        back: `/console/campaigns/${encodeURIComponent(x.id)}`,
      }),
    );
  }
  return html(
    error ? 400 : 200,
    c.d.templates.consolePage('campaign-confirm', {
      ...layoutData(c, texts.heading, nav),
      ...texts,
      explanation: explanation(action, x),
      error,
      id: x.id,
      name: x.name,
      action,
      formId: newFormId(),
    }),
  );
}

/**
 * Carries out a confirmed action once per submitted form: the form's id is claimed first (the
 * claim is the audit entry), so a double submit finds it and changes nothing; a claim left
 * pending by a crash lets the same form finish the work (the state check makes that safe).
 */
const actionPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  if (c.event.pathParameters?.action === 'delete') return deletePost(c);
  const action = actionOf(c);
  const x = await campaignOf(c);
  const back = `/console/campaigns/${encodeURIComponent(x.id)}`;
  const formId = formBody(c.event).formId ?? '';
  if (!FORM_ID.test(formId)) return confirmPage(c, 'Formuläret saknar sitt id. Försök igen.');
  const by = actorOf(c);
  const claim = await c.d.campaignConsole.claimAction(x.id, { formId, action, by, at: c.d.clock.now().toISOString(), outcome: 'pending' });
  if (!claim.claimed && claim.entry.outcome !== 'pending') return redirect(`${back}?klart=already`);
  try {
    await changeCampaign(c.d, x.id, action);
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    const now = await getCampaign(c.d, x.id);
    // A form posted again while its first post was still running leaves the entry to that post.
    if (doneIn[action].includes(now.state)) {
      if (claim.claimed) await c.d.campaignConsole.finishAction(x.id, formId, 'already');
      return redirect(`${back}?klart=already`);
    }
    const message = `Kampanjen är i läget ”${campaignStateLabels[now.state]}”.`;
    if (claim.claimed) await c.d.campaignConsole.finishAction(x.id, formId, 'refused', message);
    return html(
      409,
      c.d.templates.consolePage('error', {
        ...layoutData(c, confirmTexts[action].heading, nav),
        heading: confirmTexts[action].heading,
        message: `Det gick inte: ${message}`,
        back,
      }),
    );
  }
  await c.d.campaignConsole.finishAction(x.id, formId, 'done');
  logger.info('console campaign action', { action, campaignId: x.id, by });
  return redirect(`${back}?klart=${action}`);
};

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
async function computePlan(
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
const planValues = (q: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(planFields.map((k) => [k, (q[k] ?? '').slice(0, 20_000)]));

/** Parameters the planning page does not take: a misspelt weight would otherwise plan with its default. */
const unknownPlanKeys = (q: Record<string, unknown>): string[] =>
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

// ---- routes -----------------------------------------------------------------------------------

export const consoleCampaignPages: Record<string, Page> = {
  'GET /console/campaigns': listPage,
  'GET /console/campaigns/new': async (c) => {
    requireConsoleRole(c, ['coordinator']);
    return newCampaignPage(c);
  },
  'POST /console/campaigns': createPost,
  'GET /console/campaigns/{id}': campaignPage,
  'GET /console/campaigns/{id}/status': statusPage,
  'GET /console/campaigns/{id}/{action}': (c) => confirmPage(c),
  'POST /console/campaigns/{id}/{action}': actionPost,
  'GET /console/assets/campaign-progress.js': progressScript,
  'GET /console/planning': planningPage,
};
