/** The tick's counts leave the entry as CloudWatch embedded-metric-format metrics. */
import { describe, expect, it, vi } from 'vitest';
import { metrics } from '#adapters/observability.ts';
import { recordTick } from '#functions/use-cases/scheduled-work.ts';

describe('recordTick', () => {
  it('flushes TimersFired, TimersFailed and TimersDeferred as one EMF line in the service namespace', () => {
    // Prepare
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    // Act
    recordTick({
      fired: 12,
      failed: [
        { dialogueId: 'dlg-1', kind: 'reminder', error: 'boom', failures: 1 },
        { dialogueId: 'dlg-2', kind: 'held', error: 'boom', failures: 3 },
      ],
      deferred: true,
    });
    metrics.publishStoredMetrics();
    // Assess
    const lines = out.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"_aws"'));
    out.mockRestore();
    expect(lines).toHaveLength(1);
    const emf = JSON.parse(lines[0] ?? '{}');
    const [directive] = emf._aws.CloudWatchMetrics as { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
    expect(directive?.Namespace).toBe('Kvalitetsdialog');
    expect(directive?.Dimensions.flat()).toContain('stage');
    expect(Object.fromEntries(directive?.Metrics.map((m) => [m.Name, emf[m.Name]]) ?? [])).toEqual({
      TimersFired: 12,
      TimersFailed: 2,
      TimersDeferred: 1,
    });
  });
});
