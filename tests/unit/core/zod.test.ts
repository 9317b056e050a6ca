import { describe, expect, it } from 'vitest';
import { organiserInputSchema } from '#core/organiser.ts';
import * as z from '#core/zod.ts';

/** zod/mini registers no locale: without the one `#core/zod.ts` installs, every message below would be "Invalid input". */
describe('#core/zod.ts', () => {
  it("gives zod's English messages where a schema sets none", () => {
    // Prepare
    const schema = z.object({ name: z.string().check(z.trim(), z.minLength(3)), children: z.number().check(z.int()) });

    // Act
    const r = schema.safeParse({ name: ' ab ', children: '12' });

    // Assess
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'name: Too small: expected string to have >=3 characters',
      'children: Invalid input: expected number, received string',
    ]);
  });

  it("keeps the schemas' own messages and the untouched defaults side by side", () => {
    // Act
    const r = organiserInputSchema.safeParse({
      orgNumber: '12',
      name: '',
      legalForm: 'kommun',
      municipality: 'X',
      countyCode: '01',
      schoolForms: [],
    });

    // Assess
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'orgNumber: must be a Swedish organisation number like 212000-0142',
      'name: Too small: expected string to have >=1 characters',
      'schoolForms: an organiser runs at least one school form',
    ]);
  });
});
