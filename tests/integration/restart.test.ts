/**
 * Restarts while a dialogue waits for its answer: a graceful stop, and a SIGKILL of `npm start`.
 * The dialogue record and the execution journal survive; the answer still completes the wait.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, organiser } from '../support/local.ts';
import { START_COORDINATOR_TOKEN, type StartedApp, spawnNpmStart } from '../support/npm-start.ts';

let h: Harness;
let child: StartedApp | undefined;
afterEach(async () => {
  await child?.kill();
  await h.close();
});

describe('restart while waiting for an answer', () => {
  it('a graceful restart resumes the execution, and the answer completes it', async () => {
    h = new Harness();
    await h.start();
    await h.api(
      'POST',
      '/api/organisers',
      organiser({ contacts: [{ role: 'board', name: 'Nämnden', email: 'omstart@testvik.example.se' }] }),
    );
    const id = await h.invite('testkommun');
    const link = h.linkIn((await h.mailTo('omstart@testvik.example.se'))[0]!);

    await h.restart();
    expect(h.runtime.resumed).toBe(1);
    const receipt = await h.page(link.replace(/^http:\/\/127\.0\.0\.1:\d+/, h.runtime.urls.app), { answer: 'accept' });

    expect(receipt.html).toContain('har tackat ja');
    expect((await h.dialogue(id)).state).toBe('accepted');
    const execution = await h.execution(id);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.events.map((e) => e.type)).toContain('ExecutionResumed');
    // aws-ses-v2-local's store lives in this test process across the restart: still one mail.
    expect(await h.mailTo('omstart@testvik.example.se')).toHaveLength(1);
    expect((await h.dialogue(id)).mails).toHaveLength(1);
  });

  it('after SIGKILL of `npm start` mid-wait, a new start accepts the answer; nothing is sent twice', async () => {
    h = new Harness();
    child = await spawnNpmStart(h.dataDir);
    const base = child.base;
    const auth = { authorization: `Bearer ${START_COORDINATOR_TOKEN}`, 'content-type': 'application/json' };
    const created = (await (
      await fetch(`${base}/api/dialogues`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ organiserId: 'solrosens-forskola-ab' }),
      })
    ).json()) as { id: string };
    // The child is another process: its workflow events cannot be awaited, so poll with a deadline.
    const deadline = Date.now() + 20_000;
    let d: { waitingForAnswer?: boolean } = {};
    while (!d.waitingForAnswer && Date.now() < deadline) {
      d = (await (await fetch(`${base}/api/dialogues/${created.id}`, { headers: auth })).json()) as typeof d;
      if (!d.waitingForAnswer) await new Promise((r) => setTimeout(r, 100));
    }
    expect(d.waitingForAnswer).toBe(true);
    const mails = ((await (await fetch(`${child.ses}/store`)).json()) as { emails: { body: { text: string } }[] }).emails;
    const linkPath = /\/r\/\S+/.exec(mails[0]!.body.text)![0];

    await child.kill();
    await h.start();
    expect(h.runtime.resumed).toBe(1);
    const receipt = await h.page(`${h.runtime.urls.app}${linkPath}`, { answer: 'decline', reason: 'time' });

    expect(receipt.html).toContain('har tackat nej');
    const after = await h.dialogue(created.id);
    expect(after.state).toBe('declined');
    expect(after.mails.map((m: { step: string }) => m.step)).toEqual(['invitation', 'invitation']);
    expect((await h.execution(created.id)).status).toBe('SUCCEEDED');
    // Nothing was mailed by the restarted runtime (the killed process's mailbox died with it).
    expect((await h.mailbox()).filter((m) => m.destination.to.some((a) => a.endsWith('solrosen.example.se')))).toHaveLength(0);
  });
});
