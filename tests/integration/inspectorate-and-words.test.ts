/**
 * What the inspectorate and coordinators read, on the embedded runtime: "Pågående dialoger" lists
 * every dialogue under way (invited, in the intro phase, with a booked meeting, with a conflict)
 * and none that has ended; the dialogue page shows a clash banner and names mail steps, workflow
 * states and contacts in Swedish; counts agree with their noun ("1 krock", "1 dialog",
 * "1 kampanj", "Importera 1 inspektion"); the inspection import takes a file without an id column.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stockholmDay } from '#core/inspection.ts';
import { formatOrgNumber } from '#core/organiser.ts';
import { ConsoleClient } from '../support/console.ts';
import { acceptedWithIntroOffer, addOrganiser, boardOf, bookFromLink, latest } from '../support/drive.ts';
import { addFacilitators } from '../support/facilitators.ts';
import { Harness } from '../support/local.ts';

const h = new Harness();
const coordinator = new ConsoleClient(h);
const inspectorate = new ConsoleClient(h);
const orgNumbers: Record<string, string> = {};
const ids: Record<string, string> = {};

/** The rows (cell texts) of the table whose caption starts with `caption`. */
const tableRows = (html: string, caption: string): string[][] => {
  const table = html.split('<table').find((t) => t.includes(`<caption>${caption}`)) ?? '';
  const body = table.split('<tbody>')[1]?.split('</tbody>')[0] ?? '';
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) =>
    [...(r[1] ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => (c[1] ?? '').replace(/<[^>]+>/g, '').trim()),
  );
};

beforeAll(async () => {
  await h.start();
  await addFacilitators(h, ['sv-anna', 'sp-david']);
  await coordinator.login('Sara Samordnare');
  await inspectorate.login('Ivar Inspektör', 'inspectorate');
  // One dialogue in each of: invited, intro offered, intro booked (then flagged by an inspection), declined
  for (const n of ['inbjuden', 'erbjuden', 'bokad', 'nej']) orgNumbers[n] = await addOrganiser(h, n, { countyCode: '01' });
  ids.inbjuden = await h.invite('inbjuden');
  ids.erbjuden = await acceptedWithIntroOffer(h, 'erbjuden');
  ids.bokad = await acceptedWithIntroOffer(h, 'bokad');
  await bookFromLink(h, h.linkIn(await latest(h, boardOf('bokad'), 'Välj tid för introduktionsmöte')));
  ids.nej = await h.invite('nej');
  expect((await h.page(h.linkIn(await latest(h, boardOf('nej'), 'Erbjudande')), { answer: 'decline', reason: 'time' })).status).toBe(200);
  const meeting = (await h.api('GET', `/api/meetings/${(await h.dialogue(ids.bokad)).phase.meetingId}`)).json;
  const day = stockholmDay(new Date(meeting.sessions[0].start));
  const put = await h.api(
    'PUT',
    '/api/inspections/SI-ORD',
    { orgNumber: orgNumbers.bokad, kind: 'regular_supervision', start: day, end: day },
    h.runtime.tokens.inspectorate,
  );
  expect(put.json.flaggedDialogues).toBe(1);
});
afterAll(async () => {
  await h.close();
});

describe('the inspectorate page', () => {
  it('lists every ongoing dialogue, booked and conflicting ones included, and none that has ended', async () => {
    // Act
    const page = await inspectorate.get('/console/inspection?region=stockholm');

    // Assess
    const rows = tableRows(page.html, '3 pågående dialoger');
    expect(rows.map((r) => [r[0], r[3]])).toEqual([
      ['Skolan bokad AB', 'Introduktion bokad krock'],
      ['Skolan erbjuden AB', 'Introduktion erbjuden'],
      ['Skolan inbjuden AB', 'Inbjuden, väntar på svar'],
    ]);
    expect(page.html).not.toContain('Skolan nej AB');
    const conflicts = tableRows(page.html, '1 krock ');
    expect(conflicts.map((r) => r[0])).toEqual(['Skolan bokad AB']);
    expect(conflicts[0]?.[3]).toMatch(/^Regelbunden tillsyn \d{1,2} \w+ \d{4}$/);
  });
});

describe('the dialogue page', () => {
  it('shows the clash banner with its decision link, and names steps, states and contacts in Swedish', async () => {
    // Act
    const page = await coordinator.get(`/console/dialogues/${ids.bokad}`);

    // Assess
    expect(page.html).toContain('<h2 id="krock-rubrik" style="margin-top:0">Krock med Skolinspektionens kalender</h2>');
    expect(page.html).toContain(`<a href="/console/dialogues/${ids.bokad}/conflict">Besluta om krocken</a>`);
    for (const swedish of [
      'Tidsförslag: introduktionsmöte',
      'Kallelse: introduktionsmöte',
      'Till samordnaren: krock med inspektion',
      'Inbjudan – Klar',
      'Välj mottagare',
      'Skicka inbjudningar och vänta på svar',
      'Chefen bokad &lt;chef@bokad.example.se&gt;',
    ]) {
      expect(page.html, swedish).toContain(swedish);
    }
    for (const technical of [
      'offer-intro-1-1',
      'SUCCEEDED',
      'Resolve recipients',
      'Send invitations and await answer',
      '>board-styrelsen-bokad',
    ]) {
      expect(page.html, technical).not.toContain(technical);
    }
    // The answer is by a person, not a contact id
    expect(page.html).toMatch(/Tackade ja .* \(Styrelsen bokad\)/);
  });

  it('counts in the singular when there is one', async () => {
    const list = await coordinator.get('/console?state=declined');
    expect(list.html).toMatch(/<caption>1 dialog i omgång \d{4} i läget ”Tackat nej”/);
    expect((await h.api('POST', '/api/campaigns', { name: 'En enda', selection: { organiserIds: ['inbjuden'] } })).status).toBe(201);
    expect((await coordinator.get('/console/campaigns')).html).toContain('<caption>1 kampanj, nyast först');
  });
});

describe('the inspection import', () => {
  const file = (end: string) => `orgnr;typ;start;slut\n${orgNumbers.erbjuden};tillsyn;2027-09-06;${end}\n`;

  it('takes a file without an id column: the same file again changes nothing, a new end day updates it', async () => {
    // Act
    const upload = (text: string) =>
      fetch(`${h.runtime.urls.app}/api/inspections/import?dryRun=false`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.runtime.tokens.inspectorate}`, 'content-type': 'text/csv' },
        body: text,
      }).then((r) => r.json() as Promise<any>);
    const first = await upload(file('2027-09-07'));
    const again = await upload(file('2027-09-07'));
    const longer = await upload(file('2027-09-09'));

    // Assess
    expect(first).toMatchObject({ created: 1, updated: 0, errors: [] });
    expect(first.changes[0]).toMatchObject({
      externalId: expect.stringMatching(/^auto-/),
      organiserName: 'Skolan erbjuden AB',
      orgNumber: orgNumbers.erbjuden,
    });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect(longer).toMatchObject({ created: 0, updated: 1 });
    const items = (await h.api('GET', '/api/inspections?organiserId=erbjuden', undefined, h.runtime.tokens.inspectorate)).json.items;
    expect(items.map((i: { end: string }) => i.end)).toEqual(['2027-09-09']);
  });

  it('names missing columns in Swedish as the help text does, and previews in the singular', async () => {
    // Prepare
    const start = await inspectorate.get('/console/inspection/import');
    expect(start.html).toContain('<code>id;orgnr;skolenhetskod;typ;start;slut;status</code>');
    const fields = ConsoleClient.hiddenFields(start.html, '/console/inspection/import');

    // Act
    const badHeader = await inspectorate.post('/console/inspection/import', {
      ...fields,
      format: 'text/csv',
      content: 'namn;datum\nx;2027-01-01\n',
    });
    const one = await inspectorate.post('/console/inspection/import', {
      ...fields,
      format: 'text/csv',
      content: `orgnr;typ;start\n${orgNumbers.inbjuden};kvalitetsgranskning;2027-10-04\n`,
    });

    // Assess
    expect(badHeader.html).toContain(
      'rubrikraden saknar kolumnerna orgnr och typ; en rubrikrad kan se ut så här: id;orgnr;skolenhetskod;typ;start;slut;status',
    );
    expect(badHeader.html).not.toMatch(/externalId|orgNumber|\bkind\b/);
    expect(one.html).toContain('<button type="submit">Importera 1 inspektion</button>');
    expect(tableRows(one.html, 'Det här skulle ändras')[0]?.slice(2, 4)).toEqual([
      'Skolan inbjuden AB',
      formatOrgNumber(orgNumbers.inbjuden),
    ]);
  });
});
