/** "Stop after the introduction" (templates/pages/stop-confirm.eta), from the analysis-material mail. */
import type { Dialogue } from '#core/dialogue.ts';
import type { AnswerLink } from '#core/ports.ts';
import type { Deps } from '#adapters/deps.ts';
import { stopByLink } from '#functions/use-cases/organiser-links.ts';
import { notice, type PageView, used } from './page-view.ts';

export function viewStop(x: Dialogue, link: AnswerLink, action: string): PageView {
  if (x.state === 'stopped_after_intro') {
    return notice('Redan meddelat', `${x.organiserName} har meddelat att ni avslutar kvalitetsdialogen efter introduktionen.`);
  }
  if (link.usedAt) return used(link);
  if (x.state !== 'material_sent' && x.state !== 'premeeting_offered') {
    return notice(
      'Dialogen har gått vidare',
      'Förmötet är redan bokat, så det här valet går inte längre att göra på sidan.',
      'Svara på något av mejlen från oss om ni vill avsluta, så hjälper vi er.',
    );
  }
  return {
    kind: 'page',
    status: 200,
    template: 'stop-confirm',
    title: 'Avsluta efter introduktionen',
    data: { organiserName: x.organiserName, action },
  };
}

export async function submitStop(d: Deps, x: Dialogue, link: AnswerLink, body: Record<string, string>, action: string): Promise<PageView> {
  if (body.confirm !== 'stop') return viewStop(x, link, action);
  const { dialogue, changed } = await stopByLink(d, x, link);
  if (!changed) return viewStop(dialogue, link, action);
  return notice(
    'Tack för beskedet',
    `Vi har noterat att ${dialogue.organiserName} avslutar kvalitetsdialogen efter introduktionen.`,
    'Ni är välkomna att höra av er om ni vill fortsätta längre fram.',
  );
}
