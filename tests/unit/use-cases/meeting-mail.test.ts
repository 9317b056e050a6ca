import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SesMailer } from '#adapters/mailer.ts';
import { TemplateRenderer } from '#adapters/templates.ts';
import { stockholmInstant } from '#core/calendar.ts';
import type { Facilitator } from '#core/facilitators.ts';
import { bookMeeting, cancelMeeting, nameParticipants, rescheduleMeeting } from '#core/meetings.ts';
import { composeMeetingMails, meetingMailStep } from '#functions/use-cases/meeting-mail.ts';
import { parseIcs } from '../../support/ics.ts';

const ses = mockClient(SESv2Client);
afterEach(() => ses.reset());

const templates = new TemplateRenderer();
const facilitators: Facilitator[] = [
  { id: 'sv-anna', name: 'Anna Åström', agency: 'skolverket', office: 'Härnösand', email: 'anna@skolverket.example.se', active: true },
  { id: 'sp-david', name: 'David Lund', agency: 'spsm', office: 'Härnösand', email: 'david@spsm.example.se', active: true },
];
const t0 = new Date('2026-03-01T10:00:00Z');
const session = (date: string, from: string, to: string) => ({
  start: stockholmInstant(date, from).toISOString(),
  end: stockholmInstant(date, to).toISOString(),
});
const booked = nameParticipants(
  bookMeeting(
    'mtg-7',
    {
      dialogueIds: ['dlg-1'],
      kind: 'dialogue',
      sessions: [session('2026-04-14', '09:00', '12:00')],
      pair: { skolverket: 'sv-anna', spsm: 'sp-david' },
      location: 'Kommunhuset, Storgatan 1, Norrvik',
      participants: [],
    },
    t0,
  ),
  [
    { name: 'Örjan Ek', email: 'Orjan@Norrvik.example.se', role: 'school_chief' },
    { name: 'Märta Sjö', email: 'marta@norrvik.example.se', role: 'rektor' },
  ],
  t0,
);
const input = {
  organiserNames: ['Norrviks kommun'],
  facilitators,
  organizer: { name: 'Kvalitetsdialog', email: 'kvalitetsdialog@example.se' },
  uidDomain: 'kvalitetsdialog.example.se',
  now: t0,
};

describe('meeting mail', () => {
  it('mails the pair and every participant, each with the same invitation listing all of them', () => {
    // Act
    const mails = composeMeetingMails(templates, { ...input, meeting: booked, method: 'REQUEST' });
    // Assess
    expect(mails.map((m) => m.to)).toEqual([
      'anna@skolverket.example.se',
      'david@spsm.example.se',
      'orjan@norrvik.example.se',
      'marta@norrvik.example.se',
    ]);
    const mail = mails[2]!;
    expect(mail.subject).toBe('Kallelse: Dialogmöte 14 april 2026 kl. 09:00 – kvalitetsdialog med Norrviks kommun');
    expect(mail.text).toContain('Hej Örjan Ek,');
    expect(mail.text).toContain('Plats: Kommunhuset, Storgatan 1, Norrvik');
    expect(mail.text).toContain('Dialogutförare: Anna Åström och David Lund.');
    expect(mail.messageId).toBe(`<${meetingMailStep(booked, 'REQUEST')}.orjan_norrvik.example.se@kvalitetsdialog.example.se>`);
    const ev = parseIcs(mail.calendar!.ics).events[0]!;
    expect(ev.summary).toBe('Dialogmöte – kvalitetsdialog med Norrviks kommun');
    expect(ev.location).toBe('Kommunhuset, Storgatan 1, Norrvik');
    expect(ev.attendees).toHaveLength(4);
    expect(ev.start.toISOString()).toBe('2026-04-14T07:00:00.000Z');
  });

  it('sends multipart/mixed → multipart/alternative with text/calendar; method=REQUEST, plus the .ics attached', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const mailer = new SesMailer(new SESv2Client({ region: 'eu-north-1' }), { from: 'kd@example.se', replyTo: 'kd@example.se' });
    const [mail] = composeMeetingMails(templates, { ...input, meeting: booked, method: 'REQUEST' });
    // Act
    await mailer.send(mail!);
    // Assess
    const raw = Buffer.from(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Content!.Raw!.Data!).toString('utf8');
    const mixed = raw.indexOf('multipart/mixed');
    const alternative = raw.indexOf('multipart/alternative');
    const calendarPart = raw.indexOf('Content-Type: text/calendar; charset=utf-8; method=REQUEST');
    const attachment = raw.indexOf('Content-Type: application/ics; name=kallelse.ics');
    expect(mixed).toBeGreaterThan(-1);
    expect(alternative).toBeGreaterThan(mixed);
    expect(calendarPart).toBeGreaterThan(alternative);
    expect(attachment).toBeGreaterThan(calendarPart);
    expect(raw).toContain('Content-Disposition: attachment; filename=kallelse.ics');
  });

  it('moves a meeting under the same UID with a higher SEQUENCE and says the time changed', () => {
    const moved = rescheduleMeeting(booked, [session('2026-04-21', '13:00', '16:00')], t0);
    const [mail] = composeMeetingMails(templates, { ...input, meeting: moved, method: 'REQUEST' });
    const before = parseIcs(composeMeetingMails(templates, { ...input, meeting: booked, method: 'REQUEST' })[0]!.calendar!.ics).events[0]!;
    const after = parseIcs(mail!.calendar!.ics).events[0]!;
    expect(after.uid).toBe(before.uid);
    expect(after.sequence).toBe(1);
    expect(after.start.toISOString()).toBe('2026-04-21T11:00:00.000Z');
    expect(mail!.subject).toMatch(/^Ny tid: Dialogmöte 21 april 2026/);
    expect(meetingMailStep(moved, 'REQUEST')).not.toBe(meetingMailStep(booked, 'REQUEST'));
  });

  it('cancels with METHOD:CANCEL in the .ics and in the MIME type', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-2' });
    const mailer = new SesMailer(new SESv2Client({ region: 'eu-north-1' }), { from: 'kd@example.se', replyTo: 'kd@example.se' });
    const cancelled = cancelMeeting(booked, t0, 'Skolchefen är sjuk.');
    // Act
    const [mail] = composeMeetingMails(templates, { ...input, meeting: cancelled, method: 'CANCEL' });
    await mailer.send(mail!);
    // Assess
    const cal = parseIcs(mail!.calendar!.ics);
    expect(cal.method).toBe('CANCEL');
    expect(cal.events[0]).toMatchObject({ uid: 'mtg-7@kvalitetsdialog.example.se', sequence: 1, status: 'CANCELLED' });
    expect(mail!.subject).toMatch(/^Inställt: Dialogmöte/);
    expect(mail!.text).toContain('Skäl: Skolchefen är sjuk.');
    const raw = Buffer.from(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Content!.Raw!.Data!).toString('utf8');
    expect(raw).toContain('text/calendar; charset=utf-8; method=CANCEL');
  });
});

describe('meeting mail to the organiser’s contacts', () => {
  const contacts = [
    { key: 'board-1', name: 'Barn- och utbildningsnämnden', email: 'bun@norrvik.example.se' },
    // Also a named participant: mailed once
    { key: 'chief-1', name: 'Örjan Ek', email: 'orjan@norrvik.example.se' },
  ];

  it('adds the contacts once each, with a manage link placeholder in a REQUEST only', () => {
    // Act
    const request = composeMeetingMails(templates, { ...input, meeting: booked, method: 'REQUEST', organiserRecipients: contacts });
    const cancel = composeMeetingMails(templates, {
      ...input,
      meeting: cancelMeeting(booked, t0),
      method: 'CANCEL',
      organiserRecipients: contacts,
    });
    // Assess
    expect(request.map((m) => m.to)).toEqual([
      'anna@skolverket.example.se',
      'david@spsm.example.se',
      'bun@norrvik.example.se',
      'orjan@norrvik.example.se',
      'marta@norrvik.example.se',
    ]);
    expect(request.filter((m) => m.manage).map((m) => m.to)).toEqual(['bun@norrvik.example.se', 'orjan@norrvik.example.se']);
    expect(request.find((m) => m.to === 'bun@norrvik.example.se')?.text).toContain('https://manage-link.invalid/placeholder');
    expect(request.find((m) => m.to === 'anna@skolverket.example.se')?.text).not.toContain('manage-link');
    expect(cancel.some((m) => m.manage)).toBe(false);
    expect(parseIcs(request[0]!.calendar!.ics).events[0]!.attendees).toContain('mailto:bun@norrvik.example.se');
  });

  it('leaves the pair out for a place in a group intro session, and cancels dropped sessions under their own UIDs', () => {
    const pairless = composeMeetingMails(templates, { ...input, meeting: booked, method: 'REQUEST', mailPair: false });
    expect(pairless.map((m) => m.to)).not.toContain('anna@skolverket.example.se');
    const dropped = composeMeetingMails(templates, {
      ...input,
      meeting: { ...booked, sessions: [session('2026-04-16', '09:00', '11:30')] },
      method: 'CANCEL',
      firstIndex: 2,
    });
    const cal = parseIcs(dropped[0]!.calendar!.ics);
    expect(cal.method).toBe('CANCEL');
    expect(cal.events.map((e) => e.uid)).toEqual(['mtg-7-3@kvalitetsdialog.example.se']);
  });
});
