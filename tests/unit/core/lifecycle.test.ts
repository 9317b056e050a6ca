import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  type DialogueState,
  dialogueStates,
  type HistoryEntry,
  hasAccepted,
  isAnswered,
  isTerminal,
  phaseOfState,
  timeline,
  transitions,
} from '#core/dialogue.ts';
import { InvalidTransitionError } from '#core/errors.ts';

const happyPath: DialogueState[] = [
  'created',
  'invited',
  'accepted',
  'intro_offered',
  'intro_booked',
  'intro_held',
  'material_sent',
  'premeeting_offered',
  'premeeting_booked',
  'premeeting_held',
  'dialogue_offered',
  'dialogue_booked',
  'dialogue_held',
  'notes_registered',
  'feedback_offered',
  'feedback_booked',
  'feedback_held',
  'follow_up_due',
  'follow_up_offered',
  'follow_up_booked',
  'follow_up_held',
  'closed',
];

describe('dialogue lifecycle', () => {
  it('walks from created to closed through every phase with allowed transitions only', () => {
    for (let i = 1; i < happyPath.length; i++) expect(() => assertTransition(happyPath[i - 1]!, happyPath[i]!)).not.toThrow();
  });

  it('reaches every state from created, and every state can reach an end', () => {
    const reachable = new Set<DialogueState>(['created']);
    const queue: DialogueState[] = ['created'];
    while (queue.length) for (const next of transitions[queue.shift()!]) if (!reachable.has(next) && reachable.add(next)) queue.push(next);
    expect([...reachable].sort()).toEqual([...dialogueStates].sort());
    const canEnd = (s: DialogueState, seen = new Set<DialogueState>()): boolean =>
      isTerminal(s) || transitions[s].some((n) => !seen.has(n) && canEnd(n, new Set([...seen, s])));
    for (const s of dialogueStates) expect(canEnd(s), s).toBe(true);
  });

  it('lets the organiser stop after the intro, and a cancelled meeting go back to offered', () => {
    expect(() => assertTransition('intro_held', 'stopped_after_intro')).not.toThrow();
    expect(() => assertTransition('material_sent', 'stopped_after_intro')).not.toThrow();
    expect(isTerminal('stopped_after_intro')).toBe(true);
    for (const p of ['intro', 'premeeting', 'dialogue', 'feedback', 'follow_up'] as const) {
      expect(transitions[`${p}_booked`]).toContain(`${p}_offered`);
    }
  });

  it('rejects skipping a phase or going back with a clear error', () => {
    expect(() => assertTransition('intro_booked', 'premeeting_offered')).toThrow(InvalidTransitionError);
    expect(() => assertTransition('accepted', 'dialogue_booked')).toThrow(
      "A dialogue in state 'accepted' cannot move to 'dialogue_booked'",
    );
    expect(() => assertTransition('closed', 'intro_offered')).toThrow("A dialogue in state 'closed' cannot move to 'intro_offered'");
    expect(() => assertTransition('dialogue_held', 'feedback_offered')).toThrow(InvalidTransitionError);
  });

  it('counts every state after acceptance as answered-and-accepted for the invitation phase', () => {
    for (const s of happyPath.slice(2)) {
      expect(hasAccepted({ state: s }), s).toBe(true);
      expect(isAnswered({ state: s }), s).toBe(true);
    }
    for (const s of ['created', 'invited', 'declined', 'no_answer', 'failed'] as const) expect(hasAccepted({ state: s })).toBe(false);
  });

  it('builds the timeline of phases from the history', () => {
    const at = (day: number) => `2026-03-${String(day).padStart(2, '0')}T08:00:00.000Z`;
    const history: HistoryEntry[] = [
      { at: at(1), type: 'created', state: 'created' },
      { at: at(1), type: 'invitation_sent', state: 'invited' },
      { at: at(3), type: 'answered', state: 'accepted' },
      { at: at(4), type: 'slots_proposed', state: 'intro_offered' },
      { at: at(5), type: 'meeting_booked', state: 'intro_booked' },
      { at: at(6), type: 'meeting_rescheduled' },
      { at: at(12), type: 'phase_changed', state: 'intro_held' },
      { at: at(13), type: 'material_sent', state: 'material_sent' },
    ];
    expect(timeline({ history })).toEqual([
      {
        phase: 'invitation',
        enteredAt: at(1),
        leftAt: at(4),
        states: [
          { state: 'created', at: at(1) },
          { state: 'invited', at: at(1) },
          { state: 'accepted', at: at(3) },
        ],
      },
      {
        phase: 'intro',
        enteredAt: at(4),
        leftAt: at(13),
        states: [
          { state: 'intro_offered', at: at(4) },
          { state: 'intro_booked', at: at(5) },
          { state: 'intro_held', at: at(12) },
        ],
      },
      { phase: 'material', enteredAt: at(13), states: [{ state: 'material_sent', at: at(13) }] },
    ]);
    expect(phaseOfState.closed).toBe('end');
  });
});
