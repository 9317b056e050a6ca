/**
 * Launch, pause, resume and delete a campaign (templates/pages/console/campaign-confirm.eta): a
 * confirmation saying what will happen, then an idempotent POST (the form id makes a second post a no-op).
 */

import type { Campaign } from '#core/campaign.ts';
import { campaignStateLabels } from '#core/console-labels.ts';
import { ConflictError } from '#core/errors.ts';
import { type CampaignAction, changeCampaign, deleteCampaign, getCampaign } from '#functions/use-cases/campaigns.ts';
import { type Ctx, layoutData, type Page, redirect, requireConsoleRole, actorOf, actionParam } from './frame.ts';
import { formBody } from '#functions/http/request.ts';
import { type HttpResult, html } from '#functions/http/respond.ts';

import { logger } from '#adapters/observability.ts';
import { FORM_ID, newFormId, sv } from './format.ts';
import { campaignActions, campaignOf, doneIn, needs } from './campaign.ts';
import { campaignsNav as nav } from './campaigns.ts';

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

export const campaignConfirmRoutes: Record<string, Page> = {
  'GET /console/campaigns/{id}/{action}': (c) => confirmPage(c),
  'POST /console/campaigns/{id}/{action}': actionPost,
};
