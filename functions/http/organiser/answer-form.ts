/**
 * The answer to an invitation (templates/pages/answer-form.eta): the offer and the form, then the
 * receipt (receipt.eta), or "already answered" (already-answered.eta) when the offer is closed.
 */
import type { Dialogue } from '#core/dialogue.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { type AnswerView, formatAnswerBy, reasonTexts } from '#functions/use-cases/answers.ts';
import { type HttpResult, html } from '../respond.ts';
import { linkProblem } from './page-view.ts';

function answeredMessage(x: Dialogue): string {
  if (x.state === 'accepted' && x.answer) {
    return `${x.organiserName} tackade ja till kvalitetsdialogen ${formatSwedishDateTime(new Date(x.answer.answeredAt))}.`;
  }
  if (x.state === 'declined' && x.answer) {
    return `${x.organiserName} tackade nej till kvalitetsdialogen ${formatSwedishDateTime(new Date(x.answer.answeredAt))}.`;
  }
  return `Erbjudandet till ${x.organiserName} är inte längre öppet för svar.`;
}

export function renderAnswer(d: Deps, view: AnswerView, action: string): HttpResult {
  switch (view.kind) {
    case 'problem':
      return linkProblem(d, view.problem);
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
