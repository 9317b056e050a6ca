/**
 * The lifecycle's pure parts: every phase's states are joined by allowed transitions, the booking
 * outcome a waiting task gets from the record, and the meeting-phase state machine itself,
 * executed with aws-local-stepfunctions and stubbed tasks.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { assertTransition, type Dialogue, type PhaseMeetingKind, transitions } from '#core/dialogue.ts';
import { bookingOutcome, kindBookedIn, kindOfferedIn, phaseStates } from '#functions/use-cases/lifecycle/phase.ts';
import { renderLocalDefinitions } from '#workflows/index.ts';

const kinds = Object.keys(phaseStates) as PhaseMeetingKind[];

const dialogue = (over: Partial<Dialogue>): Dialogue =>
  ({
    id: 'dlg-1',
    state: 'intro_offered',
    phase: { kind: 'intro', round: 1, offer: { no: 1, slots: [], sentAt: '', status: 'open', offeredDays: [], offeredSessions: [] } },
    history: [],
    ...over,
  }) as Dialogue;

describe('phase states', () => {
  it.each(kinds)('%s: from → offered → booked → held, and a cancelled booking goes back to offered', (kind) => {
    const s = phaseStates[kind];
    expect(() => assertTransition(s.from, s.offered)).not.toThrow();
    expect(() => assertTransition(s.offered, s.booked)).not.toThrow();
    expect(() => assertTransition(s.booked, s.held)).not.toThrow();
    expect(() => assertTransition(s.booked, s.offered)).not.toThrow();
    expect(kindOfferedIn(s.offered)).toBe(kind);
    expect(kindBookedIn(s.booked)).toBe(kind);
  });

  it('chains the phases: each held state leads (through material, notes or the due-date) to the next from-state', () => {
    expect(transitions.intro_held).toContain('material_sent');
    expect(phaseStates.pre_meeting.from).toBe('material_sent');
    expect(phaseStates.dialogue.from).toBe('premeeting_held');
    expect(transitions.dialogue_held).toContain('notes_registered');
    expect(phaseStates.feedback.from).toBe('notes_registered');
    expect(transitions.feedback_held).toContain('follow_up_due');
    expect(phaseStates.follow_up.from).toBe('follow_up_due');
    expect(transitions.follow_up_held).toEqual(['closed']);
    expect(transitions.premeeting_offered).toContain('stopped_after_intro');
  });
});

describe('bookingOutcome', () => {
  it('waits while the offer is open', () => {
    expect(bookingOutcome(dialogue({}), 'intro', 1)).toBeUndefined();
  });

  it('reads booked, other times, hand-over and the end from the record', () => {
    expect(bookingOutcome(dialogue({ state: 'intro_booked' }), 'intro', 1)).toBe('booked');
    expect(bookingOutcome(dialogue({ state: 'material_sent' }), 'intro', 1)).toBe('booked');
    const other = dialogue({});
    other.phase!.offer!.status = 'other_times';
    expect(bookingOutcome(other, 'intro', 1)).toBe('other_times');
    const escalated = dialogue({});
    escalated.phase!.offer!.status = 'escalated';
    expect(bookingOutcome(escalated, 'intro', 1)).toBe('escalated');
    expect(bookingOutcome(dialogue({ state: 'stopped_after_intro' }), 'intro', 1)).toBe('closed');
  });

  it('ends a stale execution (another round or phase is under way)', () => {
    expect(bookingOutcome(dialogue({}), 'intro', 2)).toBe('closed');
    expect(bookingOutcome(dialogue({}), 'feedback', 1)).toBe('closed');
  });
});

describe('meeting-phase state machine (executed)', () => {
  const definition = renderLocalDefinitions().meeting;
  /** `outcomes`: what completes each offer's wait in turn (the step's own 'nothing_offered' included). */
  const run = async (outcomes: string[]) => {
    const calls: string[] = [];
    const handler = async (input: unknown) => {
      // Steps call the function directly (payload only); the callback goes through lambda:invoke.
      const { task } = ((input as { Payload?: unknown }).Payload ?? input) as { task: string };
      calls.push(task);
      if (task === 'offerAndAwaitBooking') return { outcome: outcomes.shift() };
      return {};
    };
    const sm = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    const states = definition.States as Record<string, { Type: string }>;
    const overrides = Object.fromEntries(
      Object.entries(states)
        .filter(([, s]) => s.Type === 'Task')
        .map(([name]) => [name, handler]),
    );
    const execution = sm.run(
      { dialogueId: 'dlg-1', kind: 'dialogue', round: 1 } as never,
      {
        overrides: { taskResourceLocalHandlers: overrides },
        context: { Task: { Token: 'token' } },
      } as never,
    );
    const entered: string[] = [];
    const log = (async () => {
      for await (const ev of execution.eventLogs as AsyncIterable<{ type: string; state?: { name: string } }>) {
        if (ev.type === 'StateEntered' && ev.state) entered.push(ev.state.name);
      }
    })();
    await execution.result;
    await log;
    return { calls, entered };
  };

  it('offers and waits in one task, and ends when booked', async () => {
    const { calls, entered } = await run(['booked']);
    expect(calls).toEqual(['offerAndAwaitBooking']);
    expect(entered).toEqual(['Offer times and await booking', 'Route booking', 'Booked']);
  });

  it('loops to a new offer when the organiser asks for other times', async () => {
    const { calls, entered } = await run(['other_times', 'booked']);
    expect(calls).toEqual(['offerAndAwaitBooking', 'offerAndAwaitBooking']);
    expect(entered.at(-1)).toBe('Booked');
  });

  it('hands over to the coordinator when nothing fits, and when the scheduler escalates', async () => {
    expect((await run(['nothing_offered'])).entered.slice(-2)).toEqual(['Hand over to coordinator', 'Coordinator takes over']);
    expect((await run(['escalated'])).entered.at(-1)).toBe('Coordinator takes over');
  });

  it('bounds the booking wait with a time-out under the local runner’s 24.8-day limit', () => {
    const wait = (definition.States as Record<string, { TimeoutSeconds?: number }>)['Offer times and await booking'];
    expect(wait?.TimeoutSeconds).toBeGreaterThan(14 * 86_400);
    expect(wait?.TimeoutSeconds).toBeLessThan(24.8 * 86_400);
  });
});
