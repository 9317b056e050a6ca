/**
 * The organiser's overview link ("Er kvalitetsdialog"): one read-only link per recipient and
 * dialogue, in every mail after the acceptance. Its id is derived from the link-signing key, the
 * dialogue and the recipient, so every mail carries the same link (a fresh expiry each time) and
 * a forwarded mail opens only that dialogue's overview. GET shows the page; it changes nothing.
 */
import { createHmac } from 'node:crypto';
import { addDays } from '#core/dialogue.ts';
import { signLinkToken } from '#core/link-token.ts';
import type { Deps } from '#adapters/deps.ts';

/** An overview link stays valid this long after the latest mail that carried it. */
export const OVERVIEW_VALID_DAYS = 400;
export const OVERVIEW_STEP = 'overview';

export async function overviewLink(d: Deps, dialogueId: string, contactId: string): Promise<string> {
  const { linkSigningKey } = await d.secrets();
  const linkId = createHmac('sha256', linkSigningKey)
    .update(`overview\u0000${dialogueId}\u0000${contactId}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
  const expiresAt = addDays(d.clock.now(), OVERVIEW_VALID_DAYS);
  await d.links.put({ linkId, dialogueId, step: OVERVIEW_STEP, contactId, expiresAt: expiresAt.toISOString() });
  return `${d.env.PUBLIC_BASE_URL}/r/${signLinkToken(linkSigningKey, linkId, expiresAt)}`;
}
