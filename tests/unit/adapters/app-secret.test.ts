import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CachedSecret, SECRET_MAX_AGE_MS } from '#adapters/app-secret.ts';

const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());

describe('CachedSecret', () => {
  it('reads the secret once per five minutes, shared by concurrent callers, then again (a rotation takes effect)', async () => {
    // Prepare
    let now = 1_000_000;
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"coordinatorToken":"a"}' })
      .resolvesOnce({ SecretString: '{"coordinatorToken":"b"}' });
    const secret = new CachedSecret('arn:app', new SecretsManagerClient({}), () => now);

    // Act
    const [first, second] = await Promise.all([secret.json(), secret.json()]);
    now += SECRET_MAX_AGE_MS - 1;
    const cached = await secret.json();
    now += 1;
    const rotated = await secret.json();

    // Assess
    expect([first, second, cached]).toEqual([{ coordinatorToken: 'a' }, { coordinatorToken: 'a' }, { coordinatorToken: 'a' }]);
    expect(rotated).toEqual({ coordinatorToken: 'b' });
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: 'arn:app' }, { SecretId: 'arn:app' }]);
  });

  it('does not keep a failed read: the next call tries again', async () => {
    sm.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolvesOnce({ SecretString: '{"x":1}' });
    const secret = new CachedSecret('arn:app', new SecretsManagerClient({}));
    await expect(secret.json()).rejects.toThrow('throttled');
    await expect(secret.json()).resolves.toEqual({ x: 1 });
  });
});
