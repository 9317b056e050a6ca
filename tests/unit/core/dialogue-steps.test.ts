import { describe, expect, it } from 'vitest';
import type { DialogueState, HistoryEntry } from '#core/dialogue.ts';
import { funnel, reachedSteps, stepsOf } from '#core/dialogue-steps.ts';

const h = (state: DialogueState, day: number): HistoryEntry => ({
  at: `2027-01-${String(day).padStart(2, '0')}T09:00:00.000Z`,
  type: 'phase_changed',
  state,
});

const through = (...states: DialogueState[]) => ({
  state: states.at(-1) as DialogueState,
  history: states.map((s, i) => h(s, i + 1)),
});

describe('the nine steps of one dialogue', () => {
  it('marks the steps done with their dates and the one under way as current', () => {
    // Prepare
    const x = through(
      'created',
      'invited',
      'accepted',
      'intro_offered',
      'intro_booked',
      'intro_held',
      'material_sent',
      'premeeting_offered',
    );
    // Act
    const v = stepsOf(x, new Map([['pre_meeting', '2027-02-01T09:00:00.000Z']]));
    // Assess
    expect(v.steps.map((s) => [s.label, s.status])).toEqual([
      ['Inbjudan', 'done'],
      ['Ja-svar', 'done'],
      ['Introduktion', 'done'],
      ['Analysunderlag', 'done'],
      ['Förmöte', 'current'],
      ['Dialogmöte', 'upcoming'],
      ['Återkoppling', 'upcoming'],
      ['Uppföljning', 'upcoming'],
      ['Avslutad', 'upcoming'],
    ]);
    expect(v.steps[2]?.at).toBe('2027-01-06T09:00:00.000Z');
    expect(v.steps[4]).toMatchObject({ at: '2027-02-01T09:00:00.000Z', detail: 'Tider är föreslagna' });
    expect(v.ending).toBeUndefined();
  });

  it('shows where a declined or stopped dialogue ended, and nothing after it as upcoming', () => {
    const declined = stepsOf(through('created', 'invited', 'declined'));
    expect(declined.steps.map((s) => s.status)).toEqual(['done', ...Array(8).fill('not_reached')]);
    expect(declined.ending).toBe('Huvudmannen tackade nej.');
    const stopped = stepsOf(
      through('created', 'invited', 'accepted', 'intro_offered', 'intro_booked', 'intro_held', 'material_sent', 'stopped_after_intro'),
    );
    expect(stopped.steps.filter((s) => s.status === 'done').map((s) => s.step)).toEqual(['invited', 'accepted', 'intro', 'material']);
    expect(stopped.current).toBeUndefined();
    expect(stopped.ending).toContain('avsluta efter introduktionen');
  });

  it('counts closed only after an acceptance', () => {
    expect(reachedSteps(through('created', 'invited', 'closed')).has('closed')).toBe(false);
    expect(stepsOf(through('created', 'invited', 'closed')).ending).toBe('Dialogen avslutades innan huvudmannen tackade ja.');
    const full = through(
      'created',
      'invited',
      'accepted',
      'intro_held',
      'material_sent',
      'premeeting_held',
      'dialogue_held',
      'notes_registered',
      'feedback_held',
      'follow_up_due',
      'follow_up_held',
      'closed',
    );
    expect(stepsOf(full).steps.every((s) => s.status === 'done')).toBe(true);
    expect(stepsOf(full).ending).toBeUndefined();
  });
});

describe('the funnel', () => {
  it('counts each dialogue once for every step it completed', () => {
    const rows = funnel([
      through('created', 'invited', 'declined'),
      through('created', 'invited', 'accepted', 'intro_offered'),
      through('created', 'invited', 'accepted', 'intro_held', 'material_sent', 'stopped_after_intro'),
      through('created'),
    ]);
    expect(rows.map((r) => [r.label, r.count])).toEqual([
      ['Inbjudan', 3],
      ['Ja-svar', 2],
      ['Introduktion', 1],
      ['Analysunderlag', 1],
      ['Förmöte', 0],
      ['Dialogmöte', 0],
      ['Återkoppling', 0],
      ['Uppföljning', 0],
      ['Avslutad', 0],
    ]);
  });
});
