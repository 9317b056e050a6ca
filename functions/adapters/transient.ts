/** An error worth retrying (throttling, a dropped connection). The workflow's Retry matches its name. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}
