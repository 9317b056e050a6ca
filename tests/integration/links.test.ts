/**
 * Answer links: GET never changes state (mail scanners prefetch links), forged, expired and
 * replayed tokens show a clear Swedish page and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#adapters/table-model.ts';
import { Harness, organiser } from '../support/local.ts';

const h = new Harness();
let id: string;
let link: string;

beforeAll(async () => {
  await h.start();
  await h.api(
    'POST',
    '/api/organisers',
    organiser({
      id: 'lank-kommun',
      name: 'Länkbo kommun',
      contacts: [{ role: 'board', name: 'Nämnden', email: 'namnd@lankbo.example.se' }],
    }),
  );
  id = await h.invite('lank-kommun');
  link = h.linkIn((await h.mailTo('namnd@lankbo.example.se'))[0]!);
});
afterAll(async () => {
  await h.close();
});

const snapshot = async () => {
  const d = await h.dialogue(id);
  return { state: d.state, version: d.history.length, answer: d.answer };
};

describe('answer links', () => {
  it('GET (a mail scanner prefetching the link, many times) changes nothing', async () => {
    const before = await snapshot();
    for (let i = 0; i < 5; i++) {
      const r = await h.page(link);
      expect(r.status).toBe(200);
      expect(r.html).toContain('Svaret registreras först när ni trycker på knappen');
    }
    const head = await fetch(link, { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect(await snapshot()).toEqual(before);
  });

  it('a forged token shows a clear page and changes nothing', async () => {
    const before = await snapshot();
    const [base, token = ''] = link.split('/r/');
    const bytes = Buffer.from(token, 'base64url');
    const altered = (edit: (b: Buffer) => void) => {
      const copy = Buffer.from(bytes);
      edit(copy);
      return `${base}/r/${copy.toString('base64url')}`;
    };
    const forgedSignature = altered((b) => b.fill(0, b.length - 16));
    const stretchedExpiry = altered((b) => b.writeUInt32BE(b.readUInt32BE(1) + 365 * 86_400, 1));
    // Another recipient or dialogue in the same token: the last byte of the dialogue id, then of the contact id.
    const otherDialogue = altered((b) => b.writeUInt8(b[5 + 20]! ^ 1, 5 + 20));
    const otherContact = altered((b) => b.writeUInt8(b[b.length - 18]! ^ 1, b.length - 18));
    const urls = [forgedSignature, stretchedExpiry, otherDialogue, otherContact, `${base}/r/nonsense`, `${link}x`];
    for (const url of urls) {
      const get = await h.page(url);
      expect(get.status).toBe(404);
      expect(get.html).toContain('Länken fungerar inte');
      const post = await h.page(url, { answer: 'accept' });
      expect(post.status).toBe(404);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('the first POST records the answer; a replay shows "already answered" and changes nothing', async () => {
    const first = await h.page(link, { answer: 'accept', comment: 'Vi ser fram emot det!' });
    expect(first.html).toContain('har tackat ja');
    const after = await snapshot();

    const replay = await h.page(link, { answer: 'decline', reason: 'time' });
    expect(replay.status).toBe(200);
    expect(replay.html).toContain('Erbjudandet är redan besvarat');
    expect(replay.html).toContain('tackade ja');
    expect(await snapshot()).toEqual(after);
    expect(after.answer).toMatchObject({ outcome: 'accepted', comment: 'Vi ser fram emot det!' });
  });

  it('concurrent POSTs record exactly one answer', async () => {
    await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: 'samtidig-ab',
        orgNumber: '556000-2001',
        legalForm: 'aktiebolag',
        contacts: [
          { role: 'board', name: 'Styrelsen', email: 'a@samtidig.example.se' },
          { role: 'school_chief', name: 'Chefen', email: 'b@samtidig.example.se' },
        ],
      }),
    );
    const dialogueId = await h.invite('samtidig-ab');
    const a = h.linkIn((await h.mailTo('a@samtidig.example.se'))[0]!);
    const b = h.linkIn((await h.mailTo('b@samtidig.example.se'))[0]!);

    const results = await Promise.all([
      h.page(a, { answer: 'accept' }),
      h.page(b, { answer: 'decline', reason: 'other' }),
      h.page(a, { answer: 'accept' }),
    ]);

    const receipts = results.filter((r) => r.html.includes('Tack för ert svar'));
    expect(receipts).toHaveLength(1);
    const d = await h.dialogue(dialogueId);
    expect(d.history.filter((e: { type: string }) => e.type === 'answered')).toHaveLength(1);
    expect((await h.execution(dialogueId)).status).toBe('SUCCEEDED');
  });

  it('an expired link shows "Länken har gått ut" and changes nothing', async () => {
    await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: 'sen-kommun',
        orgNumber: '212000-2002',
        name: 'Senby kommun',
        contacts: [{ role: 'board', name: 'Nämnden', email: 'n@sen.example.se' }],
      }),
    );
    const dialogueId = await h.invite('sen-kommun');
    const expiring = h.linkIn((await h.mailTo('n@sen.example.se'))[0]!);
    await h.advance('P61D');

    const get = await h.page(expiring);
    const post = await h.page(expiring, { answer: 'accept' });

    expect(get.status).toBe(410);
    expect(get.html).toContain('Länken har gått ut');
    expect(post.status).toBe(410);
    expect((await h.dialogue(dialogueId)).answer).toBeUndefined();
  });
});

describe('links mailed by earlier versions (a stored link, `<linkId>.<expiry>.<signature>`)', () => {
  it('still open and answer; a forged one is refused', async () => {
    await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: 'gammal-kommun',
        orgNumber: '212000-2003',
        name: 'Gammelby kommun',
        contacts: [{ role: 'board', name: 'Nämnden', email: 'n@gammal.example.se' }],
      }),
    );
    const dialogueId = await h.invite('gammal-kommun');
    const contactId = (await h.dialogue(dialogueId)).recipients[0].contactId;
    // What the earlier version wrote when it mailed the invitation
    const linkId = 'AbCdEfGhIjKlMnOpQrStUv';
    const expiresAt = new Date(h.runtime.clock.now().getTime() + 30 * 86_400_000);
    const doc = (h.runtime.deps.organisers as unknown as { doc: import('@aws-sdk/lib-dynamodb').DynamoDBDocumentClient }).doc;
    await doc.send(
      new PutCommand({
        TableName: 'kvalitetsdialog',
        Item: { ...keys.link(linkId), linkId, dialogueId, step: 'answer', contactId, expiresAt: expiresAt.toISOString() },
      }),
    );
    const exp = Math.floor(expiresAt.getTime() / 1000).toString(36);
    const key = (await h.runtime.deps.secrets()).linkSigningKey;
    const sig = createHmac('sha256', key).update(`${linkId}.${exp}`).digest().subarray(0, 16).toString('base64url');
    const base = h.linkIn((await h.mailTo('n@gammal.example.se'))[0]!).split('/r/')[0];

    expect((await h.page(`${base}/r/${linkId}.${exp}.AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await h.page(`${base}/r/AAAAAAAAAAAAAAAAAAAAAA.${exp}.${sig}`)).status).toBe(404);
    const old = `${base}/r/${linkId}.${exp}.${sig}`;
    expect((await h.page(old)).html).toContain('Svaret registreras först när ni trycker på knappen');
    expect((await h.page(old, { answer: 'accept' })).html).toContain('har tackat ja');
    const d = await h.dialogue(dialogueId);
    expect(d.state).toBe('accepted');
    expect(d.answer.answeredBy).toBe(contactId);
  });
});

describe('cross-site posts', () => {
  it('a POST from another site is refused and changes nothing; our own page may post', async () => {
    await h.api(
      'POST',
      '/api/organisers',
      organiser({
        id: 'csrf-kommun',
        orgNumber: '212000-3001',
        contacts: [{ role: 'board', name: 'N', email: 'csrf@testvik.example.se' }],
      }),
    );
    const dialogueId = await h.invite('csrf-kommun');
    const url = h.linkIn((await h.mailTo('csrf@testvik.example.se'))[0]!);
    const post = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: 'answer=decline&reason=time',
      });

    const evil = await post({ origin: 'https://evil.example.com' });
    const framed = await post({ 'sec-fetch-site': 'cross-site' });

    expect(evil.status).toBe(403);
    expect(await evil.text()).toContain('Svaret måste skickas från svarssidan');
    expect(framed.status).toBe(403);
    expect((await h.dialogue(dialogueId)).state).toBe('invited');
    const own = await post({ origin: new URL(url).origin, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
    expect((await h.dialogue(dialogueId)).state).toBe('declined');
  });
});
