import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { asTransient, isThrottling, isTransient, TransientError } from '#adapters/transient.ts';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, ...extra });

describe('transient errors', () => {
  it('counts DynamoDB, SES and Lambda throttling as throttling and as transient', () => {
    for (const name of [
      'ProvisionedThroughputExceededException',
      'ThrottlingException',
      'RequestLimitExceeded',
      'TooManyRequestsException',
    ]) {
      expect(isThrottling(named(name)), name).toBe(true);
      expect(isTransient(named(name)), name).toBe(true);
    }
    expect(isThrottling(named('Whatever', { $retryable: { throttling: true } }))).toBe(true);
  });

  it('counts a service that failed for a moment and a dropped connection as transient, not as throttling', () => {
    for (const e of [
      named('InternalServerError'),
      named('ServiceUnavailable'),
      named('Error', { code: 'ECONNRESET' }),
      named('X', { $retryable: {} }),
    ]) {
      expect(isTransient(e)).toBe(true);
      expect(isThrottling(e)).toBe(false);
    }
  });

  it('follows what an error wraps', () => {
    expect(isTransient(new Error('could not store', { cause: named('ProvisionedThroughputExceededException') }))).toBe(true);
  });

  it('leaves errors a retry cannot fix alone', () => {
    for (const e of [named('ConditionalCheckFailedException'), named('ValidationException'), named('MessageRejected'), undefined, 'text']) {
      expect(isTransient(e)).toBe(false);
      expect(asTransient(e)).toBe(e);
    }
  });

  it('turns a transient SDK error into the TransientError the workflows retry, keeping the original as cause', () => {
    // Prepare
    const throttled = new ProvisionedThroughputExceededException({
      message: 'Rate of requests exceeds the allowed throughput.',
      $metadata: {},
    });

    // Act
    const e = asTransient(throttled) as TransientError;

    // Assess
    expect(e).toBeInstanceOf(TransientError);
    expect(e.name).toBe('TransientError');
    expect(e.message).toContain('ProvisionedThroughputExceededException');
    expect(e.cause).toBe(throttled);
    const already = new TransientError('SES did not accept the mail');
    expect(asTransient(already)).toBe(already);
  });
});
