/**
 * The analysis material of a dialogue (templates/pages/console/material.eta), where the
 * "analysunderlag saknas" mail leads: the documents per school form the organiser runs, a form to
 * attach one more (the last one missing sends the material once the introduction has been held),
 * and the explicit decision to send it without a document for every school form.
 */
import { stateLabels } from '#core/console-labels.ts';
import { NotFoundError } from '#core/errors.ts';
import { schoolForms } from '#core/organiser.ts';
import { formBody } from '../request.ts';
import { type HttpResult, html } from '../respond.ts';
import {
  attachDocument,
  decideSendMaterial,
  materialForms,
  missingMaterial,
  schoolFormNames,
} from '#functions/use-cases/lifecycle/material.ts';
import { confirmed } from './confirm.ts';
import { type Ctx, layoutData, type Page, requireConsoleRole } from './frame.ts';
import { option, when } from './format.ts';

/** Before the material has gone out, it can still be completed or sent as it is. */
const beforeMaterial = ['accepted', 'intro_offered', 'intro_booked', 'intro_held'];

async function materialPage(c: Ctx, error?: string, form: Record<string, string> = {}): Promise<HttpResult> {
  requireConsoleRole(c, ['coordinator']);
  const id = c.event.pathParameters?.id ?? '';
  const x = await c.d.dialogues.get(id);
  if (!x) throw new NotFoundError(`Det finns ingen dialog med id ${id}.`);
  const missing = missingMaterial(x);
  const sent = x.history.find((h) => h.type === 'material_sent');
  const forms = materialForms(x);
  return html(
    error ? 400 : 200,
    c.d.templates.consolePage('material', {
      ...layoutData(c, `Analysunderlag: ${x.organiserName}`, { dialogues: true }),
      id,
      organiserName: x.organiserName,
      stateLabel: stateLabels[x.state],
      rows: forms.map((f) => ({
        name: schoolFormNames[f] ?? f,
        documents: (x.documents ?? []).filter((doc) => doc.schoolForm === f),
      })),
      others: (x.documents ?? []).filter((doc) => !forms.includes(doc.schoolForm as (typeof forms)[number])),
      missingNames: missing.map((f) => (schoolFormNames[f] ?? f).toLowerCase()).join(', '),
      sentAt: sent ? when(sent.at) : undefined,
      waiting: x.state === 'intro_held',
      canDecide: !sent && missing.length > 0 && !x.materialDecision && beforeMaterial.includes(x.state),
      decision: x.materialDecision ? `${x.materialDecision.by} ${when(x.materialDecision.at)}: ”${x.materialDecision.reason}”` : undefined,
      canAttach: !['declined', 'no_answer', 'stopped_after_intro', 'closed', 'cancelled', 'failed'].includes(x.state),
      schoolForms: schoolForms.map((f) => option(f, schoolFormNames[f] ?? f, form.schoolForm ?? missing[0])),
      title: form.title ?? '',
      url: form.url ?? '',
      reason: form.reason ?? '',
      error,
    }),
  );
}

const materialPost: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const id = c.event.pathParameters?.id ?? '';
  const what = formBody(c.event).do;
  if (what !== 'attach' && what !== 'send') throw new NotFoundError('Åtgärden finns inte.');
  return confirmed(
    c,
    what === 'attach' ? 'material' : 'material-send',
    async (form, actor) => {
      if (what === 'send') return { done: (await decideSendMaterial(c.d, id, { reason: form.reason ?? '' }, actor)).changed };
      await attachDocument(c.d, id, { schoolForm: form.schoolForm, title: form.title, url: form.url }, actor);
      return { done: true };
    },
    (message, form) => materialPage(c, message, form),
  );
};

export const materialRoutes: Record<string, Page> = {
  'GET /console/dialogues/{id}/material': (c) => materialPage(c),
  'POST /console/dialogues/{id}/material': materialPost,
};
