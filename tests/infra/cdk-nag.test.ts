/**
 * The whole app as `npm run synth` builds it: real esbuild bundles and cdk-nag's AwsSolutions
 * pack. In CDK's validation framework an unacknowledged finding makes `app.synth()` throw.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStacks } from '#infra/service.ts';
import { buildTestService, REAL_STAGE_CONTEXT, type StackName } from './service-fixture.ts';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
    suppressedViolations?: { ruleName: string }[];
  }[];
}

let app: App;
let stacks: ServiceStacks;
let assembly: CloudAssembly | undefined;
let synthError: unknown;

beforeAll(() => {
  ({ app, stacks } = buildTestService({ bundle: true, nag: true }));
  try {
    assembly = app.synth();
  } catch (e) {
    synthError = e;
  }
});

function report(): ValidationReport | undefined {
  const file = join(app.outdir, 'validation-report.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

describe('the whole app with cdk-nag', () => {
  it('synthesizes with 0 unacknowledged AwsSolutions findings', () => {
    // Assess: list the findings, not just "ValidationFailed", when this breaks
    const violations = (report()?.pluginReports ?? []).flatMap((p) =>
      p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)),
    );
    expect(violations).toEqual([]);
    expect(synthError).toBeUndefined();
    expect(report()?.pluginReports.map((p) => [p.pluginName, p.conclusion])).toEqual([['AwsSolutions', 'success']]);
  });

  it('acknowledges only the findings we wrote a reason for', () => {
    const acknowledged = new Set((report()?.pluginReports ?? []).flatMap((p) => (p.suppressedViolations ?? []).map((v) => v.ruleName)));
    expect([...acknowledged].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::<TimerTickFunction13466E9F.Arn>:*]',
      'AwsSolutions-IAM5[Resource::<WorkflowTaskFunction0B987039.Arn>:*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:eu-north-1:<AWS::AccountId>:execution:kvalitetsdialog-dev-invitation:*]',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
    ]);
  });

  it('deploys the stacks in one direction: alerts ← every stack with an alarm; data, secrets, email ← workflows ← api; auth ← signin ← api; all ← monitoring', () => {
    const deps = (s: StackName) => stacks[s].dependencies.map((d) => d.stackName.replace('kvalitetsdialog-dev-', '')).sort();
    expect(deps('alerts')).toEqual([]);
    expect(deps('data')).toEqual([]);
    expect(deps('secrets')).toEqual([]);
    expect(deps('auth')).toEqual([]);
    expect(deps('email')).toEqual(['alerts']);
    expect(deps('signin')).toEqual(['auth']);
    expect(deps('workflows')).toEqual(['alerts', 'data', 'email', 'secrets']);
    expect(deps('api')).toEqual(['alerts', 'auth', 'data', 'email', 'secrets', 'signin', 'workflows']);
    expect(deps('monitoring')).toEqual(['alerts', 'api', 'auth', 'data', 'email', 'secrets', 'signin', 'workflows']);
  });
});

describe('Lambda bundles', () => {
  /** The zip (directory) assets of every stack, from the stacks' asset manifests. */
  const bundles = () =>
    (assembly?.stacks ?? []).flatMap((s) => {
      const manifest = JSON.parse(readFileSync(join(s.assembly.directory, `${s.stackName}.assets.json`), 'utf8'));
      return Object.values<{ source: { path: string; packaging: string } }>(manifest.files)
        .filter((f) => f.source.packaging === 'zip')
        .map((f) => ({ stack: s.stackName, dir: join(s.assembly.directory, f.source.path) }));
    });

  it('bundles every handler (api, answer-page, console, console-campaigns, console-reports, inspection-import, feeds, workflow-task, timer-tick, ses-events)', () => {
    expect(bundles()).toHaveLength(10);
  });

  it('are ESM with the AWS SDK v3 left to the Lambda runtime, define require for CommonJS deps, and carry templates/', () => {
    for (const { dir } of bundles()) {
      // Prepare
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');

      // Assess
      expect(code.startsWith("import { createRequire as __kdCreateRequire } from 'node:module';")).toBe(true);
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      expect(code).toMatch(/from\s*["']@aws-sdk\/client-dynamodb["']/);
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      expect(readdirSync(join(dir, 'templates')).sort()).toEqual(readdirSync(join(process.cwd(), 'templates')).sort());
    }
  });

  /**
   * The target: 300 KB minified per handler, the AWS SDK left to the runtime. What keeps
   * them there: zod/mini (tree-shakes to ~37 KB; classic was 94 KB), Eta's core compiler (8 KB;
   * Handlebars' was 81 KB), dayjs + Intl for Stockholm time (12 KB; luxon was 70 KB), and the
   * inspection import's parsers (ical.js, csv-parse) in a function of their own.
   */
  const TARGET_BYTES = 300 * 1024;

  it(`stay within their size budget (target ${TARGET_BYTES / 1024} KB minified)`, () => {
    // Prepare
    const sizes = Object.fromEntries(
      bundles().map(({ dir }) => {
        const sources: string[] = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')).sources;
        // esbuild emits the entry module last (inspection-import also bundles functions/console.ts).
        const entry = sources.findLast((src) => /(^|\/)functions\/[a-z-]+\.ts$/.test(src))?.replace(/^.*functions\//, '') ?? dir;
        return [entry, statSync(join(dir, 'index.mjs')).size];
      }),
    );

    // Assess
    console.info(
      `Lambda bundles (minified): ${Object.entries(sizes)
        .map(([e, b]) => `${e} ${Math.round(b / 1024)} KB`)
        .join(', ')}`,
    );
    expect(Object.keys(sizes).sort()).toEqual([
      'answer-page.ts',
      'api.ts',
      'console-campaigns.ts',
      'console-reports.ts',
      'console.ts',
      'feeds.ts',
      'inspection-import.ts',
      'ses-events.ts',
      'timer-tick.ts',
      'workflow-task.ts',
    ]);
    for (const [entry, bytes] of Object.entries(sizes)) {
      expect(bytes, `${entry}: ${Math.round(bytes / 1024)} KB`).toBeLessThanOrEqual(TARGET_BYTES);
    }
  });
});

describe('a real stage', () => {
  it('synthesizes with 0 unacknowledged findings too (its account is pinned, which changes the findings’ ids)', () => {
    // Prepare
    const { app: real } = buildTestService({ context: REAL_STAGE_CONTEXT, nag: true });

    // Act
    const act = () => real.synth();

    // Assess
    expect(act).not.toThrow();
  });
});

describe('the cdk-nag harness', () => {
  it('fails the synth on an unacknowledged finding (so the test above can fail)', () => {
    // Prepare
    const probe = new App();
    new Secret(new Stack(probe, 'Probe'), 'NotRotated');
    Validations.of(probe).addPlugins(new AwsSolutionsChecks(probe));

    // Act + Assess
    expect(() => probe.synth()).toThrow(/AwsSolutions-SMG4/);
  });
});
