/**
 * The metrics, computed from the dialogues' facts, reproduce what a plain count over the raw records
 * gives, on a generated population (fast-check), and keep the shape of table 2 in seed 004.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { table2Groups } from '#core/console-labels.ts';
import { type Dialogue, declineReasons, dialogueStates } from '#core/dialogue.ts';
import { decodeFacts, encodeFacts, factsOf } from '#core/facts.ts';
import { computeMetrics as computeFromFacts, countStates, metricsTables, toCsv } from '#core/metrics.ts';
import { isMunicipal, legalForms } from '#core/organiser.ts';
import { regions } from '#core/regions.ts';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

type MetricsDialogue = Pick<Dialogue, 'state' | 'legalForm' | 'municipal' | 'region' | 'history' | 'createdAt'> &
  Partial<Pick<Dialogue, 'answer' | 'children'>>;

let n = 0;
/** The facts of a record, through their stored text form (as the facts index keeps them). */
const toFacts = (x: MetricsDialogue) => {
  const id = `dlg-00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const full: Dialogue = {
    id,
    organiserId: 'o',
    organiserName: 'O',
    cycle: '2026',
    recipients: [],
    reminders: 0,
    updatedAt: x.createdAt,
    version: 3,
    ...x,
  };
  const facts = decodeFacts(id, encodeFacts(factsOf(full)));
  if (!facts) throw new Error('facts did not decode');
  return facts;
};
const computeMetrics = (xs: MetricsDialogue[]) => computeFromFacts(xs.map(toFacts));

const arbitraryDialogue: fc.Arbitrary<MetricsDialogue> = fc
  .record({
    state: fc.constantFrom(...dialogueStates),
    legalForm: fc.constantFrom(...legalForms),
    region: fc.constantFrom(...Object.keys(regions)),
    reason: fc.constantFrom(...declineReasons),
    invitedAfterH: fc.integer({ min: 0, max: 72 }),
    answeredAfterH: fc.integer({ min: 1, max: 600 }),
    closedBeforeInvite: fc.boolean(),
  })
  .map(({ state, legalForm, region, reason, invitedAfterH, answeredAfterH, closedBeforeInvite }) => {
    const invited = state !== 'created' && !(state === 'failed' && closedBeforeInvite) && !(state === 'closed' && closedBeforeInvite);
    const answered = state === 'accepted' || state === 'declined';
    const history: Dialogue['history'] = [{ at: iso(t0), type: 'created' }];
    if (invited) history.push({ at: iso(t0 + invitedAfterH * 3_600_000), type: 'invitation_sent' });
    if (answered || state === 'no_answer') {
      history.push({ at: iso(t0 + (invitedAfterH + answeredAfterH) * 3_600_000), type: answered ? 'answered' : 'escalated' });
    }
    return {
      state,
      legalForm,
      municipal: isMunicipal(legalForm),
      region,
      createdAt: iso(t0),
      history,
      answer: answered
        ? { outcome: state, reason: state === 'declined' ? reason : undefined, answeredAt: iso(t0), answeredBy: 'x' }
        : undefined,
    } as MetricsDialogue;
  });

describe('metrics', () => {
  it('reproduce plain counts over the raw records (generated populations)', () => {
    fc.assert(
      fc.property(fc.array(arbitraryDialogue, { minLength: 0, maxLength: 400 }), (xs) => {
        const m = computeMetrics(xs);
        const offered = xs.filter((x) => x.history.some((h) => h.type === 'invitation_sent'));
        const count = (ys: MetricsDialogue[], s: string) => ys.filter((x) => x.state === s).length;
        expect(m.total).toMatchObject({
          offered: offered.length,
          accepted: count(offered, 'accepted'),
          declined: count(offered, 'declined'),
          noAnswer: count(offered, 'no_answer'),
          waiting: count(offered, 'invited'),
        });
        for (const rows of [m.byLegalForm, m.byOwnership, m.byRegion, m.bySize]) {
          expect(rows.reduce((a, r) => a + r.offered, 0)).toBe(m.total.offered);
          expect(rows.reduce((a, r) => a + r.accepted, 0)).toBe(m.total.accepted);
        }
        const kommuner = m.byLegalForm.find((r) => r.label === 'Kommuner');
        expect(kommuner?.offered ?? 0).toBe(offered.filter((x) => table2Groups[x.legalForm] === 'Kommuner').length);
        expect(m.byOwnership[0]?.offered).toBe(offered.filter((x) => x.municipal).length);
        expect(m.declineReasons.reduce((a, r) => a + r.count, 0)).toBe(count(xs, 'declined'));
        expect(m.phases[0]?.count).toBe(offered.length);
        const counts = countStates(xs.map(toFacts));
        expect(counts.total).toBe(xs.length);
        for (const c of counts.byLegalFormState) {
          expect(c.count).toBe(xs.filter((x) => x.legalForm === c.legalForm && x.state === c.state).length);
        }
        expect(counts.byPhase.reduce((a, p) => a + p.count, 0)).toBe(xs.length);
      }),
      { numRuns: 60 },
    );
  });

  it('has the shape of table 2: groups by acceptance share, Övriga last, a total row', () => {
    // Prepare: 3/4 municipalities and 1/2 aktiebolag accept; a region counts among Övriga
    const mk = (legalForm: MetricsDialogue['legalForm'], state: MetricsDialogue['state']): MetricsDialogue => ({
      state,
      legalForm,
      municipal: isMunicipal(legalForm),
      region: 'syd',
      createdAt: iso(t0),
      history: [
        { at: iso(t0), type: 'created' },
        { at: iso(t0 + 86_400_000), type: 'invitation_sent' },
      ],
    });
    const xs = [
      mk('kommun', 'accepted'),
      mk('kommun', 'accepted'),
      mk('kommun', 'accepted'),
      mk('kommun', 'declined'),
      mk('aktiebolag', 'accepted'),
      mk('aktiebolag', 'no_answer'),
      mk('region', 'accepted'),
    ];

    // Act
    const table = metricsTables(computeMetrics(xs))['juridisk-form'];

    // Assess
    expect(table?.rows).toEqual([
      ['Kommuner', 4, 3, 1, 0, 0, 75, 75],
      ['Aktiebolag', 2, 1, 0, 1, 0, 50, 100],
      ['Övriga', 1, 1, 0, 0, 0, 100, 100],
      ['Totalt', 7, 5, 1, 1, 0, 71, 83],
    ]);
  });

  it('counts a dialogue that said yes and moved on as accepted, and bands organisers by children', () => {
    // Prepare
    const base = {
      legalForm: 'kommun',
      municipal: true,
      region: 'syd',
      createdAt: iso(t0),
      history: [
        { at: iso(t0), type: 'created', state: 'created' },
        { at: iso(t0 + 86_400_000), type: 'invitation_sent', state: 'invited' },
        { at: iso(t0 + 3 * 86_400_000), type: 'answered', state: 'accepted' },
        { at: iso(t0 + 10 * 86_400_000), type: 'phase_changed', state: 'intro_offered' },
      ],
    } as const;
    const xs: MetricsDialogue[] = [
      {
        ...base,
        state: 'intro_offered',
        answer: { outcome: 'accepted', answeredAt: iso(t0), answeredBy: 'x' },
        children: 12,
        history: [...base.history],
      },
      { ...base, state: 'closed', children: 700, history: [...base.history.slice(0, 2)] },
      { ...base, state: 'accepted', history: [...base.history.slice(0, 3)] },
    ];

    // Act
    const m = computeMetrics(xs);

    // Assess
    expect(m.total).toMatchObject({ offered: 3, accepted: 2 });
    expect(m.bySize.map((r) => [r.label, r.offered, r.accepted])).toEqual([
      ['Under 50 barn och elever', 1, 1],
      ['500–4 999 barn och elever', 1, 0],
      ['Storlek okänd', 1, 1],
    ]);
    expect(m.phases.find((p) => p.label === 'Fas: Inbjudan')).toMatchObject({ count: 1, meanDays: 10, medianDays: 10 });
    expect(m.phases.find((p) => p.label === 'Fas: Introduktion')).toEqual({ label: 'Fas: Introduktion', count: 0 });
  });

  it('writes CSV with a BOM, semicolons and quoted cells', () => {
    expect(
      toCsv(
        ['Grupp', 'Antal'],
        [
          ['Ideella; föreningar', 3],
          ['"Övriga"', undefined],
        ],
      ),
    ).toBe('\uFEFFGrupp;Antal\r\n"Ideella; föreningar";3\r\n"""Övriga""";\r\n');
  });

  it('writes decimal numbers with a decimal comma, as Swedish Excel reads them', () => {
    expect(toCsv(['Fas', 'Antal', 'Medel (dagar)'], [['Fas: Inbjudan', 12, 2.5]])).toBe(
      '\uFEFFFas;Antal;Medel (dagar)\r\nFas: Inbjudan;12;2,5\r\n',
    );
  });
});
