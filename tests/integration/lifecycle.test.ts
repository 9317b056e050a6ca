/**
 * The whole dialogue after acceptance on the embedded runtime, with the local clock advanced:
 * intro (a place in a group session) → analysis material → pre-meeting (rescheduled by the
 * organiser) → dialogue meeting (other times asked for) → notes → feedback (cancelled and rebooked)
 * → follow-up six months later → closed. Every organiser mail is read back from the local mailbox
 * and every calendar invitation parsed with ical.js; the local runtime is restarted while each
 * phase waits (for a booking, or on a due-date) and nothing is lost or sent twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { parseIcs } from '../support/ics.ts';
import { Harness, organiser, type StoredMail } from '../support/local.ts';

const h = new Harness();
type MailWithAttachments = StoredMail & { attachments?: { contentType: string; filename?: string; content: string }[] };

const facilitators = [
  { id: 'sv-anna', name: 'Anna Åström', agency: 'skolverket', office: 'Göteborg', email: 'anna@skolverket.example.se' },
  { id: 'sv-bo', name: 'Bo Ek', agency: 'skolverket', office: 'Solna', email: 'bo@skolverket.example.se' },
  { id: 'sp-cia', name: 'Cia Lund', agency: 'spsm', office: 'Göteborg', email: 'cia@spsm.example.se' },
  { id: 'sp-dan', name: 'Dan Sjö', agency: 'spsm', office: 'Solna', email: 'dan@spsm.example.se' },
];
const BOARD = 'namnden@livs.example.se';
const CHIEF = 'skolchef@livs.example.se';

beforeAll(async () => {
  await h.start();
  for (const f of facilitators) expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
});
afterAll(async () => {
  await h.close();
});

/** Mail to `address` whose subject starts with `prefix`, newest last. */
async function mails(address: string, prefix: string): Promise<MailWithAttachments[]> {
  return ((await h.mailTo(address)) as MailWithAttachments[]).filter((m) => m.subject.startsWith(prefix));
}

function icsOf(mail: MailWithAttachments) {
  const attachment = mail.attachments?.find((a) => a.contentType.startsWith('application/ics'));
  if (!attachment) throw new Error(`mail "${mail.subject}" has no .ics attachment`);
  const text = Buffer.from(attachment.content, 'base64').toString('utf8');
  expect(text).toContain('BEGIN:VTIMEZONE');
  return parseIcs(text);
}

/** Resolves when the phase execution waits for a booking (after `afterId`, e.g. a resume). */
async function waiting(id: string, kind: string, round = 1, afterId = 0): Promise<void> {
  await h.runtime.sfn.waitForEvent(phaseExecutionName(id, kind, round), (e) => e.type === 'TaskWaiting' && e.id > afterId);
}

/** Restarts the runtime and waits until the resumed execution waits again. */
async function restartWhileWaiting(id: string, kind: string, round = 1): Promise<void> {
  await h.restart();
  const name = phaseExecutionName(id, kind, round);
  const execution = h.runtime.sfn.list().find((r) => r.name === name);
  expect(execution?.status).toBe('RUNNING');
  const resumed = execution?.events.find((e) => e.type === 'ExecutionResumed');
  expect(resumed).toBeDefined();
  await waiting(id, kind, round, resumed?.id ?? 0);
}

async function settled(id: string, kind: string, round = 1) {
  const arn = h.runtime.sfn.list().find((r) => r.name === phaseExecutionName(id, kind, round))?.executionArn;
  if (!arn) throw new Error(`no ${kind} execution for ${id}`);
  return h.runtime.sfn.settled(arn);
}

/** Advances the clock past `iso` (plus a day) and fires the timers. */
async function advancePast(iso: string, extraDays = 1): Promise<void> {
  const days = Math.max(1, Math.ceil((Date.parse(iso) - h.runtime.clock.now().getTime()) / 86_400_000) + extraDays);
  expect((await h.advance(`P${days}D`)).status).toBe(200);
}

const pick = async (mail: MailWithAttachments, choice: string) => h.page(h.linkIn(mail), { choice });

describe('the dialogue lifecycle after acceptance', () => {
  let id: string;
  let region: string;

  it('starts the intro phase on acceptance and offers the fitting group intro session', async () => {
    // Prepare: an organiser, a group intro session in its region at a clash-free working time
    const org = organiser({
      id: 'livs-kommun',
      orgNumber: '212000-3001',
      countyCode: '14',
      contacts: [
        { role: 'board', name: 'Barn- och utbildningsnämnden', email: BOARD },
        { role: 'school_chief', name: 'Örjan Åström', email: CHIEF },
      ],
    });
    expect((await h.api('POST', '/api/organisers', org)).status).toBe(201);
    region = (await h.api('GET', '/api/organisers/livs-kommun')).json.region;
    const [slot] = (await h.api('GET', '/api/slot-proposals?kind=intro')).json.items;
    const session = await h.api('POST', '/api/intro-sessions', {
      region,
      start: slot.sessions[0].start,
      minutes: 90,
      videoLink: 'https://video.example.se/intro-vast',
      capacity: 6,
      audience: 'municipal',
      pair: slot.pair,
    });
    expect(session.status).toBe(201);
    id = await h.invite('livs-kommun');
    const answer = await h.page(h.linkIn((await h.mailTo(CHIEF))[0]!), { answer: 'accept' });
    expect(answer.status).toBe(200);

    // Act: the scheduler's next tick starts the intro phase
    expect((await h.advance('PT10M')).status).toBe(200);
    await waiting(id, 'intro');

    // Assess
    const d = await h.dialogue(id);
    expect(d.state).toBe('intro_offered');
    expect(d.phase.offer.slots).toHaveLength(1);
    expect(d.phase.offer.slots[0].introSessionId).toBe(session.json.id);
    expect(d.phase).not.toHaveProperty('token');
    expect(d.waitingForBooking).toBe(true);
    for (const address of [BOARD, CHIEF]) {
      const [offer] = await mails(address, 'Välj tid för introduktionsmöte');
      expect(offer?.body.text).toContain('tillsammans med några andra huvudmän');
    }
  });

  it('survives a restart while the intro offer waits, then books the session from the link', async () => {
    await restartWhileWaiting(id, 'intro');
    const [offer] = await mails(CHIEF, 'Välj tid för introduktionsmöte');

    // GET shows and changes nothing
    const page = await h.page(h.linkIn(offer!));
    expect(page.status).toBe(200);
    expect(page.html).toContain('Välj tid för introduktionsmöte');
    expect((await h.dialogue(id)).state).toBe('intro_offered');

    // POST books
    const receipt = await pick(offer!, '0');
    expect(receipt.html).toContain('Introduktionsmöte är bokat');
    const d = await h.dialogue(id);
    expect(d.state).toBe('intro_booked');
    expect(d.dueKind).toBe('held');
    expect((await settled(id, 'intro')).status).toBe('SUCCEEDED');
    const [invite] = await mails(CHIEF, 'Kallelse: Introduktionsmöte');
    const cal = icsOf(invite!);
    expect(cal.method).toBe('REQUEST');
    expect(cal.timezones).toEqual(['Europe/Stockholm']);
    expect(cal.events[0]).toMatchObject({ sequence: 0, tzid: 'Europe/Stockholm', location: 'https://video.example.se/intro-vast' });
    expect(cal.events[0]!.attendees).toEqual(expect.arrayContaining([`mailto:${BOARD}`, `mailto:${CHIEF}`]));
    // A second POST from the other contact's link finds it booked
    const [boardOffer] = await mails(BOARD, 'Välj tid för introduktionsmöte');
    expect((await pick(boardOffer!, '0')).html).toContain('är redan bokat');
    expect(await mails(CHIEF, 'Kallelse: Introduktionsmöte')).toHaveLength(1);
  });

  it('holds the intro, mails the analysis material with a stop link, and offers the pre-meeting', async () => {
    // Prepare: the coordinator attaches the material per school form
    const doc = await h.api('POST', `/api/dialogues/${id}/documents`, {
      schoolForm: 'grundskola',
      title: 'Analysunderlag grundskola 2026',
      url: 'https://underlag.example.se/livs/grundskola.pdf',
    });
    expect(doc.status).toBe(201);
    expect((await h.api('POST', `/api/dialogues/${id}/documents`, { schoolForm: 'gymnasium', title: 'X', url: 'http://x' })).status).toBe(
      400,
    );
    // One document for each school form the organiser runs (grundskola and förskola)
    expect(
      (
        await h.api('POST', `/api/dialogues/${id}/documents`, {
          schoolForm: 'forskola',
          title: 'Analysunderlag förskola 2026',
          url: 'https://underlag.example.se/livs/forskola.pdf',
        })
      ).status,
    ).toBe(201);

    // Act
    await advancePast((await h.dialogue(id)).dueAt);
    await waiting(id, 'pre_meeting');

    // Assess
    const d = await h.dialogue(id);
    expect(d.state).toBe('premeeting_offered');
    expect(d.history.map((e: { state?: string }) => e.state).filter(Boolean)).toEqual(
      expect.arrayContaining(['intro_held', 'material_sent', 'premeeting_offered']),
    );
    const [material] = await mails(BOARD, 'Analysunderlag för kvalitetsdialogen');
    expect(material?.body.text).toContain('Grundskola: Analysunderlag grundskola 2026');
    expect(material?.body.text).toContain('https://underlag.example.se/livs/grundskola.pdf');
    expect(h.linkIn(material!)).toMatch(/\/r\//);
    expect(d.mails.filter((m: { step: string }) => m.step === 'material')).toHaveLength(2);
  });

  it('books the pre-meeting after a restart, and the organiser reschedules it (same UID, SEQUENCE 1)', async () => {
    await restartWhileWaiting(id, 'pre_meeting');
    const [offer] = await mails(CHIEF, 'Välj tid för förmöte');
    const introPair = (await h.dialogue(id)).pair;
    expect((await h.dialogue(id)).phase.offer.slots[0].pair).toEqual(introPair);
    expect((await pick(offer!, '0')).html).toContain('Förmöte är bokat');
    const d = await h.dialogue(id);
    expect(d.state).toBe('premeeting_booked');
    // The same pair as at the intro, where possible
    expect(d.pair).toEqual(introPair);
    const [booked] = await mails(CHIEF, 'Kallelse: Förmöte');
    const first = icsOf(booked!).events[0]!;

    // Act: the manage link in the invitation → reschedule to the first option
    const manage = h.linkIn(booked!);
    const page = await h.page(manage);
    expect(page.html).toContain('Boka om till en annan tid');
    const value = /name="slot" value="([^"]+)"/.exec(page.html)?.[1];
    expect(value).toBeDefined();
    const moved = await h.page(manage, { action: 'reschedule', slot: value!.replaceAll('&#x3D;', '=') });
    expect(moved.html).toContain('Förmöte är ombokat');

    // Assess
    const [again] = await mails(CHIEF, 'Ny tid: Förmöte');
    const next = icsOf(again!).events[0]!;
    expect(next.uid).toBe(first.uid);
    expect(next.sequence).toBe(1);
    expect(next.start.getTime()).not.toBe(first.start.getTime());
    expect((await h.dialogue(id)).dueAt).toBe(next.end.toISOString());
    // The used link commits once
    expect((await h.page(manage, { action: 'cancel' })).html).toContain('Mötet har ändrats');
  });

  it('offers the dialogue meeting; the organiser asks for other times, restarts, books one', async () => {
    await advancePast((await h.dialogue(id)).dueAt);
    await waiting(id, 'dialogue');
    expect((await h.dialogue(id)).state).toBe('dialogue_offered');
    const [first] = await mails(BOARD, 'Välj tid för dialogmöte');
    const firstDays = (await h.dialogue(id)).phase.offer.offeredDays as string[];

    // Other times: the same execution loops to a new offer on other days
    expect((await pick(first!, 'other')).html).toContain('Vi skickar nya förslag');
    const firstWait = h.runtime.sfn
      .list()
      .find((r) => r.name === phaseExecutionName(id, 'dialogue', 1))
      ?.events.find((e) => e.type === 'TaskWaiting');
    await waiting(id, 'dialogue', 1, firstWait?.id ?? 0);
    const d = await h.dialogue(id);
    expect(d.phase.offer.no).toBe(2);
    for (const s of d.phase.offer.slots) expect(firstDays).not.toContain(s.sessions[0].start.slice(0, 10));
    expect((await pick(first!, '0')).html).toContain('Förslagen gäller inte längre');

    await restartWhileWaiting(id, 'dialogue');
    const offers = await mails(CHIEF, 'Välj tid för dialogmöte');
    expect(offers).toHaveLength(2);
    expect((await pick(offers[1]!, '1')).html).toContain('Dialogmöte är bokat');
    expect((await h.dialogue(id)).state).toBe('dialogue_booked');
    const [invite] = await mails(CHIEF, 'Kallelse: Dialogmöte');
    expect(invite?.body.text).toContain('Plats: Testviks kommun, Testvik');
  });

  it('holds the dialogue meeting after a restart while booked; the notes move it on to the feedback phase', async () => {
    await h.restart();
    expect((await h.dialogue(id)).dueKind).toBe('held');
    await advancePast((await h.dialogue(id)).dueAt);
    expect((await h.dialogue(id)).state).toBe('dialogue_held');
    const meetingId = (await h.dialogue(id)).phase.meetingId;
    const notes = await h.api('POST', `/api/meetings/${meetingId}/notes`, {
      discussed: 'Huvudmannens uppföljning av kunskapsresultat i grundskolan.',
      rolesPresent: ['school_chief', 'rektor'],
      public: true,
    });
    expect(notes.status).toBe(201);
    await waiting(id, 'feedback');
    expect((await h.dialogue(id)).state).toBe('feedback_offered');
  });

  it('books the feedback meeting after a restart; the organiser cancels (METHOD:CANCEL) and gets a new offer', async () => {
    await restartWhileWaiting(id, 'feedback');
    const [offer] = await mails(CHIEF, 'Välj tid för återkopplingsmöte');
    expect((await pick(offer!, '0')).html).toContain('Återkopplingsmöte är bokat');
    const [booked] = await mails(CHIEF, 'Kallelse: Återkopplingsmöte');
    const uid = icsOf(booked!).events[0]!.uid;

    // Act
    const cancelled = await h.page(h.linkIn(booked!), { action: 'cancel' });

    // Assess
    expect(cancelled.html).toContain('Återkopplingsmöte är avbokat');
    const [cancel] = await mails(CHIEF, 'Inställt: Återkopplingsmöte');
    const cal = icsOf(cancel!);
    expect(cal.method).toBe('CANCEL');
    expect(cal.events[0]).toMatchObject({ uid, sequence: 1, status: 'CANCELLED' });
    await waiting(id, 'feedback', 2);
    const d = await h.dialogue(id);
    expect(d.state).toBe('feedback_offered');
    expect(d.phase.round).toBe(2);
    const offers = await mails(CHIEF, 'Välj tid för återkopplingsmöte');
    expect(offers).toHaveLength(2);
    expect((await pick(offers[1]!, '0')).html).toContain('Återkopplingsmöte är bokat');
    expect((await h.dialogue(id)).state).toBe('feedback_booked');
  });

  it('sets the follow-up as a due-date about six months out, survives a restart, and closes after it', async () => {
    await advancePast((await h.dialogue(id)).dueAt);
    const due = await h.dialogue(id);
    expect(due.state).toBe('follow_up_due');
    expect(due.dueKind).toBe('follow_up');
    const feedbackEnd = Date.parse(due.lastMeetingEnd);
    expect((Date.parse(due.dueAt) - feedbackEnd) / 86_400_000).toBeGreaterThanOrEqual(140);

    await h.restart();
    await advancePast(due.dueAt, 0);
    await waiting(id, 'follow_up');
    const offered = await h.dialogue(id);
    expect(offered.state).toBe('follow_up_offered');
    // ≈ six months after the feedback meeting
    expect((Date.parse(offered.phase.offer.slots[0].sessions[0].start) - feedbackEnd) / 86_400_000).toBeGreaterThanOrEqual(170);

    await restartWhileWaiting(id, 'follow_up');
    const [offer] = await mails(CHIEF, 'Välj tid för uppföljningsmöte');
    expect((await pick(offer!, '0')).html).toContain('Uppföljningsmöte är bokat');
    await advancePast((await h.dialogue(id)).dueAt);

    const closed = await h.dialogue(id);
    expect(closed.state).toBe('closed');
    expect(closed.timeline.map((t: { phase: string }) => t.phase)).toEqual([
      'invitation',
      'intro',
      'material',
      'premeeting',
      'dialogue',
      'feedback',
      'follow_up',
      'end',
    ]);
    for (const [kind, round] of [
      ['intro', 1],
      ['pre_meeting', 1],
      ['dialogue', 1],
      ['feedback', 1],
      ['feedback', 2],
      ['follow_up', 1],
    ] as const) {
      expect((await settled(id, kind, round)).status, `${kind}-${round}`).toBe('SUCCEEDED');
    }
    // Every calendar mail to the organiser carries a valid invitation, none was sent twice
    const calendarMails = ((await h.mailTo(CHIEF)) as MailWithAttachments[]).filter((m) => m.attachments?.length);
    expect(calendarMails.length).toBeGreaterThanOrEqual(7);
    for (const m of calendarMails) expect(['REQUEST', 'CANCEL']).toContain(icsOf(m).method);
    const sentRecords = (await h.dialogue(id)).mails.filter(
      (m: { email: string; status: string }) => m.email === CHIEF && m.status === 'sent',
    );
    expect(await h.mailTo(CHIEF)).toHaveLength(sentRecords.length);
  });
});
