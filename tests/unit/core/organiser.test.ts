import { describe, expect, it } from 'vitest';
import { isMunicipal, organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import { counties, regionOfCounty, regions } from '#core/regions.ts';

describe('organiser', () => {
  it('derives id, municipal flag, region and stable contact ids', () => {
    const o = toOrganiser(
      organiserInputSchema.parse({
        orgNumber: '212000-2262',
        name: 'Norrviks kommun',
        legalForm: 'kommun',
        municipality: 'Norrvik',
        countyCode: '22',
        schoolForms: ['forskola'],
        contacts: [
          { role: 'board', name: 'BUN', email: 'bun@norrvik.se' },
          { role: 'board', name: 'BUN 2', email: 'bun@norrvik.se' },
        ],
      }),
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(o).toMatchObject({ id: 'org-2120002262', orgNumber: '2120002262', municipal: true, region: 'mitt', children: 0 });
    expect(o.contacts.map((c) => c.id)).toEqual(['board-bun-norrvik-se', 'board-bun-norrvik-se-2']);
  });

  it('treats every non-public legal form as a private organiser', () => {
    expect(isMunicipal('kommun')).toBe(true);
    expect(isMunicipal('aktiebolag')).toBe(false);
    expect(isMunicipal('trossamfund')).toBe(false);
  });

  it('places every county in exactly one of the ten regions', () => {
    expect(Object.keys(regions)).toHaveLength(10);
    const all = Object.values(regions).flatMap((r) => [...r.counties]);
    expect(all.sort()).toEqual(Object.keys(counties).sort());
    expect(regionOfCounty('25')).toBe('norrbotten');
  });
});
