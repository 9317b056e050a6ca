import { describe, expect, it } from 'vitest';
import { swedishImportReason } from '#core/console-labels.ts';
import { parseInspectionCsv } from '#core/inspection-import.ts';

describe('swedishImportReason', () => {
  it('puts the import errors of a real file into Swedish, with the field names', () => {
    // Prepare: rows that break each rule the parser knows
    const parsed = parseInspectionCsv(
      [
        'id;orgnr;typ;start;slut;status',
        'A;212000-2262;tillsyn?;2027-01-05;;',
        'B;212000-2262;övrigt;30/2/2027;;',
        'C;212000-2262;övrigt;2027-01-05;2027-01-01;',
        'D;212000-2262;övrigt;2027-01-05;;kanske',
        'A;212000-2262;övrigt;2027-01-05;;',
        'E;12;övrigt;2027-01-05;;',
      ].join('\n'),
    );

    // Act
    const reasons = parsed.errors.map((e) => [e.line, swedishImportReason(e.reason)]);

    // Assess
    expect(reasons).toEqual([
      [2, 'Typ: ”tillsyn?” är ingen känd typ: regelbunden tillsyn, kvalitetsgranskning, riktad tillsyn eller övrigt'],
      [3, 'Start: ”30/2/2027” är inte ett datum: skriv 2026-03-05, 5 mars 2026 eller 5/3/2026'],
      [4, 'Slut: slutdatumet ligger före startdatumet'],
      [5, 'Status: ”kanske” är ingen känd status: planerad, bekräftad eller inställd'],
      [6, 'id A finns redan på rad 2'],
      [7, 'Organisationsnummer: ska vara ett organisationsnummer som 212000-0142'],
    ]);
  });

  it('translates the unknown-organiser reason and leaves an unknown text as it is', () => {
    expect(
      swedishImportReason(
        'orgNumber: no organiser with org. number 9999999999; the coordinators register organisers with POST /api/organisers',
      ),
    ).toBe('Organisationsnummer: ingen huvudman har organisationsnummer 9999999999; samordnarna lägger in huvudmän');
    expect(swedishImportReason('something new')).toBe('something new');
    // A header without the needed columns names them as the example header does, never the API's field names
    const [header] = parseInspectionCsv('namn;typ\nx;tillsyn').errors;
    expect(swedishImportReason(header?.reason ?? '')).toBe(
      'rubrikraden saknar kolumnerna orgnr och start; en rubrikrad kan se ut så här: id;orgnr;skolenhetskod;typ;start;slut;status',
    );
  });
});
