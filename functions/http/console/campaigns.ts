/**
 * The list of campaigns for coordinators (templates/pages/console/campaigns.eta), paged.
 */

import { type CampaignState, campaignStates } from '#core/campaign.ts';
import { campaignStateLabels } from '#core/console-labels.ts';
import { listCampaigns } from '#functions/use-cases/campaigns.ts';
import { campaignView } from '#functions/http/api-routes/campaigns.ts';
import { layoutData, type Page, qs, requireConsoleRole } from './frame.ts';
import { html } from '#functions/http/respond.ts';

import { offset, sv, when } from './format.ts';
export const campaignsNav = { campaigns: true };
/** Rows per page in the campaign and planning lists. */
export const PAGE = 25;
const nav = campaignsNav;

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

export const campaignsRoutes: Record<string, Page> = { 'GET /console/campaigns': listPage };
