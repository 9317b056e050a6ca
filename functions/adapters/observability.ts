/**
 * Logging and metrics for every function: one Powertools Logger and one Powertools Metrics
 * instance (CloudWatch embedded metric format, written to stdout as Lambda does; locally the same
 * lines go to the terminal), and the middy middlewares that attach them to an invocation. Any
 * layer may import this; use-cases log and count through it, never through functions/http.
 */
import type { MiddlewareObj } from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { stageOf } from './env.ts';

export const SERVICE_NAME = 'kvalitetsdialog';
export const METRICS_NAMESPACE = 'Kvalitetsdialog';

export const logger = new Logger({ serviceName: SERVICE_NAME });

/**
 * Most invocations record no business metric; Powertools warns about every such empty flush.
 * That one warning goes to debug, everything else Metrics says reaches the logger unchanged.
 */
const EMPTY_FLUSH = 'No application metrics to publish';
const metricsLog = {
  debug: (...a: unknown[]) => logger.debug(String(a[0]), ...a.slice(1).map((x) => ({ detail: x }))),
  info: (...a: unknown[]) => logger.info(String(a[0]), ...a.slice(1).map((x) => ({ detail: x }))),
  error: (...a: unknown[]) => logger.error(String(a[0]), ...a.slice(1).map((x) => ({ detail: x }))),
  warn: (...a: unknown[]) => {
    const message = String(a[0]);
    if (message.startsWith(EMPTY_FLUSH)) logger.debug(message);
    else logger.warn(message, ...a.slice(1).map((x) => ({ detail: x })));
  },
};

export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
  defaultDimensions: { stage: stageOf() },
  logger: metricsLog,
});

/**
 * The middlewares every Lambda entry starts with: the invocation's context on each log line, and
 * the metrics recorded during the invocation flushed when it ends (also when it fails).
 */
export function observed<E, R>(): MiddlewareObj<E, R>[] {
  return [injectLambdaContext(logger) as MiddlewareObj<E, R>, logMetrics(metrics) as MiddlewareObj<E, R>];
}
