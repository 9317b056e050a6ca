/**
 * The stored shape of a dialogue (dialogue-item.ts): every dialogue reads back exactly as written,
 * a lifecycle's record stays within 1 KB, and the earlier shapes (`packed`, every field plain) are read.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dialogueDictionaryV1 } from '#adapters/dialogue-item-dictionary.ts';
import { dialogueItem, unpackDialogue } from '#adapters/dialogue-item.ts';
import type { Dialogue } from '#core/dialogue.ts';

const base: Dialogue = {
  id: 'dlg-1ed89b83-eec2-4889-890e-1f021911fcb8',
  organiserId: 'ekbacken',
  organiserName: 'Ekbackens skola ekonomisk förening',
  orgNumber: '7696001234',
  cycle: '2026',
  region: 'syd',
  legalForm: 'ekonomisk_forening',
  municipal: false,
  state: 'intro_booked',
  recipients: [{ contactId: 'board-a', role: 'board', name: 'Styrelsen', email: 'styrelsen@ekbacken.example.se', basis: 'board' }],
  answer: { outcome: 'accepted', answeredAt: '2026-12-05T03:19:57.539Z', answeredBy: 'board-a' },
  reminders: 0,
  history: [
    { at: '2026-12-05T03:19:57.055Z', type: 'created', state: 'created' },
    { at: '2026-12-05T03:19:57.539Z', type: 'answered', state: 'accepted', by: 'board-a' },
    { at: '2026-12-05T03:19:57.001Z', type: 'meeting_booked', detail: '' },
    { at: 'not a time', type: 'closed', detail: '~odd~', extra: { since: '2026-12-06T00:00:00.000Z' } } as never,
  ],
  dueAt: '2026-12-15T07:30:00.000Z',
  dueKind: 'held',
  phase: {
    kind: 'intro',
    round: 1,
    offer: {
      no: 1,
      slots: [
        { pair: { skolverket: 'sv-a', spsm: 'sp-b' }, sessions: [{ start: '2026-12-15T07:30:00.000Z', end: '2026-12-15T09:00:00.000Z' }] },
      ],
      sentAt: '2026-12-05T03:29:57.809Z',
      status: 'booked',
      offeredDays: ['2026-12-15'],
      offeredSessions: [],
    },
    meetingId: 'mtg-1',
  },
  materialDecision: { by: 'x', at: '2026-12-05T03:29:57.8Z', reason: 'a time without milliseconds stays a string' },
  children: 180,
  createdAt: '2026-12-05T03:19:57.055Z',
  updatedAt: '2026-12-05T03:29:57.988Z',
  version: 7,
};

describe('the stored dialogue item', () => {
  it('reads back exactly the dialogue written, with and without a timer', () => {
    for (const d of [base, { ...base, dueAt: undefined, dueKind: undefined, state: 'closed' as const }]) {
      // Act
      const item = dialogueItem(d);
      const back = unpackDialogue(item);

      // Assess
      expect(back).toEqual(JSON.parse(JSON.stringify(d)));
    }
  });

  it('keeps the id, state and times only in the keys, and the rest in `z`', () => {
    // Act
    const item = dialogueItem(base);

    // Assess
    expect(Object.keys(item).sort()).toEqual(['duePk', 'dueSk', 'kindPk', 'kindSk', 'pk', 'sk', 'statePk', 'stateSk', 'version', 'z']);
    expect(item).toMatchObject({
      pk: `DLG#${base.id}`,
      kindSk: `${base.updatedAt}|${(Date.parse(base.updatedAt) - Date.parse(base.createdAt)).toString(36)}`,
      statePk: 'DIALOGUE#intro_booked',
      stateSk: base.updatedAt,
      dueSk: base.dueAt,
    });
  });

  it('reads an item of this shape written before `kindSk` held the last change (createdAt alone)', () => {
    // Prepare
    const item = { ...dialogueItem(base), kindSk: base.createdAt };

    // Act
    const back = unpackDialogue(item);

    // Assess
    expect(back).toEqual(JSON.parse(JSON.stringify(base)));
  });

  it('reads the earlier shapes: `packed` with index keys ending in the id, and every field plain', () => {
    // Prepare
    const { history, recipients, answer, phase, materialDecision, ...plain } = base;
    const keys = { pk: `DLG#${base.id}`, sk: 'DIALOGUE', kindPk: 'DIALOGUE', kindSk: `${base.createdAt}#${base.id}` };
    const packed = deflateRawSync(Buffer.from(JSON.stringify({ history, recipients, answer, phase, materialDecision })));

    // Act
    const fromPacked = unpackDialogue({ ...keys, ...plain, packed });
    const fromPlain = unpackDialogue({ ...keys, ...base });

    // Assess
    expect(fromPacked).toEqual(base);
    expect(fromPlain).toEqual(base);
  });

  it('keeps its dictionary unchanged: items written with it are decoded with it', () => {
    expect(createHash('sha256').update(dialogueDictionaryV1).digest('hex').slice(0, 16)).toBe('60959eef097474c3');
  });
});
