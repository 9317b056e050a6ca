import { describe, expect, it } from 'vitest';
import { organiserInputSchema } from '#core/organiser.ts';
import { apportion, generatePopulation, legalFormCounts } from '#core/population.ts';

const children = (os: { children?: number }[]) => os.reduce((a, o) => a + (o.children ?? 0), 0);
const preschoolOnly = (o: { schoolForms: string[] }) => o.schoolForms.length === 1 && o.schoolForms[0] === 'forskola';

describe('population generator', () => {
  const national = generatePopulation({ organisers: 2806, seed: 42 });

  it('gives the same organisers for the same seed and different ones for another seed', () => {
    expect(generatePopulation({ organisers: 300, seed: 7 })).toEqual(generatePopulation({ organisers: 300, seed: 7 }));
    expect(generatePopulation({ organisers: 300, seed: 8 })).not.toEqual(generatePopulation({ organisers: 300, seed: 7 }));
  });

  it('produces organisers that validate, with unique ids, org numbers and school unit codes', () => {
    for (const o of national) expect(organiserInputSchema.safeParse(o).success).toBe(true);
    expect(new Set(national.map((o) => o.id)).size).toBe(2806);
    expect(new Set(national.map((o) => o.orgNumber)).size).toBe(2806);
    const units = national.flatMap((o) => o.schoolUnits ?? []).map((u) => u.code);
    expect(new Set(units).size).toBe(units.length);
  });

  it('has exactly the legal forms of seed 004 table 1 at its own size (2,796) and scales them otherwise', () => {
    const exact = generatePopulation({ organisers: 2796, seed: 1 });
    for (const [form, count] of legalFormCounts) expect(exact.filter((o) => o.legalForm === form)).toHaveLength(count);

    const scaled = apportion(
      2806,
      legalFormCounts.map(([, c]) => c),
    );
    legalFormCounts.forEach(([form], i) => {
      expect(national.filter((o) => o.legalForm === form)).toHaveLength(scaled[i]!);
    });
  });

  it('has ~1,700 preschool-only organisers with a small share of the children', () => {
    const pre = national.filter(preschoolOnly);
    expect(pre).toHaveLength(1700);
    expect(children(pre) / children(national)).toBeLessThan(0.05);
  });

  it('has 52 % of organisers under 50 children and 79 % of the children in the municipalities', () => {
    expect(national.filter((o) => (o.children ?? 0) < 50).length / 2806).toBeCloseTo(0.52, 2);
    const municipal = national.filter((o) => o.legalForm === 'kommun');
    expect(children(municipal) / children(national)).toBeCloseTo(0.79, 3);
    expect(Math.min(...municipal.map((o) => o.children ?? 0))).toBeGreaterThanOrEqual(300);
  });

  it('spreads organisers over all counties and uses fictional example.se contacts', () => {
    expect(new Set(national.map((o) => o.countyCode)).size).toBe(21);
    const contacts = national.flatMap((o) => o.contacts ?? []);
    expect(contacts.every((c) => c.email.endsWith('.example.se'))).toBe(true);
    expect(new Set(contacts.map((c) => c.email)).size).toBe(contacts.length);
    const withChief = national.filter((o) => o.contacts?.some((c) => c.role === 'school_chief')).length;
    const rektorOnly = national.filter((o) => o.contacts?.some((c) => c.role === 'principal')).length;
    const none = national.filter((o) => (o.contacts ?? []).length === 0).length;
    expect(withChief / 2806).toBeGreaterThan(0.8);
    expect(rektorOnly).toBeGreaterThan(100);
    expect(none).toBeGreaterThan(0);
    expect(none).toBeLessThan(100);
    expect(national.some((o) => /[åäö]/.test(o.name))).toBe(true);
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => generatePopulation({ organisers: 0 })).toThrow(/positive integer/);
  });
});

describe('apportion', () => {
  it('splits a total exactly by weights', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(7, [5, 0, 2]).reduce((a, b) => a + b)).toBe(7);
  });
});
