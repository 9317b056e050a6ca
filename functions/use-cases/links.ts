/**
 * The organisers' links (/r/{token}): the URL a mail carries, and what a token opens. A link is a
 * signed token that carries its target (functions/core/link-token.ts): sending one stores nothing
 * and opening one reads only the dialogue. Tokens mailed by earlier versions name a stored link,
 * which is read (never written) until they expire. Whether a link can still be used is decided by
 * the dialogue (answered, offer no longer open, meeting changed, ...), by each page.
 */
import type { Dialogue } from '#core/dialogue.ts';
import { type LinkTarget, signLinkToken, verifyLinkToken } from '#core/link-token.ts';
import type { AnswerLink } from '#core/ports.ts';
import type { Deps } from '#adapters/deps.ts';

export type LinkProblem = 'invalid' | 'expired';

export type Opened = { problem: LinkProblem } | { link: AnswerLink; dialogue: Dialogue };

/** The URL of a link to `target`, valid until `expiresAt`. */
export async function linkUrl(d: Deps, target: LinkTarget, expiresAt: Date): Promise<string> {
  const { linkSigningKey } = await d.secrets();
  return `${d.env.PUBLIC_BASE_URL}/r/${signLinkToken(linkSigningKey, target, expiresAt)}`;
}

/** The link a token names and its dialogue; forged, altered, unknown and expired tokens are a problem. */
export async function openLink(d: Deps, token: string): Promise<Opened> {
  const { linkSigningKey } = await d.secrets();
  const check = verifyLinkToken(linkSigningKey, token, d.clock.now());
  if (!check.ok) return { problem: check.reason === 'expired' ? 'expired' : 'invalid' };
  const link = 'target' in check ? { ...check.target, expiresAt: check.expiresAt.toISOString() } : await d.links.get(check.linkId);
  if (!link) return { problem: 'invalid' };
  const dialogue = await d.dialogues.get(link.dialogueId);
  if (!dialogue) return { problem: 'invalid' };
  return { link, dialogue };
}
