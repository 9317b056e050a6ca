/** Where a meeting of a dialogue's phase is held: a digital step's video link, or the physical meeting at the organiser. */
import type { Dialogue, PhaseMeetingKind } from '#core/dialogue.ts';
import type { Organiser } from '#core/organiser.ts';
import { meetingKindRules } from '#core/scheduling.ts';
import type { Deps } from '#adapters/deps.ts';

/** `organiser`: as the caller read it in this step (else read here). */
export async function placeOf(
  d: Deps,
  x: Dialogue,
  kind: PhaseMeetingKind,
  organiser?: Organiser,
): Promise<{ location?: string; videoLink?: string }> {
  if (meetingKindRules[kind].mode === 'digital') {
    return { videoLink: `${d.env.MEETING_VIDEO_BASE_URL}/${x.id}-${kind}-${x.phase?.round ?? 1}` };
  }
  const o = organiser?.id === x.organiserId ? organiser : await d.organisers.get(x.organiserId);
  return { location: `${x.organiserName}, ${o?.municipality ?? ''} (lokal enligt huvudmannens besked)`.replace(', (', ' (') };
}
