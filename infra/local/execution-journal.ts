/**
 * The local runner's execution journal: one JSON file per execution in a folder, rewritten as the
 * execution moves on, so a restart resumes every RUNNING execution where it stood.
 *
 * Events are batched (a write and rename per event was the local runner's largest cost): losing
 * the last few events in a crash only makes a resume start one state earlier, which idempotent
 * steps repeat harmlessly. A task token is written at once (`now`). Writes are asynchronous (the
 * synchronous ones were a fifth of the main thread's time in a campaign), and chained per file, so
 * a newer snapshot never lands before an older one; each is a temp file + rename, so a crash leaves
 * the old or the new version.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface Journalled {
  executionArn: string;
  stateMachineArn: string;
  name: string;
}

export class ExecutionJournal<R extends Journalled> {
  private readonly dirty = new Map<string, R>();
  /** The last journal write queued per file: writes to one file run in order, off the main thread. */
  private readonly writes = new Map<string, Promise<void>>();
  private flushTimer?: NodeJS.Timeout;

  constructor(
    private readonly dir: string,
    private readonly log?: (line: string) => void,
  ) {}

  /** Journals the record within ~25 ms, with whatever else changed meanwhile. */
  soon(r: R): void {
    this.dirty.set(r.executionArn, r);
    this.flushTimer ??= setTimeout(() => this.flush(), 25);
  }

  /** Journals the record now; resolves once it is on disk. */
  now(r: R): Promise<void> {
    this.dirty.delete(r.executionArn);
    return this.write(r);
  }

  /** Writes every record waiting for the batch. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const r of this.dirty.values()) this.write(r).catch((e) => this.log?.(`[sfn] journal write failed: ${e}`));
    this.dirty.clear();
  }

  /** Every write queued so far is on disk (or failed). */
  async drain(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes.values()]);
  }

  private write(r: R): Promise<void> {
    const file = join(this.dir, `${r.name}.${Buffer.from(r.stateMachineArn).toString('base64url').slice(-12)}.json`);
    const data = JSON.stringify(r);
    const written = (this.writes.get(file) ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        await writeFile(`${file}.tmp`, data);
        await rename(`${file}.tmp`, file);
      });
    const tracked = written.finally(() => {
      if (this.writes.get(file) === tracked) this.writes.delete(file);
    });
    tracked.catch(() => undefined);
    this.writes.set(file, tracked);
    return written;
  }
}
