/**
 * Builds the raw MIME message SES sends (RFC 5322 / 2045–2047): our stable Message-ID, UTF-8
 * subject and display names as encoded-words, text + HTML as multipart/alternative, and an
 * iCalendar invitation as a third alternative (text/calendar; method=…) plus the same .ics
 * attached, all under multipart/mixed. Every body part is base64 in 76-character lines, so no
 * line-length or 8-bit question arises. This replaces nodemailer's MailComposer, whose MIME-type
 * table, address parser and URL fetcher were 135 KB of every Lambda bundle for a message whose
 * shape never changes; tests/unit/adapters/mime.test.ts reads what it builds back with mailparser.
 */
import { randomBytes } from 'node:crypto';

const CRLF = '\r\n';

export interface MimeMessage {
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** Extra headers, ASCII values (e.g. Content-Language). */
  headers?: Record<string, string>;
  calendar?: { method: 'REQUEST' | 'CANCEL'; ics: string; filename: string };
  date?: Date;
}

const isAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);

/** RFC 2047 B-encoded words of at most 75 characters, never splitting a UTF-8 character. */
export function encodeWords(value: string): string {
  if (isAscii(value)) return value;
  const words: string[] = [];
  const maxBytes = 45; // 45 bytes → 60 base64 characters, plus the 12 of =?UTF-8?B?…?=
  let chunk = '';
  for (const ch of value) {
    if (Buffer.byteLength(chunk + ch) > maxBytes) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

/** `Name <addr@host>` or `addr@host`, with a non-ASCII name encoded and an ASCII one quoted where needed. */
export function encodeAddress(address: string): string {
  const m = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(address);
  if (!m) {
    if (!/^[^\s<>@",]+@[^\s<>@",]+$/.test(address.trim())) throw new Error(`not an email address: ${address}`);
    return address.trim();
  }
  const [, rawName, addr] = m;
  const name = rawName!.replace(/^"(.*)"$/, '$1');
  if (!name) return `<${addr}>`;
  if (!isAscii(name)) return `${encodeWords(name)} <${addr}>`;
  // A phrase of atoms goes as it is; anything else (a dot, a comma, quotes) is quoted.
  return /^[A-Za-z0-9 !#$%&'*+\-/=?^_`{|}~]+$/.test(name) ? `${name} <${addr}>` : `"${name.replace(/(["\\])/g, '\\$1')}" <${addr}>`;
}

const base64Lines = (content: string): string =>
  (
    Buffer.from(content, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join(CRLF);

const part = (headers: string[], body: string): string => `${headers.join(CRLF)}${CRLF}${CRLF}${body}`;

const multipart = (subtype: 'mixed' | 'alternative', parts: string[]): { contentType: string; body: string } => {
  const boundary = `----=_kd_${subtype}_${randomBytes(12).toString('hex')}`;
  return {
    contentType: `multipart/${subtype}; boundary="${boundary}"`,
    body: `${parts.map((p) => `--${boundary}${CRLF}${p}${CRLF}`).join('')}--${boundary}--`,
  };
};

const textPart = (type: string, content: string) =>
  part([`Content-Type: ${type}`, 'Content-Transfer-Encoding: base64'], base64Lines(content));

/** The whole message, CRLF line ends, ready for SES's Content.Raw.Data. */
export function buildMime(m: MimeMessage): Buffer {
  if (/[\r\n]/.test(m.subject + m.to + m.from + (m.replyTo ?? '') + m.messageId)) {
    throw new Error('a header value must not contain a line break');
  }
  const alternative = multipart('alternative', [
    textPart('text/plain; charset=utf-8', m.text),
    textPart('text/html; charset=utf-8', m.html),
    ...(m.calendar ? [textPart(`text/calendar; charset=utf-8; method=${m.calendar.method}`, m.calendar.ics)] : []),
  ]);
  const filename = m.calendar?.filename.replace(/[^A-Za-z0-9._-]/g, '_');
  const top = m.calendar
    ? multipart('mixed', [
        part([`Content-Type: ${alternative.contentType}`], alternative.body),
        part(
          [
            `Content-Type: application/ics; name=${filename}`,
            `Content-Disposition: attachment; filename=${filename}`,
            'Content-Transfer-Encoding: base64',
          ],
          base64Lines(m.calendar.ics),
        ),
      ])
    : alternative;
  const headers = [
    `From: ${encodeAddress(m.from)}`,
    ...(m.replyTo ? [`Reply-To: ${encodeAddress(m.replyTo)}`] : []),
    `To: ${encodeAddress(m.to)}`,
    `Subject: ${encodeWords(m.subject)}`,
    `Message-ID: ${m.messageId}`,
    `Date: ${(m.date ?? new Date()).toUTCString().replace(/GMT$/, '+0000')}`,
    'MIME-Version: 1.0',
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    `Content-Type: ${top.contentType}`,
  ];
  return Buffer.from(`${headers.join(CRLF)}${CRLF}${CRLF}${top.body}${CRLF}`, 'utf8');
}
