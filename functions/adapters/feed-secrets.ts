/**
 * The inspectorate's feed key. In the cloud it is a Secrets Manager secret of its own
 * (FEED_SECRET_ARN, a plain random string): read through Powertools' cache for a minute, so a
 * rotated key takes effect within a minute everywhere, and rotated with PutSecretValue (only the
 * console's reports function may). Locally it is INSPECTORATE_FEED_KEY (the embedded runtime
 * generates one and keeps it in the data folder); a rotation there is kept in the table.
 */
import { randomBytes } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { FeedSecrets } from '#core/feed-ports.ts';
import { feedKeys } from './table-model.ts';

/** A fresh key: 32 random bytes, URL-safe (it is a path segment). */
export const newFeedKey = (): string => randomBytes(32).toString('base64url');

const MAX_AGE_S = 60;

export class SecretsManagerFeedSecrets implements FeedSecrets {
  private rotated = false;

  constructor(
    private readonly secretArn: string,
    private readonly region: string,
  ) {}

  async inspectorateKey(): Promise<string | undefined> {
    const forceFetch = this.rotated;
    this.rotated = false;
    const value = await getSecret<string>(this.secretArn, { maxAge: MAX_AGE_S, forceFetch });
    return typeof value === 'string' && value.length >= 24 ? value : undefined;
  }

  async rotateInspectorateKey(): Promise<string> {
    // Loaded on use: only the function that rotates needs the client.
    const { SecretsManagerClient, PutSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const key = newFeedKey();
    await new SecretsManagerClient({ region: this.region }).send(
      new PutSecretValueCommand({ SecretId: this.secretArn, SecretString: key }),
    );
    this.rotated = true;
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
