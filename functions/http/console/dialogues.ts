/**
 * The console's start page for coordinators (templates/pages/console/dialogues.eta): the search
 * box, the dialogues of one cycle with their counts per phase and state, filters with the true
 * number of matches, sorting and paging.
 */
import { legalFormLabels, phaseLabels, regionName, schoolFormLabels, stateLabels } from '#core/console-labels.ts';
import { dialoguePhases, dialogueStates } from '#core/dialogue.ts';
import { actionsForKind, handbackActionLabels, handbackKindLabels, handbackKinds, handbackOf } from '#core/handbacks.ts';
import { ValidationError } from '#core/errors.ts';
import { formatOrgNumber, legalForms, schoolForms } from '#core/organiser.ts';
import { regions } from '#core/regions.ts';
import { html } from '#functions/http/respond.ts';
import { layoutData, type Page, qs, requireConsoleRole } from './frame.ts';
import { hasProblem, listForConsole } from '#functions/use-cases/console.ts';
import { orgNumbersOf } from '#functions/use-cases/org-numbers.ts';
import { option, ownershipOf, sv, when } from './format.ts';
import { ALL_CYCLES } from '#functions/use-cases/statistics.ts';

const dialoguesPage: Page = async (c) => {
  requireConsoleRole(c, ['coordinator']);
  const raw = c.event.queryStringParameters ?? {};
  let error: string | undefined;
  let list: Awaited<ReturnType<typeof listForConsole>>;
  try {
    list = await listForConsole(c.d, raw);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    error = `Filtret kunde inte användas: ${e.issues.map((i) => i.message).join(' ')}`;
    // A filter that cannot be read lists nothing (never everyone instead).
    list = await listForConsole(c.d, {}, { items: false });
  }
  const q = list.query;
  const filterParams = {
    q: q.q,
    cycle: q.q ? undefined : q.cycle,
    campaign: q.campaign,
    state: q.state,
    phase: q.phase,
    region: q.region,
    legalForm: q.legalForm,
    ownership: q.ownership,
    schoolForm: q.schoolForm,
    facilitator: q.facilitator,
    conflict: q.conflict,
    failed: q.failed,
    handback: q.handback,
    waitingDays: q.waitingDays,
    sort: q.sort,
  };
  const [facilitators, campaigns, orgNumbers] = await Promise.all([
    c.d.facilitators.list(),
    c.d.campaigns.list(),
    orgNumbersOf(c.d, list.items),
  ]);
  const cycleShown = list.cycle ?? (q.cycle === ALL_CYCLES ? ALL_CYCLES : undefined);
  const body = c.d.templates.consolePage('dialogues', {
    ...layoutData(c, 'Dialoger', { dialogues: true }),
    error,
    query: q,
    searching: Boolean(q.q),
    cycleText: list.cycle ? `omgång ${list.cycle}` : 'alla omgångar',
    phaseCounts: list.phaseCounts.map((x) => ({
      ...x,
      label: phaseLabels[x.phase],
      href: `/console${qs({ cycle: q.cycle, phase: x.phase })}`,
      current: x.phase === q.phase,
    })),
    counts: list.counts
      .filter((x) => x.count > 0 || x.state === list.state)
      .map((x) => ({
        ...x,
        label: stateLabels[x.state],
        href: `/console${qs({ cycle: q.cycle, state: x.state })}`,
        current: x.state === list.state,
      })),
    options: {
      cycle: [...list.cycles.map((y) => option(y, y, cycleShown)), option(ALL_CYCLES, 'Alla omgångar', cycleShown)],
      campaign: campaigns.map((x) => option(x.id, `${x.name} (${x.cycle})`, q.campaign)),
      state: dialogueStates.map((s) => option(s, stateLabels[s], q.state)),
      phase: dialoguePhases.map((p) => option(p, phaseLabels[p], q.phase)),
      schoolForm: schoolForms.map((f) => option(f, schoolFormLabels[f], q.schoolForm)),
      facilitator: facilitators
        .slice()
        .sort((a, b) => a.name.localeCompare(b.name, 'sv'))
        .map((f) => option(f.id, `${f.name} (${f.agency === 'skolverket' ? 'Skolverket' : 'SPSM'})`, q.facilitator)),
      conflict: [option('ja', 'Med krock', q.conflict), option('nej', 'Utan krock', q.conflict)],
      handback: [option('alla', 'Alla överlämnade', q.handback), ...handbackKinds.map((k) => option(k, handbackKindLabels[k], q.handback))],
      region: Object.entries(regions).map(([id, r]) => option(id, `${r.name} (kontor: ${r.office})`, q.region)),
      legalForm: legalForms.map((f) => option(f, legalFormLabels[f], q.legalForm)),
      ownership: [option('kommunal', 'Kommunal', q.ownership), option('enskild', 'Enskild', q.ownership)],
      sort: [option('nyast', 'Nyast först', q.sort ?? 'nyast'), option('aldst', 'Äldst först', q.sort ?? 'nyast')],
    },
    caption: q.q
      ? `Sökning på ”${q.q}”: ${sv(list.total)} ${list.search ? (list.total === 1 ? 'huvudman' : 'huvudmän') : list.total === 1 ? 'dialog' : 'dialoger'}, ${
          list.items.length
        } senaste ${list.items.length === 1 ? 'dialog' : 'dialoger'} på sidan`
      : `${sv(list.total)} ${list.total === 1 ? 'dialog' : 'dialoger'} i ${list.cycle ? `omgång ${list.cycle}` : 'alla omgångar'}${
          list.state ? ` i läget ”${stateLabels[list.state]}”` : ''
        }${q.waitingDays ? `, i samma läge i mer än ${q.waitingDays} dagar` : ''}, sorterade ${
          list.sortedBy === 'stateSince' ? 'efter när de kom till läget' : 'efter när de skapades'
        }, ${q.sort === 'aldst' ? 'äldst' : 'nyast'} först`,
    withoutDialogue: (list.search?.organisers ?? [])
      .filter((o) => o.dialogues.length === 0)
      .map((o) => `${o.name} (${formatOrgNumber(o.orgNumber)})`),
    earlier: (list.search?.organisers ?? [])
      .filter((o) => o.dialogues.length > 1)
      .map((o) => ({
        name: o.name,
        links: o.dialogues.slice(1).map((x) => ({ cycle: x.cycle, href: `/console/dialogues/${x.dialogueId}` })),
      })),
    rows: list.items.map((x) => ({
      id: x.id,
      organiserName: x.organiserName,
      orgNumber: formatOrgNumber(orgNumbers.get(x.organiserId)),
      stateLabel: stateLabels[x.state],
      regionName: regionName(x.region),
      legalFormLabel: legalFormLabels[x.legalForm],
      ownership: ownershipOf(x.municipal),
      flags: [
        x.conflict ? 'Krock med inspektion' : '',
        hasProblem(x) ? 'Fel' : '',
        handbackOf(x) ? `Överlämnad: ${handbackKindLabels[handbackOf(x)?.kind ?? 'booking'].toLowerCase()}` : '',
      ].filter(Boolean),
      checked: raw.markera === 'alla',
      createdAt: when(x.createdAt),
      updatedAt: when(x.updatedAt),
    })),
    // A list of hand-backs can be acted on: a selection, then one action for all of it.
    // (Missing analysis material is acted on per dialogue, on its material page: no selection.)
    bulk:
      q.handback && q.handback !== 'material'
        ? {
            actions: (q.handback === 'alla'
              ? (['offer', 'book', 'reinvite', 'retry', 'close'] as const)
              : actionsForKind[q.handback as Exclude<typeof q.handback, 'alla' | undefined>].filter((a) => a !== 'answer')
            ).map((a) => ({ value: a, label: handbackActionLabels[a] })),
            selectAllHref: `/console${qs({ ...filterParams, cursor: q.cursor, markera: 'alla' })}#valda`,
            clearHref: `/console${qs({ ...filterParams, cursor: q.cursor })}#valda`,
          }
        : undefined,
    nextHref: list.cursor ? `/console${qs({ ...filterParams, cursor: list.cursor })}` : undefined,
    firstHref: q.cursor ? `/console${qs(filterParams)}` : undefined,
  });
  return html(error ? 400 : 200, body);
};

export const dialoguesRoutes: Record<string, Page> = { 'GET /console': dialoguesPage };
