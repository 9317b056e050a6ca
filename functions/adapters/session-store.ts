/**
 * Console sessions in the table (`SESSION#<id>` / `SESSION`): one item per sign-in, written when
 * the session cookie is issued, read (consistently) on every console request, marked ended at
 * logout. The item expires with the session (DynamoDB TTL a day later; the local sweeper
 * removes it too), so the table holds only the working day's sessions.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionStore } from '#core/ports.ts';
import { isConditionFailure } from './dynamo.ts';
import { keys } from './table-model.ts';

export class DynamoSessionStore implements SessionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async open(session: { id: string; role: string; name: string; expiresAt: Date }, at: Date): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.session(session.id),
          role: session.role,
          name: session.name,
          openedAt: at.toISOString(),
          expiresAt: session.expiresAt.toISOString(),
          ttl: Math.floor(session.expiresAt.getTime() / 1000) + 86_400,
        },
        // A session id is random: one that exists already is never reused.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async isOpen(id: string, now: Date): Promise<boolean> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.session(id), ConsistentRead: true }));
    const item = r.Item;
    return Boolean(item && !item.endedAt && typeof item.expiresAt === 'string' && Date.parse(item.expiresAt) > now.getTime());
  }

  async end(id: string, at: Date): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.session(id),
          UpdateExpression: 'SET endedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(endedAt)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
    } catch (e) {
      // Already ended (a second logout) or never recorded: either way it opens nothing.
      if (!isConditionFailure(e)) throw e;
    }
  }
}
