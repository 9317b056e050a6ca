// Registers aws-sdk-client-mock's vitest matchers (toHaveReceivedCommandWith, …) for every project.
import 'aws-sdk-client-mock-vitest/extend';
import fc from 'fast-check';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

// Property tests explore new random inputs on every local run; CI replays a fixed seed so a rare
// counterexample is found on a developer's machine, not as a red build (FAST_CHECK_SEED overrides).
if (process.env.CI || process.env.FAST_CHECK_SEED) fc.configureGlobal({ seed: Number(process.env.FAST_CHECK_SEED ?? 20261123) });
