/** The MIME builder, read back by an independent parser (mailparser, what aws-ses-v2-local uses too). */
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMime, encodeAddress, encodeWords } from '#adapters/mime.ts';

const base = {
  from: 'Skolverket – Kvalitetsdialog <noreply@kvalitetsdialog.example.se>',
  replyTo: 'kvalitetsdialog@example.se',
  to: 'åsa.öberg@example.se',
  subject: 'Erbjudande om kvalitetsdialog för Örebro kommun – svara senast fredag 13 november 2026 (nämnden och skolchefen)',
  text: 'Hej Åsa,\r\nVälkommen till kvalitetsdialogen!\n\nLänk: https://dialog.example.se/r/abc.def',
  html: '<p>Hej Åsa,</p><p>Välkommen – <a href="https://dialog.example.se/r/abc.def">svara här</a></p>',
  messageId: '<dlg-1.invitation.board@kvalitetsdialog.example.se>',
  headers: { 'Content-Language': 'sv' },
  date: new Date('2026-11-23T14:00:00Z'),
};

describe('buildMime', () => {
  it('writes a message any parser reads back unchanged: headers, UTF-8 subject and names, text and HTML', async () => {
    // Act
    const raw = buildMime(base);
    const parsed = await simpleParser(raw);

    // Assess
    expect(parsed.subject).toBe(base.subject);
    expect(parsed.from?.value).toEqual([{ name: 'Skolverket – Kvalitetsdialog', address: 'noreply@kvalitetsdialog.example.se' }]);
    expect(parsed.replyTo?.value[0]?.address).toBe('kvalitetsdialog@example.se');
    expect(parsed.messageId).toBe(base.messageId);
    expect(parsed.date?.toISOString()).toBe('2026-11-23T14:00:00.000Z');
    expect(parsed.headers.get('content-language')).toBe('sv');
    expect(parsed.text?.replace(/\r\n/g, '\n')).toBe(base.text.replace(/\r\n/g, '\n'));
    expect(parsed.html).toBe(base.html);
    expect(parsed.attachments).toHaveLength(0);
    const text = raw.toString('utf8');
    expect(text).toMatch(/^Content-Type: multipart\/alternative; boundary=/m);
    expect(text.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('adds an iCalendar invitation as a text/calendar alternative and as an attached .ics', async () => {
    // Prepare
    const ics = 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Dialogmöte\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';

    // Act
    const raw = buildMime({ ...base, calendar: { method: 'REQUEST', ics, filename: 'kallelse.ics' } });
    const parsed = await simpleParser(raw);

    // Assess
    const text = raw.toString('utf8');
    expect(text.indexOf('multipart/mixed')).toBeLessThan(text.indexOf('multipart/alternative'));
    expect(text).toContain('Content-Type: text/calendar; charset=utf-8; method=REQUEST');
    expect(parsed.text).toContain('Välkommen');
    const attachment = parsed.attachments.find((a) => a.contentType === 'application/ics');
    expect(attachment?.filename).toBe('kallelse.ics');
    expect(attachment?.content.toString('utf8')).toBe(ics);
  });

  it('refuses a header value with a line break (no header injection)', () => {
    expect(() => buildMime({ ...base, subject: 'Hej\r\nBcc: x@example.se' })).toThrow(/line break/);
    expect(() => buildMime({ ...base, to: 'a@example.se\nBcc: x@example.se' })).toThrow();
  });

  it('encodes words within 75 characters and never splits a character', () => {
    const words = encodeWords('åäö'.repeat(40)).split('\r\n ');
    expect(words.length).toBeGreaterThan(1);
    for (const w of words) expect(w.length).toBeLessThanOrEqual(75);
    expect(words.map((w) => Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(w)![1]!, 'base64').toString('utf8')).join('')).toBe('åäö'.repeat(40));
    expect(encodeWords('Plain ASCII')).toBe('Plain ASCII');
  });

  it('quotes display names that need it', () => {
    expect(encodeAddress('Kvalitetsdialog <kd@example.se>')).toBe('Kvalitetsdialog <kd@example.se>');
    expect(encodeAddress('Skolverket, SPSM <kd@example.se>')).toBe('"Skolverket, SPSM" <kd@example.se>');
    expect(encodeAddress('kd@example.se')).toBe('kd@example.se');
    expect(() => encodeAddress('not an address')).toThrow();
  });
});
