import { describe, expect, it } from 'vitest';
import {
  answerFormSchema,
  answerWaitTimeoutSeconds,
  assertTransition,
  daysUntilEscalation,
  dialogueStates,
  invitationSettingsSchema,
  nextTimerAfter,
  transitions,
} from '#core/dialogue.ts';
import { InvalidTransitionError } from '#core/errors.ts';

describe('dialogue transitions', () => {
  it('allows only the transitions in the table', () => {
    for (const from of dialogueStates) {
      for (const to of dialogueStates) {
        const allowed = transitions[from].includes(to);
        if (allowed) expect(() => assertTransition(from, to)).not.toThrow();
        else expect(() => assertTransition(from, to)).toThrow(InvalidTransitionError);
      }
    }
  });

  it('names both states in the error', () => {
    expect(() => assertTransition('declined', 'accepted')).toThrow("A dialogue in state 'declined' cannot move to 'accepted'");
  });

  it('has a terminal decline; accepted leads only into the intro phase', () => {
    expect(transitions.accepted).toEqual(['intro_offered', 'cancelled']);
    expect(transitions.declined).toEqual([]);
  });

  it('lets the coordinator invite again, or register the answer given another way, when nobody answered', () => {
    expect(transitions.no_answer).toEqual(['invited', 'accepted', 'declined']);
  });
});

describe('invitation timers', () => {
  const s = invitationSettingsSchema.parse({});

  it('reminds after 7 and 14 days and escalates after 21 by default', () => {
    const t0 = new Date('2026-03-02T08:00:00Z');
    const first = nextTimerAfter(0, t0, s);
    expect(first).toEqual({ kind: 'reminder', at: new Date('2026-03-09T08:00:00Z') });
    const second = nextTimerAfter(1, first.at, s);
    expect(second).toEqual({ kind: 'reminder', at: new Date('2026-03-16T08:00:00Z') });
    expect(nextTimerAfter(2, second.at, s)).toEqual({ kind: 'escalate', at: new Date('2026-03-23T08:00:00Z') });
    expect(daysUntilEscalation(s)).toBe(21);
  });

  it('escalates directly when no reminders are configured', () => {
    const none = invitationSettingsSchema.parse({ maxReminders: 0, escalateAfterDays: 10 });
    expect(nextTimerAfter(0, new Date('2026-03-02T00:00:00Z'), none).kind).toBe('escalate');
  });

  it("keeps the workflow's safety-net time-out after the escalation and under 24 days", () => {
    expect(answerWaitTimeoutSeconds(s)).toBeGreaterThan(daysUntilEscalation(s) * 86_400);
    expect(answerWaitTimeoutSeconds(s) * 1000).toBeLessThan(2 ** 31 - 1);
  });

  it('rejects settings that would overflow the local timer or outlive the links', () => {
    expect(invitationSettingsSchema.safeParse({ reminderAfterDays: 10, maxReminders: 2, escalateAfterDays: 10 }).success).toBe(false);
    expect(invitationSettingsSchema.safeParse({ linkValidDays: 14 }).success).toBe(false);
  });
});

describe('answer form', () => {
  it('accepts accept, and decline with a reason', () => {
    expect(answerFormSchema.parse({ answer: 'accept' })).toEqual({ answer: 'accept' });
    expect(answerFormSchema.parse({ answer: 'decline', reason: 'time', comment: ' Nästa år ' })).toEqual({
      answer: 'decline',
      reason: 'time',
      comment: 'Nästa år',
    });
  });

  it('requires a reason to decline, in Swedish', () => {
    const r = answerFormSchema.safeParse({ answer: 'decline' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('Välj ett skäl till att ni tackar nej.');
  });
});

describe('ended states', () => {
  it('are exactly the states with no transition out, and no answer (which the coordinator may reopen)', async () => {
    const { dialogueStates, endedStates, isTerminal, transitions } = await import('#core/dialogue.ts');
    expect([...endedStates].sort()).toEqual([...dialogueStates.filter(isTerminal), 'no_answer'].sort());
    expect(transitions.no_answer).toEqual(['invited', 'accepted', 'declined']);
  });
});
