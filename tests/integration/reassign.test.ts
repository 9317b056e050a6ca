/**
 * Reassigning a meeting's facilitator pair over the real local runtime: version-checked,
 * idempotent, only to free facilitators (one Skolverket, one SPSM); everyone gets the invitation
 * with SEQUENCE+1, the dropped facilitator a METHOD:CANCEL, and the calendars follow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIcs } from '../support/ics.ts';
import { addFacilitators } from '../support/facilitators.ts';
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
  await addFacilitators(h, ['sv-anna', 'sv-bo', 'sp-david', 'sp-eva']);
  dialogueId = await h.invite('norrviks-kommun');
  slot = (await h.api('GET', '/api/slot-proposals?kind=intro&organiserId=norrviks-kommun')).json.items[0] as Slot;
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

describe('a refused move', () => {
  it("leaves both facilitators' calendars as they were when one of them is not free at the new time", async () => {
    // Prepare: Eva (the current SPSM facilitator) is blocked at another proposed time
    const other = ((await h.api('GET', '/api/slot-proposals?kind=intro&organiserId=norrviks-kommun')).json.items as Slot[]).find(
      (s) => s.sessions[0]?.start !== slot.sessions[0]?.start,
    ) as Slot;
    const block = await h.api('POST', '/api/facilitators/sp-eva/blocks', { start: other.sessions[0]?.start, end: other.sessions[0]?.end });
    expect(block.status).toBeLessThan(300);
    const entries = async (id: string) =>
      ((await h.api('GET', `/api/facilitators/${id}`)).json.calendar as { ref: string; start: string }[])
        .filter((c) => c.ref === meetingId)
        .map((c) => c.start);

    // Act
    const r = await h.api('POST', `/api/meetings/${meetingId}/reschedule`, { sessions: other.sessions });

    // Assess: Anna was booked first at the new time and got her old entry back
    expect(r.status).toBe(409);
    expect(await entries('sv-anna')).toEqual([new Date(slot.sessions[0]?.start ?? '').toISOString()]);
    expect(await entries('sp-eva')).toEqual([new Date(slot.sessions[0]?.start ?? '').toISOString()]);
    expect((await h.api('GET', `/api/meetings/${meetingId}`)).json).toMatchObject({ sequence: 1, sessions: slot.sessions });
  });
});

describe('meeting actions in the console (confirmed, audited, idempotent)', () => {
  let cookie: string;
  const app = (path: string) => `${h.runtime.urls.app}${path}`;
  const post = (path: string, data: Record<string, string>) =>
    fetch(app(path), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(data).toString(),
    });
  /** The confirmation page's hidden fields (csrf, seq), as the browser posts them. */
  async function confirm(action: string): Promise<Record<string, string>> {
    const page = await fetch(app(`/console/dialogues/${dialogueId}/meetings/${meetingId}/${action}`), { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    return Object.fromEntries([...html.matchAll(/<input type="hidden" name="(csrf|seq)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
  }
  const meeting = async () => (await h.api('GET', `/api/meetings/${meetingId}`)).json;

  beforeAll(async () => {
    const r = await fetch(app('/console/login'), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'Sara Samordnare', role: 'coordinator' }).toString(),
    });
    cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] as string;
  });

  it('lists the meeting on the dialogue page with its pair and actions', async () => {
    const html = await (await fetch(app(`/console/dialogues/${dialogueId}`), { headers: { cookie } })).text();
    expect(html).toContain('Anna Åström (Skolverket), Eva Sjö (SPSM)');
    for (const a of ['reschedule', 'reassign', 'cancel'])
      expect(html).toContain(`/console/dialogues/${dialogueId}/meetings/${meetingId}/${a}`);
  });

  it('reassigns the pair back, once', async () => {
    // Act
    const fields = await confirm('reassign');
    const first = await post(`/console/dialogues/${dialogueId}/meetings/${meetingId}/reassign`, {
      ...fields,
      skolverket: 'sv-anna',
      spsm: 'sp-david',
    });
    const again = await post(`/console/dialogues/${dialogueId}/meetings/${meetingId}/reassign`, {
      ...fields,
      skolverket: 'sv-anna',
      spsm: 'sp-david',
    });

    // Assess
    expect(first.headers.get('location')).toBe(`/console/dialogues/${dialogueId}?klart=reassign`);
    expect(again.headers.get('location')).toBe(`/console/dialogues/${dialogueId}?klart=already`);
    expect(await meeting()).toMatchObject({ sequence: 2, pair: { skolverket: 'sv-anna', spsm: 'sp-david' } });
    expect((await h.dialogue(dialogueId)).history.at(-1)).toMatchObject({ type: 'pair_reassigned', by: 'Sara Samordnare (samordnare)' });
  });

  it('moves the meeting to another free time, once, and refuses a stale form', async () => {
    // Prepare: another intro slot for this organiser, as the form's Stockholm date and times
    const other = ((await h.api('GET', '/api/slot-proposals?kind=intro&organiserId=norrviks-kommun')).json.items as Slot[]).find(
      (s) => s.sessions[0]?.start !== slot.sessions[0]?.start,
    ) as Slot;
    const { sessionFields } = await import('#functions/use-cases/console-meeting-actions.ts');
    const f = sessionFields(other.sessions[0] as { start: string; end: string });
    const fields = await confirm('reschedule');

    // Act
    const first = await post(`/console/dialogues/${dialogueId}/meetings/${meetingId}/reschedule`, {
      ...fields,
      'date-0': f.date,
      'start-0': f.start,
      'end-0': f.end,
    });
    const again = await post(`/console/dialogues/${dialogueId}/meetings/${meetingId}/reschedule`, {
      ...fields,
      'date-0': f.date,
      'start-0': f.start,
      'end-0': f.end,
    });
    const stale = await post(`/console/dialogues/${dialogueId}/meetings/${meetingId}/reschedule`, {
      ...fields,
      'date-0': f.date,
      'start-0': '06:00',
      'end-0': '07:00',
    });

    // Assess
    expect(first.headers.get('location')).toBe(`/console/dialogues/${dialogueId}?klart=reschedule`);
    expect(again.headers.get('location')).toBe(`/console/dialogues/${dialogueId}?klart=already`);
    expect(stale.status).toBe(400);
    expect(await stale.text()).toContain('Mötet har ändrats sedan sidan öppnades');
    expect((await meeting()).sessions.map((s: { start: string }) => Date.parse(s.start))).toEqual([
      Date.parse(other.sessions[0]?.start ?? ''),
    ]);
    expect((await h.dialogue(dialogueId)).history.at(-1)).toMatchObject({
      type: 'meeting_rescheduled',
      by: 'Sara Samordnare (samordnare)',
    });
  });

  it('cancels the meeting after asking why, once', async () => {
    // Act
    const fields = await confirm('cancel');
    const noReason = await post(`/console/dialogues/${dialogueId}/meetings/${meetingId}/cancel`, { ...fields, reason: ' ' });
    const first = await post(`/console/dialogues/${dialogueId}/meetings/${meetingId}/cancel`, {
      ...fields,
      reason: 'Huvudmannen är sjuk.',
    });
    const again = await post(`/console/dialogues/${dialogueId}/meetings/${meetingId}/cancel`, {
      ...fields,
      reason: 'Huvudmannen är sjuk.',
    });

    // Assess
    expect(noReason.status).toBe(400);
    expect(first.headers.get('location')).toBe(`/console/dialogues/${dialogueId}?klart=cancel`);
    expect(again.headers.get('location')).toBe(`/console/dialogues/${dialogueId}?klart=already`);
    expect(await meeting()).toMatchObject({ status: 'cancelled', cancelledReason: 'Huvudmannen är sjuk.' });
    expect(await calendarRefs('sp-david')).not.toContain(meetingId);
  });
});
