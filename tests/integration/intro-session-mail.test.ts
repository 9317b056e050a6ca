/**
 * The facilitator pair's invitation to a group intro session: mailed when the coordinator creates
 * the session, and as an update (same UID, SEQUENCE + 1, the organisers listed) each time an
 * organiser takes a place or gives it up; every version once per facilitator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '#adapters/transient.ts';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { parseIcs } from '../support/ics.ts';
import { Harness, organiser, type StoredMail } from '../support/local.ts';

const h = new Harness();
type Mail = StoredMail & { attachments?: { contentType: string; content: string }[] };
const PAIR = ['gun@skolverket.example.se', 'ivar@spsm.example.se'];

beforeAll(async () => {
  await h.start();
  for (const f of [
    { id: 'sv-gun', name: 'Gun Åberg', agency: 'skolverket', office: 'Luleå', email: PAIR[0] },
    { id: 'sp-ivar', name: 'Ivar Öhman', agency: 'spsm', office: 'Luleå', email: PAIR[1] },
  ]) {
    expect((await h.api('POST', '/api/facilitators', f)).status).toBe(201);
  }
});
afterAll(async () => {
  await h.close();
});

const icsOf = (m: Mail) => {
  const a = m.attachments?.find((x) => x.contentType.startsWith('application/ics'));
  if (!a) throw new Error(`no .ics in "${m.subject}"`);
  return parseIcs(Buffer.from(a.content, 'base64').toString('utf8'));
};
const pairMail = async (address: string) =>
  ((await h.mailTo(address)) as Mail[]).filter((m) => m.subject.includes('Introduktionsmöte i grupp'));

async function addOrganiser(id: string, name: string, orgNumber: string, board: string): Promise<string> {
  const org = organiser({ id, name, orgNumber, countyCode: '25', contacts: [{ role: 'board', name: 'Nämnden', email: board }] });
  expect((await h.api('POST', '/api/organisers', org)).status).toBe(201);
  return (await h.api('GET', `/api/organisers/${id}`)).json.region as string;
}

/** Invites and accepts; the intro phase offers the session; the board contact picks it. */
async function takePlace(id: string, board: string): Promise<string> {
  const dialogueId = await h.invite(id);
  expect((await h.page(h.linkIn((await h.mailTo(board))[0]!), { answer: 'accept' })).status).toBe(200);
  await h.advance('PT10M');
  await h.runtime.sfn.waitForEvent(phaseExecutionName(dialogueId, 'intro', 1), (e) => e.type === 'TaskWaiting');
  const offer = (await h.mailTo(board)).find((m) => m.subject.startsWith('Välj tid för introduktionsmöte'));
  expect((await h.dialogue(dialogueId)).phase.offer.slots[0].introSessionId).toBeDefined();
  const picked = await h.page(h.linkIn(offer!), { choice: '0' });
  expect(picked.status).toBe(200);
  expect((await h.dialogue(dialogueId)).state).toBe('intro_booked');
  return dialogueId;
}

describe('the pair is mailed about its group intro session', () => {
  it('on creation, and with an updated invitation listing the organisers as each one books', async () => {
    // Prepare: two municipal organisers of one region
    const region = await addOrganiser('alvbyns-kommun', 'Älvbyns kommun', '212000-5001', 'namnden@alvbyn.example.se');
    await addOrganiser('orsviks-kommun', 'Örsviks kommun', '212000-5002', 'namnden@orsvik.example.se');

    // Act 1: the coordinator creates the session
    const [slot] = (await h.api('GET', '/api/slot-proposals?kind=intro')).json.items;
    const created = await h.api('POST', '/api/intro-sessions', {
      region,
      start: slot.sessions[0].start,
      minutes: 90,
      videoLink: 'https://video.example.se/intro-nord',
      capacity: 4,
      audience: 'municipal',
      pair: { skolverket: 'sv-gun', spsm: 'sp-ivar' },
    });
    expect(created.status).toBe(201);
    // Assess 1: each facilitator has the session's invitation, SEQUENCE 0, nobody booked yet
    for (const address of PAIR) {
      const [mail, ...more] = await pairMail(address);
      expect(more).toHaveLength(0);
      expect(mail!.subject).toMatch(/^Kallelse: Introduktionsmöte i grupp .* \(0 av 4 platser bokade\)$/);
      const cal = icsOf(mail!);
      expect(cal.method).toBe('REQUEST');
      expect(cal.events[0]).toMatchObject({ uid: expect.stringMatching(new RegExp(`^${created.json.id}@`)), sequence: 0 });
      expect(cal.events[0]!.attendees.toSorted()).toEqual(PAIR.map((a) => `mailto:${a}`).toSorted());
    }

    // Act 2: two organisers take a place each (the second pick link is posted twice)
    await takePlace('alvbyns-kommun', 'namnden@alvbyn.example.se');
    const second = await takePlace('orsviks-kommun', 'namnden@orsvik.example.se');
    const offer = (await h.mailTo('namnden@orsvik.example.se')).find((m) => m.subject.startsWith('Välj tid för introduktionsmöte'));
    await h.page(h.linkIn(offer!), { choice: '0' });

    // Assess 2: per facilitator three versions of one event, the last listing both organisers
    for (const address of PAIR) {
      const mails = await pairMail(address);
      expect(mails).toHaveLength(3);
      const events = mails.map((m) => icsOf(m).events[0]!);
      expect(new Set(events.map((e) => e.uid)).size).toBe(1);
      expect(events.map((e) => e.sequence)).toEqual([0, 1, 2]);
      expect(mails[2]!.subject).toMatch(/^Uppdaterad kallelse: .*\(2 av 4 platser bokade\)$/);
      expect(mails[2]!.body.text).toContain('- Älvbyns kommun');
      expect(mails[2]!.body.text).toContain('- Örsviks kommun');
      expect(events[2]!.description).toContain('Älvbyns kommun, Örsviks kommun');
    }
    // The organisers' own booking invitations still leave the pair out
    expect(
      (await h.mailTo(PAIR[0]!)).filter((m) => m.subject.startsWith('Kallelse: Introduktionsmöte ') && !m.subject.includes('i grupp')),
    ).toHaveLength(0);

    // Act 3: the second organiser gives its place up (coordinator cancel of its meeting)
    const meetingId = (await h.dialogue(second)).phase.meetingId as string;
    expect((await h.api('POST', `/api/meetings/${meetingId}/cancel`, { reason: 'Kan inte delta' })).status).toBe(200);

    // Assess 3: a fourth version, SEQUENCE 3, lists only the first organiser
    for (const address of PAIR) {
      const mails = await pairMail(address);
      expect(mails).toHaveLength(4);
      const last = icsOf(mails[3]!).events[0]!;
      expect(last.sequence).toBe(3);
      expect(last.description).toContain('Älvbyns kommun');
      expect(last.description).not.toContain('Örsviks kommun');
    }
  });

  it("creates the session when SES refuses the pair's invitation, and the tick sends it later, once", async () => {
    // Prepare: SES refuses every mail for now
    const region = (await h.api('GET', '/api/organisers/alvbyns-kommun')).json.region as string;
    const mailer = h.runtime.deps.mailer;
    let refusing = true;
    h.runtime.deps.mailer = {
      send: async (mail) => {
        if (refusing) throw new TransientError('SES did not accept the mail (ServiceUnavailable); will retry');
        return mailer.send(mail);
      },
    };
    const slot = (await h.api('GET', '/api/slot-proposals?kind=intro')).json.items[1];
    const before = await Promise.all(PAIR.map(async (a) => (await pairMail(a)).length));

    // Act: the coordinator creates a session; the answer says the mail is pending
    const created = await h.api('POST', '/api/intro-sessions', {
      region,
      start: slot.sessions[0].start,
      minutes: 90,
      videoLink: 'https://video.example.se/intro-nord-2',
      capacity: 4,
      audience: 'municipal',
      pair: { skolverket: 'sv-gun', spsm: 'sp-ivar' },
    });

    // Assess: created (a retry of the request is not needed), nothing mailed yet, marked pending
    expect(created.status, created.text).toBe(201);
    expect(created.json.pairMailPending).toBe(true);
    expect(await Promise.all(PAIR.map(async (a) => (await pairMail(a)).length))).toEqual(before);
    const listed = (await h.api('GET', `/api/intro-sessions?region=${region}`)).json.items.find(
      (x: { id: string }) => x.id === created.json.id,
    );
    expect(listed.pairMailPending).toBe(true);

    // Act: a tick while SES still refuses, then one after it accepts again, then another
    await h.advance('PT5M');
    refusing = false;
    await h.advance('PT5M');
    await h.advance('PT5M');
    h.runtime.deps.mailer = mailer;

    // Assess: each facilitator got the new session's invitation exactly once; the mark is gone
    for (const [i, address] of PAIR.entries()) {
      const mails = await pairMail(address);
      expect(mails).toHaveLength(before[i]! + 1);
      expect(icsOf(mails.at(-1)!).events[0]!.uid).toBe(`${created.json.id}@skolverket.example.se`);
    }
    const after = (await h.api('GET', `/api/intro-sessions?region=${region}`)).json.items.find(
      (x: { id: string }) => x.id === created.json.id,
    );
    expect(after.pairMailPending).toBeUndefined();
  });
});
