/**
 * Lambda: the organiser's answer pages. GET /r/{token} shows the offer and a form and changes
 * nothing (mail scanners open every link); POST /r/{token} records the answer and shows a receipt.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Dialogue } from '#core/dialogue.ts';
import { ValidationError } from '#core/errors.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import { type Deps, deps } from '#adapters/deps.ts';
import { errorResponse, type HttpResult, html, logger } from '#functions/http/respond.ts';
import { formBody } from '#functions/http/request.ts';
import { type AnswerView, formatAnswerBy, reasonTexts, submitAnswer, viewAnswer } from '#functions/use-cases/answers.ts';
import { isOrganiserPageStep, linkStepOf, type PageView, submitPage, viewPage } from '#functions/use-cases/meeting-pages.ts';

/** The organiser's meeting pages (offer, manage, stop): same layout and link rules as the answer page. */
function renderPage(d: Deps, view: PageView, action: string): HttpResult {
  if (view.kind === 'problem') return render(d, view, action);
  if (view.kind === 'notice') return html(view.status, d.templates.page('notice', view));
  return html(view.status, d.templates.page(view.template, { title: view.title, ...view.data }));
}

function answeredMessage(x: Dialogue): string {
  if (x.state === 'accepted' && x.answer) {
    return `${x.organiserName} tackade ja till kvalitetsdialogen ${formatSwedishDateTime(new Date(x.answer.answeredAt))}.`;
  }
  if (x.state === 'declined' && x.answer) {
    return `${x.organiserName} tackade nej till kvalitetsdialogen ${formatSwedishDateTime(new Date(x.answer.answeredAt))}.`;
  }
  return `Erbjudandet till ${x.organiserName} är inte längre öppet för svar.`;
}

function render(d: Deps, view: AnswerView, action: string): HttpResult {
  switch (view.kind) {
    case 'problem':
      return view.problem === 'expired'
        ? html(
            410,
            d.templates.page('link-problem', {
              title: 'Länken har gått ut',
              heading: 'Länken har gått ut',
              message: 'Länken i mejlet gäller inte längre.',
            }),
          )
        : html(
            404,
            d.templates.page('link-problem', {
              title: 'Länken fungerar inte',
              heading: 'Länken fungerar inte',
              message: 'Vi känner inte igen länken. Kontrollera att hela adressen från mejlet kom med.',
            }),
          );
    case 'answered':
      return html(200, d.templates.page('already-answered', { title: 'Redan besvarat', message: answeredMessage(view.dialogue) }));
    case 'receipt': {
      const x = view.dialogue;
      return html(
        200,
        d.templates.page('receipt', {
          title: 'Tack för ert svar',
          accepted: x.state === 'accepted',
          organiserName: x.organiserName,
          reasonText: reasonTexts[x.answer?.reason ?? 'other'],
          answeredAt: formatSwedishDateTime(new Date(x.answer?.answeredAt ?? d.clock.now())),
        }),
      );
    }
    case 'form': {
      const x = view.dialogue;
      const f = view.form ?? {};
      return html(
        view.error ? 400 : 200,
        d.templates.page('answer-form', {
          title: view.error ? 'Fel i svaret' : 'Svara på erbjudandet',
          organiserName: x.organiserName,
          recipientList: x.recipients.map((r) => r.name).join(', '),
          answerBy: formatAnswerBy(d, x),
          action,
          error: view.error,
          acceptChecked: f.answer === 'accept',
          declineChecked: f.answer === 'decline',
          reasonTime: f.reason === 'time',
          reasonResources: f.reason === 'resources',
          reasonOther: f.reason === 'other',
          comment: f.comment ?? '',
        }),
      );
    }
  }
}

/**
 * A POST must come from our own answer page. The link token already makes forging hard; the
 * browser's Origin / Sec-Fetch-Site headers stop a page elsewhere from submitting it for a person.
 */
function crossSite(event: APIGatewayProxyEventV2): boolean {
  const h = event.headers ?? {};
  if (h['sec-fetch-site'] && !['same-origin', 'none'].includes(h['sec-fetch-site'])) return true;
  const origin = h.origin;
  if (!origin || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== (h['x-forwarded-host'] ?? h.host ?? event.requestContext.domainName);
  } catch {
    return true;
  }
}

export const handler = middy<APIGatewayProxyEventV2, HttpResult>().handler(async (event) => {
  try {
    const d = deps();
    const token = event.pathParameters?.token ?? '';
    const action = `/r/${encodeURIComponent(token)}`;
    if (event.requestContext.http.method === 'POST') {
      if (crossSite(event)) {
        return html(
          403,
          d.templates.page('link-problem', {
            title: 'Svaret togs inte emot',
            heading: 'Svaret togs inte emot',
            message: 'Svaret måste skickas från svarssidan. Öppna länken i mejlet och svara där.',
          }),
        );
      }
      const step = await linkStepOf(d, token);
      if (step && isOrganiserPageStep(step)) return renderPage(d, await submitPage(d, token, formBody(event), action), action);
      const view = await submitAnswer(d, token, formBody(event));
      if (view.kind === 'receipt') logger.info('answer recorded', { dialogueId: view.dialogue.id, outcome: view.dialogue.state });
      return render(d, view, action);
    }
    const step = await linkStepOf(d, token);
    if (step && isOrganiserPageStep(step)) return renderPage(d, await viewPage(d, token, action), action);
    return render(d, await viewAnswer(d, token), action);
  } catch (e) {
    // A refused form (a field sent twice): a page, never JSON, for the organiser.
    if (e instanceof ValidationError) {
      return html(400, deps().templates.page('link-problem', { title: 'Det gick inte', heading: 'Det gick inte', message: e.message }));
    }
    const r = errorResponse(e);
    return r.statusCode >= 500
      ? html(
          500,
          deps().templates.page('link-problem', {
            title: 'Något gick fel',
            heading: 'Något gick fel',
            message: 'Ditt svar kunde inte sparas just nu. Försök igen om en stund.',
          }),
        )
      : r;
  }
});
