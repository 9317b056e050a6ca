/**
 * Reassigning a meeting's facilitator pair over the real local runtime: version-checked,
 * idempotent, only to free facilitators (one Skolverket, one SPSM); everyone gets the invitation
 * with SEQUENCE+1, the dropped facilitator a METHOD:CANCEL, and the calendars follow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIcs } from '../support/ics.ts';
import { Harness, type StoredMail } from '../support/local.ts';

const h = new Harness();
type MailWithAttachments = StoredMail & { attachments?: { contentType: string; content: string }[] };
interface Slot {
  pair: { skolverket: string; spsm: string };
  sessions: { start: string; end: string }[];
}

let dialogueId: string;
let meetingId: string;
let slot: Slot;

beforeAll(async () => {
  await h.start();
  for (const f of [
    { id: 'sv-anna', name: 'Anna Åström', agency: 'skolverket', office: 'Malmö', email: 'anna@skolverket.example.se' },
    { id: 'sv-bo', name: 'Bo Berg', agency: 'skolverket', office: 'Malmö', email: 'bo@skolverket.example.se' },
    { id: 'sp-david', name: 'David Lund', agency: 'spsm', office: 'Malmö', email: 'david@spsm.example.se' },
    { id: 'sp-eva', name: 'Eva Sjö', agency: 'spsm', office: 'Solna', email: 'eva@spsm.example.se' },
  ]) {
    expect((await h.api('POST', '/api/facilitators', f)).status).toBeLessThan(300);
  }
  dialogueId = await h.invite('norrviks-kommun');
  [slot] = (await h.api('GET', '/api/slot-proposals?kind=intro&organiserId=norrviks-kommun')).json.items as Slot[];
  const booked = await h.api('POST', '/api/meetings', {
    dialogueIds: [dialogueId],
    kind: 'intro',
    sessions: slot.sessions,
    pair: { skolverket: 'sv-anna', spsm: 'sp-david' },
    videoLink: 'https://video.example.se/intro-norrvik',
  });
  expect(booked.status).toBe(201);
  meetingId = booked.json.id;
});
afterAll(async () => {
  await h.close();
});

async function icsTo(address: string, prefix: string) {
  const mail = ((await h.mailTo(address)) as MailWithAttachments[]).filter((m) => m.subject.startsWith(prefix)).at(-1);
  const attachment = mail?.attachments?.find((a) => a.contentType.startsWith('application/ics'));
  if (!mail || !attachment) throw new Error(`no "${prefix}" mail with .ics to ${address}`);
  return { mail, cal: parseIcs(Buffer.from(attachment.content, 'base64').toString('utf8')) };
}
const calendarRefs = async (id: string) =>
  ((await h.api('GET', `/api/facilitators/${id}`)).json.calendar as { ref: string }[]).map((c) => c.ref);

describe('reassigning the facilitator pair', () => {
  it('gives the meeting a new SPSM facilitator: REQUEST with SEQUENCE 1 to everyone, CANCEL to the dropped one', async () => {
    // Act
    const r = await h.api('POST', `/api/meetings/${meetingId}/reassign`, { pair: { skolverket: 'sv-anna', spsm: 'sp-eva' }, sequence: 0 });

    // Assess
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ changed: true, sequence: 1, pair: { skolverket: 'sv-anna', spsm: 'sp-eva' }, sessions: slot.sessions });
    for (const address of ['anna@skolverket.example.se', 'eva@spsm.example.se']) {
      const { mail, cal } = await icsTo(address, 'Nya dialogutförare: Introduktionsmöte');
      expect(cal.method).toBe('REQUEST');
      expect(cal.events.map((e) => [e.uid, e.sequence])).toEqual([[`${meetingId}@skolverket.example.se`, 1]]);
      expect(mail.body.text).toContain('leds nu av Anna Åström och Eva Sjö');
    }
    const dropped = await icsTo('david@spsm.example.se', 'Inställt: Introduktionsmöte');
    expect(dropped.cal.method).toBe('CANCEL');
    expect(dropped.cal.events[0]).toMatchObject({ uid: `${meetingId}@skolverket.example.se`, sequence: 1, status: 'CANCELLED' });
    expect(await calendarRefs('sp-eva')).toContain(meetingId);
    expect(await calendarRefs('sp-david')).not.toContain(meetingId);
    expect(await calendarRefs('sv-anna')).toContain(meetingId);
    const dialogue = await h.dialogue(dialogueId);
    expect(dialogue.pair).toEqual({ skolverket: 'sv-anna', spsm: 'sp-eva' });
    expect(dialogue.history.at(-1)).toMatchObject({ type: 'pair_reassigned', by: 'coordinator' });
  });

  it('finds the same confirmation done the second time, and sends nothing', async () => {
    // Prepare
    const before = (await h.mailbox()).length;

    // Act
    const again = await h.api('POST', `/api/meetings/${meetingId}/reassign`, {
      pair: { skolverket: 'sv-anna', spsm: 'sp-eva' },
      sequence: 0,
    });

    // Assess
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ changed: false, sequence: 1 });
    expect((await h.mailbox()).length).toBe(before);
  });

  it('refuses a stale version, a pair that is not one from each agency, and a facilitator who is busy', async () => {
    // Prepare: Bo is blocked over the meeting's time
    const block = await h.api('POST', '/api/facilitators/sv-bo/blocks', { start: slot.sessions[0]?.start, end: slot.sessions[0]?.end });
    expect(block.status).toBeLessThan(300);

    // Act
    const stale = await h.api('POST', `/api/meetings/${meetingId}/reassign`, {
      pair: { skolverket: 'sv-bo', spsm: 'sp-david' },
      sequence: 0,
    });
    const wrongAgency = await h.api('POST', `/api/meetings/${meetingId}/reassign`, {
      pair: { skolverket: 'sp-david', spsm: 'sp-eva' },
      sequence: 1,
    });
    const busy = await h.api('POST', `/api/meetings/${meetingId}/reassign`, {
      pair: { skolverket: 'sv-bo', spsm: 'sp-david' },
      sequence: 1,
    });

    // Assess: nothing moved, and the kept bookings stay
    expect(stale.status).toBe(409);
    expect(wrongAgency.status).toBe(400);
    expect(busy.status).toBe(409);
    expect(busy.json.message).toContain('Bo Berg');
    expect((await h.api('GET', `/api/meetings/${meetingId}`)).json).toMatchObject({
      sequence: 1,
      pair: { skolverket: 'sv-anna', spsm: 'sp-eva' },
    });
    expect(await calendarRefs('sv-anna')).toContain(meetingId);
    expect(await calendarRefs('sp-eva')).toContain(meetingId);
    expect(await calendarRefs('sp-david')).not.toContain(meetingId);
  });
});
