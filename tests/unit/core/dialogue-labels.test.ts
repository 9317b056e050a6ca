import { describe, expect, it } from 'vitest';
import { executionLabel, mailStepLabel } from '#core/dialogue-labels.ts';

describe('Swedish labels on the dialogue page', () => {
  it('names every mail step in Swedish, the meeting by its kind', () => {
    const kinds = { 'mtg-1': 'dialogue' as const };
    expect(mailStepLabel('invitation')).toBe('Inbjudan');
    expect(mailStepLabel('reminder-2')).toBe('Påminnelse 2 om inbjudan');
    expect(mailStepLabel('offer-intro-1-1')).toBe('Tidsförslag: introduktionsmöte');
    expect(mailStepLabel('offer-pre_meeting-2-3-reminder')).toBe('Påminnelse om tidsförslag: förmöte (omgång 2, förslag 3)');
    expect(mailStepLabel('handover-dialogue-1-1')).toBe('Till samordnaren: ingen tid bokad för dialogmöte');
    expect(mailStepLabel('meeting-mtg-1-0-request', kinds)).toBe('Kallelse: dialogmöte');
    expect(mailStepLabel('meeting-mtg-1-2-request', kinds)).toBe('Uppdaterad kallelse: dialogmöte (version 2)');
    expect(mailStepLabel('meeting-mtg-1-3-cancel', kinds)).toBe('Avbokning: dialogmöte');
    expect(mailStepLabel('conflict-0123456789ab')).toBe('Till samordnaren: krock med inspektion');
    expect(mailStepLabel('notes-reminder-mtg-1-2')).toBe('Påminnelse 2 om minnesanteckningar');
    expect(mailStepLabel('something-new')).toBe('something-new');
  });

  it('heads each execution in Swedish', () => {
    expect(executionLabel('dlg-1-invitation')).toBe('Inbjudan');
    expect(executionLabel('dlg-1-invitation-r1')).toBe('Inbjudan, försök 2');
    expect(executionLabel('dlg-1-pre_meeting-2')).toBe('Tidsbokning: förmöte, omgång 2');
  });
});
