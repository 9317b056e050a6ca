/**
 * How a dialogue record is stored: keys, index keys and version plain, the rest in one compact
 * binary attribute (so each write and read of the record costs one capacity unit), and records of
 * the earlier shapes (every field a plain attribute) read and changed as before, on the embedded runtime.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#adapters/table-model.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
const TABLE = 'kvalitetsdialog';
const doc = () => (h.runtime.deps.organisers as unknown as { doc: import('@aws-sdk/lib-dynamodb').DynamoDBDocumentClient }).doc;
const raw = async (id: string) =>
  (await doc().send(new GetCommand({ TableName: TABLE, Key: keys.dialogue(id), ConsistentRead: true }))).Item;

beforeAll(async () => {
  await h.start();
  for (const n of ['packad', 'gammal']) {
    const r = await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: n,
        orgNumber: n === 'packad' ? '556200-0001' : '556200-0002',
        name: `Skolan ${n} AB`,
        contacts: [{ role: 'board', name: `Styrelsen ${n}`, email: `styrelsen@${n}.example.se` }],
      }),
    );
    expect(r.status, r.text).toBe(201);
  }
});
afterAll(() => h.close());

describe('the stored dialogue record', () => {
  it('keeps its history, recipients and answer in `z`, and the API shows them whole', async () => {
    // Prepare
    const id = await h.invite('packad');

    // Act
    const item = await raw(id);
    const shown = await h.dialogue(id);

    // Assess
    expect(item?.z).toBeInstanceOf(Uint8Array);
    expect(item).not.toHaveProperty('history');
    expect(item).not.toHaveProperty('recipients');
    expect(item).toMatchObject({ pk: `DLG#${id}`, statePk: 'DIALOGUE#invited', version: expect.any(Number) });
    expect(shown).toMatchObject({ id, state: 'invited', organiserId: 'packad' });
    expect(shown.history.map((x: { type: string }) => x.type)).toEqual(['created', 'recipients_resolved', 'invitation_sent']);
    expect(shown.recipients).toEqual([expect.objectContaining({ email: 'styrelsen@packad.example.se' })]);
  });

  it('reads a record stored before packing, and the next change packs it without losing its history', async () => {
    // Prepare: the same dialogue written back as a record from before packing (every field plain,
    // index sort keys ending in the id).
    const id = await h.invite('gammal');
    const current = await h.runtime.deps.dialogues.get(id);
    if (!current) throw new Error('no dialogue');
    const { z: _, ...keyItem } = (await raw(id)) as Record<string, unknown>;
    const oldKeys = {
      kindSk: `${current.createdAt}#${id}`,
      stateSk: `${current.updatedAt}#${id}`,
      ...(current.dueAt ? { dueSk: `${current.dueAt}#${id}` } : {}),
    };
    await doc().send(new PutCommand({ TableName: TABLE, Item: { ...keyItem, ...oldKeys, ...current } }));
    expect(await raw(id)).toHaveProperty('history');
    expect(await raw(id)).not.toHaveProperty('z');

    // Act
    const before = await h.dialogue(id);
    const listed = (await h.runtime.deps.dialogues.list({ state: 'invited' }, 50)).items.find((x) => x.id === id);
    const { dialogue } = await h.runtime.deps.dialogues.mutate(id, (x) => ({
      ...x,
      history: [...x.history, { at: new Date().toISOString(), type: 'reminder_requested', detail: 'Påminnelse 1' }],
    }));
    const after = await h.dialogue(id);

    // Assess
    expect(before.history).toEqual(current.history);
    expect(listed?.history).toEqual(current.history);
    expect(dialogue.version).toBe(current.version + 1);
    expect(after.history).toEqual([...current.history, expect.objectContaining({ type: 'reminder_requested', detail: 'Påminnelse 1' })]);
    expect(after.recipients).toEqual(current.recipients);
    expect((await raw(id))?.z).toBeInstanceOf(Uint8Array);
    expect(await raw(id)).not.toHaveProperty('history');
    expect(await raw(id)).toMatchObject({
      kindSk: `${after.updatedAt}|${(Date.parse(after.updatedAt) - Date.parse(current.createdAt)).toString(36)}`,
    });
  });
});
