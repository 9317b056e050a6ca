/**
 * The app secret from Secrets Manager (cloud): one GetSecretValue per five minutes per process, so
 * a rotated coordinator token takes effect without a deploy, and concurrent callers share one
 * read. The SDK client comes with the Lambda runtime (`@aws-sdk/*` is not bundled), which keeps
 * every bundle small.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export const SECRET_MAX_AGE_MS = 300_000;

export class CachedSecret {
  private cached?: { value: Promise<unknown>; at: number };

  constructor(
    private readonly secretId: string,
    private readonly client: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({}),
    private readonly now: () => number = Date.now,
  ) {}

  /** The secret's JSON value, read again once it is older than five minutes (a failed read is not kept). */
  json(): Promise<unknown> {
    const at = this.now();
    if (!this.cached || at - this.cached.at >= SECRET_MAX_AGE_MS) {
      const value = this.read();
      this.cached = { value, at };
      value.catch(() => {
        if (this.cached?.value === value) this.cached = undefined;
      });
    }
    return this.cached.value;
  }

  private async read(): Promise<unknown> {
    const r = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    if (typeof r.SecretString !== 'string') throw new Error(`The secret ${this.secretId} has no string value`);
    return JSON.parse(r.SecretString);
  }
}
