import { describe, expect, it } from 'vitest';
import { TransientError } from '#adapters/transient.ts';
import { isThrottle } from '#functions/use-cases/campaign-feedback.ts';
import { ClaimHeldError } from '#functions/use-cases/mail.ts';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });

describe('isThrottle (what holds a campaign back)', () => {
  it('sees SES and DynamoDB throttling, also wrapped in the TransientError the workflows retry', () => {
    expect(isThrottle(named('ThrottlingException'))).toBe(true);
    expect(isThrottle(named('ProvisionedThroughputExceededException'))).toBe(true);
    expect(isThrottle(new TransientError('SES did not accept the mail', { cause: named('TooManyRequestsException') }))).toBe(true);
    expect(isThrottle(named('SomeSdkError', { $retryable: { throttling: true } }))).toBe(true);
  });

  it('does not take other transient errors for throttling (a held send claim after a crash, a dropped connection)', () => {
    expect(isThrottle(new ClaimHeldError('mail invitation to c1 is being sent by another attempt'))).toBe(false);
    expect(isThrottle(new TransientError('could not start the invitation workflow: ECONNRESET', { cause: named('ECONNRESET') }))).toBe(
      false,
    );
    expect(isThrottle(named('MessageRejected'))).toBe(false);
    expect(isThrottle(undefined)).toBe(false);
  });
});
