/**
 * Every mail to a coordinator (or to the pair) leads to a console page where the next step can be
 * taken, on the embedded runtime: no answer → the dialogue's contacts; a bounce → the contact form
 * (the invitation goes to the corrected address); nobody booked → booking for the organiser, or new
 * times; material missing (in the digest) → the material page (documents, or sending it anyway); a held dialogue
 * meeting → the pair is reminded, twice, to register the notes in the console, which shows them.
 * A group session created without mailing its pair sends the pair a first invitation, not an update.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntroSession } from '#functions/use-cases/scheduling.ts';
import { ConsoleClient } from '../support/console.ts';
import {
  acceptedWithIntroOffer,
  addOrganiser,
  advancePast,
  boardOf,
  bookFromLink,
  chiefOf,
  digestRow,
  driveThrough,
  latest,
  pastTheDigest,
  waitingForBooking,
} from '../support/drive.ts';
import { addFacilitators, testFacilitators } from '../support/facilitators.ts';
import { Harness } from '../support/local.ts';

const h = new Harness();
const console_ = new ConsoleClient(h);
const COORDINATOR = 'samordnare@skolverket.example.se';
const consoleLink = (text: string | undefined, page: string): string => {
  const m = new RegExp(`https?://\\S+/console/dialogues/[^\\s/#?]+${page}`).exec(text ?? '');
  if (!m) throw new Error(`no console link ${page} in: ${text}`);
  return m[0];
};
const toCoordinator = async (prefix: string) => latest(h, COORDINATOR, prefix);

beforeAll(async () => {
  await h.start();
  await addFacilitators(h, ['sv-anna', 'sv-bo', 'sp-david', 'sp-eva']);
  await console_.login('Sara Samordnare');
});
afterAll(async () => {
  await h.close();
});

describe('no answer and bounces', () => {
  it('the digest links an unanswered invitation to the dialogue page with the contacts and their correction', async () => {
    // Prepare
    await addOrganiser(h, 'tyst');
    const id = await h.invite('tyst');

    // Act: two reminders a week apart, the escalation a week after the last, the digest next morning
    for (const step of ['P8D', 'P7D', 'P7D']) expect((await h.advance(step)).status).toBe(200);
    await pastTheDigest(h);

    // Assess
    const row = await digestRow(h, COORDINATOR, 'Skolan tyst AB');
    expect(row).toContain('Skolan tyst AB');
    expect(row).toContain(`${h.runtime.urls.app}/console/dialogues/${id}#kontakter`);
    expect(row).not.toContain('/api/');
    const page = await console_.get(`/console/dialogues/${id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<table id="kontakter">');
    expect(page.html).toContain(`/console/dialogues/${id}/contact?contact&#x3D;`);
  });

  it('the bounce mail links to the contact form; a corrected address gets the invitation, once', async () => {
    // Prepare: the school chief's address bounces
    await addOrganiser(h, 'studs');
    const id = await h.invite('studs');
    expect((await h.api('POST', '/api/dev/ses-event', { dialogueId: id, email: chiefOf('studs'), type: 'bounce' })).status).toBe(200);
    const mail = await toCoordinator(`Mejlet till ${chiefOf('studs')} (Skolan studs AB) kom inte fram`);
    const link = /https?:\/\/\S+\/console\/dialogues\/\S+\/contact\?contact=\S+/.exec(mail.body.text ?? '')?.[0] as string;
    expect(link).toContain(`/console/dialogues/${id}/contact?contact=`);
    const path = link.replace(h.runtime.urls.app, '');

    // Act
    const form = ConsoleClient.hiddenFields((await console_.get(path)).html, `/console/dialogues/${id}/contact`);
    const refused = await console_.post(`/console/dialogues/${id}/contact`, { ...form, email: chiefOf('studs') });
    const corrected = await console_.post(`/console/dialogues/${id}/contact`, { ...form, email: 'ny.chef@studs.example.se' });
    const again = await console_.post(`/console/dialogues/${id}/contact`, { ...form, email: 'ny.chef@studs.example.se' });

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('är spärrad');
    expect(corrected.location).toBe(`/console/dialogues/${id}?klart=contact`);
    expect(again.location).toBe(`/console/dialogues/${id}?klart=already`);
    const invitations = (await h.mailTo('ny.chef@studs.example.se')).filter((m) => m.subject.startsWith('Erbjudande om kvalitetsdialog'));
    expect(invitations).toHaveLength(1);
    expect((await h.page(h.linkIn(invitations[0] as (typeof invitations)[number]))).html).toContain('Vill ni delta i en kvalitetsdialog?');
    const organiser = (await h.api('GET', '/api/organisers/studs')).json;
    expect(organiser.contacts.find((c: { role: string }) => c.role === 'school_chief')).toMatchObject({
      email: 'ny.chef@studs.example.se',
    });
    expect(organiser.contacts.find((c: { role: string }) => c.role === 'school_chief').undeliverable).toBeUndefined();
    const d = await h.dialogue(id);
    expect(d.recipients.map((r: { email: string }) => r.email)).toContain('ny.chef@studs.example.se');
    expect(d.history.find((x: { type: string }) => x.type === 'contact_corrected')).toMatchObject({ by: 'Sara Samordnare (samordnare)' });
  });
});

describe('nobody booked', () => {
  it('the digest links an unbooked offer to the booking page; the coordinator books a clash-free time for the organiser', async () => {
    // Prepare: the offer is reminded and then handed over; the digest goes out the next morning
    await addOrganiser(h, 'bokas');
    const id = await acceptedWithIntroOffer(h, 'bokas');
    for (const step of ['P8D', 'P8D']) expect((await h.advance(step)).status).toBe(200);
    await pastTheDigest(h);
    const link = consoleLink(await digestRow(h, COORDINATOR, 'Skolan bokas AB'), '/book');
    expect(link).toBe(`${h.runtime.urls.app}/console/dialogues/${id}/book`);

    // Act
    const page = await console_.get(link);
    const choice = /name="choice" value="([^"]+)"/.exec(page.html)?.[1] as string;
    const form = ConsoleClient.hiddenFields(page.html, `/console/dialogues/${id}/book`);
    const booked = await console_.post(`/console/dialogues/${id}/book`, {
      ...form,
      choice: choice.replaceAll('&#x3D;', '='),
      videoLink: 'https://video.example.se/bokas',
    });

    // Assess
    expect(page.html).toContain('Boka introduktionsmöte åt Skolan bokas AB');
    expect(booked.location).toBe(`/console/dialogues/${id}?klart=book`);
    const d = await h.dialogue(id);
    expect(d.state).toBe('intro_booked');
    expect(d.history.find((x: { type: string }) => x.type === 'meeting_booked')).toMatchObject({ by: 'Sara Samordnare (samordnare)' });
    expect((await latest(h, boardOf('bokas'), 'Kallelse: Introduktionsmöte')).body.text).toContain('https://video.example.se/bokas');
  });

  it('or sends the organiser new times from the same page', async () => {
    // Prepare
    await addOrganiser(h, 'nyatider');
    const id = await acceptedWithIntroOffer(h, 'nyatider');
    for (const step of ['P8D', 'P8D']) expect((await h.advance(step)).status).toBe(200);
    const path = `/console/dialogues/${id}/book`;
    const page = await console_.get(path);
    const forms = [...page.html.matchAll(/<input type="hidden" name="do" value="(\w+)">/g)].map((m) => m[1]);
    expect(forms).toEqual(['book', 'offer']);

    // Act
    const r = await console_.post(path, { csrf: ConsoleClient.hiddenFields(page.html, path).csrf as string, do: 'offer' });
    await waitingForBooking(h, id, 'intro', 2);

    // Assess
    expect(r.location).toBe(`/console/dialogues/${id}?klart=newtimes`);
    expect((await h.mailTo(boardOf('nyatider'))).filter((m) => m.subject.startsWith('Välj tid för introduktionsmöte'))).toHaveLength(2);
    expect((await h.dialogue(id)).phase).toMatchObject({ round: 2, offer: { status: 'open' } });
  });
});

describe('the analysis material', () => {
  it('waits after the intro until every school form has a document, hands it back once in the digest, and goes on the coordinator’s decision', async () => {
    // Prepare: the intro is held with no documents (the organiser runs grundskola and förskola)
    await addOrganiser(h, 'underlag');
    const id = await acceptedWithIntroOffer(h, 'underlag');
    await bookFromLink(h, h.linkIn(await latest(h, boardOf('underlag'), 'Välj tid för introduktionsmöte')));
    await advancePast(h, [(await h.dialogue(id)).dueAt]);
    await h.advance('PT10M');

    // Assess: held, nothing sent, nothing mailed per dialogue; the next morning's digest links the material page
    expect((await h.dialogue(id)).state).toBe('intro_held');
    expect((await h.mailTo(boardOf('underlag'))).filter((m) => m.subject.startsWith('Analysunderlag'))).toEqual([]);
    expect((await h.mailTo(COORDINATOR)).filter((m) => m.body.text?.includes('Skolan underlag AB'))).toEqual([]);
    await pastTheDigest(h);
    const row = await digestRow(h, COORDINATOR, 'Skolan underlag AB');
    expect(row).toMatch(/^Skolan underlag AB \(\d{6}-\d{4}\): Analysunderlag saknas\n/);
    const path = consoleLink(row, '/material').replace(h.runtime.urls.app, '');
    expect((await h.mailTo(COORDINATOR)).filter((m) => m.body.text?.includes('Skolan underlag AB'))).toHaveLength(1);

    // Act: one document, then the decision to send it as it is
    const page = await console_.get(path);
    expect((page.html.match(/<span class="flag">Saknas<\/span>/g) ?? []).length).toBe(2);
    const attachForm = { ...ConsoleClient.hiddenFields(page.html, path), do: 'attach' };
    const attached = await console_.post(path, {
      ...attachForm,
      schoolForm: 'grundskola',
      title: 'Analys grundskola',
      url: 'https://underlag.example.se/g.pdf',
    });
    const stillWaiting = (await h.dialogue(id)).state;
    const decided = await console_.post(path, { ...attachForm, do: 'send', reason: 'Förskolans underlag blir klart senare.' });
    await waitingForBooking(h, id, 'pre_meeting');

    // Assess
    expect(attached.location).toBe(`/console/dialogues/${id}?klart=material`);
    expect(stillWaiting).toBe('intro_held');
    expect(decided.location).toBe(`/console/dialogues/${id}?klart=material-send`);
    const sent = await latest(h, boardOf('underlag'), 'Analysunderlag för kvalitetsdialogen');
    expect(sent.body.text).toContain('Grundskola: Analys grundskola');
    expect(sent.body.text).toContain('Underlaget för förskola kommer i ett separat mejl');
    const d = await h.dialogue(id);
    expect(d.state).toBe('premeeting_offered');
    expect(d.history.find((x: { type: string }) => x.type === 'material_decision')).toMatchObject({
      by: 'Sara Samordnare (samordnare)',
      detail: 'Skickas utan komplett underlag: Förskolans underlag blir klart senare.',
    });
  });

  it('goes as soon as the last missing document is attached', async () => {
    // Prepare
    await addOrganiser(h, 'komplett');
    const id = await acceptedWithIntroOffer(h, 'komplett');
    await bookFromLink(h, h.linkIn(await latest(h, boardOf('komplett'), 'Välj tid för introduktionsmöte')));
    await advancePast(h, [(await h.dialogue(id)).dueAt]);
    expect((await h.dialogue(id)).state).toBe('intro_held');

    // Act
    await h.attachMaterial(id);
    await waitingForBooking(h, id, 'pre_meeting');

    // Assess
    expect((await h.dialogue(id)).state).toBe('premeeting_offered');
    expect((await latest(h, boardOf('komplett'), 'Analysunderlag för kvalitetsdialogen')).body.text).not.toContain('separat mejl');
  });
});

describe('the material mailed with the held intro', () => {
  it('goes before the one write that records the intro held and the material sent; a write that dies mails nothing twice', async () => {
    // Prepare: the material attached before the intro; the write after the material mail dies once
    await addOrganiser(h, 'avbrott');
    const id = await acceptedWithIntroOffer(h, 'avbrott');
    await h.attachMaterial(id);
    await bookFromLink(h, h.linkIn(await latest(h, boardOf('avbrott'), 'Välj tid för introduktionsmöte')));
    const dialogues = h.runtime.deps.dialogues;
    const mutate = dialogues.mutate.bind(dialogues);
    let died = false;
    dialogues.mutate = (dialogueId, change, known) =>
      mutate(
        dialogueId,
        (x) => {
          const y = change(x);
          if (y?.state !== 'material_sent' || died) return y;
          died = true;
          throw new Error('Task timed out after 30.00 seconds');
        },
        known,
      );
    const materialMails = async () => (await h.mailTo(boardOf('avbrott'))).filter((m) => m.subject.startsWith('Analysunderlag'));

    // Act: the held timer fires (the write dies), then fires again after its back-off
    try {
      await advancePast(h, [(await h.dialogue(id)).dueAt]);
      const failed = await h.dialogue(id);
      const mailedFirst = await materialMails();
      expect((await h.advance('PT10M')).status).toBe(200);
      await waitingForBooking(h, id, 'pre_meeting');

      // Assess: still booked with its timer after the first try (the mail gone); then held and sent in one write
      expect(died).toBe(true);
      expect(failed).toMatchObject({ state: 'intro_booked', dueKind: 'held' });
      expect(mailedFirst).toHaveLength(1);
      expect(await materialMails()).toHaveLength(1);
      const types = (await h.dialogue(id)).history.map((x: { type: string; state?: string }) => x.state ?? x.type);
      expect(types.slice(types.indexOf('intro_held'), types.indexOf('material_sent') + 1)).toEqual(['intro_held', 'material_sent']);
    } finally {
      dialogues.mutate = mutate;
    }
  });
});

describe('the notes of a dialogue meeting', () => {
  it('reminds the pair after the meeting and a week later, registers the notes from the console and shows them', async () => {
    // Prepare: a dialogue driven through its dialogue meeting
    await addOrganiser(h, 'anteckna');
    const id = await acceptedWithIntroOffer(h, 'anteckna');
    await driveThrough(h, 'anteckna', id, 'dialogue');
    const d = await h.dialogue(id);
    expect(d.state).toBe('dialogue_held');
    const pair = [d.pair.skolverket, d.pair.spsm].map((f: keyof typeof testFacilitators) => testFacilitators[f].email);
    const subject = 'Dags att registrera: minnesanteckningar från dialogmötet med Skolan anteckna AB';
    const first = await Promise.all(pair.map((a) => latest(h, a, subject)));
    const notesUrl = consoleLink(first[0]?.body.text, `/meetings/${d.phase.meetingId}/notes`);

    // Act: a week passes, then the notes are registered where the link leads
    expect((await h.advance('P8D')).status).toBe(200);
    const again = [...pair, COORDINATOR].map(async (a) => latest(h, a, 'Påminnelse igen: minnesanteckningar'));
    const path = notesUrl.replace(h.runtime.urls.app, '');
    const page = await console_.get(path);
    const form = new URLSearchParams({
      ...ConsoleClient.hiddenFields(page.html, path),
      discussed: 'Huvudmannens uppföljning av resultaten i grundskolan.',
    });
    form.append('rolesPresent', 'school_chief');
    form.append('rolesPresent', 'rektor');
    const registered = await console_.post(path, form);
    await waitingForBooking(h, id, 'feedback');

    // Assess
    expect(first.map((m) => m.body.text)).toEqual([expect.stringContaining(notesUrl), expect.stringContaining(notesUrl)]);
    expect(await Promise.all(again)).toHaveLength(3);
    expect(registered.location).toBe(`/console/dialogues/${id}?klart=notes`);
    const after = await h.dialogue(id);
    expect(after.state).toBe('feedback_offered');
    // The notes noted and the dialogue moved on in one write: the two entries side by side
    const notes = after.history.findIndex((x: { type: string; state?: string }) => x.type === 'notes_registered' && !x.state);
    expect(after.history.slice(notes, notes + 2)).toMatchObject([
      { type: 'notes_registered', detail: `Minnesanteckningar registrerade (${d.phase.meetingId})` },
      { type: 'notes_registered', state: 'notes_registered' },
    ]);
    const shown = await console_.get(`/console/dialogues/${id}`);
    expect(shown.html).toContain('<h2 id="anteckningar">Minnesanteckningar</h2>');
    expect(shown.html).toContain('Huvudmannens uppföljning av resultaten i grundskolan.');
    expect(shown.html).toContain('Roller som deltog: Skolchef, Rektor.');
    // No third reminder once the notes are in
    expect((await h.advance('P8D')).status).toBe(200);
    expect((await h.mailTo(COORDINATOR)).filter((m) => m.subject.includes('minnesanteckningar'))).toHaveLength(1);
  });
});

describe('the pair of a group session', () => {
  it('gets a first invitation, not an "updated" one, when the session was created without mailing it', async () => {
    // Prepare: a session created as the demo seed does (no mail to the pair)
    const [slot] = (await h.api('GET', '/api/slot-proposals?kind=intro')).json.items;
    await createIntroSession(
      h.runtime.deps,
      {
        region: 'syd',
        start: slot.sessions[0].start,
        minutes: 90,
        videoLink: 'https://video.example.se/grupp-syd',
        capacity: 8,
        audience: 'any',
        pair: slot.pair,
      },
      { mailPair: false },
    );
    const pairMail = testFacilitators[slot.pair.skolverket as keyof typeof testFacilitators].email;
    expect((await h.mailTo(pairMail)).filter((m) => m.subject.includes('i grupp'))).toEqual([]);

    // Act: two organisers take a place each
    for (const n of ['grupp-a', 'grupp-b']) {
      await addOrganiser(h, n);
      await acceptedWithIntroOffer(h, n);
      await bookFromLink(h, h.linkIn(await latest(h, boardOf(n), 'Välj tid för introduktionsmöte')));
    }

    // Assess
    const subjects = (await h.mailTo(pairMail)).filter((m) => m.subject.includes('i grupp')).map((m) => m.subject);
    expect(subjects).toEqual([
      expect.stringMatching(/^Kallelse: Introduktionsmöte i grupp .*\(1 av 8/),
      expect.stringMatching(/^Uppdaterad kallelse: .*\(2 av 8/),
    ]);
  });
});
