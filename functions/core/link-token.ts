/**
 * The organisers' link tokens. A token carries what it opens: the dialogue, the step (what the
 * link is for), the recipient and the expiry, under an HMAC with the link-signing key, so sending
 * a link stores nothing and opening one reads nothing but the dialogue. Compact binary, then
 * base64url:
 *
 *   0x01 | expiry (uint32, Unix seconds) | dialogue id 0x00 | step 0x00 | contact id 0x00 | HMAC (16 bytes)
 *
 * In the three texts a lowercase UUID is written as 0x01 and its 16 bytes. Changing any byte
 * breaks the signature; a token has exactly one encoding (anything else is refused as malformed).
 *
 * Tokens mailed by earlier versions, `<linkId>.<expiry>.<signature>`, name a stored link (the
 * caller reads it): they stay valid until they expire. Task tokens never appear in URLs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a link opens. */
export interface LinkTarget {
  dialogueId: string;
  /** 'answer', 'overview', 'stop', 'offer:<kind>:<round>:<no>', 'manage:<meetingId>:<seq>'. */
  step: string;
  contactId: string;
}

export type TokenCheck =
  | { ok: true; target: LinkTarget; expiresAt: Date }
  /** An earlier version's token: the link is stored under `linkId`. */
  | { ok: true; linkId: string; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const VERSION = 1;
const UUID_MARK = 1;
const SIG_BYTES = 16;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TOKEN_RE = /^[A-Za-z0-9_-]{30,400}$/;
const STORED_RE = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$/;

const mac = (key: string, data: Buffer | string): Buffer => createHmac('sha256', key).update(data).digest().subarray(0, SIG_BYTES);

function packText(text: string): Buffer {
  if (text.includes('\u0000') || text.includes('\u0001')) throw new RangeError('A link text cannot hold control characters 0 or 1');
  const parts: Buffer[] = [];
  let at = 0;
  for (const m of text.matchAll(UUID)) {
    parts.push(Buffer.from(text.slice(at, m.index), 'utf8'), Buffer.from([UUID_MARK]), Buffer.from(m[0].replaceAll('-', ''), 'hex'));
    at = m.index + m[0].length;
  }
  parts.push(Buffer.from(text.slice(at), 'utf8'), Buffer.from([0]));
  return Buffer.concat(parts);
}

/** The text starting at `from` and where the next one starts; undefined if it is cut off. */
function unpackText(bytes: Buffer, from: number): { text: string; next: number } | undefined {
  const parts: string[] = [];
  let start = from;
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      parts.push(bytes.subarray(start, i).toString('utf8'));
      return { text: parts.join(''), next: i + 1 };
    }
    if (bytes[i] === UUID_MARK) {
      if (i + 17 > bytes.length) return undefined;
      const hex = bytes.subarray(i + 1, i + 17).toString('hex');
      parts.push(
        bytes.subarray(start, i).toString('utf8'),
        `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
      );
      i += 16;
      start = i + 1;
    }
  }
  return undefined;
}

/** A token for `target`, valid until `expiresAt` (to the second). The same input gives the same token. */
export function signLinkToken(key: string, target: LinkTarget, expiresAt: Date): string {
  const exp = Buffer.alloc(4);
  exp.writeUInt32BE(Math.floor(expiresAt.getTime() / 1000));
  const payload = Buffer.concat([
    Buffer.from([VERSION]),
    exp,
    packText(target.dialogueId),
    packText(target.step),
    packText(target.contactId),
  ]);
  return Buffer.concat([payload, mac(key, payload)]).toString('base64url');
}

const sameMac = (expected: Buffer, given: Buffer): boolean => expected.length === given.length && timingSafeEqual(expected, given);

function verifyStored(key: string, m: RegExpExecArray, now: Date): TokenCheck {
  const [, linkId = '', exp = '', sig = ''] = m;
  if (!sameMac(Buffer.from(mac(key, `${linkId}.${exp}`).toString('base64url')), Buffer.from(sig))) {
    return { ok: false, reason: 'bad_signature' };
  }
  const expiresAt = new Date(Number.parseInt(exp, 36) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, linkId, expiresAt };
}

export function verifyLinkToken(key: string, token: string, now: Date): TokenCheck {
  const stored = STORED_RE.exec(token);
  if (stored) return verifyStored(key, stored, now);
  if (!TOKEN_RE.test(token)) return { ok: false, reason: 'malformed' };
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.toString('base64url') !== token || bytes.length < 1 + 4 + 3 + SIG_BYTES) return { ok: false, reason: 'malformed' };
  const payload = bytes.subarray(0, bytes.length - SIG_BYTES);
  if (!sameMac(mac(key, payload), bytes.subarray(bytes.length - SIG_BYTES))) return { ok: false, reason: 'bad_signature' };
  if (payload[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const dialogue = unpackText(payload, 5);
  const step = dialogue && unpackText(payload, dialogue.next);
  const contact = step && unpackText(payload, step.next);
  if (!contact || contact.next !== payload.length) return { ok: false, reason: 'malformed' };
  const expiresAt = new Date(payload.readUInt32BE(1) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, target: { dialogueId: dialogue.text, step: step.text, contactId: contact.text }, expiresAt };
}
