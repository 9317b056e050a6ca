/**
 * Group introduction meetings (introduktionsmöten): coordinators create digital sessions with a
 * date, a video link, a capacity, a region, an audience and a facilitator pair; accepted
 * organisers of the same region and a matching kind are offered the open sessions with room.
 */
import * as z from '#core/zod.ts';
import { type FacilitatorPair, pairSchema } from './facilitators.ts';
import { type RegionId, regions } from './regions.ts';

const regionIds = Object.keys(regions) as [RegionId, ...RegionId[]];

/** Which organisers a session is for: "similar kind" by how the organiser is run. */
export const introAudiences = ['any', 'municipal', 'private', 'preschool_only'] as const;
export type IntroAudience = (typeof introAudiences)[number];

export const introSessionInputSchema = z.strictObject({
  region: z.enum(regionIds, { message: `region must be one of ${regionIds.join(', ')}` }),
  start: z.iso.datetime({ offset: true, message: 'start must be an ISO date-time with offset, e.g. 2026-03-12T09:00:00+01:00' }),
  /** Minutes; an introduction is 60–120 minutes, 90 by default. */
  minutes: z._default(z.number().check(z.int(), z.gte(60), z.lte(120)), 90),
  videoLink: z.url({ protocol: /^https$/, message: 'videoLink must be an https URL' }),
  /** How many organisers may join. */
  capacity: z._default(z.number().check(z.int(), z.gte(1), z.lte(30)), 8),
  audience: z._default(z.enum(introAudiences), 'any'),
  pair: pairSchema,
});
export type IntroSessionInput = z.output<typeof introSessionInputSchema>;

export interface IntroSession {
  id: string;
  region: RegionId;
  start: string;
  end: string;
  videoLink: string;
  capacity: number;
  audience: IntroAudience;
  pair: FacilitatorPair;
  /** Dialogues booked into the session (at most `capacity`). */
  dialogueIds: string[];
  status: 'open' | 'cancelled';
  sequence: number;
  /** The pair's invitation of the latest version could not be sent yet; the scheduler's tick retries it. */
  pairMailPending?: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export function newIntroSession(id: string, input: IntroSessionInput, now: Date): IntroSession {
  const start = new Date(input.start);
  const at = now.toISOString();
  return {
    id,
    region: input.region,
    start: start.toISOString(),
    end: new Date(start.getTime() + input.minutes * 60_000).toISOString(),
    videoLink: input.videoLink,
    capacity: input.capacity,
    audience: input.audience,
    pair: input.pair,
    dialogueIds: [],
    status: 'open',
    sequence: 0,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

export interface OrganiserProfile {
  region: string;
  municipal: boolean;
  /** True when the organiser runs only preschool (förskola). */
  preschoolOnly: boolean;
}

export const fitsAudience = (audience: IntroAudience, o: OrganiserProfile): boolean =>
  audience === 'any' ||
  (audience === 'municipal' && o.municipal) ||
  (audience === 'private' && !o.municipal) ||
  (audience === 'preschool_only' && o.preschoolOnly);

/** Sessions an organiser may be offered: same region, matching audience, open, with room, not started. */
export function sessionsToOffer(sessions: readonly IntroSession[], o: OrganiserProfile, now: Date): IntroSession[] {
  return sessions
    .filter(
      (s) =>
        s.status === 'open' &&
        s.region === o.region &&
        fitsAudience(s.audience, o) &&
        s.dialogueIds.length < s.capacity &&
        Date.parse(s.start) > now.getTime(),
    )
    .sort((a, b) => a.start.localeCompare(b.start));
}

/** Books a dialogue into a session; undefined when it is already in, full, cancelled or over. */
export function joinIntroSession(s: IntroSession, dialogueId: string, now: Date): IntroSession | undefined {
  if (s.status !== 'open' || s.dialogueIds.includes(dialogueId) || s.dialogueIds.length >= s.capacity) return undefined;
  if (Date.parse(s.start) <= now.getTime()) return undefined;
  // The pair's invitation to the session lists the organisers: each change is a new version of it.
  return { ...s, dialogueIds: [...s.dialogueIds, dialogueId], sequence: s.sequence + 1, updatedAt: now.toISOString() };
}
