/**
 * Global setup of the e2e project: finds the Chromium the browser tests drive, once per run.
 * CHROMIUM_PATH or Debian's /usr/bin/chromium when present; otherwise the headless Chromium that
 * the npm package @sparticuz/chromium ships inside itself (unpacked on first use, no download).
 * A browser that cannot be found or unpacked fails the run; it never skips the tests.
 */
import { accessSync, constants } from 'node:fs';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    chromiumPath: string;
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function resolveChromium(): Promise<string> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!executable(configured)) throw new Error(`CHROMIUM_PATH=${configured} is not an executable file`);
    return configured;
  }
  if (executable('/usr/bin/chromium')) return '/usr/bin/chromium';
  const { default: packaged } = await import('@sparticuz/chromium');
  const path = await packaged.executablePath();
  if (!executable(path)) throw new Error(`@sparticuz/chromium unpacked no executable browser at ${path}`);
  return path;
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('chromiumPath', await resolveChromium());
}
