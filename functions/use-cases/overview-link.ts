/**
 * The organiser's overview link ("Er kvalitetsdialog"): a read-only link per recipient and
 * dialogue, in every mail after the acceptance (a fresh expiry each time; nothing is stored). A
 * forwarded mail opens only that dialogue's overview. GET shows the page; it changes nothing.
 */
import { addDays } from '#core/dialogue.ts';
import type { Deps } from '#adapters/deps.ts';
import { linkUrl } from './links.ts';

/** An overview link stays valid this long after the latest mail that carried it. */
export const OVERVIEW_VALID_DAYS = 400;
export const OVERVIEW_STEP = 'overview';

export const overviewLink = (d: Deps, dialogueId: string, contactId: string): Promise<string> =>
  linkUrl(d, { dialogueId, step: OVERVIEW_STEP, contactId }, addDays(d.clock.now(), OVERVIEW_VALID_DAYS));
