/**
 * How Lambda treats the asynchronous invocations of the functions that EventBridge (SES delivery
 * events) and EventBridge Scheduler (the timer tick, the campaign sender) call. A DLQ on the rule
 * or the schedule catches only events that could not be delivered to Lambda; once Lambda has
 * accepted an event, a handler error is retried by Lambda `retryAttempts` times (at most 2: one
 * minute, then two minutes apart) and then the event goes to the function's on-failure
 * destination. The workflows stack configures exactly this; the local runtime plays it.
 */
export interface AsyncInvocationConfig {
  /** Lambda's retries of a handler error (0–2). */
  readonly retryAttempts: 0 | 1 | 2;
  /** How long Lambda keeps trying an event, from when it was queued (60 s – 6 h). */
  readonly maxEventAgeSeconds: number;
}

export const ASYNC_INVOCATION = {
  /** A bounce or complaint must be recorded: the most retries Lambda allows, over the longest age. */
  sesEvents: { retryAttempts: 2, maxEventAgeSeconds: 6 * 3600 },
  /** The next tick (five minutes later) is the retry; Lambda's retries would only overlap it. */
  timerTick: { retryAttempts: 0, maxEventAgeSeconds: 300 },
} as const satisfies Record<string, AsyncInvocationConfig>;
