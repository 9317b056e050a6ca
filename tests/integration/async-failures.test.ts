/**
 * What EventBridge and the scheduler invoke asynchronously, as Lambda treats it: a handler error is
 * retried as often as the function's async config says (infra/async-invocation.ts, the same config
 * the workflows stack deploys), then the event lands in the function's failure destination, from
 * which it can be replayed once the cause is fixed. Faults are injected into the runtime's adapters.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ASYNC_INVOCATION } from '#infra/async-invocation.ts';
import { Harness, organiser } from '../support/local.ts';

let h: Harness;
beforeEach(async () => {
  h = new Harness();
  await h.start();
  await h.clearMailbox();
  await h.api('POST', '/api/organisers', organiser({ contacts: [{ role: 'board', name: 'Nämnden', email: 'namnd@asynk.example.se' }] }));
});
afterEach(async () => {
  await h.close();
});

/** Makes recording a delivery status fail `times` times (Infinity: until restored), as a DynamoDB outage would. */
function failDeliveryRecording(times: number) {
  const real = h.runtime.deps.mailLog.markDelivery.bind(h.runtime.deps.mailLog);
  let calls = 0;
  h.runtime.deps.mailLog.markDelivery = async (...args) => {
    if (++calls <= times)
      throw Object.assign(new Error('ProvisionedThroughputExceededException: the table is throttled'), { name: 'TransientError' });
    return real(...args);
  };
  return { calls: () => calls, restore: () => Object.assign(h.runtime.deps.mailLog, { markDelivery: real }) };
}

const bounce = (id: string) => h.api('POST', '/api/dev/ses-event', { dialogueId: id, email: 'namnd@asynk.example.se', type: 'bounce' });
const bounced = async (id: string) =>
  (await h.dialogue(id)).mails.find((m: { email: string }) => m.email === 'namnd@asynk.example.se')?.delivery?.outcome;

describe('an SES event whose handler fails', () => {
  it('is retried as Lambda retries it, then lands in the failure destination; replayed later, the bounce is recorded once', async () => {
    // Prepare
    const id = await h.invite('testkommun');
    const fault = failDeliveryRecording(Number.POSITIVE_INFINITY);

    // Act
    const r = await bounce(id);

    // Assess: 1 attempt + Lambda's retries, then the failure destination holds the event
    const attempts = 1 + ASYNC_INVOCATION.sesEvents.retryAttempts;
    expect(r.status).toBe(502);
    expect(r.json).toMatchObject({ error: 'delivery_failed', attempts });
    expect(fault.calls()).toBe(attempts);
    const [record, ...more] = h.runtime.async.failures('ses-events');
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: attempts },
      responseContext: { functionError: 'Unhandled' },
      responsePayload: { errorType: 'TransientError', errorMessage: expect.stringContaining('throttled') },
      requestPayload: { source: 'aws.ses', detail: { eventType: 'Bounce', mail: { tags: { dialogue: [id] } } } },
    });
    expect(await bounced(id)).toBeUndefined();
    expect((await h.api('GET', '/api/dev/failed-events')).json['ses-events']).toHaveLength(1);

    // Act: the cause is fixed; the operator replays what the destination holds and empties it
    fault.restore();
    const { handler } = await import('#functions/ses-events.ts');
    for (const failed of h.runtime.async.failures('ses-events')) await handler(failed.requestPayload as never, {} as never);
    h.runtime.async.purge('ses-events');

    // Assess
    expect(await bounced(id)).toBe('bounced');
    expect(h.runtime.async.failures('ses-events')).toEqual([]);
    expect((await h.dialogue(id)).history.filter((e: { type: string }) => e.type === 'mail_bounced')).toHaveLength(1);
  });

  it('that succeeds within Lambda’s retries is recorded, and nothing is left in the failure destination', async () => {
    // Prepare
    const id = await h.invite('testkommun');
    failDeliveryRecording(ASYNC_INVOCATION.sesEvents.retryAttempts);

    // Act
    const r = await bounce(id);

    // Assess
    expect(r.status).toBe(200);
    expect(r.json.attempts).toBe(1 + ASYNC_INVOCATION.sesEvents.retryAttempts);
    expect(await bounced(id)).toBe('bounced');
    expect(h.runtime.async.failures('ses-events')).toEqual([]);
  });

  it('keeps the failure destination across a restart', async () => {
    // Prepare
    const id = await h.invite('testkommun');
    failDeliveryRecording(Number.POSITIVE_INFINITY);
    await bounce(id);

    // Act
    await h.restart();

    // Assess
    expect(h.runtime.async.failures('ses-events')).toHaveLength(1);
  });
});

describe('a timer tick whose handler fails', () => {
  it('is not retried by Lambda (the next tick is the retry) and is recorded in its failure destination', async () => {
    // Prepare
    const real = h.runtime.deps.dialogues.listDue.bind(h.runtime.deps.dialogues);
    let calls = 0;
    h.runtime.deps.dialogues.listDue = async () => {
      calls++;
      throw new Error('the table is unavailable');
    };

    // Act
    const tick = h.runtime.tick();

    // Assess
    await expect(tick).rejects.toThrow('the table is unavailable');
    expect(ASYNC_INVOCATION.timerTick.retryAttempts).toBe(0);
    expect(calls).toBe(1);
    expect(h.runtime.async.failures('timer-tick')).toMatchObject([{ requestContext: { approximateInvokeCount: 1 }, requestPayload: {} }]);
    h.runtime.deps.dialogues.listDue = real;
    await expect(h.runtime.tick()).resolves.toMatchObject({ failed: [] });
  });
});
