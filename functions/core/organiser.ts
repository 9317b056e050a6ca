/**
 * The school organiser (huvudman) and its contacts: the schema every edge validates against, and
 * the facts the process derives from it (municipal or private, region).
 */
import * as z from '#core/zod.ts';
import { singleLine } from './fields.ts';
import { countyCodes, regionOfCounty } from './regions.ts';

export const legalForms = [
  'kommun',
  'region',
  'aktiebolag',
  'ekonomisk_forening',
  'ideell_forening',
  'stiftelse',
  'trossamfund',
  'ovrig',
] as const;
export type LegalForm = (typeof legalForms)[number];

/** Legal forms run by the public sector; everything else is a private organiser (enskild huvudman). */
const publicLegalForms: ReadonlySet<LegalForm> = new Set(['kommun', 'region']);
export const isMunicipal = (form: LegalForm): boolean => publicLegalForms.has(form);

export const schoolForms = [
  'forskola',
  'forskoleklass',
  'grundskola',
  'anpassad_grundskola',
  'sameskola',
  'specialskola',
  'gymnasieskola',
  'anpassad_gymnasieskola',
  'komvux',
  'fritidshem',
] as const;
export type SchoolForm = (typeof schoolForms)[number];

export const contactRoles = ['board', 'school_chief', 'principal'] as const;
export type ContactRole = (typeof contactRoles)[number];

/** Swedish organisation number: 10 digits, optionally NNNNNN-NNNN. Stored without the dash. */
const orgNumber = z.pipe(
  z.string().check(z.trim(), z.regex(/^\d{6}-?\d{4}$/, 'must be a Swedish organisation number like 212000-0142')),
  z.transform((s) => s.replace('-', '')),
);

export const contactSchema = z.strictObject({
  id: z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,40}$/, 'use lower-case letters, digits and dashes (max 40)'))),
  role: z.enum(contactRoles, { message: `role must be one of ${contactRoles.join(', ')}` }),
  name: singleLine(1, 200, 'name'),
  email: z.email({ message: 'must be a valid email address' }).check(z.maxLength(254)),
  title: z.optional(singleLine(0, 200, 'title')),
  schoolUnitCode: z.optional(singleLine(0, 20, 'schoolUnitCode')),
});

/** Set when SES reported the address undeliverable (permanent bounce or complaint). */
export interface Undeliverable {
  reason: string;
  at: string;
}
export type ContactInput = z.input<typeof contactSchema>;

export const schoolUnitSchema = z.strictObject({
  code: z.string().check(z.trim(), z.regex(/^\d{8}$/, 'a school unit code has 8 digits')),
  name: singleLine(1, 200, 'name'),
  schoolForms: z._default(z.array(z.enum(schoolForms)), []),
});

export const organiserInputSchema = z.strictObject({
  id: z.optional(z.string().check(z.regex(/^[a-z0-9-]{3,64}$/, 'use lower-case letters, digits and dashes (3-64)'))),
  orgNumber,
  name: singleLine(1, 300, 'name'),
  legalForm: z.enum(legalForms, { message: `legalForm must be one of ${legalForms.join(', ')}` }),
  municipality: singleLine(1, 100, 'municipality'),
  countyCode: z.enum(countyCodes, { message: 'countyCode must be a two-digit Swedish county (län) code, e.g. "01"' }),
  schoolForms: z.array(z.enum(schoolForms)).check(z.minLength(1, 'an organiser runs at least one school form')),
  children: z._default(z.number().check(z.int(), z.gte(0), z.lte(1_000_000)), 0),
  schoolUnits: z._default(z.array(schoolUnitSchema).check(z.maxLength(2000)), []),
  contacts: z._default(z.array(contactSchema).check(z.maxLength(200)), []),
});
export type OrganiserInput = z.input<typeof organiserInputSchema>;

export type Contact = Required<Pick<z.output<typeof contactSchema>, 'id'>> &
  z.output<typeof contactSchema> & { undeliverable?: Undeliverable };

export interface Organiser extends Omit<z.output<typeof organiserInputSchema>, 'id' | 'contacts'> {
  id: string;
  municipal: boolean;
  region: string;
  contacts: Contact[];
  updatedAt: string;
}

/** Builds the stored organiser from validated input: derives id, region and stable contact ids. */
export function toOrganiser(input: z.output<typeof organiserInputSchema>, now: Date): Organiser {
  const seen = new Map<string, number>();
  const contacts = input.contacts.map((c) => {
    const base = c.id ?? `${c.role.replace('_', '-')}-${slug(c.email)}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { ...c, id: n === 1 ? base : `${base}-${n}` };
  });
  return {
    ...input,
    id: input.id ?? `org-${input.orgNumber}`,
    municipal: isMunicipal(input.legalForm),
    region: regionOfCounty(input.countyCode),
    contacts,
    updatedAt: now.toISOString(),
  };
}

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 30);
