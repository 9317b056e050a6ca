/**
 * SIGKILL of `npm start` in a meeting phase: once while the intro phase waits for a booking, once
 * right after the organiser's pick POST. A new start resumes the execution; the booking completes
 * it; every contact got exactly one booking mail (the send-once log), and nothing was sent again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { Harness } from '../support/local.ts';
import { START_COORDINATOR_TOKEN, type StartedApp, spawnNpmStart } from '../support/npm-start.ts';

const TOKEN = START_COORDINATOR_TOKEN;
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
type Mail = { subject: string; destination: { to: string[] }; body: { text: string } };

let h: Harness;
let running: StartedApp | undefined;
afterEach(async () => {
  await running?.kill();
  await h.close();
});

/** `npm start` on the harness's data folder (the one process of this file). */
async function spawnStart(dataDir: string): Promise<StartedApp> {
  running = await spawnNpmStart(dataDir);
  return running;
}

async function kill(): Promise<void> {
  await running?.kill();
  running = undefined;
}

/** The child is another process: its workflow events cannot be awaited, so poll with a deadline. */
async function until<T>(read: () => Promise<T>, ok: (x: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const x = await read();
    if (ok(x)) return x;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const getJson = async (url: string, init?: RequestInit) => (await fetch(url, init)).json() as Promise<any>;
const linkPath = (text: string) => /\/r\/[A-Za-z0-9._-]+/.exec(text)?.[0] as string;

describe('SIGKILL in a meeting phase', () => {
  it('a wait for a booking and a pick just committed survive kill -9; one booking mail per contact', async () => {
    h = new Harness();

    // Prepare: npm start (demo seed: facilitators, a group intro session for Norrvik); invite and accept
    let app = await spawnStart(h.dataDir);
    const { id } = await getJson(`${app.base}/api/dialogues`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ organiserId: 'norrviks-kommun' }),
    });
    await until(
      () => getJson(`${app.base}/api/dialogues/${id}`, { headers: auth }),
      (d) => d.waitingForAnswer === true,
      'the answer wait',
    );
    const store = async (ses: string) => ((await getJson(`${ses}/store`)) as { emails: Mail[] }).emails;
    const invitation = (await store(app.ses))[0] as Mail;
    const accepted = await fetch(`${app.base}${linkPath(invitation.body.text)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'answer=accept',
    });
    expect(accepted.status).toBe(200);
    await fetch(`${app.base}/api/dev/clock`, { method: 'POST', headers: auth, body: JSON.stringify({ advance: 'PT10M' }) });
    const offered = await until(
      () => getJson(`${app.base}/api/dialogues/${id}`, { headers: auth }),
      (d) => d.waitingForBooking === true,
      'the booking wait',
    );
    expect(offered.state).toBe('intro_offered');
    const contacts = offered.recipients.map((r: { email: string }) => r.email) as string[];
    // The offer's write stores the wait's token; its mails follow.
    const offers = await until(
      async () => (await store(app.ses)).filter((m) => m.subject.startsWith('Välj tid för introduktionsmöte')),
      (mails) => mails.length >= contacts.length,
      'the offer mails',
    );
    expect(offers.map((m) => m.destination.to[0]).toSorted()).toEqual(contacts.toSorted());

    // Act 1: kill -9 while the execution waits for the booking; start again
    await kill();
    app = await spawnStart(h.dataDir);
    expect(app.out()).toContain('resumed 1 execution');
    await until(
      () => getJson(`${app.base}/api/dialogues/${id}`, { headers: auth }),
      (d) => d.waitingForBooking === true,
      'the resumed wait',
    );
    expect((await store(app.ses)).filter((m) => m.subject.startsWith('Välj tid'))).toHaveLength(0);

    // Act 2: the organiser picks the group session; kill -9 as soon as the POST has answered
    const picked = await fetch(`${app.base}${linkPath((offers[0] as Mail).body.text)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'choice=0',
    });
    expect(picked.status).toBe(200);
    await kill();
    await h.start();

    // Assess: the execution ends Booked, the record is booked, each contact has exactly one booking mail
    const name = phaseExecutionName(id, 'intro', 1);
    const arn = h.runtime.sfn.list().find((r) => r.name === name)?.executionArn as string;
    const execution = await h.runtime.sfn.settled(arn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.events.filter((e) => e.type === 'ExecutionResumed').length).toBeGreaterThanOrEqual(1);
    const after = await h.dialogue(id);
    expect(after.state).toBe('intro_booked');
    expect(after.waitingForBooking).toBeFalsy();
    const booking = after.mails.filter((m: { step: string }) => m.step.startsWith('meeting-') && m.step.endsWith('-request'));
    expect(booking.map((m: { email: string }) => m.email).toSorted()).toEqual(contacts.toSorted());
    expect(booking.every((m: { status: string }) => m.status === 'sent')).toBe(true);
    const offerSteps = after.mails.filter((m: { step: string }) => m.step.startsWith('offer-intro-1-1'));
    expect(offerSteps).toHaveLength(contacts.length);
    // The restarted runtime sent nothing (the killed processes' mailboxes died with them).
    expect((await h.mailbox()).filter((m) => m.destination.to.some((a) => a.endsWith('norrvik.example.se')))).toHaveLength(0);
    // The clock kept its advance, and a tick now repeats nothing.
    await h.advance('PT10M');
    expect((await h.dialogue(id)).mails).toHaveLength(after.mails.length);
  });
});
