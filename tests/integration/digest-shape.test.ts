/**
 * The coordinator's digest over hand-backs an earlier version noted (one partition a day): after
 * the upgrade, the days up to then are read from their own partitions as well, each digest goes
 * out once, and once the last of those days is done they are not read again.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCalendarDays, stockholmDate } from '#core/calendar.ts';
import { keys } from '#adapters/table-model.ts';
import { Harness } from '../support/local.ts';

const h = new Harness();
const COORDINATOR = 'samordnare@skolverket.example.se';

beforeAll(async () => {
  await h.start({ seed: false });
});
afterAll(async () => {
  await h.close();
});

describe('the digest after an upgrade', () => {
  it('sends the hand-backs noted in the earlier shape once, and a day marked sent then not again', async () => {
    // Prepare: a table from before the one partition (no shape item), with today's hand-back and a sent day in the earlier shape
    const { doc } = h.runtime.deps.aws;
    const TableName = h.runtime.deps.env.TABLE_NAME;
    const today = stockholmDate(h.runtime.clock.now());
    const sentDay = addCalendarDays(today, -3);
    await doc.send(new DeleteCommand({ TableName, Key: keys.digestShape() }));
    const entry = (day: string, n: string) => ({
      pk: `DIGEST#${day}`,
      sk: `E#dlg-${n}#escalate`,
      dialogueId: `dlg-${n}`,
      organiserName: `Förskolan ${n}`,
      orgNumber: '5563001234',
      kind: 'no_answer',
      at: h.runtime.clock.now().toISOString(),
    });
    await doc.send(new PutCommand({ TableName, Item: entry(today, 'idag') }));
    await doc.send(new PutCommand({ TableName, Item: entry(sentDay, 'skickad') }));
    await doc.send(new PutCommand({ TableName, Item: { pk: `DIGEST#${sentDay}`, sk: 'SENT', at: h.runtime.clock.now().toISOString() } }));

    // Act: the tick notes the new shape (today), then the morning after today's digest is due, then later
    expect((await h.advance('PT1M')).status).toBe(200);
    expect((await h.advance('P2D')).status).toBe(200);
    expect((await h.advance('P1D')).status).toBe(200);

    // Assess
    const mails = await h.mailTo(COORDINATOR);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.body.text).toContain('Förskolan idag');
    expect(mails.some((m) => m.body.text?.includes('Förskolan skickad'))).toBe(false);
    const shape = (await doc.send(new GetCommand({ TableName, Key: keys.digestShape() }))).Item;
    expect(shape).toMatchObject({ since: today, earlierDone: true });
  });
});
