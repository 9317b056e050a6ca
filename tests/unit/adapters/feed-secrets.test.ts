import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { FEED_KEY_MAX_AGE_MS, SecretsManagerFeedSecrets } from '#adapters/feed-secrets.ts';

const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());

const KEY_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const KEY_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

describe('the inspectorate feed key in Secrets Manager', () => {
  it('is read once a minute, shared by concurrent callers, so a new key takes effect within a minute', async () => {
    // Prepare
    let now = 1_000_000;
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: KEY_A }).resolvesOnce({ SecretString: KEY_B });
    const keys = new SecretsManagerFeedSecrets('arn:feed', new SecretsManagerClient({}), () => now);
    // Act
    const [first, second] = await Promise.all([keys.inspectorateKey(), keys.inspectorateKey()]);
    now += FEED_KEY_MAX_AGE_MS - 1;
    const cached = await keys.inspectorateKey();
    now += 1;
    const next = await keys.inspectorateKey();
    // Assess
    expect([first, second, cached, next]).toEqual([KEY_A, KEY_A, KEY_A, KEY_B]);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('does not keep a failed read, and treats a too short value as no key', async () => {
    sm.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolvesOnce({ SecretString: 'short' });
    const keys = new SecretsManagerFeedSecrets('arn:feed', new SecretsManagerClient({}), () => 5);
    await expect(keys.inspectorateKey()).rejects.toThrow('throttled');
    expect(await keys.inspectorateKey()).toBeUndefined();
  });

  it('writes a new random key and uses it at once in this process', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: KEY_A });
    sm.on(PutSecretValueCommand).resolves({});
    const keys = new SecretsManagerFeedSecrets('arn:feed', new SecretsManagerClient({}), () => 5);
    expect(await keys.inspectorateKey()).toBe(KEY_A);
    // Act
    const fresh = await keys.rotateInspectorateKey();
    // Assess
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: 'arn:feed', SecretString: fresh }]);
    expect(await keys.inspectorateKey()).toBe(fresh);
  });
});
