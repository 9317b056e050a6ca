import { describe, expect, it } from 'vitest';
import { createCampaignSchema } from '#core/campaign.ts';
import { freeText, isoDay, singleLine } from '#core/fields.ts';
import { organiserInputSchema } from '#core/organiser.ts';
import { ValidationError } from '#core/errors.ts';
import { parseOrThrow } from '#functions/use-cases/validate.ts';

const organiser = {
  orgNumber: '212000-0001',
  name: 'Testviks kommun',
  legalForm: 'kommun',
  municipality: 'Testvik',
  countyCode: '14',
  schoolForms: ['grundskola'],
  contacts: [{ role: 'board', name: 'Nämnden', email: 'namnden@testvik.example.se' }],
};

const failure = (f: () => unknown): ValidationError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
};

describe('edge fields', () => {
  it('refuses a name with CR/LF or a control character, and keeps å, ä, ö', () => {
    // Prepare
    const name = singleLine(1, 100, 'name');

    // Act & Assess
    expect(name.safeParse('Evil\r\nBcc: x@example.se').success).toBe(false);
    expect(name.safeParse('Nul\u0000').success).toBe(false);
    expect(name.safeParse('Line\u2028separator').success).toBe(false);
    expect(name.parse('  Åsa Öberg-Ängström  ')).toBe('Åsa Öberg-Ängström');
  });

  it('lets free text break lines but not carry other control characters', () => {
    expect(freeText(100).parse('rad ett\nrad två\tmed tabb')).toBe('rad ett\nrad två\tmed tabb');
    expect(freeText(100).safeParse('bell\u0007').success).toBe(false);
  });

  it('takes only calendar days that exist', () => {
    for (const bad of ['2026-02-30', '2026-13-45', '2025-02-29', '2026-3-5', '20260305'])
      expect(isoDay().safeParse(bad).success).toBe(false);
    expect(isoDay().parse('2024-02-29')).toBe('2024-02-29');
  });
});

describe('strict bodies', () => {
  it('refuses a typo in a campaign selection, naming the field it meant, instead of selecting everyone', () => {
    // Act
    const e = failure(() => parseOrThrow(createCampaignSchema, { name: 'Syd', selection: { region: ['syd'] } }, 'campaign'));

    // Assess
    expect(e.issues).toEqual([{ path: 'selection.region', message: 'unknown field; did you mean "regions"?' }]);
    expect(e.message).toBe('Invalid campaign: selection.region: unknown field; did you mean "regions"?');
  });

  it('refuses unknown keys at every depth of an organiser, listing the fields when nothing is close', () => {
    // Act
    const e = failure(() =>
      parseOrThrow(
        organiserInputSchema,
        { ...organiser, contacts: [{ ...organiser.contacts[0], emial: 'x' }], favouriteColour: 'blå' },
        'organiser',
      ),
    );

    // Assess
    expect(e.issues.map((i) => i.path)).toEqual(['contacts.0.emial', 'favouriteColour']);
    expect(e.issues[0]?.message).toBe('unknown field; did you mean "email"?');
    expect(e.issues[1]?.message).toMatch(/^unknown field; the fields here are id, orgNumber, name/);
    expect(parseOrThrow(organiserInputSchema, organiser, 'organiser').name).toBe('Testviks kommun');
  });
});
