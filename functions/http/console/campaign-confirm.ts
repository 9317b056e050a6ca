/**
 * Launch, pause, resume and delete a campaign (templates/pages/console/campaign-confirm.eta): a
 * confirmation saying what will happen, then an idempotent POST (the form id makes a second post a no-op).
 */

import type { Campaign } from '#core/campaign.ts';
import { campaignStateLabels } from '#core/console-labels.ts';
import { durationText, measuredPace, sendingEstimate } from '#core/send-estimate.ts';
import { ConflictError } from '#core/errors.ts';
import { type CampaignAction, changeCampaign, deleteCampaign, getCampaign } from '#functions/use-cases/campaigns.ts';
import { type Ctx, layoutData, type Page, redirect, requireConsoleRole, actorOf, actionParam } from './frame.ts';
import { formBody } from '#functions/http/request.ts';
import { type HttpResult, html } from '#functions/http/respond.ts';

import { logger } from '#adapters/observability.ts';
import { accountSendRate } from '#adapters/ses-account.ts';
import { FORM_ID, newFormId, sv } from './format.ts';
import { campaignActions, campaignOf, doneIn, needs } from './campaign.ts';
import { campaignsNav as nav } from './campaigns.ts';
import { campaignConsoleOf } from '#adapters/campaign-console-repository.ts';

const confirmTexts: Record<CampaignAction, { heading: string; confirmLabel: string; danger?: boolean }> = {
  launch: { heading: 'Starta utskicket', confirmLabel: 'Starta utskicket' },
  pause: { heading: 'Pausa utskicket', confirmLabel: 'Pausa utskicket', danger: true },
  resume: { heading: 'Återuppta utskicket', confirmLabel: 'Återuppta utskicket' },
};

const percent = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 0 });
const rateText = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 1 });

/**
 * How long the sending left takes: its mails at the rate it will get (its own, the account's real
 * rate as SES reports it, its share with running campaigns), at the pace the last finished
 * campaign kept (core/send-estimate.ts).
 */
async function durationFor(c: Ctx, x: Campaign): Promise<string> {
  const configured = c.d.env.SES_SEND_RATE;
  const real = await accountSendRate(c.d);
  const accountRate = real ? Math.min(real, configured) : configured;
  const all = await c.d.campaigns.list();
  const pace = measuredPace(all, accountRate);
  const left = x.total - x.position;
  // Campaigns created before their mails were counted: one or two per invitation, about 1.8 nationally.
  const mails = x.mails !== undefined ? Math.round((x.mails * left) / Math.max(1, x.total)) : Math.round(left * 1.8);
  const running = all.filter((r) => r.state === 'running' && r.id !== x.id).map((r) => r.sendRate);
  const est = sendingEstimate({ mails, campaignRate: x.sendRate, accountRate, runningRates: running, pace });
  const parts = [
    `${sv(mails)} mejl i takt med högst ${rateText.format(est.rate)} mejl per sekund`,
    real !== undefined && real < configured ? `e-postkontots gräns just nu` : undefined,
    running.length > 0 ? `delat med ${running.length} ${running.length === 1 ? 'kampanj' : 'kampanjer'} som redan skickar` : undefined,
    pace
      ? `förra utskicket, ”${pace.from}”, höll ${percent.format(pace.factor * 100)} % av sin takt (${rateText.format(pace.achievedRate)} mejl per sekund)`
      : undefined,
  ].filter(Boolean);
  return `${parts.join('; ')}: ${durationText(est.seconds)}`;
}

async function explanation(c: Ctx, action: CampaignAction, x: Campaign): Promise<string> {
  const left = x.total - x.position;
  if (action === 'launch')
    return `${sv(x.total)} huvudmän får en inbjudan till kvalitetsdialog (nämnd eller styrelse och skolchef eller rektor), ${await durationFor(
      c,
      x,
    )}. Urvalet gäller som det visades i förhandsgranskningen. Du kan pausa utskicket när som helst.`;
  if (action === 'pause')
    return `Inga fler inbjudningar skickas förrän du återupptar utskicket. ${sv(x.sent)} huvudmän har redan fått sin inbjudan; ${sv(left)} väntar.`;
  return `Utskicket fortsätter där det slutade med de ${sv(left)} huvudmän som återstår: ${await durationFor(c, x)}. Ingen får sin inbjudan två gånger.`;
}

const actionOf = (c: Ctx): CampaignAction => actionParam(c, campaignActions);

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
      explanation: await explanation(c, action, x),
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
  const claim = await campaignConsoleOf(c.d).claimAction(x.id, {
    formId,
    action,
    by,
    at: c.d.clock.now().toISOString(),
    outcome: 'pending',
  });
  if (!claim.claimed && claim.entry.outcome !== 'pending') return redirect(`${back}?klart=already`);
  try {
    await changeCampaign(c.d, x.id, action);
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    const now = await getCampaign(c.d, x.id);
    // A form posted again while its first post was still running leaves the entry to that post.
    if (doneIn[action].includes(now.state)) {
      if (claim.claimed) await campaignConsoleOf(c.d).finishAction(x.id, formId, 'already');
      return redirect(`${back}?klart=already`);
    }
    const message = `Kampanjen är i läget ”${campaignStateLabels[now.state]}”.`;
    if (claim.claimed) await campaignConsoleOf(c.d).finishAction(x.id, formId, 'refused', message);
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
  await campaignConsoleOf(c.d).finishAction(x.id, formId, 'done');
  logger.info('console campaign action', { action, campaignId: x.id, by });
  return redirect(`${back}?klart=${action}`);
};

export const campaignConfirmRoutes: Record<string, Page> = {
  'GET /console/campaigns/{id}/{action}': (c) => confirmPage(c),
  'POST /console/campaigns/{id}/{action}': actionPost,
};
