/**
 * The organiser's link pages (/r/{token}): the answer to an invitation, and the meeting pages
 * (offer, manage, stop) and the dialogue's read-only overview (with an .ics per meeting at
 * /r/{token}/{meetingId}.ics) behind the same kind of link, one module each in functions/http/organiser/.
 * GET shows the page and a form and changes nothing (mail scanners open every link); POST records
 * what the person chose and shows a receipt.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type Deps, deps } from '#adapters/deps.ts';
import { logger } from '#adapters/observability.ts';
import { submitAnswer, viewAnswer } from '#functions/use-cases/answers.ts';
import { type Opened, openLink } from '#functions/use-cases/links.ts';
import { isOrganiserPageStep } from '#functions/use-cases/organiser-links.ts';
import { OVERVIEW_STEP } from '#functions/use-cases/overview-link.ts';
import { renderAnswer } from './organiser/answer-form.ts';
import { submitManage, viewManage } from './organiser/meeting-manage.ts';
import { submitOffer, viewOffer } from './organiser/meeting-offer.ts';
import { type PageView, renderPage } from './organiser/page-view.ts';
import { overviewIcs, overviewIsReadOnly, viewOverview } from './organiser/overview.ts';
import { submitStop, viewStop } from './organiser/stop-confirm.ts';
import { formBody } from './request.ts';
import { sameOriginOf } from './same-origin.ts';
import { type HttpResult, html } from './respond.ts';

/** The meeting page a link opens, for GET (`form` undefined) or POST. */
async function meetingPage(
  d: Deps,
  opened: Exclude<Opened, { problem: unknown }>,
  action: string,
  form?: Record<string, string>,
): Promise<PageView> {
  const { link, dialogue } = opened;
  if (link.step === OVERVIEW_STEP) return form ? overviewIsReadOnly() : viewOverview(d, dialogue, action);
  if (link.step === 'stop') return form ? submitStop(d, dialogue, link, form, action) : viewStop(dialogue, link, action);
  if (link.step.startsWith('offer:')) return form ? submitOffer(d, dialogue, link, form, action) : viewOffer(d, dialogue, link, action);
  return form ? submitManage(d, dialogue, link, form, action) : viewManage(d, dialogue, link, action);
}

/** A file behind an overview link: one of the dialogue's meetings as .ics. */
async function overviewFile(d: Deps, token: string, file: string): Promise<HttpResult> {
  const opened = await openLink(d, token);
  if ('problem' in opened) return renderPage(d, { kind: 'problem', problem: opened.problem });
  const r = opened.link.step === OVERVIEW_STEP ? await overviewIcs(d, opened.dialogue, file) : undefined;
  return r ?? renderPage(d, { kind: 'problem', problem: 'invalid' });
}

/** GET shows (and changes nothing), POST records; every error becomes a Swedish page (functions/http/errors.ts). */
export async function organiserPage(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const d = deps();
  const token = event.pathParameters?.token ?? '';
  if (event.routeKey === 'GET /r/{token}/{file}') return overviewFile(d, token, event.pathParameters?.file ?? '');
  const action = `/r/${encodeURIComponent(token)}`;
  const post = event.requestContext.http.method === 'POST';
  const origin = post ? sameOriginOf(event, d.env.PUBLIC_BASE_URL) : undefined;
  if (origin && !origin.sameOrigin) {
    logger.warn('organiser post refused: not from our page', { reason: origin.reason });
    return html(
      403,
      d.templates.page('link-problem', {
        title: 'Svaret togs inte emot',
        heading: 'Svaret togs inte emot',
        message: 'Svaret måste skickas från svarssidan. Öppna länken i mejlet och svara där.',
      }),
    );
  }
  const opened = await openLink(d, token);
  if (!('problem' in opened) && isOrganiserPageStep(opened.link.step)) {
    return renderPage(d, await meetingPage(d, opened, action, post ? formBody(event) : undefined));
  }
  if (!post) return renderAnswer(d, viewAnswer(opened), action);
  const view = await submitAnswer(d, opened, formBody(event));
  if (view.kind === 'receipt') logger.info('answer recorded', { dialogueId: view.dialogue.id, outcome: view.dialogue.state });
  return renderAnswer(d, view, action);
}
