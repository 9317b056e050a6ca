/**
 * The send-once mail log on the embedded runtime (dynalite, the local SES): one item per
 * (dialogue, step) claimed in one conditional write and recorded in one more; a refused send
 * frees its slot and those not tried yet; suppressed addresses are recorded, not mailed; the
 * per-recipient items earlier versions wrote are still read, guard their step and take updates.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Mailer } from '#core/ports.ts';
import { keys } from '#adapters/table-model.ts';
import { TransientError } from '#adapters/transient.ts';
import { ClaimHeldError, type StepMail, sendStep } from '#functions/use-cases/mail.ts';
import { Harness } from '../support/local.ts';

const h = new Harness();
const TABLE = 'kvalitetsdialog';
let realMailer: Mailer;
const doc = () => (h.runtime.deps.organisers as unknown as { doc: DynamoDBDocumentClient }).doc;

beforeAll(async () => {
  await h.start();
  realMailer = h.runtime.deps.mailer;
});
beforeEach(async () => {
  h.runtime.deps.mailer = realMailer;
  await h.clearMailbox();
});
afterAll(async () => {
  await h.close();
});

const mail = (contactId: string, email: string): StepMail => ({
  contactId,
  email,
  render: () => ({ subject: `Test ${contactId}`, text: 'Hej', html: '<p>Hej</p>' }),
});
const step = (dialogueId: string, name: string) =>
  doc().send(new GetCommand({ TableName: TABLE, Key: keys.mailStep(dialogueId, name), ConsistentRead: true }));
const statuses = async (dialogueId: string) =>
  Object.fromEntries((await h.runtime.deps.mailLog.list(dialogueId)).map((m) => [`${m.step}/${m.contactId}`, m.status]));

describe('the mail log', () => {
  it('claims and records a step in one item; a retry sends nothing more', async () => {
    const d = h.runtime.deps;
    const mails = [mail('a', 'a@steg.example.se'), mail('b', 'b@steg.example.se'), mail('c', 'c@steg.example.se')];
    const first = await sendStep(d, 'dlg-steg', 'invitation', mails);
    const again = await sendStep(d, 'dlg-steg', 'invitation', mails);

    expect(first.map((r) => r.sent)).toEqual([true, true, true]);
    expect(again.map((r) => [r.sent, r.record.status])).toEqual([
      [false, 'sent'],
      [false, 'sent'],
      [false, 'sent'],
    ]);
    for (const a of ['a', 'b', 'c']) expect(await h.mailTo(`${a}@steg.example.se`)).toHaveLength(1);
    const item = (await step('dlg-steg', 'invitation')).Item;
    expect(Object.keys(item?.r ?? {}).sort()).toEqual(['a', 'b', 'c']);
    expect(await statuses('dlg-steg')).toEqual({ 'invitation/a': 'sent', 'invitation/b': 'sent', 'invitation/c': 'sent' });
  });

  it('a recipient added later is claimed in the same item; one named twice gets one mail', async () => {
    const d = h.runtime.deps;
    await sendStep(d, 'dlg-senare', 'invitation', [mail('a', 'a@senare.example.se')]);
    const r = await sendStep(d, 'dlg-senare', 'invitation', [
      mail('a', 'a@senare.example.se'),
      mail('b', 'b@senare.example.se'),
      mail('b', 'b@senare.example.se'),
    ]);
    expect(r.map((x) => x.sent)).toEqual([false, true, false]);
    expect(await h.mailTo('b@senare.example.se')).toHaveLength(1);
    expect(Object.keys((await step('dlg-senare', 'invitation')).Item?.r ?? {}).sort()).toEqual(['a', 'b']);
  });

  it('a refused send frees its slot and the ones not tried yet; the retry sends exactly those', async () => {
    const d = h.runtime.deps;
    let calls = 0;
    d.mailer = {
      send: async (m) => {
        if (++calls === 2) throw new TransientError('SES did not accept the mail (TooManyRequestsException); will retry');
        return realMailer.send(m);
      },
    };
    const mails = [mail('a', 'a@vagrad.example.se'), mail('b', 'b@vagrad.example.se'), mail('c', 'c@vagrad.example.se')];
    await expect(sendStep(d, 'dlg-vagrad', 'invitation', mails)).rejects.toThrow(TransientError);
    expect(await statuses('dlg-vagrad')).toEqual({ 'invitation/a': 'sent' });

    const retry = await sendStep(d, 'dlg-vagrad', 'invitation', mails);
    expect(retry.map((r) => r.sent)).toEqual([false, true, true]);
    for (const a of ['a', 'b', 'c']) expect(await h.mailTo(`${a}@vagrad.example.se`)).toHaveLength(1);
  });

  it('records a suppressed address and does not mail it', async () => {
    const d = h.runtime.deps;
    await d.suppressions.suppress('borta@spärr.example.se', 'bounced: test', d.clock.now());
    const r = await sendStep(d, 'dlg-sparr', 'invitation', [mail('a', 'borta@spärr.example.se'), mail('b', 'kvar@sparr.example.se')]);
    expect(r.map((x) => [x.sent, x.record.status])).toEqual([
      [false, 'suppressed'],
      [true, 'sent'],
    ]);
    expect(await h.mailTo('borta@spärr.example.se')).toHaveLength(0);
  });

  it("a claim whose attempt died is held during the lease, then 'unconfirmed' and never re-sent", async () => {
    const d = h.runtime.deps;
    const settle = d.mailLog.settle;
    d.mailLog.settle = async () => {
      throw Object.assign(new Error('Task timed out after 30.00 seconds'), { name: 'Sandbox.Timedout' });
    };
    const mails = [mail('a', 'a@dog.example.se'), mail('b', 'b@dog.example.se')];
    await expect(sendStep(d, 'dlg-dog', 'invitation', mails)).rejects.toThrow('Task timed out');
    d.mailLog.settle = settle;

    await expect(sendStep(d, 'dlg-dog', 'invitation', mails)).rejects.toThrow(ClaimHeldError);
    const lease = d.sendLeaseMs;
    d.sendLeaseMs = 0;
    try {
      const r = await sendStep(d, 'dlg-dog', 'invitation', mails);
      expect(r.map((x) => [x.sent, x.record.status])).toEqual([
        [false, 'unconfirmed'],
        [false, 'unconfirmed'],
      ]);
    } finally {
      d.sendLeaseMs = lease;
    }
    expect(await statuses('dlg-dog')).toEqual({ 'invitation/a': 'unconfirmed', 'invitation/b': 'unconfirmed' });
    for (const a of ['a', 'b']) expect(await h.mailTo(`${a}@dog.example.se`)).toHaveLength(1);
  });

  it('records SES outcomes on the right recipient: once, and a bounce after a delivery', async () => {
    const d = h.runtime.deps;
    await sendStep(d, 'dlg-utfall', 'invitation', [mail('a', 'a@utfall.example.se'), mail('b', 'b@utfall.example.se')]);
    const [a, b] = await d.mailLog.list('dlg-utfall');
    const delivered = { outcome: 'delivered' as const, at: d.clock.now().toISOString(), detail: 'Levererat' };
    expect(await d.mailLog.markDelivery(b!, delivered)).toBe(true);
    expect(await d.mailLog.markDelivery(b!, delivered)).toBe(false);
    expect(await d.mailLog.markDelivery(b!, { ...delivered, outcome: 'bounced', detail: 'studs' })).toBe(true);
    const after = await d.mailLog.list('dlg-utfall');
    expect(after.find((m) => m.contactId === a?.contactId)?.delivery).toBeUndefined();
    expect(after.find((m) => m.contactId === 'b')).toMatchObject({ status: 'sent', delivery: { outcome: 'bounced', detail: 'studs' } });
  });
});

describe('per-recipient items of earlier versions', () => {
  const legacy = (contactId: string, status: string, claimedAt: string) => ({
    ...keys.mail('dlg-gammal', 'invitation', contactId),
    dialogueId: 'dlg-gammal',
    step: 'invitation',
    contactId,
    email: `${contactId}@gammal.example.se`,
    status,
    messageId: `<dlg-gammal.invitation.${contactId}@example.se>`,
    linkId: 'AbCdEfGhIjKlMnOpQrStUv',
    linkExpiresAt: '2099-01-01T00:00:00.000Z',
    claimedAt,
  });

  it('guard their step, are listed with the new ones, and take the delivery and unconfirmed updates', async () => {
    const d = h.runtime.deps;
    const long = new Date(d.clock.now().getTime() - 3_600_000).toISOString();
    await doc().send(new PutCommand({ TableName: TABLE, Item: legacy('a', 'sent', long) }));
    await doc().send(new PutCommand({ TableName: TABLE, Item: legacy('b', 'sending', long) }));

    const r = await sendStep(d, 'dlg-gammal', 'invitation', [
      mail('a', 'a@gammal.example.se'),
      mail('b', 'b@gammal.example.se'),
      mail('c', 'c@gammal.example.se'),
    ]);

    expect(r.map((x) => [x.sent, x.record.status])).toEqual([
      [false, 'sent'],
      [false, 'unconfirmed'],
      [true, 'sent'],
    ]);
    expect(await h.mailTo('a@gammal.example.se')).toHaveLength(0);
    expect(await h.mailTo('b@gammal.example.se')).toHaveLength(0);
    expect(await h.mailTo('c@gammal.example.se')).toHaveLength(1);
    expect(await statuses('dlg-gammal')).toEqual({ 'invitation/a': 'sent', 'invitation/b': 'unconfirmed', 'invitation/c': 'sent' });
    const old = (await d.mailLog.list('dlg-gammal')).find((m) => m.contactId === 'a');
    expect(old).toMatchObject({ legacy: true, linkExpiresAt: '2099-01-01T00:00:00.000Z' });
    const delivered = { outcome: 'delivered' as const, at: d.clock.now().toISOString(), detail: 'Levererat' };
    expect(await d.mailLog.markDelivery(old!, delivered)).toBe(true);
    expect(await d.mailLog.markDelivery(old!, delivered)).toBe(false);
    const stored = await doc().send(
      new GetCommand({ TableName: TABLE, Key: keys.mail('dlg-gammal', 'invitation', 'a'), ConsistentRead: true }),
    );
    expect(stored.Item?.delivery).toMatchObject({ outcome: 'delivered' });
    expect(Object.keys((await step('dlg-gammal', 'invitation')).Item?.r ?? {})).toEqual(['c']);
  });
});
