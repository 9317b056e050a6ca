/**
 * Held meetings are history, and a clash decision leads somewhere, on the embedded runtime: a
 * meeting that has taken place is refused every change (409, Swedish reason, no mail) and offers no
 * console action; an ended dialogue or a past step is never flagged; a clash lists every inspection
 * it clashes with; deciding "reschedule" in the console (where the clash mail links) gives the
 * organiser new clash-free times and clears the flag, or lets the coordinator move the meeting
 * (the flag clears when it has moved); who decided is recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCalendarDays, stockholmDay } from '#core/inspection.ts';
import { ConsoleClient } from '../support/console.ts';
import { acceptedWithIntroOffer, addOrganiser, advancePast, boardOf, bookFromLink, latest, waitingForBooking } from '../support/drive.ts';
import { addFacilitators } from '../support/facilitators.ts';
import { Harness } from '../support/local.ts';

const h = new Harness();
const console_ = new ConsoleClient(h);
const orgNumbers: Record<string, string> = {};
const inspect = async (externalId: string, n: string, start: string, end = start) => {
  const r = await h.api(
    'PUT',
    `/api/inspections/${externalId}`,
    { orgNumber: orgNumbers[n], kind: 'regular_supervision', start, end, status: 'confirmed' },
    h.runtime.tokens.inspectorate,
  );
  expect(r.status, r.text).toBeLessThan(300);
  return r.json as { flaggedDialogues: number };
};
const dayOf = (iso: string) => stockholmDay(new Date(iso));
const coordinatorMail = async (prefix: string) =>
  (await h.mailTo('samordnare@skolverket.example.se')).filter((m) => m.subject.startsWith(prefix));

/** A dialogue of organiser `n` with its intro booked from the offer mail; returns the dialogue and meeting. */
async function bookedIntro(n: string): Promise<{ id: string; meetingId: string }> {
  orgNumbers[n] = await addOrganiser(h, n);
  const id = await acceptedWithIntroOffer(h, n);
  await bookFromLink(h, h.linkIn(await latest(h, boardOf(n), 'Välj tid för introduktionsmöte')));
  const d = await h.dialogue(id);
  expect(d.state).toBe('intro_booked');
  return { id, meetingId: d.phase.meetingId };
}

beforeAll(async () => {
  await h.start();
  await addFacilitators(h, ['sv-anna', 'sv-bo', 'sp-david', 'sp-eva']);
  await console_.login('Sara Samordnare');
});
afterAll(async () => {
  await h.close();
});

describe('a held meeting is history', () => {
  it('refuses to move, cancel, reassign or change a held meeting (409, Swedish, no mail), and the console offers none of it', async () => {
    // Prepare: the intro is booked and then held (the clock moves past it)
    const { id, meetingId } = await bookedIntro('hallen');
    const before = (await h.api('GET', `/api/meetings/${meetingId}`)).json;
    await advancePast(h, [(await h.dialogue(id)).dueAt]);
    expect((await h.dialogue(id)).state).toBe('intro_held');
    const [future] = (await h.api('GET', '/api/slot-proposals?kind=intro')).json.items;
    await h.clearMailbox();

    // Act
    const moved = await h.api('POST', `/api/meetings/${meetingId}/reschedule`, { sessions: future.sessions });
    const cancelled = await h.api('POST', `/api/meetings/${meetingId}/cancel`, { reason: 'Fel tid' });
    const reassigned = await h.api('POST', `/api/meetings/${meetingId}/reassign`, {
      pair: { skolverket: 'sv-bo', spsm: 'sp-eva' },
      sequence: before.sequence,
    });
    const participants = await h.api('PUT', `/api/meetings/${meetingId}/participants`, {
      participants: [{ name: 'Ny Person', email: 'ny@hallen.example.se', role: 'teacher' }],
    });

    // Assess
    for (const [r, change] of [
      [moved, 'flyttas'],
      [cancelled, 'ställas in'],
      [reassigned, 'få nya dialogutförare'],
      [participants, 'få nya deltagare'],
    ] as const) {
      expect(r.status, r.text).toBe(409);
      expect(r.json.message).toMatch(new RegExp(`^Introduktionsmöte hölls \\d+ \\w+ \\d{4} och kan inte ${change} i efterhand\\.`));
    }
    expect(await h.mailbox()).toEqual([]);
    expect((await h.api('GET', `/api/meetings/${meetingId}`)).json).toEqual(before);
    const page = await console_.get(`/console/dialogues/${id}`);
    expect(page.html).toContain('Genomfört');
    expect(page.html).not.toContain(`/meetings/${meetingId}/reschedule`);
    expect(page.html).not.toContain(`/meetings/${meetingId}/cancel`);
    const form = await console_.get(`/console/dialogues/${id}/meetings/${meetingId}/reschedule`);
    expect(form.status).toBe(409);
    expect(form.html).toContain('hölls');
    expect(form.html).not.toContain('<form method="post" action="/console/dialogues/');

    // A later inspection on the day the meeting was held flags nothing
    expect((await inspect('SI-HELD', 'hallen', dayOf(before.sessions[0].start))).flaggedDialogues).toBe(0);
    expect((await h.dialogue(id)).conflict).toBeUndefined();
  });

  it('never flags a dialogue that has ended, while the same step of a live dialogue is flagged', async () => {
    // Prepare: both organisers are being inspected now, so their invitations wait until after it
    const today = dayOf(h.runtime.clock.now().toISOString());
    const ids: Record<string, string> = {};
    for (const n of ['avslutad', 'levande']) {
      orgNumbers[n] = await addOrganiser(h, n);
      await inspect(`SI-NOW-${n}`, n, today, addCalendarDays(today, 4));
      const r = await h.api('POST', '/api/dialogues', { organiserId: n });
      expect(r.status).toBe(201);
      ids[n] = r.json.id;
    }
    const planned = (await h.dialogue(ids.levande!)).dueAt as string;
    const closed = await console_.submit(`/console/dialogues/${ids.avslutad}/close`, { reason: 'Huvudmannen har upphört.' });
    expect(closed.location).toBe(`/console/dialogues/${ids.avslutad}?klart=close`);

    // Act: a second inspection covers the day both invitations were moved to
    const a = await inspect('SI-LATER-avslutad', 'avslutad', dayOf(planned));
    const b = await inspect('SI-LATER-levande', 'levande', dayOf(planned));

    // Assess
    expect(a.flaggedDialogues).toBe(0);
    expect((await h.dialogue(ids.avslutad!)).conflict).toBeUndefined();
    expect(b.flaggedDialogues).toBe(1);
    expect((await h.dialogue(ids.levande!)).conflict).toMatchObject({ step: 'invitation', inspectionId: 'SI-LATER-levande' });
  });
});

describe('deciding on a clash', () => {
  let id: string;
  let meetingId: string;
  let meetingDay: string;

  it('lists every inspection the booked meeting clashes with, in the mail and on the console page it links to', async () => {
    // Prepare
    ({ id, meetingId } = await bookedIntro('krocken'));
    meetingDay = dayOf((await h.api('GET', `/api/meetings/${meetingId}`)).json.sessions[0].start);

    // Act: two inspections land around the meeting
    expect((await inspect('SI-K1', 'krocken', meetingDay)).flaggedDialogues).toBe(1);
    await inspect('SI-K2', 'krocken', addCalendarDays(meetingDay, 1));

    // Assess
    const d = await h.dialogue(id);
    expect(d.conflict).toMatchObject({ inspectionId: 'SI-K1', others: [{ inspectionId: 'SI-K2' }] });
    const mails = await coordinatorMail('Krock med Skolinspektionen: Skolan krocken AB');
    expect(mails).toHaveLength(2);
    const link = /https?:\/\/\S+\/console\/dialogues\/\S+\/conflict/.exec(mails.at(-1)?.body.text ?? '')?.[0];
    expect(link).toBe(`${h.runtime.urls.app}/console/dialogues/${id}/conflict`);
    expect(mails.at(-1)?.body.text).not.toContain('/api/');
    expect((mails.at(-1)?.body.text?.match(/^- Regelbunden tillsyn/gm) ?? []).length).toBe(2);
    const page = await console_.get(link as string);
    expect(page.status).toBe(200);
    expect(page.html).toContain('SI-K1');
    expect(page.html).toContain('SI-K2');
    expect(page.html).toContain('Boka om: erbjud huvudmannen nya tider');
    const conflicts = (await h.api('GET', '/api/conflicts')).json.items.filter((c: { dialogueId: string }) => c.dialogueId === id);
    expect(conflicts).toEqual([expect.objectContaining({ otherInspections: [expect.objectContaining({ externalId: 'SI-K2' })] })]);
  });

  it('"reschedule" cancels the meeting for the organiser, offers new clash-free times, clears the flag and records who decided', async () => {
    // Act: the coordinator decides in the console (the form as the page gives it, posted twice)
    const path = `/console/dialogues/${id}/conflict`;
    const fields = ConsoleClient.hiddenFields((await console_.get(path)).html, path);
    const r = await console_.post(path, { ...fields, choice: 'offer', comment: 'Vi tar en annan vecka.' });
    const again = await console_.post(path, { ...fields, choice: 'offer', comment: 'Vi tar en annan vecka.' });
    await waitingForBooking(h, id, 'intro', 2);

    // Assess
    expect(r.location).toBe(`/console/dialogues/${id}?klart=conflict-offer`);
    expect((await h.api('GET', `/api/meetings/${meetingId}`)).json.status).toBe('cancelled');
    const d = await h.dialogue(id);
    expect(d.state).toBe('intro_offered');
    expect(d.conflict).toBeUndefined();
    expect(d.phase).toMatchObject({ round: 2, offer: { status: 'open' } });
    const blockedFrom = addCalendarDays(meetingDay, -3);
    const blockedTo = addCalendarDays(meetingDay, 1 + 3);
    for (const slot of d.phase.offer.slots) {
      const day = dayOf(slot.sessions[0].start);
      expect(day < blockedFrom || day > blockedTo, `offered ${day}`).toBe(true);
    }
    expect((await latest(h, boardOf('krocken'), 'Inställt: Introduktionsmöte')).body.text).toContain('Skolinspektionens granskning');
    const offers = (await h.mailTo(boardOf('krocken'))).filter((m) => m.subject.startsWith('Välj tid för introduktionsmöte'));
    expect(offers).toHaveLength(2);
    expect(h.linkIn(offers[1] as (typeof offers)[number])).not.toBe(h.linkIn(offers[0] as (typeof offers)[number]));
    expect(d.history.find((x: { type: string }) => x.type === 'conflict_decision')).toMatchObject({
      by: 'coordinator:Sara Samordnare (samordnare)',
      detail: 'Beslut: boka om: nya tider erbjuds huvudmannen – Vi tar en annan vecka.',
    });
    const day = h.runtime.clock.now().toISOString().slice(0, 10);
    const audit = (await h.api('GET', `/api/audit?date=${day}`)).json.items.filter((e: { subject: string }) => e.subject === id);
    expect(audit.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['conflict.decision', 'conflict.cleared']));
    // The same form posted again changes nothing
    expect(again.location).toBe(`/console/dialogues/${id}?klart=already`);
    const link = await console_.get(`/console/dialogues/${id}/conflict`);
    expect(link.html).toContain('Krocken är löst.');
  });

  it('"reschedule, I move it" keeps the flag until the meeting has moved to a free time', async () => {
    // Prepare
    const booked = await bookedIntro('flyttas');
    const when = dayOf((await h.api('GET', `/api/meetings/${booked.meetingId}`)).json.sessions[0].start);
    await inspect('SI-F1', 'flyttas', when);

    // Act: the decision through the API, then the move
    const decided = await h.api('POST', `/api/conflicts/${booked.id}/decision`, { decision: 'reschedule', how: 'move' });
    const form = await console_.get(`/console/dialogues/${booked.id}/meetings/${booked.meetingId}/reschedule`);
    const [free] = (await h.api('GET', '/api/slot-proposals?kind=intro&organiserId=flyttas')).json.items;
    const stillFlagged = (await h.dialogue(booked.id)).conflict;
    const moved = await h.api('POST', `/api/meetings/${booked.meetingId}/reschedule`, { sessions: free.sessions, pair: free.pair });

    // Assess
    expect(decided.status).toBe(200);
    expect(decided.json).toMatchObject({ outcome: 'move_by_coordinator', meetingId: booked.meetingId });
    expect(stillFlagged?.decision).toMatchObject({ decision: 'reschedule', how: 'move', by: 'coordinator' });
    expect(form.html).toContain('Mötet krockar med Skolinspektionens kalender.');
    expect(moved.status, moved.text).toBe(200);
    expect((await h.dialogue(booked.id)).conflict).toBeUndefined();
  });
});
