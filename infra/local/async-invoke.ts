/**
 * Lambda's asynchronous invocation, played for the handlers that EventBridge and the scheduler call
 * in the cloud: a handler error is retried as often as the function's async config allows (with
 * Lambda's doubling pause, shortened), then the event is written to the function's failure
 * destination. The destination is a JSON-lines file per function in the data folder, one Lambda
 * on-failure destination record per line, so it survives a restart like the cloud's SQS queue.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AsyncInvocationConfig } from '../async-invocation.ts';

export type AsyncHandler = (event: unknown) => Promise<unknown>;

/** What Lambda sends to an on-failure destination (the "invocation record"). */
export interface FailureRecord {
  version: '1.0';
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: 'RetriesExhausted'; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext: { statusCode: 200; executedVersion: '$LATEST'; functionError: 'Unhandled' };
  responsePayload: { errorType: string; errorMessage: string };
}

export type InvokeOutcome =
  | { ok: true; result: unknown; attempts: number }
  | { ok: false; error: Error; attempts: number; record: FailureRecord };

export interface LocalAsyncInvokerOptions {
  /** Folder of the failure destinations (one `<function>.jsonl` each). */
  dir: string;
  /** The pause before retry n (1-based); Lambda waits about a minute, then two. @default 1000 ms, doubling */
  retryDelayMs?: (retry: number) => number;
  log?: (line: string) => void;
}

export class LocalAsyncInvoker {
  private readonly functions = new Map<string, { handler: AsyncHandler; config: AsyncInvocationConfig }>();

  constructor(private readonly options: LocalAsyncInvokerOptions) {
    mkdirSync(options.dir, { recursive: true });
  }

  register(name: string, handler: AsyncHandler, config: AsyncInvocationConfig): this {
    this.functions.set(name, { handler, config });
    return this;
  }

  /** Runs the handler as Lambda would for an async event; resolves once it succeeded or was given up. */
  async invoke(name: string, event: unknown): Promise<InvokeOutcome> {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no local async function ${name}`);
    const delay = this.options.retryDelayMs ?? ((retry: number) => 1000 * 2 ** (retry - 1));
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        return { ok: true, result: await fn.handler(structuredClone(event)), attempts };
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        if (attempts > fn.config.retryAttempts) return { ok: false, error, attempts, record: this.giveUp(name, event, error, attempts) };
        this.options.log?.(`[async] ${name} failed (attempt ${attempts}): ${error.message}; Lambda retries it`);
        await new Promise((resolve) => setTimeout(resolve, delay(attempts)));
      }
    }
  }

  /** The records in a function's failure destination, oldest first. */
  failures(name: string): FailureRecord[] {
    const file = this.file(name);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as FailureRecord);
  }

  /** Empties a function's failure destination (after its records were handled). */
  purge(name: string): void {
    rmSync(this.file(name), { force: true });
  }

  private giveUp(name: string, event: unknown, error: Error, attempts: number): FailureRecord {
    const record: FailureRecord = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: randomUUID(),
        functionArn: `arn:aws:lambda:eu-north-1:000000000000:function:${name}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: attempts,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: error.name || 'Error', errorMessage: error.message },
    };
    appendFileSync(this.file(name), `${JSON.stringify(record)}\n`);
    this.options.log?.(`[async] ${name} failed ${attempts} time(s): ${error.message}; the event is in its failure destination`);
    return record;
  }

  private file(name: string): string {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad function name ${name}`);
    return join(this.options.dir, `${name}.jsonl`);
  }
}
