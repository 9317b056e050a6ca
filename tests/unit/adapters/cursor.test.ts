import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '#adapters/cursor.ts';
import { ValidationError } from '#core/errors.ts';

const organisers = { index: 'byKind', partition: 'ORGANISER' } as const;
const key = { pk: 'ORG#norrviks-kommun', sk: 'PROFILE', kindPk: 'ORGANISER', kindSk: 'norrviks kommun#norrviks-kommun' };

describe('page cursors', () => {
  it('gives back the key it encoded, for the query it came from', () => {
    expect(decodeCursor(encodeCursor(key), organisers)).toEqual(key);
    expect(decodeCursor(undefined, organisers)).toBeUndefined();
  });

  it.each([
    ['JSON of some other object', { a: 1 }],
    ['a key missing the index attributes', { pk: key.pk, sk: key.sk }],
    ['a key with one attribute too many', { ...key, extra: 'x' }],
    ['a number where a string belongs', { ...key, sk: 7 }],
    ['an empty key value', { ...key, sk: '' }],
    ['a key of another list (dialogues)', { ...key, kindPk: 'DIALOGUE' }],
    ['a key value over DynamoDB’s 1,024 bytes', { ...key, kindSk: 'å'.repeat(600) }],
  ])('refuses %s with a 400, before DynamoDB sees it', (_, value) => {
    expect(() => decodeCursor(encodeCursor(value), organisers)).toThrow(ValidationError);
  });

  it('refuses what is not base64url JSON of an object', () => {
    for (const cursor of ['not base64!', Buffer.from('[1,2]').toString('base64url'), Buffer.from('"x"').toString('base64url'), 'e30']) {
      expect(() => decodeCursor(cursor, organisers)).toThrow(ValidationError);
    }
  });

  it('refuses a sort key outside the range the query reads', () => {
    const conflicts = { partition: 'CONFLICT', range: { from: '2026-03-01', to: '2026-03-31#\uffff' } };
    expect(decodeCursor(encodeCursor({ pk: 'CONFLICT', sk: '2026-03-05#dlg-1' }), conflicts)).toBeDefined();
    expect(() => decodeCursor(encodeCursor({ pk: 'CONFLICT', sk: '2026-04-01#dlg-1' }), conflicts)).toThrow(ValidationError);
    const waiting = { index: 'byState', partition: 'DIALOGUE#invited', range: { below: '2026-03-01T00:00:00.000Z' } } as const;
    const stale = { pk: 'DLG#d', sk: 'DIALOGUE', statePk: 'DIALOGUE#invited', stateSk: '2026-03-02T00:00:00.000Z#d' };
    expect(() => decodeCursor(encodeCursor(stale), waiting)).toThrow(ValidationError);
  });
});
