/**
 * The variants of the lifecycle on the embedded runtime: an organiser that stops after the intro;
 * an offer nobody books (reminder, then the coordinator takes over, and the link still books);
 * participants named on the organiser's page; and a split dialogue meeting shared by two organisers
 * with the same school chief, booked and moved by the coordinator (a dropped session gets a CANCEL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { parseIcs } from '../support/ics.ts';
import { Harness, organiser, type StoredMail } from '../support/local.ts';

const h = new Harness();
type MailWithAttachments = StoredMail & { attachments?: { contentType: string; filename?: string; content: string }[] };

beforeAll(async () => {
  await h.start();
  for (const f of [
    { id: 'sv-eva', name: 'Eva Berg', agency: 'skolverket', office: 'Malmö', email: 'eva@skolverket.example.se' },
    { id: 'sv-finn', name: 'Finn Holm', agency: 'skolverket', office: 'Örebro', email: 'finn@skolverket.example.se' },
    { id: 'sp-gun', name: 'Gun Ås', agency: 'spsm', office: 'Malmö', email: 'gun@spsm.example.se' },
    { id: 'sp-hans', name: 'Hans Ström', agency: 'spsm', office: 'Örebro', email: 'hans@spsm.example.se' },
  ]) {
    expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
  }
});
afterAll(async () => {
  await h.close();
});

const board = (n: string) => `styrelsen@${n}.example.se`;
const SHARED_CHIEF = 'delad.skolchef@example.se';

async function addOrganiser(n: string, orgNumber: string, chief = `chef@${n}.example.se`) {
  const r = await h.api(
    'POST',
    '/api/organisers',
    organiser({
      id: n,
      orgNumber,
      name: `Skolan ${n} AB`,
      legalForm: 'aktiebolag',
      countyCode: '12',
      contacts: [
        { role: 'board', name: `Styrelsen ${n}`, email: board(n) },
        { role: 'school_chief', name: 'Åsa Skolchef', email: chief },
      ],
    }),
  );
  expect(r.status).toBe(201);
}

async function latest(address: string, prefix: string): Promise<MailWithAttachments> {
  const mail = ((await h.mailTo(address)) as MailWithAttachments[]).filter((m) => m.subject.startsWith(prefix)).at(-1);
  if (!mail) throw new Error(`no mail "${prefix}…" to ${address}`);
  return mail;
}

function icsOf(mail: MailWithAttachments) {
  const a = mail.attachments?.find((x) => x.contentType.startsWith('application/ics'));
  if (!a) throw new Error(`mail "${mail.subject}" has no .ics`);
  return parseIcs(Buffer.from(a.content, 'base64').toString('utf8'));
}

const waiting = (id: string, kind: string, round = 1) =>
  h.runtime.sfn.waitForEvent(phaseExecutionName(id, kind, round), (e) => e.type === 'TaskWaiting');

async function settled(id: string, kind: string, round = 1) {
  const arn = h.runtime.sfn.list().find((r) => r.name === phaseExecutionName(id, kind, round))?.executionArn;
  if (!arn) throw new Error(`no ${kind} execution for ${id}`);
  return h.runtime.sfn.settled(arn);
}

async function advancePast(isos: string[]): Promise<void> {
  const last = Math.max(...isos.map((x) => Date.parse(x)));
  const days = Math.max(1, Math.ceil((last - h.runtime.clock.now().getTime()) / 86_400_000) + 1);
  expect((await h.advance(`P${days}D`)).status).toBe(200);
}

/** Books the first offered time still free (organisers offered the same pair's times race for them). */
async function book(link: string): Promise<void> {
  for (const choice of ['0', '1', '2']) {
    const r = await h.page(link, { choice });
    if (r.status === 200) return;
    expect(r.html).toContain('Tiden är inte längre ledig');
  }
  throw new Error('no offered time could be booked');
}

/** Invites and accepts each organiser, then books the first offered time of each phase until `until` is offered. */
async function drive(orgs: string[], until: 'intro' | 'pre_meeting' | 'dialogue'): Promise<string[]> {
  const ids: string[] = [];
  for (const n of orgs) {
    const id = await h.invite(n);
    expect((await h.page(h.linkIn(await latest(board(n), 'Erbjudande')), { answer: 'accept' })).status).toBe(200);
    ids.push(id);
  }
  expect((await h.advance('PT10M')).status).toBe(200);
  const steps: [string, string][] = [
    ['intro', 'Välj tid för introduktionsmöte'],
    ['pre_meeting', 'Välj tid för förmöte'],
    ['dialogue', 'Välj tid för dialogmöte'],
  ];
  for (const [kind, subject] of steps) {
    for (const id of ids) await waiting(id, kind);
    if (kind === until) return ids;
    for (const n of orgs) await book(h.linkIn(await latest(board(n), subject)));
    // The material goes after the intro once every school form has a document.
    if (kind === 'intro') for (const id of ids) await h.attachMaterial(id);
    await advancePast(await Promise.all(ids.map(async (id) => (await h.dialogue(id)).dueAt)));
  }
  return ids;
}

describe('lifecycle variants', () => {
  it('records an organiser that stops after the introduction (from the material mail)', async () => {
    // Prepare
    await addOrganiser('stoppskolan', '556000-0001');
    const [id] = await drive(['stoppskolan'], 'pre_meeting');
    const material = await latest(board('stoppskolan'), 'Analysunderlag');
    const stop = h.linkIn(material);

    // Act
    const confirm = await h.page(stop);
    expect(confirm.html).toContain('Vi avslutar efter introduktionen');
    expect((await h.dialogue(id!)).state).toBe('premeeting_offered');
    const receipt = await h.page(stop, { confirm: 'stop' });

    // Assess
    expect(receipt.html).toContain('Tack för beskedet');
    const d = await h.dialogue(id!);
    expect(d.state).toBe('stopped_after_intro');
    expect(d.history.at(-1)).toMatchObject({ type: 'stopped', state: 'stopped_after_intro' });
    expect(d.history.at(-1).by).toMatch(/^board-styrelsen-stoppskolan/);
    expect(d.dueAt).toBeUndefined();
    expect((await settled(id!, 'pre_meeting')).status).toBe('SUCCEEDED');
    expect((await h.page(stop, { confirm: 'stop' })).html).toContain('Redan meddelat');
    // The pre-meeting offer no longer books
    const offer = await latest(board('stoppskolan'), 'Välj tid för förmöte');
    expect((await h.page(h.linkIn(offer), { choice: '0' })).html).toContain('Förslagen gäller inte längre');
  });

  it('reminds the organiser of an open offer, hands over to the coordinator, and the link then asks for other times', async () => {
    await addOrganiser('tystskolan', '556000-0002');
    const [id] = await drive(['tystskolan'], 'intro');

    await h.advance('P8D');
    const reminder = await latest(board('tystskolan'), 'Påminnelse: Välj tid för introduktionsmöte');
    expect(reminder.body.text).toContain('Tiderna nedan är fortfarande lediga.');
    expect((await h.dialogue(id!)).dueKind).toBe('offer_escalate');
    await h.advance('P8D');

    // No mail of its own: the hand-back is in the coordinator's digest of the day
    const coordinator = () => h.mailTo('samordnare@skolverket.example.se');
    expect((await coordinator()).filter((m) => m.body.text?.includes('Skolan tystskolan AB'))).toEqual([]);
    await h.advance('P2D');
    const digest = (await coordinator()).filter((m) => m.body.text?.includes('Skolan tystskolan AB'));
    expect(digest.map((m) => m.subject)).toEqual([expect.stringMatching(/^Att hantera: \d+ dialog(er)? lämnades över till samordnaren /)]);
    expect(digest[0]?.body.text).toContain('- Skolan tystskolan AB (556000-0002): Ingen tid bokad (introduktionsmöte)');
    expect(digest[0]?.body.text).toContain('/console?handback=alla');
    expect((await settled(id!, 'intro')).events.map((e) => e.state)).toContain('Coordinator takes over');
    const d = await h.dialogue(id!);
    expect(d.state).toBe('intro_offered');
    expect(d.phase.offer.status).toBe('escalated');

    // The reminder carries the offer's link; after the hand-over the times have passed, so the
    // organiser asks for other times and a new round offers them.
    expect(h.linkIn(reminder)).toBe(h.linkIn(await latest(board('tystskolan'), 'Välj tid för introduktionsmöte')));
    const stale = await h.page(h.linkIn(reminder));
    expect(stale.html).not.toContain('name="choice" value="0"');
    expect((await h.page(h.linkIn(reminder), { choice: '0' })).html).toContain('Tiden är inte längre ledig');
    expect((await h.page(h.linkIn(reminder), { choice: 'other' })).html).toContain('Vi skickar nya förslag');
    await waiting(id!, 'intro', 2);
    const next = await h.dialogue(id!);
    expect(next.phase).toMatchObject({ round: 2, offer: { no: 2, status: 'open' } });
    await book(h.linkIn(await latest(board('tystskolan'), 'Välj tid för introduktionsmöte')));
    expect((await h.dialogue(id!)).state).toBe('intro_booked');
  });

  it('lets the organiser name 1–20 participants on the manage page; they get the invitation', async () => {
    const booked = await latest(board('tystskolan'), 'Kallelse: Introduktionsmöte');
    const manage = h.linkIn(booked);

    // A POST from another site is refused, like on the answer page
    const forged = await fetch(manage, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example.net' },
      body: new URLSearchParams({ action: 'cancel' }).toString(),
    });
    expect(forged.status).toBe(403);
    expect((await h.dialogue((await h.api('GET', '/api/dialogues?state=intro_booked')).json.items[0].id)).state).toBe('intro_booked');

    const bad = await h.page(manage, { action: 'participants', participants: 'Per Ek; per@tystskolan.example.se; kock' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('ange roll som ledamot, skolchef, rektor, lärare eller annan');
    const ok = await h.page(manage, {
      action: 'participants',
      participants: 'Per Ek; per@tystskolan.example.se; rektor\nLisa Öst; lisa@tystskolan.example.se; lärare',
    });
    expect(ok.status).toBe(200);
    expect(ok.html).toContain('Deltagarna är sparade (2)');

    const cal = icsOf(await latest('lisa@tystskolan.example.se', 'Kallelse: Introduktionsmöte'));
    expect(cal.method).toBe('REQUEST');
    expect(cal.events[0]!.attendees).toEqual(
      expect.arrayContaining(['mailto:lisa@tystskolan.example.se', 'mailto:per@tystskolan.example.se']),
    );
    expect((await h.mailTo(board('tystskolan'))).filter((m) => m.subject.startsWith('Kallelse: Introduktionsmöte'))).toHaveLength(1);
  });

  it('books one split dialogue meeting for two organisers sharing a school chief, moves it, and both go on', async () => {
    // Prepare: two small organisers with the same school chief, both offered the dialogue meeting
    await addOrganiser('norra-skolan', '556000-0003', SHARED_CHIEF);
    await addOrganiser('sodra-skolan', '556000-0004', SHARED_CHIEF);
    const ids = await drive(['norra-skolan', 'sodra-skolan'], 'dialogue');
    for (const id of ids) expect((await h.dialogue(id)).state).toBe('dialogue_offered');
    const candidates = (await h.api('GET', `/api/dialogues/${ids[0]}/shared-chief`)).json.items;
    expect(candidates.map((c: { id: string }) => c.id)).toEqual([ids[1]]);
    const slots = (await h.api('GET', `/api/slot-proposals?kind=dialogue&sessions=3&sessionMinutes=150&dialogueIds=${ids.join(',')}`)).json
      .items;
    expect(slots.length).toBeGreaterThanOrEqual(2);

    // Act: the coordinator books one meeting in three sessions for both
    const r = await h.api('POST', '/api/meetings', {
      dialogueIds: ids,
      kind: 'dialogue',
      sessions: slots[0].sessions,
      pair: slots[0].pair,
      location: 'Norra skolan, Storgatan 1, Lund',
    });

    // Assess
    expect(r.status).toBe(201);
    const meetingId = r.json.id;
    for (const id of ids) {
      const d = await h.dialogue(id);
      expect(d.state).toBe('dialogue_booked');
      expect(d.phase.meetingId).toBe(meetingId);
      expect(d.dueAt).toBe(new Date(slots[0].sessions[2].end).toISOString());
      expect((await settled(id, 'dialogue')).status).toBe('SUCCEEDED');
    }
    // The shared school chief gets one invitation with three sessions, each its own UID
    const chiefInvites = (await h.mailTo(SHARED_CHIEF)).filter((m) => m.subject.startsWith('Kallelse: Dialogmöte'));
    expect(chiefInvites).toHaveLength(1);
    const cal = icsOf(chiefInvites[0] as MailWithAttachments);
    expect(cal.events.map((e) => e.uid)).toEqual([1, 2, 3].map((n) => `${meetingId}${n === 1 ? '' : `-${n}`}@skolverket.example.se`));
    expect(chiefInvites[0]!.subject).toContain('Skolan norra-skolan AB och Skolan sodra-skolan AB');

    // Act: moved to two sessions; the dropped third session is cancelled under its own UID
    const moved = await h.api('POST', `/api/meetings/${meetingId}/reschedule`, {
      sessions: slots[1].sessions.slice(0, 2),
      pair: slots[1].pair,
    });
    expect(moved.status, moved.text).toBe(200);
    const request = icsOf(await latest(SHARED_CHIEF, 'Ny tid: Dialogmöte'));
    expect(request.events.map((e) => [e.uid, e.sequence])).toEqual([
      [`${meetingId}@skolverket.example.se`, 1],
      [`${meetingId}-2@skolverket.example.se`, 1],
    ]);
    const dropped = icsOf(await latest(SHARED_CHIEF, 'Inställt: Dialogmöte'));
    expect(dropped.method).toBe('CANCEL');
    expect(dropped.events.map((e) => [e.uid, e.sequence, e.status])).toEqual([[`${meetingId}-3@skolverket.example.se`, 1, 'CANCELLED']]);
    for (const id of ids) expect((await h.dialogue(id)).dueAt).toBe(new Date(slots[1].sessions[1].end).toISOString());

    // Held after the last session; the notes move both organisers to the feedback phase
    await advancePast([slots[1].sessions[1].end]);
    for (const id of ids) expect((await h.dialogue(id)).state).toBe('dialogue_held');
    const notes = await h.api('POST', `/api/meetings/${meetingId}/notes`, {
      discussed: 'Gemensam dialog om förskoleklassens övergångar.',
      rolesPresent: ['school_chief', 'board_member'],
      public: true,
    });
    expect(notes.status).toBe(201);
    for (const id of ids) {
      await waiting(id, 'feedback');
      expect((await h.dialogue(id)).state).toBe('feedback_offered');
    }
  });

  it('lets one organiser leave a shared meeting: the others keep it, its people get a CANCEL, it gets new times', async () => {
    // Prepare: a group dialogue meeting for two organisers with one school chief
    const CHIEF = 'gemensam.skolchef@example.se';
    await addOrganiser('vastra-skolan', '556000-0007', CHIEF);
    await addOrganiser('ostra-skolan', '556000-0008', CHIEF);
    const [vastra, ostra] = await drive(['vastra-skolan', 'ostra-skolan'], 'dialogue');
    const slots = (await h.api('GET', `/api/slot-proposals?kind=dialogue&dialogueIds=${vastra},${ostra}`)).json.items;
    const booked = await h.api('POST', '/api/meetings', {
      dialogueIds: [vastra, ostra],
      kind: 'dialogue',
      sessions: slots[0].sessions,
      pair: slots[0].pair,
      location: 'Västra skolan, Kyrkogatan 2, Lund',
    });
    expect(booked.status, booked.text).toBe(201);
    const meetingId = booked.json.id;
    const westLink = h.linkIn(await latest(board('vastra-skolan'), 'Kallelse: Dialogmöte'));
    const eastLink = h.linkIn(await latest(board('ostra-skolan'), 'Kallelse: Dialogmöte'));

    // Each organiser names its own people; neither sees nor replaces the other's
    const west = await h.page(westLink, { action: 'participants', participants: 'Ann Väst; ann@vastra.example.se; rektor' });
    expect(west.html).toContain('Deltagarna är sparade (1)');
    const east = await h.page(eastLink, { action: 'participants', participants: 'Olle Öst; olle@ostra.example.se; lärare' });
    expect(east.html).toContain('Deltagarna är sparade (1)');
    expect(east.html).not.toContain('ann@vastra.example.se');
    expect((await h.api('GET', `/api/meetings/${meetingId}`)).json.participants.map((p: { email: string }) => p.email).sort()).toEqual([
      'ann@vastra.example.se',
      'olle@ostra.example.se',
    ]);
    const eastPage = await h.page(eastLink);
    expect(eastPage.html).toContain('Lämna mötet');
    expect(eastPage.html).not.toContain('Boka om till en annan tid');
    const sequence = (await h.api('GET', `/api/meetings/${meetingId}`)).json.sequence;

    // Act: Östra cannot come and leaves
    const left = await h.page(eastLink, { action: 'cancel' });

    // Assess: the meeting stays booked for Västra, one version later, without Östra's people
    expect(left.status).toBe(200);
    expect(left.html).toContain('Ni har lämnat dialogmöte');
    const meeting = (await h.api('GET', `/api/meetings/${meetingId}`)).json;
    expect(meeting).toMatchObject({ status: 'booked', dialogueIds: [vastra], sequence: sequence + 1 });
    expect(meeting.participants.map((p: { email: string }) => p.email)).toEqual(['ann@vastra.example.se']);
    expect((await h.dialogue(vastra!)).state).toBe('dialogue_booked');
    await waiting(ostra!, 'dialogue', 2);
    const eastDialogue = await h.dialogue(ostra!);
    expect(eastDialogue.state).toBe('dialogue_offered');
    expect(eastDialogue.history.map((e: { type: string }) => e.type)).toContain('meeting_left');
    // Östra's board and participant get a CANCEL of the same UID; the shared chief, who stays, does not
    for (const address of [board('ostra-skolan'), 'olle@ostra.example.se']) {
      const cancel = icsOf(await latest(address, 'Inställt: Dialogmöte'));
      expect(cancel.method).toBe('CANCEL');
      expect(cancel.events.map((e) => [e.uid, e.sequence])).toEqual([[`${meetingId}@skolverket.example.se`, sequence + 1]]);
    }
    expect((await h.mailTo(CHIEF)).filter((m) => m.subject.startsWith('Inställt: Dialogmöte'))).toHaveLength(0);
    // Those who stay get the invitation again with the new attendee list
    for (const address of [CHIEF, 'ann@vastra.example.se', board('vastra-skolan')]) {
      const update = await latest(address, 'Ändrat deltagande: Dialogmöte');
      expect(update.body.text).toContain('Skolan ostra-skolan AB deltar inte längre');
      const cal = icsOf(update);
      expect(cal.events[0]!.sequence).toBe(sequence + 1);
      expect(cal.events[0]!.attendees).not.toContain('mailto:olle@ostra.example.se');
      expect(cal.events[0]!.attendees).not.toContain(`mailto:${board('ostra-skolan')}`);
    }
    // A second submit of the used link changes nothing and mails no one again
    const again = await h.page(eastLink, { action: 'cancel' });
    expect(again.html).not.toContain('Ni har lämnat');
    expect((await h.mailTo('olle@ostra.example.se')).filter((m) => m.subject.startsWith('Inställt: Dialogmöte'))).toHaveLength(1);
    // Östra's new offer leaves Västra's booking alone
    expect((await latest(board('ostra-skolan'), 'Välj tid för dialogmöte')).subject).toContain('dialogmöte');
  });

  it('offers a split dialogue meeting when the coordinator planned one, and books both sessions', async () => {
    // Prepare: the plan is set before the dialogue meeting is offered
    await addOrganiser('delade-skolan', '556000-0006');
    const [id] = await drive(['delade-skolan'], 'pre_meeting');
    const bad = await h.api('PUT', `/api/dialogues/${id}/meeting-plan`, { sessions: 3, sessionMinutes: 200 });
    expect(bad.status).toBe(400);
    expect((await h.api('PUT', `/api/dialogues/${id}/meeting-plan`, { sessions: 2, sessionMinutes: 150 })).status).toBe(200);
    await book(h.linkIn(await latest(board('delade-skolan'), 'Välj tid för förmöte')));

    // Act
    await advancePast([(await h.dialogue(id!)).dueAt]);
    await waiting(id!, 'dialogue');
    const offer = await latest(board('delade-skolan'), 'Välj tid för dialogmöte');
    expect(offer.body.text).toMatch(/Del 1: .*; Del 2: /);
    await book(h.linkIn(offer));

    // Assess
    const d = await h.dialogue(id!);
    expect(d.state).toBe('dialogue_booked');
    const meeting = (await h.api('GET', `/api/meetings/${d.phase.meetingId}`)).json;
    expect(meeting.sessions).toHaveLength(2);
    expect(d.dueAt).toBe(meeting.sessions[1].end);
    const cal = icsOf(await latest(board('delade-skolan'), 'Kallelse: Dialogmöte'));
    expect(cal.events).toHaveLength(2);
    expect(cal.events.map((e) => (e.end.getTime() - e.start.getTime()) / 60_000)).toEqual([150, 150]);
    expect((await h.api('PUT', `/api/dialogues/${id}/meeting-plan`, { sessions: 1 })).status).toBe(409);
  });

  it('keeps the workflow right after a coordinator cancels a booked meeting (new round, new offer)', async () => {
    await addOrganiser('avbokade-skolan', '556000-0005');
    const [id] = await drive(['avbokade-skolan'], 'intro');
    // Both contacts pick at once: the offer is claimed, so exactly one meeting is booked
    const picks = await Promise.all([
      h.page(h.linkIn(await latest(board('avbokade-skolan'), 'Välj tid för introduktionsmöte')), { choice: '0' }),
      h.page(h.linkIn(await latest('chef@avbokade-skolan.example.se', 'Välj tid för introduktionsmöte')), { choice: '1' }),
    ]);
    expect(picks.filter((p) => p.html.includes('Introduktionsmöte är bokat'))).toHaveLength(1);
    expect((await h.api('GET', `/api/dialogues/${id}/meetings`)).json.items).toHaveLength(1);
    const meetingId = (await h.dialogue(id!)).phase.meetingId;
    const r = await h.api('POST', `/api/meetings/${meetingId}/cancel`, { reason: 'Dialogutföraren är sjuk.' });
    expect(r.status).toBe(200);
    await waiting(id!, 'intro', 2);
    const d = await h.dialogue(id!);
    expect(d.state).toBe('intro_offered');
    expect(d.phase).toMatchObject({ kind: 'intro', round: 2 });
    expect(d.dueKind).toBe('offer_reminder');
    expect(d.history.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['meeting_cancelled', 'phase_changed']));
    expect((await latest(board('avbokade-skolan'), 'Inställt: Introduktionsmöte')).body.text).toContain('Dialogutföraren är sjuk.');
  });
});
