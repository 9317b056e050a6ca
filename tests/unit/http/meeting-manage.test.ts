/** The participants an organiser types on the meeting page: "namn; e-post; roll" per line. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors.ts';
import { parseParticipants } from '#functions/http/organiser/meeting-manage.ts';

describe('parseParticipants', () => {
  it('reads "namn; e-post; roll" lines with Swedish role words', () => {
    expect(parseParticipants('Åsa Öberg; asa@x.example.se; Skolchef\n\n  Per Ek;per@x.example.se;lärare  ')).toEqual([
      { name: 'Åsa Öberg', email: 'asa@x.example.se', role: 'school_chief' },
      { name: 'Per Ek', email: 'per@x.example.se', role: 'teacher' },
    ]);
  });

  it('names the line with an unknown role', () => {
    expect(() => parseParticipants('A B; a@x.se; rektor\nC D; c@x.se; kock')).toThrow(ValidationError);
    expect(() => parseParticipants('A B; a@x.se; rektor\nC D; c@x.se; kock')).toThrow(/^Rad 2:/);
  });
});
