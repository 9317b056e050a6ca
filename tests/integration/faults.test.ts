/**
 * Fault injection on the real local runtime: SES throttling, and a send attempt that dies between
 * SES accepting the mail and the record of it. Nothing is sent twice; nothing is lost.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingMail } from '#core/ports.ts';
import { TransientError } from '#adapters/transient.ts';
import { Harness, organiser } from '../support/local.ts';

let h: Harness;
beforeEach(async () => {
  h = new Harness();
  await h.start({ retryIntervalOverrides: { 'Send invitations and await answer': 20 } });
  await h.clearMailbox();
  await h.api(
    'POST',
    '/api/organisers',
    organiser({
      contacts: [
        { role: 'board', name: 'Nämnden', email: 'fel1@testvik.example.se' },
        { role: 'school_chief', name: 'Chefen', email: 'fel2@testvik.example.se' },
      ],
    }),
  );
});
afterEach(async () => {
  await h.close();
});

/** Replaces the runtime's mailer with one that misbehaves as `fault` says for each call. */
function injectMailerFault(
  fault: (call: number, mail: OutgoingMail, send: () => Promise<{ providerMessageId: string }>) => Promise<{ providerMessageId: string }>,
) {
  const real = h.runtime.deps.mailer;
  let calls = 0;
  h.runtime.deps.mailer = { send: (mail) => fault(++calls, mail, () => real.send(mail)) };
}

/** The execution's journal so far (without waiting for it to finish). */
const journal = (id: string) => h.runtime.sfn.list().find((r) => r.name.startsWith(id))?.events ?? [];

describe('faults while sending', () => {
  it('retries SES throttling with back-off; every recipient gets exactly one mail', async () => {
    injectMailerFault(async (call, _mail, send) => {
      if (call <= 3) throw new TransientError('SES did not accept the mail (TooManyRequestsException); will retry');
      return send();
    });

    const id = await h.invite('testkommun');

    expect((await h.mailTo('fel1@testvik.example.se')).map((m) => m.subject)).toHaveLength(1);
    expect(await h.mailTo('fel2@testvik.example.se')).toHaveLength(1);
    const d = await h.dialogue(id);
    expect(d.state).toBe('invited');
    expect(d.mails.map((m: { status: string }) => m.status)).toEqual(['sent', 'sent']);
    expect(journal(id).filter((e) => e.type === 'StateRetried').length).toBeGreaterThanOrEqual(1);
  });

  it('a send attempt that dies after SES accepted the mail is never re-sent; the dialogue carries on', async () => {
    // The attempt dies between SES accepting the step's mails and the write that records them.
    h.runtime.deps.sendLeaseMs = 100;
    const log = h.runtime.deps.mailLog;
    const settle = log.settle.bind(log);
    let calls = 0;
    log.settle = async (...args: Parameters<typeof settle>) => {
      if (++calls === 1) throw Object.assign(new Error('Task timed out after 30.00 seconds'), { name: 'Sandbox.Timedout' });
      return settle(...args);
    };

    const id = await h.invite('testkommun');

    // Exactly one mail each: the dead attempt's mails were not sent again (both were claimed by it).
    expect(await h.mailTo('fel1@testvik.example.se')).toHaveLength(1);
    expect(await h.mailTo('fel2@testvik.example.se')).toHaveLength(1);
    const d = await h.dialogue(id);
    expect(d.state).toBe('invited');
    expect(d.mails.map((m: { status: string }) => m.status).sort()).toEqual(['unconfirmed', 'unconfirmed']);
    expect(d.history.map((e: { type: string }) => e.type)).toContain('mail_unconfirmed');
    expect(journal(id).map((e) => `${e.type}:${e.state}`)).toContain('StateRetried:Send invitations and await answer');

    // The mail that did go out still works, and the answer completes the workflow.
    const receipt = await h.page(h.linkIn((await h.mailTo('fel1@testvik.example.se'))[0]!), { answer: 'accept' });
    expect(receipt.html).toContain('har tackat ja');
    expect((await h.execution(id)).status).toBe('SUCCEEDED');
  });
});
