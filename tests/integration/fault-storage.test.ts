/**
 * The fault suite's storage faults: the data folder is read-only, in use by another instance, or
 * its disk fills up while the service runs. Each is said in one line that names the folder, and
 * nothing is half-written or overwritten.
 *
 * Simulated, not real (both need root on a CI machine): the read-only folder by a preload that
 * fails every write under it with EROFS (tests/support/readonly-fs.ts); the full disk by the
 * DynamoDB stand-in's storage refusing every write with LevelDB's own "No space left on device"
 * error (runtime.injectDiskFull, infra/local/dynalite-worker.mjs).
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/npm-start.ts';
import { Harness, organiser } from '../support/local.ts';

/** `npm start` (infra/local/start.ts) in a child process that is expected to refuse to start. */
async function startRefused(dataDir: string, extra: { preload?: string; env?: Record<string, string> } = {}) {
  const [port, sesPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...(extra.preload ? ['--import', extra.preload] : []), 'infra/local/start.ts'],
    {
      env: { ...process.env, PORT: String(port), SES_PORT: String(sesPort), DATA_DIR: dataDir, ...extra.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await new Promise<number | null>((ok) => child.once('exit', ok));
  return { code, stdout, stderr };
}

const harnesses: Harness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.close();
});

describe('storage faults', () => {
  it('a read-only data folder: npm start exits with one line naming the folder, no stack trace', async () => {
    // Prepare
    const h = new Harness();
    harnesses.push(h);

    // Act
    const r = await startRefused(h.dataDir, { preload: './tests/support/readonly-fs.ts', env: { READONLY_DIR: h.dataDir } });

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `npm start: Cannot use the data folder ${h.dataDir}: ${join(h.dataDir, 'runtime.lock')} is on a read-only file system (EROFS). Set DATA_DIR to a writable folder with free space, or fix this one.`,
    ]);
    expect(r.stdout).not.toContain('token');
  });

  it('a data folder in use: a second npm start is refused in one line, and touches nothing in the folder', async () => {
    // Prepare: a running instance owns the folder
    const h = new Harness();
    harnesses.push(h);
    await h.start();
    const secrets = join(h.dataDir, 'secrets.json');
    const before = { text: readFileSync(secrets, 'utf8'), mtime: statSync(secrets).mtimeMs };

    // Act: another start with other tokens (which it would have written into secrets.json)
    const r = await startRefused(h.dataDir, {
      env: { COORDINATOR_TOKEN: 'another-coordinator-token-9999', INSPECTORATE_TOKEN: 'another-inspectorate-token-9999' },
    });

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `npm start: The data folder ${h.dataDir} is in use by another running instance (pid ${process.pid}): stop it first, or set DATA_DIR to another folder.`,
    ]);
    expect(readFileSync(secrets, 'utf8')).toBe(before.text);
    expect(statSync(secrets).mtimeMs).toBe(before.mtime);
    expect((await h.api('GET', '/api/organisers')).status).toBe(200);
  });

  it('a full disk while running: every request says so in one line (503), the log says it once, nothing is half-written', async () => {
    // Prepare
    const lines: string[] = [];
    const h = new Harness();
    harnesses.push(h);
    await h.start({ log: (line) => lines.push(line) });
    expect((await h.api('POST', '/api/organisers', organiser({ id: 'fore-kommun', orgNumber: '212000-3001' }))).status).toBe(201);

    // Act: the disk fills up
    h.runtime.injectDiskFull(true);
    const write = await h.api('POST', '/api/organisers', organiser({ id: 'under-kommun', orgNumber: '212000-3002' }));
    const read = await h.api('GET', '/api/organisers');
    const page = await fetch(`${h.runtime.urls.app}/console/login`);

    // Assess
    const message = `The disk holding the data folder ${h.dataDir} is full: DynamoDB (dynalite) cannot write to ${join(h.dataDir, 'dynamodb')}, so nothing more is saved. Free some space, then restart npm start.`;
    expect(write.status).toBe(503);
    expect(write.json).toEqual({ error: 'unavailable', message });
    expect(read).toMatchObject({ status: 503, json: { message } });
    expect(page.status).toBe(503);
    expect(lines.filter((l) => l.startsWith('[dynamodb]'))).toEqual([`[dynamodb] ${message}`]);

    // The disk is freed and the service restarted: what was saved before is there, the refused write is not (not half of it either).
    h.runtime.injectDiskFull(false);
    await h.restart();
    expect((await h.api('GET', '/api/organisers/fore-kommun')).status).toBe(200);
    expect((await h.api('GET', '/api/organisers/under-kommun')).status).toBe(404);
    const byOrgNumber = await h.api('GET', '/api/inspections?organiserId=212000-3002', undefined, h.runtime.tokens.inspectorate);
    expect(byOrgNumber.status).toBe(404);
  });
});
