import { describe, expect, it } from 'vitest';
import { NoRecipientsError } from '#core/errors.ts';
import { type Organiser, organiserInputSchema, toOrganiser } from '#core/organiser.ts';
import { resolveRecipients } from '#core/recipients.ts';

const org = (contacts: { role: 'board' | 'school_chief' | 'principal'; email: string }[]): Organiser =>
  toOrganiser(
    organiserInputSchema.parse({
      orgNumber: '212000-0001',
      name: 'Testviks kommun',
      legalForm: 'kommun',
      municipality: 'Testvik',
      countyCode: '01',
      schoolForms: ['grundskola'],
      contacts: contacts.map((c) => ({ ...c, name: c.email.split('@')[0] })),
    }),
    new Date('2026-01-01T00:00:00Z'),
  );

describe('resolveRecipients', () => {
  it('invites the board and every school chief, not the rektor', () => {
    const r = resolveRecipients(
      org([
        { role: 'board', email: 'namnd@x.se' },
        { role: 'school_chief', email: 'chef1@x.se' },
        { role: 'school_chief', email: 'chef2@x.se' },
        { role: 'principal', email: 'rektor@x.se' },
      ]),
    );
    expect(r.map((x) => [x.email, x.basis])).toEqual([
      ['namnd@x.se', 'board'],
      ['chef1@x.se', 'school_chief'],
      ['chef2@x.se', 'school_chief'],
    ]);
  });

  it('falls back to every rektor when no school chief contact is known', () => {
    const r = resolveRecipients(
      org([
        { role: 'board', email: 'styrelse@x.se' },
        { role: 'principal', email: 'r1@x.se' },
        { role: 'principal', email: 'r2@x.se' },
      ]),
    );
    expect(r.map((x) => x.basis)).toEqual(['board', 'principal_fallback', 'principal_fallback']);
  });

  it('still invites the school chief when the board has no contact', () => {
    expect(resolveRecipients(org([{ role: 'school_chief', email: 'chef@x.se' }])).map((x) => x.basis)).toEqual(['school_chief']);
  });

  it('sends one invitation to a person holding two roles', () => {
    const r = resolveRecipients(
      org([
        { role: 'board', email: 'Same@x.se' },
        { role: 'school_chief', email: 'same@x.se' },
      ]),
    );
    expect(r).toHaveLength(1);
  });

  it('fails with a clear error when nobody can be invited', () => {
    expect(() => resolveRecipients(org([]))).toThrow(NoRecipientsError);
    expect(() => resolveRecipients(org([]))).toThrow('Testviks kommun has no board, school chief or rektor contact');
  });
});
