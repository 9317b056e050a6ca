/**
 * The local runtime's data folder: one running instance owns it (a lock file with its pid, taken
 * before anything in the folder is read or written), the dev secrets kept in it, and what to say,
 * in one line, when the folder cannot be used (read-only, no permission, a full disk).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Why the runtime cannot use its data folder: the message is one line that says what and where. */
export class DataDirError extends Error {}

const fsReasons: Record<string, (path: string) => string> = {
  EROFS: (p) => `${p} is on a read-only file system`,
  EACCES: (p) => `no permission to write to ${p}`,
  EPERM: (p) => `no permission to write to ${p}`,
  ENOSPC: (p) => `the disk holding ${p} is full`,
  EDQUOT: (p) => `the disk quota for ${p} is used up`,
  ENOTDIR: (p) => `${p} (or a folder above it) is a file, not a folder`,
  EEXIST: (p) => `${p} exists and is not a folder`,
};

/** One line for a file-system error under the data folder, or undefined when it is no such error. */
export function describeFsError(e: unknown, dataDir: string): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const reason = code ? fsReasons[code] : undefined;
  if (!reason) return undefined;
  const path = (e as NodeJS.ErrnoException).path ?? dataDir;
  return `Cannot use the data folder ${dataDir}: ${reason(path)} (${code}). Set DATA_DIR to a writable folder with free space, or fix this one.`;
}

const asDataDirError = (e: unknown, dataDir: string): unknown => {
  const line = describeFsError(e, dataDir);
  return line ? new DataDirError(line) : e;
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export interface DataDirLock {
  release(): void;
}

/**
 * Creates the folder if need be and takes its lock (`runtime.lock`, holding this process's pid),
 * atomically: of two starts at once, one wins. A lock whose process is gone is taken over; one
 * held by a live process is refused, and nothing in the folder is touched. The same process may
 * take its own lock again (a runtime restarted in-process, as the tests do).
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = join(dataDir, 'runtime.lock');
  try {
    mkdirSync(dataDir, { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSync(file, String(process.pid), { flag: 'wx' });
        return { release: () => releaseIfOurs(file) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid === process.pid) return { release: () => releaseIfOurs(file) };
      if (pid > 0 && alive(pid)) {
        throw new DataDirError(
          `The data folder ${dataDir} is in use by another running instance (pid ${pid}): stop it first, or set DATA_DIR to another folder.`,
        );
      }
      // The instance that held it is gone (killed): its lock is stale.
      rmSync(file, { force: true });
    }
    throw new DataDirError(`Could not take the lock ${file}: another instance is starting on the same folder. Try again.`);
  } catch (e) {
    throw asDataDirError(e, dataDir);
  }
}

function releaseIfOurs(file: string): void {
  try {
    if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
  } catch {
    // Gone already.
  }
}

export interface StoredSecrets {
  linkSigningKey: string;
  coordinatorToken: string;
  inspectorateToken: string;
  /** The inspectorate's calendar-feed key (INSPECTORATE_FEED_KEY). */
  inspectorateFeedKey: string;
}

/**
 * Dev secrets are kept in the data folder so links and tokens survive a restart. Read only by the
 * instance holding the folder's lock; written only when they change, through a temporary file
 * and a rename, so a crash never leaves half a file.
 */
export function loadSecrets(
  dataDir: string,
  given: { coordinatorToken?: string; inspectorateToken?: string; inspectorateFeedKey?: string },
): StoredSecrets {
  const file = join(dataDir, 'secrets.json');
  try {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    let stored: Partial<StoredSecrets> = {};
    try {
      stored = text ? (JSON.parse(text) as Partial<StoredSecrets>) : {};
    } catch {
      throw new DataDirError(
        `${file} is not valid JSON: fix it, or delete it to have new dev secrets made (links already mailed stop working).`,
      );
    }
    const s: StoredSecrets = {
      linkSigningKey: stored.linkSigningKey ?? randomBytes(32).toString('base64url'),
      coordinatorToken: given.coordinatorToken ?? stored.coordinatorToken ?? `dev-coordinator-${randomBytes(12).toString('hex')}`,
      inspectorateToken: given.inspectorateToken ?? stored.inspectorateToken ?? `dev-inspectorate-${randomBytes(12).toString('hex')}`,
      inspectorateFeedKey: given.inspectorateFeedKey ?? stored.inspectorateFeedKey ?? randomBytes(32).toString('base64url'),
    };
    const next = JSON.stringify(s, null, 2);
    if (next !== text) {
      writeFileSync(`${file}.tmp`, next, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    }
    return s;
  } catch (e) {
    throw asDataDirError(e, dataDir);
  }
}

/** One line for a write the DynamoDB stand-in's storage refused (LevelDB's "IO error: …"). */
export function storageFailure(dataDir: string, error: string): string {
  const where = join(dataDir, 'dynamodb');
  if (/No space left|ENOSPC|quota/i.test(error)) {
    return `The disk holding the data folder ${dataDir} is full: DynamoDB (dynalite) cannot write to ${where}, so nothing more is saved. Free some space, then restart npm start.`;
  }
  if (/Read-only|EROFS/i.test(error)) {
    return `The data folder ${dataDir} has become read-only: DynamoDB (dynalite) cannot write to ${where}. Make it writable, then restart npm start.`;
  }
  return `DynamoDB (dynalite) cannot write to ${where} (${error.split('\n', 1)[0]}): nothing more is saved. Restart npm start.`;
}
