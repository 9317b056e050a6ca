/**
 * Which failures are worth retrying, in one place. A TransientError is retried by the workflows
 * (their Retry matches its name); `asTransient` turns an AWS SDK or network error that is
 * transient into one, so a throttled DynamoDB write retries like a throttled SES send.
 */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** AWS asking the caller to slow down (SES, DynamoDB, Lambda, Step Functions, Scheduler). */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

/** A service or the connection failing for a moment. */
const TRANSIENT = new Set([
  ...THROTTLING,
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

type Classified = { name?: string; code?: string; cause?: unknown; $retryable?: { throttling?: boolean } };

/** Walks an error and its causes (a wrapped error keeps what it wraps as `cause`). */
function some(e: unknown, test: (x: Classified) => boolean): boolean {
  let x = e as Classified | undefined;
  for (let depth = 0; x && typeof x === 'object' && depth < 5; depth++) {
    if (test(x)) return true;
    x = x.cause as Classified | undefined;
  }
  return false;
}

/** Is this (or what it wraps) a service asking us to slow down? */
export const isThrottling = (e: unknown): boolean => some(e, (x) => THROTTLING.has(x.name ?? '') || x.$retryable?.throttling === true);

/** Would the same call likely succeed a little later? */
export const isTransient = (e: unknown): boolean =>
  some(e, (x) => x instanceof TransientError || TRANSIENT.has(x.name ?? '') || TRANSIENT.has(x.code ?? '') || Boolean(x.$retryable));

/** The error as the workflows should see it: a TransientError when it is worth retrying, else as it is. */
export function asTransient(e: unknown): unknown {
  if (e instanceof TransientError || (e as Classified | undefined)?.name === 'TransientError' || !isTransient(e)) return e;
  const x = e as { name?: string; message?: string };
  return new TransientError(`${x.name ?? 'Error'}: ${x.message ?? String(e)}; will retry`, { cause: e });
}
