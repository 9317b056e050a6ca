/**
 * The steps that hand out a task token (`Send invitations and await answer`, `Offer times and
 * await booking`) retry like every other step: DynamoDB throttles the write that stores the token
 * (the one that records the invitation or the offer; a ProvisionedThroughputExceededException
 * raised in the SDK client's own middleware stack, so the repository and the Lambda entry see it
 * as they would from AWS); the real state machine in the local runner retries the step with a new
 * token, nothing is mailed twice, and the answer or booking from the mailed link still completes it.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackDialogue } from '#adapters/dialogue-item.ts';
import { phaseExecutionName } from '#adapters/workflow-client.ts';
import { addFacilitators } from '../support/facilitators.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
const BOARD = 'namnden@strypt.example.se';

beforeAll(async () => {
  await h.start({ seed: false, retryIntervalOverrides: { 'Send invitations and await answer': 20, 'Offer times and await booking': 20 } });
  await addFacilitators(h, ['sv-anna', 'sp-david']);
  const r = await h.api(
    'POST',
    '/api/organisers',
    organiser({ id: 'strypt-kommun', orgNumber: '212000-5001', contacts: [{ role: 'board', name: 'Nämnden', email: BOARD }] }),
  );
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await h.close();
});

/**
 * Throttles the first `times` writes of the dialogue item that store a new task token (the local
 * runner's tokens start with "local-"): DynamoDB's answer when a table is over its throughput.
 */
function throttleTokenWrites(
  dialogueId: string,
  times: number,
  tokenField: 'waitToken' | 'token',
): { throttled: () => number; tokens: string[] } {
  const doc = (h.runtime.deps.dialogues as unknown as { doc: DynamoDBDocumentClient }).doc;
  let throttled = 0;
  const tokens: string[] = [];
  const name = `throttle-${tokenField}-${dialogueId}`;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Item?: Record<string, unknown> };
      // The dialogue as the write stores it (its meeting step is packed).
      const item = input.Item ? unpackDialogue(input.Item) : undefined;
      const token = tokenField === 'waitToken' ? item?.waitToken : item?.phase?.token;
      if (
        throttled < times &&
        /^Put(Item)?Command$/.test(context.commandName ?? '') &&
        item?.id === dialogueId &&
        String(token).startsWith('local-')
      ) {
        throttled++;
        tokens.push(String(token));
        throw new ProvisionedThroughputExceededException({
          message:
            'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level.',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name, override: true },
  );
  return { throttled: () => throttled, tokens };
}

/** The token the execution's wait holds now, and the one stored on the record. */
async function tokens(executionName: string, dialogueId: string, tokenField: 'waitToken' | 'token') {
  const pending = h.runtime.sfn.list().find((r) => r.name === executionName)?.pendingTask?.token;
  const x = await h.runtime.deps.dialogues.get(dialogueId);
  return { pending, stored: tokenField === 'waitToken' ? x?.waitToken : x?.phase?.token };
}

const journal = (name: string) => h.runtime.sfn.list().find((r) => r.name === name)?.events ?? [];

describe('a throttled wait step', () => {
  let id: string;

  it('Send invitations and await answer: retries, the dialogue stays invited, and the answer completes the wait', async () => {
    // Prepare: the next dialogue's token write is throttled twice
    const created = await h.api('POST', '/api/dialogues', { organiserId: 'strypt-kommun' });
    expect(created.status).toBe(201);
    id = created.json.id;
    const fault = throttleTokenWrites(id, 2, 'waitToken');

    // Act
    const waited = await h.waitForWorkflow(id, (e) => e.type === 'TaskWaiting' || e.state === 'Mark failed');
    expect(waited.type).toBe('TaskWaiting');

    // Assess: two retries of the wait, each with a new token; the newest is stored; no failure; the record waits for its answer
    expect(fault.throttled()).toBe(2);
    const held = await tokens(`${id}-invitation`, id, 'waitToken');
    expect(held.stored).toBe(held.pending);
    expect(new Set([...fault.tokens, held.stored]).size).toBe(3);
    const events = journal(`${id}-invitation`);
    expect(events.filter((e) => e.type === 'StateRetried' && e.state === 'Send invitations and await answer')).toHaveLength(2);
    expect(events.map((e) => e.state)).not.toContain('Mark failed');
    const d = await h.dialogue(id);
    expect(d.state).toBe('invited');
    expect(d.waitingForAnswer).toBe(true);
    expect(d.history.map((e: { type: string }) => e.type)).not.toContain('failed');

    // Act: the organiser answers from the mailed link
    const link = h.linkIn((await h.mailTo(BOARD)).find((m) => m.subject.startsWith('Erbjudande'))!);
    expect((await h.page(link, { answer: 'accept' })).status).toBe(200);

    // Assess
    const done = await h.execution(id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.events.map((e) => e.state)).toContain('Accepted');
    expect(await h.mailTo(BOARD)).toHaveLength(1);
  });

  it('Offer times and await booking: retries, the offer stays open, and the pick from the mailed link books it', async () => {
    // Prepare
    const fault = throttleTokenWrites(id, 2, 'token');

    // Act: the tick starts the intro phase; its wait's token write is throttled twice
    expect((await h.advance('PT10M')).status).toBe(200);
    const waited = await h.runtime.sfn.waitForEvent(
      phaseExecutionName(id, 'intro', 1),
      (e) => e.type === 'TaskWaiting' || e.state === 'Record failure',
    );
    expect(waited.type).toBe('TaskWaiting');

    // Assess: as above, the newest of three tokens stored with the offer
    expect(fault.throttled()).toBe(2);
    const held = await tokens(phaseExecutionName(id, 'intro', 1), id, 'token');
    expect(held.stored).toBe(held.pending);
    expect(new Set([...fault.tokens, held.stored]).size).toBe(3);
    const events = journal(phaseExecutionName(id, 'intro', 1));
    expect(events.filter((e) => e.type === 'StateRetried' && e.state === 'Offer times and await booking')).toHaveLength(2);
    expect(events.map((e) => e.state)).not.toContain('Record failure');
    const d = await h.dialogue(id);
    expect(d.state).toBe('intro_offered');
    expect(d.phase.offer.status).toBe('open');
    expect(d.phase.failure).toBeUndefined();

    // Act
    const offer = (await h.mailTo(BOARD)).find((m) => m.subject.startsWith('Välj tid för introduktionsmöte'));
    expect((await h.page(h.linkIn(offer!), { choice: '0' })).status).toBe(200);

    // Assess
    const arn = h.runtime.sfn.list().find((r) => r.name === phaseExecutionName(id, 'intro', 1))?.executionArn as string;
    expect((await h.runtime.sfn.settled(arn)).status).toBe('SUCCEEDED');
    expect((await h.dialogue(id)).state).toBe('intro_booked');
    expect((await h.mailTo(BOARD)).filter((m) => m.subject.startsWith('Välj tid för introduktionsmöte'))).toHaveLength(1);
  });
});
