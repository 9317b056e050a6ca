/**
 * Logging and metrics for every function: one Powertools Logger and one Powertools Metrics
 * instance (CloudWatch embedded metric format, written to stdout as Lambda does; locally the same
 * lines go to the terminal), and the middy middlewares that attach them to an invocation. Any
 * layer may import this; use-cases log and count (`recordMetric`) through it, never through
 * functions/http.
 */
import type { MiddlewareObj } from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import {
  BUSINESS_METRICS,
  type BusinessMetricName,
  businessMetrics,
  type DimensionArgs,
  dimensionProblem,
} from '#core/business-metrics.ts';
import { stageOf } from './env.ts';

export const logger = new Logger({ serviceName: BUSINESS_METRICS.service });

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
  namespace: BUSINESS_METRICS.namespace,
  serviceName: BUSINESS_METRICS.service,
  defaultDimensions: { stage: stageOf() },
  logger: metricsLog,
});

/**
 * Records one data point of a metric of functions/core/business-metrics.ts, with exactly the
 * dimensions it declares. A metric without extra dimensions joins the invocation's buffer, which
 * `observed()`'s logMetrics writes as one EMF line when the invocation ends; one with extra
 * dimensions goes out at once as its own line (Powertools' single metric), because dimensions
 * apply to a whole EMF line. Never throws: a metric that cannot be recorded is logged, and the
 * business step that recorded it goes on.
 *
 * Call it once per event, right after the conditional write that makes the event happen reports a
 * change, so a retried or repeated step (whose write then changes nothing) does not count again.
 */
export function recordMetric<N extends BusinessMetricName>(name: N, value: number, ...[dimensions]: DimensionArgs<N>): void {
  try {
    const problem = dimensionProblem(name, dimensions);
    if (problem) throw new Error(problem);
    const { unit } = businessMetrics[name];
    if (!dimensions) {
      metrics.addMetric(name, unit, value);
      return;
    }
    const single = metrics.singleMetric();
    single.addDimensions(dimensions);
    single.addMetric(name, unit, value);
  } catch (e) {
    logger.error('metric not recorded', { metric: name, value, error: e as Error });
  }
}

/**
 * The middlewares every Lambda entry starts with: the invocation's context on each log line, and
 * the metrics recorded during the invocation flushed when it ends (also when it fails).
 */
export function observed<E, R>(): MiddlewareObj<E, R>[] {
  return [injectLambdaContext(logger) as MiddlewareObj<E, R>, logMetrics(metrics) as MiddlewareObj<E, R>];
}
