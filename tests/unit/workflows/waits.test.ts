/**
 * The two steps that wait for a person (each also sends what the person answers), executed with
 * aws-local-stepfunctions: a transient failure of the step (storing its task token) is retried; the
 * wait's own time-out is not retried but goes on to the escalation or the hand-over, as before.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { renderLocalDefinitions } from '#workflows/index.ts';

const definitions = renderLocalDefinitions();
const named = (name: string) => Object.assign(new Error(name), { name });

/** Runs `phase` with every step answering `{}`, except the wait, which plays `waits` in turn. */
async function run(phase: 'invitation' | 'meeting', waits: (Error | Record<string, unknown>)[]) {
  const definition = definitions[phase];
  const states = definition.States as Record<string, { Type: string }>;
  const handler = async (input: unknown) => {
    const { task } = ((input as { Payload?: unknown }).Payload ?? input) as { task: string };
    if (task !== 'sendInvitationsAndAwaitAnswer' && task !== 'offerAndAwaitBooking') return {};
    const next = waits.shift();
    if (next instanceof Error) throw next;
    return next;
  };
  const overrides = Object.fromEntries(
    Object.entries(states)
      .filter(([, s]) => s.Type === 'Task')
      .map(([name]) => [name, handler]),
  );
  const wait = phase === 'invitation' ? 'Send invitations and await answer' : 'Offer times and await booking';
  const sm = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const execution = sm.run(
    (phase === 'invitation' ? { dialogueId: 'dlg-1' } : { dialogueId: 'dlg-1', kind: 'intro', round: 1 }) as never,
    {
      overrides: { taskResourceLocalHandlers: overrides, retryIntervalOverrides: { [wait]: 1 } },
      context: { Task: { Token: 'token' } },
    } as never,
  );
  const entered: string[] = [];
  let retries = 0;
  const log = (async () => {
    for await (const ev of execution.eventLogs as AsyncIterable<{ type: string; state?: { name: string } }>) {
      if (ev.type === 'StateEntered' && ev.state) entered.push(ev.state.name);
      if (ev.type === 'StateRetried' && ev.state?.name === wait) retries++;
    }
  })();
  await execution.result.catch(() => undefined);
  await log;
  return { entered, retries };
}

describe.each([
  {
    phase: 'invitation' as const,
    done: { outcome: 'accepted' },
    end: 'Accepted',
    timedOut: 'Escalate after time-out',
    failed: 'Mark failed',
  },
  { phase: 'meeting' as const, done: { outcome: 'booked' }, end: 'Booked', timedOut: 'Hand over to coordinator', failed: 'Record failure' },
])('the $phase phase’s wait', ({ phase, done, end, timedOut, failed }) => {
  it('retries a throttled or crashed attempt, then waits and ends as answered', async () => {
    // Act
    const { entered, retries } = await run(phase, [named('TransientError'), named('Lambda.TooManyRequestsException'), done]);

    // Assess
    expect(retries).toBe(2);
    expect(entered).not.toContain(failed);
    expect(entered.at(-1)).toBe(end);
  });

  it('does not retry its own time-out: nobody answered, which moves on at once', async () => {
    // Act
    const { entered, retries } = await run(phase, [named('States.Timeout'), done]);

    // Assess
    expect(retries).toBe(0);
    expect(entered).toContain(timedOut);
  });

  it('still fails the phase on an error that is not transient', async () => {
    // Act
    const { entered, retries } = await run(phase, [named('ValidationError'), done]);

    // Assess
    expect(retries).toBe(0);
    expect(entered).toContain(failed);
  });
});
