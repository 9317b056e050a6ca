/**
 * One campaign (templates/pages/console/campaign.eta): the selection and its preview with the
 * reasons organisers are left out, progress and throttling in plain Swedish, failed recipients, the
 * action log; the progress as JSON for the page's own script, and that script.
 */

import { type Campaign, type CampaignState, campaignSummary, type ExclusionReason, exclusionReasons } from '#core/campaign.ts';
import { campaignStateLabels, exclusionReasonLabels, legalFormLabels, regionName, schoolFormLabels } from '#core/console-labels.ts';
import { NotFoundError } from '#core/errors.ts';
import { formatOrgNumber } from '#core/organiser.ts';
import { orgNumbersOf } from '#functions/use-cases/org-numbers.ts';
import type { CampaignActionEntry, CampaignActionKind, ExcludedOrganiser } from '#adapters/campaign-console-repository.ts';
import { type CampaignAction, getCampaign } from '#functions/use-cases/campaigns.ts';
import { campaignView } from '#functions/http/api-routes/campaigns.ts';
import { consoleScript, type Ctx, layoutData, type Page, qs, requireConsoleRole } from './frame.ts';
import { html, json } from '#functions/http/respond.ts';
import { offset, sv, when } from './format.ts';
import { campaignsNav as nav, PAGE } from './campaigns.ts';
import { campaignConsoleOf } from '#adapters/campaign-console-repository.ts';

/** Seconds between reloads of a running campaign's page when script is off. */
const REFRESH_SECONDS = 3;
const PROGRESS_SCRIPT = '/console/assets/campaign-progress.js';

// ---- one campaign -----------------------------------------------------------------------------

export async function campaignOf(c: Ctx): Promise<Campaign> {
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
export function progressOf(x: Campaign, now: Date) {
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
    reason ? campaignConsoleOf(c.d).excluded(x.id, reason, excludedFrom, PAGE) : undefined,
    x.failed > 0 ? campaignConsoleOf(c.d).failedRecipients(x.id, 100) : undefined,
    campaignConsoleOf(c.d).actions(x.id),
  ]);
  const orgNumbers = await orgNumbersOf(c.d, [...recipients, ...(excluded?.items ?? []), ...(failed?.items ?? [])]);
  const orgNumberOf = (organiserId: string) => formatOrgNumber(orgNumbers.get(organiserId));
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
          rows: (excluded?.items ?? []).map((e: ExcludedOrganiser) => ({ ...e, orgNumber: orgNumberOf(e.organiserId), number: e.seq + 1 })),
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
        orgNumber: orgNumberOf(r.organiserId),
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
            orgNumber: orgNumberOf(r.organiserId),
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

export const campaignActions = ['launch', 'pause', 'resume'] as const satisfies readonly CampaignAction[];
/** The state an action needs, and the states in which it counts as done already. */
export const needs: Record<CampaignAction, CampaignState> = { launch: 'draft', pause: 'running', resume: 'paused' };
export const doneIn: Record<CampaignAction, readonly CampaignState[]> = {
  launch: ['running', 'paused', 'completed'],
  pause: ['paused'],
  resume: ['running', 'completed'],
};

export const campaignRoutes: Record<string, Page> = {
  'GET /console/campaigns/{id}': campaignPage,
  'GET /console/campaigns/{id}/status': statusPage,
  'GET /console/assets/campaign-progress.js': progressScript,
};
