/**
 * The organiser's overview ("Er kvalitetsdialog") over HTTP on the embedded runtime: every mail
 * after the acceptance carries a read-only link per recipient (the same target, a fresh expiry); the page shows the steps
 * with dates, the booked meeting with an .ics (parsed with ical.js: the invitation's UID and
 * SEQUENCE, no attendees), the analysis material once sent and the public notes once registered;
 * GET changes nothing, a POST is refused, and nobody else's personal data is on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { verifyLinkToken } from '#core/link-token.ts';
import { addFacilitators, testFacilitators } from '../support/facilitators.ts';
import { parseIcs } from '../support/ics.ts';
import { Harness, type StoredMail } from '../support/local.ts';

const h = new Harness();
const CHIEF = 'asa.oberg@norrvik.example.se';
const BOARD = 'bun@norrvik.example.se';

beforeAll(async () => {
  await h.start();
  await addFacilitators(h, ['sv-anna', 'sv-bo', 'sp-david', 'sp-eva']);
});
afterAll(async () => {
  await h.close();
});

/** The overview link a mail carries (the link after "finns samlat här:"), or undefined. */
const overviewIn = (mail: StoredMail): string | undefined =>
  /finns samlat här:\s+(https?:\/\/\S+\/r\/[A-Za-z0-9._-]+)/.exec(mail.body.text ?? '')?.[1];
/** What the link opens (dialogue, step, recipient): its token's target; each mail gives it a fresh expiry. */
async function linkIdOf(url: string): Promise<string> {
  const check = verifyLinkToken((await h.runtime.deps.secrets()).linkSigningKey, url.split('/r/')[1] ?? '', h.runtime.clock.now());
  return check.ok && 'target' in check ? JSON.stringify(check.target) : '';
}

async function get(url: string) {
  const r = await fetch(url, { redirect: 'manual' });
  return { status: r.status, type: r.headers.get('content-type'), html: await r.text() };
}

describe('the organiser overview', () => {
  let id: string;
  let overview: string;
  let meetingId: string;

  it('is linked from the first mail after the acceptance and shows where the dialogue is', async () => {
    // Prepare: the invitation is accepted; the introduction is offered
    id = await h.invite('norrviks-kommun');
    const invitation = (await h.mailTo(CHIEF)).at(-1) as StoredMail;
    expect(overviewIn(invitation)).toBeUndefined();
    expect((await h.page(h.linkIn(invitation), { answer: 'accept' })).status).toBe(200);
    expect((await h.advance('PT10M')).status).toBe(200);
    await h.runtime.sfn.waitForEvent(phaseExecutionName(id, 'intro', 1), (e) => e.type === 'TaskWaiting');
    // Act
    const offer = (await h.mailTo(CHIEF)).find((m) => m.subject.startsWith('Välj tid för introduktionsmöte')) as StoredMail;
    overview = overviewIn(offer) as string;
    expect(overview).toBeDefined();
    const page = await get(overview);
    // Assess
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>Er kvalitetsdialog</h1>');
    expect(page.html).toContain('<strong>Norrviks kommun</strong>');
    expect(page.html).toMatch(/<span class="name">Inbjudan<\/span> <span class="state">Klart \d/);
    expect(page.html).toMatch(/<span class="name">Ja-svar<\/span> <span class="state">Klart \d/);
    expect(page.html).toMatch(/aria-current="step">.*Introduktion<\/span> <span class="state">Pågår – Tider är föreslagna/);
    expect(page.html).toContain('Ni har fått 3 förslag på tider för introduktionsmöte.');
    // Each recipient has a link of its own; the board's opens the same dialogue.
    const boardOffer = (await h.mailTo(BOARD)).find((m) => m.subject.startsWith('Välj tid för introduktionsmöte')) as StoredMail;
    expect(await linkIdOf(overviewIn(boardOffer) as string)).not.toBe(await linkIdOf(overview));
    expect((await get(overviewIn(boardOffer) as string)).html).toContain('<strong>Norrviks kommun</strong>');
  });

  it('carries the same link in the booking mail and shows the meeting with an .ics of the invitation', async () => {
    // Act: the school chief books the first time
    const offer = (await h.mailTo(CHIEF)).find((m) => m.subject.startsWith('Välj tid för introduktionsmöte')) as StoredMail;
    expect((await h.page(h.linkIn(offer), { choice: '0' })).status).toBe(200);
    const booked = (await h.mailTo(CHIEF)).find((m) => m.subject.startsWith('Kallelse: Introduktionsmöte')) as StoredMail;
    // Assess
    expect(await linkIdOf(overviewIn(booked) as string)).toBe(await linkIdOf(overview));
    expect(booked.body.html).toContain('>Er kvalitetsdialog</a>');
    meetingId = (await h.api('GET', `/api/dialogues/${id}/meetings`)).json.items[0].id;
    const page = await get(overview);
    expect(page.html).toContain('Introduktionsmöte <span class="badge booked">Bokat</span>');
    const ics = /href="([^"]+\.ics)" download/.exec(page.html)?.[1]?.replaceAll('&amp;', '&') as string;
    expect(ics).toBe(`${new URL(overview).pathname}/${meetingId}.ics`);
    const file = await fetch(`${h.runtime.urls.app}${ics}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const cal = parseIcs(await file.text());
    expect(cal.method).toBe('PUBLISH');
    expect(cal.timezones).toEqual(['Europe/Stockholm']);
    expect(cal.events.map((e) => [e.uid, e.sequence, e.status, e.tzid])).toEqual([
      [`${meetingId}@skolverket.example.se`, 0, 'CONFIRMED', 'Europe/Stockholm'],
    ]);
    expect(cal.events[0]?.attendees).toEqual([]);
    expect(cal.events[0]?.organizer).toBeUndefined();
  });

  it('shows the analysis material once it is sent, and that mail carries the link too', async () => {
    // Prepare: a document, then the introduction is held
    const doc = await h.api('POST', `/api/dialogues/${id}/documents`, {
      schoolForm: 'grundskola',
      title: 'Analysunderlag grundskola 2027',
      url: 'https://underlag.example.se/norrvik/grundskola.pdf',
    });
    expect(doc.status).toBe(201);
    // The material goes once every school form the organiser runs has a document
    await h.attachMaterial(id);
    expect(await get(overview)).toMatchObject({ html: expect.stringContaining('Ni får analysunderlaget efter introduktionsmötet.') });
    const meeting = (await h.api('GET', `/api/meetings/${meetingId}`)).json;
    const days = Math.ceil((Date.parse(meeting.sessions[0].end) - h.runtime.clock.now().getTime()) / 86_400_000) + 1;
    // Act
    expect((await h.advance(`P${days}D`)).status).toBe(200);
    expect((await h.advance('PT10M')).status).toBe(200);
    // Assess
    expect((await h.dialogue(id)).state).toMatch(/^(material_sent|premeeting_offered)$/);
    const material = (await h.mailTo(CHIEF)).find((m) => m.subject.toLowerCase().includes('analysunderlag')) as StoredMail;
    expect(await linkIdOf(overviewIn(material) as string)).toBe(await linkIdOf(overview));
    const page = await get(overview);
    expect(page.html).toContain(
      'Grundskola: <a href="https://underlag.example.se/norrvik/grundskola.pdf">Analysunderlag grundskola 2027</a>',
    );
    expect(page.html).toMatch(/<span class="name">Introduktion<\/span> <span class="state">Klart \d/);
  });

  it('shows the public notes of the dialogue meeting once registered, without who registered them', async () => {
    // Prepare: a dialogue meeting booked by the coordinator, held
    const [slot] = (await h.api('GET', '/api/slot-proposals?kind=dialogue&count=3')).json.items;
    const m = await h.api('POST', '/api/meetings', {
      dialogueIds: [id],
      kind: 'dialogue',
      sessions: slot.sessions,
      pair: slot.pair,
      location: 'Stadshuset, Norrvik',
      participants: [{ name: 'Lärar Lena', email: 'lena@norrvik.example.se', role: 'teacher' }],
    });
    expect(m.status).toBe(201);
    const days = Math.ceil((Date.parse(slot.sessions[0].end) - h.runtime.clock.now().getTime()) / 86_400_000) + 1;
    expect((await h.advance(`P${days}D`)).status).toBe(200);
    // Act
    const notes = await h.api('POST', `/api/meetings/${m.json.id}/notes`, {
      discussed: 'Huvudmannens arbete med studiero och uppföljning av elevernas kunskapsresultat.',
      rolesPresent: ['school_chief', 'rektor'],
      public: true,
    });
    expect(notes.status).toBe(201);
    // Assess
    const page = await get(overview);
    expect(page.html).toContain('Huvudmannens arbete med studiero och uppföljning av elevernas kunskapsresultat.');
    expect(page.html).toContain('Roller som deltog: Skolchef, Rektor');
    expect(page.html).toContain('Plats: Stadshuset, Norrvik');
    // Nobody's personal data: not the contacts, not the people named for meetings, not who wrote the notes.
    const organiser = (await h.api('GET', '/api/organisers/norrviks-kommun')).json;
    for (const secret of [
      'Lärar Lena',
      'lena@norrvik',
      ...organiser.contacts.flatMap((c: { name: string; email: string }) => [c.name, c.email]),
      ...Object.values(testFacilitators).map((f) => f.email),
      'coordinator',
    ]) {
      expect(page.html, secret).not.toContain(secret);
    }
  });

  it('changes nothing on GET, refuses a POST, and opens only its own meetings', async () => {
    // Prepare
    const before = await h.dialogue(id);
    // Act
    for (let i = 0; i < 3; i++) expect((await get(overview)).status).toBe(200);
    const post = await fetch(overview, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(overview).origin, 'sec-fetch-site': 'same-origin' },
      body: 'choice=0',
    });
    // Assess
    expect(post.status).toBe(405);
    expect(await post.text()).toContain('Sidan går bara att läsa');
    expect((await h.dialogue(id)).updatedAt).toBe(before.updatedAt);
    const other = await h.invite('solrosens-forskola-ab');
    const slot = (await h.api('GET', '/api/slot-proposals?kind=pre_meeting&count=3')).json.items[2];
    const foreign = await h.api('POST', '/api/meetings', {
      dialogueIds: [other],
      kind: 'pre_meeting',
      sessions: slot.sessions,
      pair: slot.pair,
      videoLink: 'https://video.example.se/annan',
    });
    expect(foreign.status).toBe(201);
    for (const file of [`${foreign.json.id}.ics`, 'mtg-finns-inte.ics', '..%2F..%2Fetc.ics', 'x.txt']) {
      expect((await get(`${overview}/${file}`)).status, file).toBe(404);
    }
    expect((await get(`${overview.slice(0, -3)}AAA`)).status).toBe(404);
  });
});
