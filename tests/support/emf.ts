/**
 * Captures the CloudWatch embedded-metric-format lines the handlers write to stdout (as Lambda's
 * log does) and reads them back as data points: one per metric value, with the line's namespace,
 * the metric's unit and the dimensions of its dimension set.
 */
export interface MetricPoint {
  namespace: string;
  name: string;
  unit: string;
  value: number;
  dimensions: Record<string, string>;
}

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

/** The data points of one EMF line (a metric's array of values gives a point per value). */
export function pointsOf(line: EmfLine): MetricPoint[] {
  return line._aws.CloudWatchMetrics.flatMap((directive) =>
    directive.Dimensions.flatMap((set) => {
      const dimensions = Object.fromEntries(set.map((d) => [d, String(line[d])]));
      return directive.Metrics.flatMap((m) => {
        const raw = line[m.Name];
        const values = Array.isArray(raw) ? raw : [raw];
        return values.map((value) => ({ namespace: directive.Namespace, name: m.Name, unit: m.Unit, value: Number(value), dimensions }));
      });
    }),
  );
}

export class EmfCapture {
  private readonly lines: EmfLine[] = [];
  private restore?: () => void;

  /**
   * From now on EMF lines on stdout are kept here (and not printed); other output passes. A plain
   * replacement of the stream's write, not a vitest spy, so it outlives `restoreMocks` between tests.
   */
  start(): this {
    const stdout = process.stdout;
    const write = stdout.write;
    stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = String(chunk);
      if (!text.includes('"_aws"')) return (write as (...args: unknown[]) => boolean).call(stdout, chunk, ...rest);
      for (const line of text.split('\n').filter((l) => l.includes('"_aws"'))) this.lines.push(JSON.parse(line));
      return true;
    }) as typeof stdout.write;
    this.restore = () => {
      stdout.write = write;
    };
    return this;
  }

  stop(): void {
    this.restore?.();
  }

  /** A position to read from later: `points(mark)` is what was written after it. */
  mark(): number {
    return this.lines.length;
  }

  points(since = 0): MetricPoint[] {
    return this.lines.slice(since).flatMap(pointsOf);
  }
}
