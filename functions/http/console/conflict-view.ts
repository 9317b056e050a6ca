/** A dialogue's clash as the console shows it: every inspection it clashes with and the decision so far. */
import { conflictInspections, type DialogueConflict } from '#core/clash.ts';
import { inspectionKindLabels } from '#core/console-labels.ts';
import { swedishDaySpan } from '#core/swedish.ts';
import { when } from './format.ts';

/** The inspections and the planned step, as the page and the dialogue's banner show them. */
export function conflictView(c: DialogueConflict) {
  return {
    inspections: conflictInspections(c).map((i) => ({
      kind: inspectionKindLabels[i.inspectionKind],
      span: swedishDaySpan(i.inspectionStart, i.inspectionEnd),
      schoolUnitCode: i.schoolUnitCode,
      reason: i.reason,
      id: i.inspectionId,
    })),
    decision: c.decision
      ? `${c.decision.decision === 'keep' ? 'Behålls' : c.decision.how === 'move' ? 'Flyttas av samordnare' : 'Bokas om'} – beslutat av ${c.decision.by} ${when(c.decision.at)}${c.decision.comment ? `: ”${c.decision.comment}”` : ''}`
      : undefined,
  };
}
