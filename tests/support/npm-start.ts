/**
 * `npm start` as a separate process (the real entry, infra/local/start.ts) on a data folder of the
 * test's, for tests that kill it with SIGKILL and start again. One process at a time per file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export const START_COORDINATOR_TOKEN = 'test-coordinator-token-0001';
export const START_INSPECTORATE_TOKEN = 'test-inspectorate-token-0001';

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export interface StartedApp {
  child: ChildProcess;
  /** The app and API, and the mailbox (aws-ses-v2-local). */
  base: string;
  ses: string;
  /** What the process printed so far. */
  out(): string;
  /** SIGKILL, resolved once the process has exited. */
  kill(): Promise<void>;
}

/** Starts `npm start` on fresh ports; resolves once it has printed its tokens (it serves then). */
export async function spawnNpmStart(dataDir: string): Promise<StartedApp> {
  const [port, sesPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      SES_PORT: String(sesPort),
      DATA_DIR: dataDir,
      COORDINATOR_TOKEN: START_COORDINATOR_TOKEN,
      INSPECTORATE_TOKEN: START_INSPECTORATE_TOKEN,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Inspectorate token')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`npm start exited early with ${code}`)));
  });
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    ses: `http://127.0.0.1:${sesPort}`,
    out: () => out,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
