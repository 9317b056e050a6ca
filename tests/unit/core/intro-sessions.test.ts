import { describe, expect, it } from 'vitest';
import { introSessionInputSchema, joinIntroSession, newIntroSession, sessionsToOffer } from '#core/intro-sessions.ts';

const now = new Date('2026-03-01T08:00:00Z');
const make = (id: string, over: Record<string, unknown> = {}) =>
  newIntroSession(
    id,
    introSessionInputSchema.parse({
      region: 'mitt',
      start: '2026-03-12T09:00:00+01:00',
      videoLink: 'https://video.example.se/a',
      pair: { skolverket: 'sv-anna', spsm: 'sp-david' },
      ...over,
    }),
    now,
  );

describe('intro sessions', () => {
  it('defaults to 90 minutes, 8 organisers, any audience', () => {
    const s = make('i1');
    expect(s).toMatchObject({
      start: '2026-03-12T08:00:00.000Z',
      end: '2026-03-12T09:30:00.000Z',
      capacity: 8,
      audience: 'any',
      status: 'open',
    });
  });

  it('offers open sessions with room in the organiser’s region and audience, earliest first', () => {
    const sessions = [
      make('late', { start: '2026-03-20T09:00:00+01:00' }),
      make('early'),
      make('other-region', { region: 'syd' }),
      make('private-only', { audience: 'private' }),
      make('preschool', { audience: 'preschool_only' }),
      { ...make('full', { capacity: 1 }), dialogueIds: ['d-x'] },
      { ...make('cancelled'), status: 'cancelled' as const },
      make('past', { start: '2026-02-20T09:00:00+01:00' }),
    ];
    const municipality = { region: 'mitt', municipal: true, preschoolOnly: false };
    const preschoolAb = { region: 'mitt', municipal: false, preschoolOnly: true };
    expect(sessionsToOffer(sessions, municipality, now).map((s) => s.id)).toEqual(['early', 'late']);
    expect(sessionsToOffer(sessions, preschoolAb, now).map((s) => s.id)).toEqual(['early', 'private-only', 'preschool', 'late']);
  });

  it('joins a dialogue once, up to capacity', () => {
    const s = make('i1', { capacity: 2 });
    const one = joinIntroSession(s, 'd-1', now)!;
    const two = joinIntroSession(one, 'd-2', now)!;
    expect(two.dialogueIds).toEqual(['d-1', 'd-2']);
    expect(joinIntroSession(one, 'd-1', now)).toBeUndefined();
    expect(joinIntroSession(two, 'd-3', now)).toBeUndefined();
    expect(joinIntroSession(s, 'd-1', new Date('2026-03-13T00:00:00Z'))).toBeUndefined();
  });

  it('rejects unknown fields, regions and plain-http links', () => {
    const ok = {
      region: 'mitt',
      start: '2026-03-12T09:00:00+01:00',
      videoLink: 'https://v.example.se',
      pair: { skolverket: 'sv-a1', spsm: 'sp-b1' },
    };
    expect(introSessionInputSchema.safeParse(ok).success).toBe(true);
    expect(introSessionInputSchema.safeParse({ ...ok, room: 'A1' }).success).toBe(false);
    expect(introSessionInputSchema.safeParse({ ...ok, region: 'lappland' }).success).toBe(false);
    expect(introSessionInputSchema.safeParse({ ...ok, videoLink: 'http://v.example.se' }).success).toBe(false);
  });
});
