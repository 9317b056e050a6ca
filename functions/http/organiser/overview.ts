/**
 * The organiser's overview, "Er kvalitetsdialog" (templates/pages/overview.eta), behind the
 * read-only link in every mail after the acceptance: GET shows it and changes nothing (mail
 * scanners open it too); each booked meeting has an .ics download (/r/{token}/{meetingId}.ics).
 */
import { stockholmTime } from '#core/calendar.ts';
import type { Dialogue } from '#core/dialogue.ts';
import { agencyNames } from '#core/facilitators.ts';
import { participantRoleNames } from '#core/meetings.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { formatSwedishDate, formatSwedishDateTime } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { schoolFormNames } from '#functions/use-cases/lifecycle/progress.ts';
import { organiserOverview, overviewMeetingIcs } from '#functions/use-cases/overview.ts';
import type { HttpResult } from '../respond.ts';
import { notice, type PageView } from './page-view.ts';

const stepStatusLabels = { done: 'Klart', current: 'Pågår', upcoming: 'Kommer', not_reached: 'Blev inte av' } as const;

export async function viewOverview(d: Deps, x: Dialogue, action: string): Promise<PageView> {
  const o = await organiserOverview(d, x);
  const meetingsByKind = o.meetings.toSorted((a, b) => (a.sessions[0]?.start ?? '').localeCompare(b.sessions[0]?.start ?? ''));
  return {
    kind: 'page',
    status: 200,
    template: 'overview',
    title: 'Er kvalitetsdialog',
    data: {
      organiserName: o.dialogue.organiserName,
      cycle: o.dialogue.cycle,
      steps: o.steps.steps.map((s) => ({
        ...s,
        statusLabel: stepStatusLabels[s.status],
        when: s.at ? (s.status === 'done' ? formatSwedishDate(new Date(s.at)) : formatSwedishDateTime(new Date(s.at))) : '',
      })),
      ending: o.steps.ending,
      openOffer: o.openOffer,
      meetings: meetingsByKind.map((m) => {
        const rule = meetingKindRules[m.kind];
        return {
          name: rule.name,
          sessions: m.sessions.map((s) => `${formatSwedishDateTime(new Date(s.start))}–${stockholmTime(new Date(s.end))}`),
          booked: m.status === 'booked',
          statusLabel: m.status === 'booked' ? 'Bokat' : 'Inställt',
          physical: rule.mode === 'physical',
          location: m.location,
          videoLink: m.videoLink,
          shared: m.sharedWith > 0 ? `Gemensamt möte med ${m.sharedWith} ${m.sharedWith === 1 ? 'annan huvudman' : 'andra huvudmän'}` : '',
          facilitators: m.facilitators.join(' och '),
          ics: `${action}/${encodeURIComponent(m.id)}.ics`,
          notes: m.notes && {
            discussed: m.notes.discussed,
            roles: m.notes.rolesPresent.map((r) => participantRoleNames[r as keyof typeof participantRoleNames] ?? r).join(', '),
            registeredAt: formatSwedishDate(new Date(m.notes.registeredAt)),
          },
        };
      }),
      documents: o.documents?.map((doc) => ({ ...doc, schoolFormName: schoolFormNames[doc.schoolForm] ?? doc.schoolForm })),
      materialSent: o.documents !== undefined,
      facilitators: o.contact.facilitators.map((f) => `${f.name} (${f.agency === 'spsm' ? 'SPSM' : agencyNames[f.agency]})`),
      mailbox: o.contact.mailbox,
      at: formatSwedishDateTime(d.clock.now()),
    },
  };
}

/** The overview is read-only: a form posted to it changes nothing. */
export const overviewIsReadOnly = (): PageView =>
  notice(
    'Sidan går bara att läsa',
    'Översikten visar er kvalitetsdialog; här kan inget ändras.',
    'Använd länkarna i mejlen för att boka eller ändra möten.',
    405,
  );

/** One meeting of the dialogue as .ics, or undefined when it is not the dialogue's. */
export async function overviewIcs(d: Deps, x: Dialogue, file: string): Promise<HttpResult | undefined> {
  const m = /^(mtg-[A-Za-z0-9-]{1,120})\.ics$/.exec(file);
  if (!m?.[1]) return undefined;
  const ics = await overviewMeetingIcs(d, x, m[1]);
  if (!ics) return undefined;
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': `attachment; filename="kvalitetsdialog-${m[1]}.ics"`,
      'cache-control': 'no-store',
    },
    body: ics,
  };
}
