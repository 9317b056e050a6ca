/**
 * A dialogue's facts survive their compact stored form unchanged (fast-check), a later version's
 * text sorts after an earlier one's (what the index's conditional write relies on), and search
 * text is normalised as a coordinator expects: case and diacritics ignored, word prefixes, org.
 * numbers with or without the dash, dialogue ids.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dialogueStates } from '#core/dialogue.ts';
import { dialogueSteps } from '#core/dialogue-steps.ts';
import { type DialogueFacts, decodeFacts, encodeFacts, measuredPhases, shortHash, sizeBands } from '#core/facts.ts';
import { legalForms, schoolForms } from '#core/organiser.ts';
import { regions } from '#core/regions.ts';
import { nameMatches, normalise, parseSearch, searchWordsOf } from '#core/search.ts';

const arbitraryFacts: fc.Arbitrary<DialogueFacts> = fc.record({
  id: fc.uuid().map((u) => `dlg-${u}`),
  version: fc.integer({ min: 1, max: 2 ** 31 }),
  state: fc.constantFrom(...dialogueStates),
  legalForm: fc.constantFrom(...legalForms),
  region: fc.constantFrom(...Object.keys(regions)),
  sizeBand: fc.integer({ min: 0, max: sizeBands.length }),
  offered: fc.boolean(),
  accepted: fc.boolean(),
  reason: fc.option(fc.constantFrom('time' as const, 'resources' as const, 'other' as const), { nil: undefined }),
  conflict: fc.boolean(),
  problem: fc.boolean(),
  schoolForms: fc.subarray([...schoolForms]),
  campaign: fc.option(fc.uuid().map(shortHash), { nil: undefined }),
  facilitators: fc.oneof(
    fc.constant<string[]>([]),
    fc.tuple(fc.string(), fc.string()).map(([a, b]): string[] => [shortHash(a), shortHash(b)]),
  ),
  createdAt: fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2060-01-01') }),
  stateSince: fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2060-01-01') }),
  minutes: fc.array(fc.option(fc.integer({ min: 0, max: 2_000_000 }), { nil: undefined }), {
    minLength: measuredPhases.length + 2,
    maxLength: measuredPhases.length + 2,
  }),
  steps: fc.subarray([...dialogueSteps]),
});

describe('facts', () => {
  it('come back unchanged from their stored text, which stays short', () => {
    fc.assert(
      fc.property(arbitraryFacts, (f) => {
        const text = encodeFacts(f);
        expect(decodeFacts(f.id, text)).toEqual(f);
        expect(text.length).toBeLessThan(140);
      }),
    );
  });

  it('sort a later version after an earlier one, whatever else changed', () => {
    fc.assert(
      fc.property(arbitraryFacts, arbitraryFacts, fc.integer({ min: 1, max: 1000 }), (a, b, step) => {
        const earlier = encodeFacts(a);
        const later = encodeFacts({ ...b, version: a.version + step });
        expect(earlier < later).toBe(true);
      }),
    );
  });
});

describe('search text', () => {
  it('is folded to lower case without diacritics', () => {
    expect(normalise('Ekbäckens Förskola ÅÄÖ Øresund')).toBe('ekbackens forskola aao oresund');
  });

  it('finds names by word prefix, every word of the query must match', () => {
    expect(nameMatches('Ekbäckens Montessoriskola AB', ['ekback'])).toBe(true);
    expect(nameMatches('Norrviks kommun', ['norrvik', 'kom'])).toBe(true);
    expect(nameMatches('Norrviks kommun', ['orrvik'])).toBe(false);
    expect(nameMatches('Norrviks kommun', ['norrvik', 'skola'])).toBe(false);
  });

  it('indexes the words of the name and the org. number digits', () => {
    expect(searchWordsOf({ name: 'Skolan i Östra Norrvik AB', orgNumber: '5566771234' })).toEqual([
      'skolan',
      'ostra',
      'norrvik',
      'ab',
      '5566771234',
    ]);
  });

  it.each([
    ['212000-2262', { kind: 'orgNumber', digits: '2120002262' }],
    [' 2120002262 ', { kind: 'orgNumber', digits: '2120002262' }],
    ['ekback', { kind: 'name', words: ['ekback'], lead: 'ekback' }],
    ['Norrviks K', { kind: 'name', words: ['norrviks', 'k'], lead: 'norrviks' }],
    ['DLG-0A1B2C3D-0000-4000-8000-000000000001', { kind: 'dialogue', id: 'dlg-0a1b2c3d-0000-4000-8000-000000000001' }],
    ['ö', undefined],
    ['-', undefined],
    ['', undefined],
  ])('reads %j', (text, expected) => {
    expect(parseSearch(text)).toEqual(expected);
  });
});
