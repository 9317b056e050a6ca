/**
 * The metrics list of functions/core/business-metrics.ts and the runbook's table of them
 * (docs/operations.md, "Metrics") name the same metrics, units and dimensions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { businessMetrics, operationalMetrics } from '#core/business-metrics.ts';
import { PROJECT_ROOT } from '#infra/config.ts';

const runbook = readFileSync(join(PROJECT_ROOT, 'docs/operations.md'), 'utf8');
const chapter = runbook.slice(runbook.indexOf('## Metrics'), runbook.indexOf('## The alarms'));
/** name → [unit, dimensions] from the table's rows. */
const documented = Object.fromEntries(
  [...chapter.matchAll(/^\| `(\w+)` \| (\w+) \| ([^|]*) \|/gm)].map(([, name, unit, dims]) => [
    name,
    [unit, [...(dims ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1])],
  ]),
);

describe('the metrics table of docs/operations.md', () => {
  it('has a row for every metric, with its unit and its extra dimensions, and no other row', () => {
    // Act
    const declared = Object.fromEntries(Object.entries(businessMetrics).map(([name, m]) => [name, [m.unit, [...m.dimensions]]]));

    // Assess
    expect(Object.keys(declared).length).toBeGreaterThan(15);
    expect(documented).toEqual(declared);
  });

  it('marks the operational metrics as such', () => {
    for (const name of operationalMetrics) expect(chapter).toMatch(new RegExp(`\\| \`${name}\` \\|[^\\n]*\\| Operational`));
  });
});
