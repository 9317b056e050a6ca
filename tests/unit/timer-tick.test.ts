/** The tick's counts leave the entry as CloudWatch embedded-metric-format fields. */
import { describe, expect, it } from 'vitest';
import { TICK_METRICS_NAMESPACE, tickMetrics } from '#functions/timer-tick.ts';

describe('tickMetrics', () => {
  it('is a valid EMF record: every declared metric is a top-level number, the dimension is on the line', () => {
    // Act
    const line = tickMetrics(
      {
        fired: 12,
        failed: [
          { dialogueId: 'dlg-1', kind: 'reminder', error: 'boom', failures: 1 },
          { dialogueId: 'dlg-2', kind: 'held', error: 'boom', failures: 3 },
        ],
        deferred: true,
      },
      1_767_000_000_000,
    );

    // Assess
    const aws = line._aws as {
      Timestamp: number;
      CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
    };
    expect(aws.Timestamp).toBe(1_767_000_000_000);
    const [directive] = aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe(TICK_METRICS_NAMESPACE);
    expect(directive?.Dimensions).toEqual([['service']]);
    expect(Object.fromEntries(directive?.Metrics.map((m) => [m.Name, line[m.Name]]) ?? [])).toEqual({
      TimersFired: 12,
      TimersFailed: 2,
      TimersDeferred: 1,
    });
  });
});
