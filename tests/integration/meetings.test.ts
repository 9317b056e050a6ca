/**
 * Meetings over the real local runtime: a split dialogue meeting shared by two organisers is
 * booked, moved and cancelled; every change mails the pair and participants a calendar invitation
 * whose .ics (read back from the local mailbox) keeps its UID and raises SEQUENCE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, type StoredMail } from '../support/local.ts';
import { parseIcs } from '../support/ics.ts';

const h = new Harness();
beforeAll(async () => {
  await h.start();
  for (const f of [
    { id: 'sv-anna', name: 'Anna Åström', agency: 'skolverket', office: 'Malmö', email: 'anna@skolverket.example.se' },
    { id: 'sp-david', name: 'David Lund', agency: 'spsm', office: 'Malmö', email: 'david@spsm.example.se' },
    { id: 'sp-eva', name: 'Eva Sjö', agency: 'spsm', office: 'Solna', email: 'eva@spsm.example.se' },
  ]) {
    await h.api('POST', '/api/facilitators', f);
  }
});
afterAll(async () => {
  await h.close();
});

interface Slot {
  pair: { skolverket: string; spsm: string };
  sessions: { start: string; end: string }[];
}
type MailWithAttachments = StoredMail & { attachments?: { contentType: string; filename?: string; content: string }[] };

/** The .ics attached to the latest mail to `address` whose subject starts with `prefix`. */
async function icsFor(address: string, prefix: string) {
  const mails = (await h.mailTo(address)) as MailWithAttachments[];
  const mail = mails.filter((m) => m.subject.startsWith(prefix)).at(-1);
  if (!mail) throw new Error(`no mail "${prefix}…" to ${address}; got ${mails.map((m) => m.subject).join(' | ')}`);
  const attachment = mail.attachments?.find((a) => a.contentType.startsWith('application/ics'));
  if (!attachment) throw new Error(`mail "${mail.subject}" has no .ics attachment`);
  return { mail, cal: parseIcs(Buffer.from(attachment.content, 'base64').toString('utf8')) };
}

describe('meetings', () => {
  let dialogues: string[];
  let slots: Slot[];
  let meetingId: string;

  it('books a split dialogue meeting shared by two organisers and mails everyone a REQUEST', async () => {
    // Prepare: two small organisers that share a school chief meet together
    dialogues = [await h.invite('solrosens-forskola-ab'), await h.invite('ekbackens-ekonomiska-forening')];
    slots = (await h.api('GET', '/api/slot-proposals?kind=dialogue&sessions=2&count=3&nearOffice=Malm%C3%B6')).json.items;
    expect(slots).toHaveLength(3);
    expect(slots[0]!.pair).toEqual({ skolverket: 'sv-anna', spsm: 'sp-david' });
    // Act
    const r = await h.api('POST', '/api/meetings', {
      dialogueIds: dialogues,
      kind: 'dialogue',
      sessions: slots[0]!.sessions,
      pair: slots[0]!.pair,
      location: 'Ekbackens skola, Skolvägen 3, Ystad',
      participants: [{ name: 'Örjan Ek', email: 'orjan.ek@ekbacken.example.se', role: 'school_chief' }],
    });
    // Assess
    expect(r.status).toBe(201);
    meetingId = r.json.id;
    expect(r.json).toMatchObject({ status: 'booked', sequence: 0, dialogueIds: dialogues });
    for (const address of ['anna@skolverket.example.se', 'david@spsm.example.se', 'orjan.ek@ekbacken.example.se']) {
      const { mail, cal } = await icsFor(address, 'Kallelse: Dialogmöte');
      // The pair gets its own wording (what it leads, who comes); the organiser's people theirs.
      const facilitator = address !== 'orjan.ek@ekbacken.example.se';
      expect(mail.body.text).toContain(
        facilitator ? 'Plats hos huvudmannen: Ekbackens skola, Skolvägen 3, Ystad' : 'Plats: Ekbackens skola, Skolvägen 3, Ystad',
      );
      expect((mail.body.text ?? '').includes('Dialogmötet hålls hos er')).toBe(!facilitator);
      if (facilitator) {
        expect(mail.subject).toMatch(/– ni leder kvalitetsdialog med /);
        expect(mail.body.text).toContain('Du är dialogutförare för dialogmöte med');
        expect(mail.body.text).toContain('- Örjan Ek (skolchef)');
      }
      expect(cal.events[0]?.description ?? '').not.toContain('hos er');
      expect(cal.method).toBe('REQUEST');
      expect(cal.timezones).toEqual(['Europe/Stockholm']);
      expect(cal.events.map((e) => [e.uid, e.sequence])).toEqual([
        [`${meetingId}@skolverket.example.se`, 0],
        [`${meetingId}-2@skolverket.example.se`, 0],
      ]);
      expect(cal.events.map((e) => e.start.toISOString())).toEqual(slots[0]!.sessions.map((s) => new Date(s.start).toISOString()));
    }
    for (const id of dialogues) {
      expect((await h.api('GET', `/api/dialogues/${id}/meetings`)).json.items.map((m: { id: string }) => m.id)).toEqual([meetingId]);
      const dialogue = (await h.api('GET', `/api/dialogues/${id}`)).json;
      expect(dialogue.history.map((e: { type: string }) => e.type)).toContain('meeting_booked');
      expect(dialogue.timeline[0]).toMatchObject({ phase: 'invitation' });
    }
    expect((await h.api('GET', '/api/facilitators/sp-david')).json.calendar).toHaveLength(2);
  });

  it('does not book the same pair twice at once (409)', async () => {
    const r = await h.api('POST', '/api/meetings', {
      dialogueIds: [dialogues[0]],
      kind: 'pre_meeting',
      sessions: [
        { start: slots[0]!.sessions[0]!.start, end: new Date(Date.parse(slots[0]!.sessions[0]!.start) + 3_600_000).toISOString() },
      ],
      pair: { skolverket: 'sv-anna', spsm: 'sp-eva' },
      videoLink: 'https://video.example.se/m',
    });
    expect(r.status).toBe(409);
    expect((await h.api('GET', '/api/facilitators/sp-eva')).json.calendar).toEqual([]);
  });

  it('moves the meeting: same UIDs, SEQUENCE 1, "Ny tid" to everyone, calendars follow', async () => {
    const r = await h.api('POST', `/api/meetings/${meetingId}/reschedule`, { sessions: slots[1]!.sessions, pair: slots[1]!.pair });
    expect(r.status).toBe(200);
    expect(r.json.sequence).toBe(1);
    const { cal } = await icsFor('orjan.ek@ekbacken.example.se', 'Ny tid: Dialogmöte');
    expect(cal.method).toBe('REQUEST');
    expect(cal.events.map((e) => [e.uid, e.sequence])).toEqual([
      [`${meetingId}@skolverket.example.se`, 1],
      [`${meetingId}-2@skolverket.example.se`, 1],
    ]);
    expect(cal.events[0]!.start.toISOString()).toBe(new Date(slots[1]!.sessions[0]!.start).toISOString());
    const calendar = (await h.api('GET', `/api/facilitators/${slots[1]!.pair.spsm}`)).json.calendar as { start: string }[];
    expect(calendar.map((c) => c.start)).toEqual(slots[1]!.sessions.map((s) => new Date(s.start).toISOString()));
  });

  it('adds a participant, who gets the current invitation too, and rejects 21 participants', async () => {
    const participants = [
      { name: 'Örjan Ek', email: 'orjan.ek@ekbacken.example.se', role: 'school_chief' },
      { name: 'Märta Sjö', email: 'marta.sjo@solrosen.example.se', role: 'board_member' },
    ];
    expect((await h.api('PUT', `/api/meetings/${meetingId}/participants`, { participants })).status).toBe(200);
    const { cal } = await icsFor('marta.sjo@solrosen.example.se', 'Ny tid: Dialogmöte');
    expect(cal.events[0]!.sequence).toBe(1);
    expect((await h.mailTo('orjan.ek@ekbacken.example.se')).filter((m) => m.subject.startsWith('Ny tid'))).toHaveLength(1);
    const many = Array.from({ length: 21 }, (_, i) => ({ name: `Person ${i}`, email: `p${i}@example.se`, role: 'teacher' }));
    const r = await h.api('PUT', `/api/meetings/${meetingId}/participants`, { participants: many });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('Ange högst 20 deltagare.');
  });

  it('keeps the meeting across a restart of the local runtime', async () => {
    await h.restart();
    expect((await h.api('GET', `/api/meetings/${meetingId}`)).json).toMatchObject({ sequence: 1, status: 'booked' });
  });

  it('registers public notes after the meeting, and rejects an assessment field', async () => {
    // Prepare: move the clock past the last session
    const days = Math.ceil((Date.parse(slots[1]!.sessions[1]!.end) - h.runtime.clock.now().getTime()) / 86_400_000) + 1;
    expect((await h.advance(`P${days}D`)).status).toBe(200);
    const notes = {
      discussed: 'Förskolans arbete med språkutveckling och huvudmannens uppföljning.',
      rolesPresent: ['school_chief', 'board_member'],
      public: true,
    };
    // Act
    const bad = await h.api('POST', `/api/meetings/${meetingId}/notes`, { ...notes, assessment: 'svag styrning' });
    const good = await h.api('POST', `/api/meetings/${meetingId}/notes`, notes);
    // Assess
    expect(bad.status).toBe(400);
    expect(good.status).toBe(201);
    expect(good.json.notes).toMatchObject({ ...notes, registeredBy: 'coordinator' });
    expect(good.json.notes).not.toHaveProperty('assessment');
  });

  it('cancels a meeting with METHOD:CANCEL and frees the pair', async () => {
    // Prepare: a new intro meeting for the first dialogue
    const [slot] = (await h.api('GET', '/api/slot-proposals?kind=intro')).json.items as Slot[];
    const booked = await h.api('POST', '/api/meetings', {
      dialogueIds: [dialogues[0]],
      kind: 'intro',
      sessions: slot!.sessions,
      pair: slot!.pair,
      videoLink: 'https://video.example.se/intro-solrosen',
    });
    expect(booked.status).toBe(201);
    // Act
    const r = await h.api('POST', `/api/meetings/${booked.json.id}/cancel`, { reason: 'Huvudmannen vill vänta till hösten.' });
    // Assess
    expect(r.json).toMatchObject({ status: 'cancelled', sequence: 1 });
    const { mail, cal } = await icsFor('anna@skolverket.example.se', 'Inställt: Introduktionsmöte');
    expect(mail.body.text).toContain('Skäl: Huvudmannen vill vänta till hösten.');
    expect(cal.method).toBe('CANCEL');
    expect(cal.events[0]).toMatchObject({ uid: `${booked.json.id}@skolverket.example.se`, sequence: 1, status: 'CANCELLED' });
    const calendar = (await h.api('GET', `/api/facilitators/${slot!.pair.spsm}`)).json.calendar as { ref: string }[];
    expect(calendar.map((c) => c.ref)).not.toContain(booked.json.id);
    expect((await h.api('POST', `/api/meetings/${booked.json.id}/cancel`, {})).status).toBe(409);
  });
});
