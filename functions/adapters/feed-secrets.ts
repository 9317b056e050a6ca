/**
 * The inspectorate's feed key. In the cloud it is a Secrets Manager secret of its own
 * (FEED_SECRET_ARN, a plain random string): read at most once a minute per process (concurrent
 * callers share the read, a failed read is not kept), so a new key takes effect within a minute
 * everywhere, and replaced with PutSecretValue (only the console's reports function may). Locally
 * it is INSPECTORATE_FEED_KEY (the embedded runtime generates one and keeps it in the data
 * folder); a new key there is kept in the table.
 */
import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { FeedSecrets } from '#core/feed-ports.ts';
import { feedKeys } from './table-model.ts';

/** A fresh key: 32 random bytes, URL-safe (it is a path segment). */
export const newFeedKey = (): string => randomBytes(32).toString('base64url');

export const FEED_KEY_MAX_AGE_MS = 60_000;

export class SecretsManagerFeedSecrets implements FeedSecrets {
  private cached?: { value: Promise<string | undefined>; at: number };

  constructor(
    private readonly secretArn: string,
    private readonly client: Pick<SecretsManagerClient, 'send'>,
    private readonly now: () => number = Date.now,
  ) {}

  inspectorateKey(): Promise<string | undefined> {
    const at = this.now();
    if (!this.cached || at - this.cached.at >= FEED_KEY_MAX_AGE_MS) {
      const value = this.read();
      this.cached = { value, at };
      value.catch(() => {
        if (this.cached?.value === value) this.cached = undefined;
      });
    }
    return this.cached.value;
  }

  private async read(): Promise<string | undefined> {
    const r = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretArn }));
    return typeof r.SecretString === 'string' && r.SecretString.length >= 24 ? r.SecretString : undefined;
  }

  async rotateInspectorateKey(): Promise<string> {
    const key = newFeedKey();
    await this.client.send(new PutSecretValueCommand({ SecretId: this.secretArn, SecretString: key }));
    // This process uses the new key at once; the others within a minute.
    this.cached = { value: Promise.resolve(key), at: this.now() };
    return key;
  }
}

export class LocalFeedSecrets implements FeedSecrets {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly configured: string | undefined,
  ) {}

  async inspectorateKey(): Promise<string | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: feedKeys.localFeedSecret('inspectorate'), ConsistentRead: true }),
    );
    return typeof r.Item?.value === 'string' ? r.Item.value : this.configured;
  }

  async rotateInspectorateKey(): Promise<string> {
    const key = newFeedKey();
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...feedKeys.localFeedSecret('inspectorate'), value: key } }));
    return key;
  }
}
