/**
 * What an organiser page shows, before it is rendered: a link problem, a short notice, or a page
 * from templates/pages/ with its data. The screens build these; `renderPage` turns one into HTML.
 */
import type { Deps } from '#adapters/deps.ts';
import type { AnswerLink } from '#core/ports.ts';
import { type HttpResult, html } from '../respond.ts';

export type PageView =
  | { kind: 'problem'; problem: 'invalid' | 'expired' }
  | { kind: 'notice'; status: number; title: string; heading: string; message: string; more?: string }
  | { kind: 'page'; status: number; template: string; title: string; data: Record<string, unknown> };

export const notice = (heading: string, message: string, more?: string, status = 200): PageView => ({
  kind: 'notice',
  status,
  title: heading,
  heading,
  message,
  more,
});

export const used = (_link: AnswerLink): PageView =>
  notice(
    'Länken är redan använd',
    'Den här länken har redan använts. Använd länken i det senaste mejlet från oss, eller svara på mejlet om något inte stämmer.',
  );

/** The link cannot be used: it expired (410) or was never ours (404). */
export function linkProblem(d: Deps, problem: 'invalid' | 'expired'): HttpResult {
  return problem === 'expired'
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
}

export function renderPage(d: Deps, view: PageView): HttpResult {
  if (view.kind === 'problem') return linkProblem(d, view.problem);
  if (view.kind === 'notice') return html(view.status, d.templates.page('notice', view));
  return html(view.status, d.templates.page(view.template, { title: view.title, ...view.data }));
}
