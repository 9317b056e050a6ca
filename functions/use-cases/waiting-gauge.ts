/**
 * The gauge of dialogues waiting for the organiser (DialoguesWaiting), emitted on every scheduler
 * tick by workflow: an answer to the invitation (invited), a booking of a meeting phase's offered
 * times (*_offered, also those handed to the coordinator). A process lists the dialogues in those
 * states once (a Query per state on byState) and then keeps the list from the changes the tick's
 * facts sweep reads anyway (every dialogue changed since its last sweep, up to now): a tick reads
 * nothing more for it. Where the sweep read nothing or not from where the list stands, the next
 * gauge lists them again.
 */
import type { Dialogue, DialogueState } from '#core/dialogue.ts';
import type { Deps } from '#adapters/deps.ts';
import { logger, recordMetric } from '#adapters/observability.ts';
import type { SweptChanges } from './facts-upkeep.ts';
import { phaseStates } from './lifecycle/phase.ts';

type Waiting = 'invitation' | 'meeting';

const offered = new Set<DialogueState>(Object.values(phaseStates).map((s) => s.offered));
const waitingIn = (state: DialogueState): Waiting | undefined =>
  state === 'invited' ? 'invitation' : offered.has(state) ? 'meeting' : undefined;

interface Kept {
  /** Every change up to here is in `waiting`. */
  through: string;
  waiting: Map<string, Waiting>;
}

/** Per process (the deps' queries): the waiting dialogues as last known. */
const kept = new WeakMap<object, Kept>();

/** Brings the kept list up to date with a sweep's changes; without them (or with a gap) it is listed again. */
export function observeChanges(d: Pick<Deps, 'queries'>, seen: SweptChanges | undefined): void {
  const k = kept.get(d.queries);
  if (!k) return;
  if (!seen || seen.from > k.through) {
    kept.delete(d.queries);
    return;
  }
  for (const x of seen.dialogues) update(k, x);
  if (seen.to > k.through) k.through = seen.to;
}

function update(k: Kept, x: Pick<Dialogue, 'id' | 'state'>): void {
  const w = waitingIn(x.state);
  if (w) k.waiting.set(x.id, w);
  else k.waiting.delete(x.id);
}

async function list(d: Pick<Deps, 'queries' | 'clock'>): Promise<Kept> {
  const through = d.clock.now().toISOString();
  const states: DialogueState[] = ['invited', ...offered];
  const ids = await Promise.all(states.map((state) => d.queries.idsInState(state)));
  const k: Kept = { through, waiting: new Map() };
  states.forEach((state, i) => {
    for (const id of ids[i] ?? []) update(k, { id, state });
  });
  return k;
}

/** Emits the gauge, one point per workflow. A list that fails is logged; the tick's work is done by then. */
export async function recordWaiting(d: Pick<Deps, 'queries' | 'clock'>): Promise<void> {
  try {
    let k = kept.get(d.queries);
    if (!k) {
      k = await list(d);
      kept.set(d.queries, k);
    }
    const count = (w: Waiting) => [...k.waiting.values()].filter((x) => x === w).length;
    recordMetric('DialoguesWaiting', count('invitation'), { phase: 'invitation' });
    recordMetric('DialoguesWaiting', count('meeting'), { phase: 'meeting' });
  } catch (e) {
    logger.warn('could not count the waiting dialogues', { error: e as Error });
  }
}
