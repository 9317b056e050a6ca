/**
 * Search over organisers as a coordinator types it: an org. number with or without the dash, a
 * name by word prefix (case and diacritics ignored: `ekback` finds "Ekbäckens…"), or a dialogue id.
 * The normalisation here is the one the search index is written with. Pure.
 */
const FOLD: Record<string, string> = { ø: 'o', æ: 'ae', ß: 'ss', đ: 'd', ł: 'l', œ: 'oe', þ: 'th' };

/** Lower case without diacritics: "Ekbäckens Förskola" → "ekbackens forskola". */
export const normalise = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[øæßđłœþ]/g, (c) => FOLD[c] ?? c);

/** The distinct words of a text, normalised: letters and digits, split at everything else. */
export const wordsOf = (text: string): string[] => [...new Set(normalise(text).split(/[^a-z0-9]+/))].filter((w) => w.length > 0);

/** Words an organiser is found by: those of its name (two characters or more) and its org. number. */
export const searchWordsOf = (o: { name: string; orgNumber: string }): string[] =>
  [...new Set([...wordsOf(o.name).filter((w) => w.length >= 2), o.orgNumber.replace(/\D/g, '')])].filter((w) => w.length >= 2);

export type SearchQuery =
  | { kind: 'dialogue'; id: string }
  | { kind: 'orgNumber'; digits: string }
  /** `lead`: the word the index is asked for (the longest); every word must start a word of the name. */
  | { kind: 'name'; words: string[]; lead: string };

const DIALOGUE_ID = /^dlg-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a search text asks for; undefined when it has nothing to search by (a message says what to type). */
export function parseSearch(text: string): SearchQuery | undefined {
  const q = text.trim();
  if (DIALOGUE_ID.test(q.toLowerCase())) return { kind: 'dialogue', id: q.toLowerCase() };
  if (/^[\d\s-]+$/.test(q)) {
    const digits = q.replace(/\D/g, '');
    return digits.length >= 2 ? { kind: 'orgNumber', digits } : undefined;
  }
  const words = wordsOf(q);
  const lead = [...words].sort((a, b) => b.length - a.length)[0];
  return lead && lead.length >= 2 ? { kind: 'name', words, lead } : undefined;
}

/** Whether a name matches every word of the query by prefix. */
export const nameMatches = (name: string, words: readonly string[]): boolean => {
  const own = wordsOf(name);
  return words.every((w) => own.some((o) => o.startsWith(w)));
};
