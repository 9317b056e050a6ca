/**
 * The offer of meeting times (templates/pages/meeting-offer.eta): pick one of the offered times
 * (or group intro sessions), or ask for others. Shows at once which times are still free (another
 * organiser may have booked one since the mail, or, once this offer's hold lapsed, held it), and
 * says plainly when the offer can no longer be answered.
 */
import type { Dialogue, OfferedSlot } from '#core/dialogue.ts';
import type { AnswerLink } from '#core/ports.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import { stockholmTime } from '#core/calendar.ts';
import { formatSwedishDateTime } from '#core/time.ts';
import type { Deps } from '#adapters/deps.ts';
import { phaseStates } from '#functions/use-cases/lifecycle/phase.ts';
import { slotStatuses } from '#functions/use-cases/offer-holds.ts';
import { askForOtherTimes, bookOffered, parseOfferStep } from '#functions/use-cases/organiser-links.ts';
import { notice, type PageView, used } from './page-view.ts';

const slotLabel = (slot: OfferedSlot, index: number) => {
  const sessions = slot.sessions.map((s, i) => ({
    number: i + 1,
    when: formatSwedishDateTime(new Date(s.start)),
    endTime: stockholmTime(new Date(s.end)),
  }));
  return { index, sessions, split: sessions.length > 1 };
};

/** Why the offer behind this link can no longer be answered, or undefined if it can. */
function offerClosed(x: Dialogue, link: AnswerLink): PageView | undefined {
  const { kind, round, no } = parseOfferStep(link.step);
  const name = meetingKindRules[kind]?.name ?? 'Mötet';
  const offer = x.phase?.offer;
  const current = x.phase?.kind === kind && x.phase.round === round && offer?.no === no;
  if (current && x.state === phaseStates[kind].offered && (offer.status === 'open' || offer.status === 'escalated')) {
    return link.usedAt ? used(link) : undefined;
  }
  if (current && offer?.status === 'booking' && x.state === phaseStates[kind].offered) {
    return notice(
      `${name} bokas just nu`,
      `En annan kontaktperson hos ${x.organiserName} bokar en tid just nu. Kalenderinbjudan kommer med e-post.`,
    );
  }
  if (current && offer?.status === 'other_times') {
    return notice('Nya förslag är på väg', 'Ni har bett om andra tider. Nya förslag kommer i ett nytt mejl.');
  }
  if (x.state === phaseStates[kind]?.booked || (x.phase?.kind === kind && x.phase.meetingId && x.state !== phaseStates[kind]?.offered)) {
    return notice(`${name} är redan bokat`, `${name} med ${x.organiserName} är redan bokat. Kalenderinbjudan har skickats med e-post.`);
  }
  return notice('Förslagen gäller inte längre', 'De här tidsförslagen har ersatts. Använd länken i det senaste mejlet från oss.');
}

async function offerPage(d: Deps, x: Dialogue, link: AnswerLink, action: string, error?: string): Promise<PageView> {
  const { kind } = parseOfferStep(link.step);
  const rule = meetingKindRules[kind];
  const slots = x.phase?.offer?.slots ?? [];
  const statuses = await slotStatuses(d, x, kind, slots);
  // Times that have passed are not shown (their index stays, so a choice still names its slot);
  // times someone else has taken are shown, and cannot be chosen.
  const now = d.clock.now().getTime();
  const shown = slots
    .map((s, i) => ({ ...slotLabel(s, i), taken: statuses[i] === 'taken' }))
    .filter((_, i) => Date.parse(slots[i]?.sessions[0]?.start ?? '') > now);
  const free = shown.filter((s) => !s.taken);
  return {
    kind: 'page',
    status: error ? 409 : 200,
    template: 'meeting-offer',
    title: `Välj tid för ${rule.name.toLowerCase()}`,
    data: {
      meetingNameLower: rule.name.toLowerCase(),
      organiserName: x.organiserName,
      physical: rule.mode === 'physical',
      groupIntro: slots.some((s) => s.introSessionId),
      slots: shown,
      noneLeft: free.length === 0,
      someUpcoming: shown.length > 0,
      takenCount: shown.length - free.length,
      action,
      error,
    },
  };
}

export async function viewOffer(d: Deps, x: Dialogue, link: AnswerLink, action: string): Promise<PageView> {
  return offerClosed(x, link) ?? offerPage(d, x, link, action);
}

export async function submitOffer(d: Deps, x: Dialogue, link: AnswerLink, body: Record<string, string>, action: string): Promise<PageView> {
  const closed = offerClosed(x, link);
  if (closed) return closed;
  const { kind } = parseOfferStep(link.step);
  const rule = meetingKindRules[kind];
  const comment = body.comment?.trim().slice(0, 1000) || undefined;
  if (body.choice === 'other') {
    await askForOtherTimes(d, x, link, comment);
    return notice('Vi skickar nya förslag', `Tack! Vi skickar nya förslag på tider för ${rule.name.toLowerCase()} i ett nytt mejl.`);
  }
  const index = body.choice === '' || body.choice === undefined ? Number.NaN : Number(body.choice);
  const slot: OfferedSlot | undefined = Number.isInteger(index) ? x.phase?.offer?.slots[index] : undefined;
  if (!slot) return offerPage(d, x, link, action, 'Välj en av tiderna, eller be om andra tider.');
  const outcome = await bookOffered(d, x, link, slot);
  if ('notOpen' in outcome) return offerClosed(outcome.notOpen, link) ?? offerPage(d, outcome.notOpen, link, action);
  if ('taken' in outcome) return offerPage(d, x, link, action, 'Tiden är inte längre ledig. Välj en annan tid eller be om andra tider.');
  const when = formatSwedishDateTime(new Date(slot.sessions[0]?.start ?? 0));
  return notice(
    `${rule.name} är bokat`,
    `${rule.name} med ${x.organiserName} är bokat ${when}.`,
    'En kalenderinbjudan har skickats till huvudmannens kontaktpersoner och dialogutförarna. I mejlet finns en länk där ni kan ange vilka som deltar, boka om eller avboka.',
  );
}
