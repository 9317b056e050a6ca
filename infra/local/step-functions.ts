/**
 * The local Step Functions service: runs the SAME ASL that CDK deploys with aws-local-stepfunctions,
 * serves the Step Functions JSON API (StartExecution, SendTaskSuccess, …) so handlers use the real
 * SFNClient, and journals every execution to disk so a restart resumes it where it stood.
 *
 * aws-local-stepfunctions keeps nothing across a restart. We record each StateEntered event with
 * its raw input; on start-up every RUNNING execution is resumed at its last entered state (the
 * definition with StartAt moved there). A callback task re-registers the task token it had handed
 * out, so an answer that arrives after a restart still completes the wait. Steps are idempotent,
 * so re-running the state that was in flight at the crash repeats nothing visible.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardLoopback } from './loopback.mjs';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';

export type LambdaHandler = (event: unknown) => Promise<unknown>;

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface HistoryEvent {
  id: number;
  timestamp: string;
  type: string;
  state?: string;
  detail?: unknown;
}

interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: unknown;
  status: Status;
  startDate: string;
  stopDate?: string;
  output?: unknown;
  error?: string;
  cause?: string;
  /** The last state entered and its raw input: where a restart resumes. */
  current: { state: string; input: unknown };
  /** The callback task in flight and the token it was given. */
  pendingTask?: { state: string; token: string };
  events: HistoryEvent[];
}

interface Definition {
  StartAt: string;
  States: Record<string, { Type: string; Resource?: unknown; Parameters?: Record<string, unknown> }>;
}

interface Waiter {
  executionArn: string;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_PLACEHOLDER = '__LOCAL_TASK_TOKEN__';
const REGION = 'eu-north-1';
const ACCOUNT = '000000000000';

const functionName = (arnOrName: string): string => arnOrName.split(':').pop() ?? arnOrName;

function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  }
  return value;
}

export interface LocalStepFunctionsOptions {
  /** Folder for the execution journal. */
  dir: string;
  /** Lambda handlers by function name (the last segment of the ARN). */
  functions: Record<string, LambdaHandler>;
  /** Retry pauses in ms per state (tests shorten the real back-off). */
  retryIntervalOverrides?: Record<string, number>;
  log?: (line: string) => void;
}

export class LocalStepFunctions {
  private readonly machines = new Map<
    string,
    {
      name: string;
      definition: Definition;
      compiled: Map<string, StateMachine>;
    }
  >();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, { abort(): void; done: Promise<void> }>();
  private readonly waiters = new Map<string, Waiter>();
  private server?: Server;
  private closing = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly parked: (() => void)[] = [];
  private readonly dirty = new Map<string, ExecutionRecord>();
  private flushTimer?: NodeJS.Timeout;
  /** The last journal write queued per file: writes to one file run in order, off the main thread. */
  private readonly writes = new Map<string, Promise<void>>();
  /** Emits ('event', executionName, HistoryEvent) for every journalled event: tests wait on it. */
  readonly events = new EventEmitter();

  constructor(private readonly options: LocalStepFunctionsOptions) {
    mkdirSync(options.dir, { recursive: true });
  }

  register(name: string, definition: Record<string, unknown>): string {
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
    this.machines.set(arn, {
      name,
      definition: definition as unknown as Definition,
      compiled: new Map(),
    });
    return arn;
  }

  /** Loads the journal and resumes every execution that was running when the process stopped. */
  resume(): number {
    let resumed = 0;
    for (const file of readdirSync(this.options.dir).filter((f) => f.endsWith('.json'))) {
      const record = JSON.parse(readFileSync(join(this.options.dir, file), 'utf8')) as ExecutionRecord;
      this.executions.set(record.executionArn, record);
      if (record.status === 'RUNNING' && this.machines.has(record.stateMachineArn)) {
        this.addEvent(record, 'ExecutionResumed', record.current.state, {
          reason: 'local runtime restarted',
        });
        this.run(record, record.current.state, record.current.input);
        resumed++;
      }
    }
    return resumed;
  }

  private compiled(stateMachineArn: string, startAt: string): StateMachine {
    const m = this.machines.get(stateMachineArn);
    if (!m) throw new ApiError('StateMachineDoesNotExist', `State machine ${stateMachineArn} does not exist`);
    let sm = m.compiled.get(startAt);
    if (!sm) {
      // Building (and validating) a machine costs ~250 ms: once per start state. A resumed start
      // state leaves earlier states unreachable, which the validator rejects, so the definition is
      // validated once as deployed and the resumed variants skip it.
      const resumed = startAt !== m.definition.StartAt;
      if (resumed) this.compiled(stateMachineArn, m.definition.StartAt);
      sm = new StateMachine({ ...m.definition, StartAt: startAt } as never, {
        validationOptions: resumed ? { noValidate: true } : { checkArn: false },
      });
      m.compiled.set(startAt, sm);
    }
    return sm;
  }

  startExecution(stateMachineArn: string, name: string | undefined, input: unknown): ExecutionRecord {
    const m = this.machines.get(stateMachineArn);
    if (!m) throw new ApiError('StateMachineDoesNotExist', `State machine ${stateMachineArn} does not exist`);
    const execName = name ?? randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(execName)) throw new ApiError('InvalidName', `Invalid execution name: ${execName}`);
    const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${m.name}:${execName}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (JSON.stringify(existing.input) === JSON.stringify(input) && existing.status === 'RUNNING') return existing;
      throw new ApiError('ExecutionAlreadyExists', `Execution already exists: ${executionArn}`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn,
      name: execName,
      input,
      status: 'RUNNING',
      startDate: new Date().toISOString(),
      current: { state: m.definition.StartAt, input },
      events: [],
    };
    this.executions.set(executionArn, record);
    this.addEvent(record, 'ExecutionStarted', undefined, { input });
    this.run(record, m.definition.StartAt, input);
    return record;
  }

  private run(record: ExecutionRecord, startAt: string, input: unknown): void {
    const machine = this.machines.get(record.stateMachineArn);
    if (!machine) return;
    const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of Object.entries(machine.definition.States)) {
      if (state.Type !== 'Task') continue;
      overrides[stateName] = (taskInput) => this.invokeTask(record, stateName, String(state.Resource ?? ''), taskInput);
    }
    const sm = this.compiled(record.stateMachineArn, startAt);
    const execution = sm.run(
      input as never,
      {
        overrides: {
          taskResourceLocalHandlers: overrides,
          retryIntervalOverrides: this.options.retryIntervalOverrides,
        },
        context: {
          Task: { Token: TOKEN_PLACEHOLDER },
          Execution: { Id: record.executionArn, Name: record.name },
        },
        noThrowOnAbort: true,
      } as never,
    );
    const journal = (async () => {
      for await (const ev of execution.eventLogs as AsyncIterable<Record<string, unknown>>) {
        if (ev.type === 'StateEntered') {
          const st = ev.state as { name: string; input: unknown };
          record.current = { state: st.name, input: st.input };
          this.addEvent(record, 'StateEntered', st.name);
        } else if (ev.type === 'StateExited') {
          this.addEvent(record, 'StateExited', (ev.state as { name: string }).name);
        } else if (ev.type === 'StateFailed' || ev.type === 'StateRetried' || ev.type === 'StateCaught') {
          this.addEvent(record, String(ev.type), (ev.state as { name?: string })?.name, ev.error ?? ev.retry ?? ev.catch);
        }
      }
    })();
    const done = execution.result
      .then(async (output: unknown) => {
        await journal.catch(() => undefined);
        if (this.closing) return;
        this.finish(record, 'SUCCEEDED', { output });
      })
      .catch(async (e: Error & { cause?: Error & { cause?: unknown } }) => {
        await journal.catch(() => undefined);
        if (this.closing) return;
        const inner = (e.cause ?? e) as Error & {
          errorOutput?: { Error?: string; Cause?: string };
        };
        const timedOut = e.name === 'ExecutionTimeoutError';
        this.finish(record, timedOut ? 'TIMED_OUT' : 'FAILED', {
          error: inner.errorOutput?.Error ?? inner.name,
          cause: inner.errorOutput?.Cause ?? inner.message,
        });
      })
      .finally(() => this.running.delete(record.executionArn));
    this.running.set(record.executionArn, {
      abort: () => execution.abort(),
      done,
    });
  }

  private async invokeTask(record: ExecutionRecord, stateName: string, resource: string, input: unknown): Promise<unknown> {
    const isCallback = resource.endsWith('.waitForTaskToken');
    const isIntegration = resource.includes(':states:::lambda:invoke');
    const params = (input ?? {}) as {
      FunctionName?: string;
      Payload?: unknown;
    };
    const fnName = functionName(isIntegration ? String(params.FunctionName ?? '') : resource);
    const handler = this.options.functions[fnName];
    if (!handler) throw Object.assign(new Error(`No local handler for function ${fnName}`), { name: 'Lambda.ResourceNotFoundException' });
    if (!isCallback) {
      const payload = isIntegration ? params.Payload : input;
      const result = await this.callLambda(handler, payload);
      return isIntegration ? { Payload: result, StatusCode: 200 } : result;
    }
    const token = record.pendingTask?.state === stateName ? record.pendingTask.token : `local-${randomUUID()}`;
    record.pendingTask = { state: stateName, token };
    // On disk before the task runs: a restart re-issues this token instead of minting another.
    await this.persist(record);
    const waited = new Promise<unknown>((resolve, reject) => {
      this.waiters.set(token, {
        executionArn: record.executionArn,
        resolve,
        reject,
      });
    });
    // Awaited below; this only keeps a rejection that comes before that from counting as unhandled.
    waited.catch(() => undefined);
    await this.callLambda(handler, replaceDeep(params.Payload, TOKEN_PLACEHOLDER, token));
    this.addEvent(record, 'TaskWaiting', stateName);
    try {
      return await waited;
    } finally {
      this.waiters.delete(token);
      if (record.pendingTask?.token === token) record.pendingTask = undefined;
      this.persist(record).catch((e) => this.options.log?.(`[sfn] journal write failed: ${e}`));
    }
  }

  /** Calls a handler the way Lambda would: errors keep their name (errorType) for Retry/Catch. */
  private async callLambda(handler: LambdaHandler, event: unknown): Promise<unknown> {
    // While stopping, no new invocation starts: the execution parks here until it is aborted, and
    // resumes from the journal at the next start.
    if (this.closing) return new Promise((resolve) => this.parked.push(() => resolve(null)));
    const call = (async () => {
      try {
        return await handler(structuredClone(event));
      } catch (e) {
        const err = e as Error;
        const wrapped = new Error(err.message);
        wrapped.name = err.name || 'Error';
        throw wrapped;
      }
    })();
    this.inFlight.add(call);
    try {
      return await call;
    } finally {
      this.inFlight.delete(call);
    }
  }

  sendTaskSuccess(token: string, output: unknown): void {
    const w = this.waiters.get(token);
    if (!w) throw new ApiError('TaskDoesNotExist', 'Task does not exist anymore');
    this.waiters.delete(token);
    w.resolve(output);
  }

  sendTaskFailure(token: string, error?: string, cause?: string): void {
    const w = this.waiters.get(token);
    if (!w) throw new ApiError('TaskDoesNotExist', 'Task does not exist anymore');
    this.waiters.delete(token);
    const e = new Error(cause ?? '');
    e.name = error ?? 'TaskFailed';
    w.reject(e);
  }

  describe(executionArn: string): ExecutionRecord {
    const r = this.executions.get(executionArn);
    if (!r) throw new ApiError('ExecutionDoesNotExist', `Execution does not exist: ${executionArn}`);
    return r;
  }

  list(stateMachineArn?: string, status?: string): ExecutionRecord[] {
    return [...this.executions.values()].filter(
      (r) => (!stateMachineArn || r.stateMachineArn === stateMachineArn) && (!status || r.status === status),
    );
  }

  stop(executionArn: string, error?: string, cause?: string): void {
    const r = this.describe(executionArn);
    if (r.status !== 'RUNNING') return;
    this.running.get(executionArn)?.abort();
    this.finish(r, 'ABORTED', { error, cause });
  }

  /** Resolves when the named execution has journalled an event that matches (at once if it has). */
  waitForEvent(name: string, match: (e: HistoryEvent) => boolean): Promise<HistoryEvent> {
    const seen = [...this.executions.values()].find((r) => r.name === name)?.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const listener = (n: string, e: HistoryEvent) => {
        if (n === name && match(e)) {
          this.events.off('event', listener);
          resolve(e);
        }
      };
      this.events.on('event', listener);
    });
  }

  /** Resolves when the execution has finished running (tests wait on this instead of sleeping). */
  async settled(executionArn: string): Promise<ExecutionRecord> {
    await this.running.get(executionArn)?.done;
    return this.describe(executionArn);
  }

  private finish(r: ExecutionRecord, status: Status, extra: { output?: unknown; error?: string; cause?: string }): void {
    if (r.status !== 'RUNNING') return;
    Object.assign(r, {
      status,
      stopDate: new Date().toISOString(),
      ...extra,
      pendingTask: undefined,
    });
    this.addEvent(
      r,
      `Execution${status === 'SUCCEEDED' ? 'Succeeded' : status === 'TIMED_OUT' ? 'TimedOut' : status === 'ABORTED' ? 'Aborted' : 'Failed'}`,
      undefined,
      extra,
    );
    this.options.log?.(`[sfn] ${r.name}: ${status}${extra.error ? ` (${extra.error}: ${extra.cause})` : ''}`);
    this.persist(r).catch((e) => this.options.log?.(`[sfn] journal write failed: ${e}`));
  }

  private addEvent(r: ExecutionRecord, type: string, state?: string, detail?: unknown): void {
    const event = { id: r.events.length + 1, timestamp: new Date().toISOString(), type, state, detail };
    r.events.push(event);
    this.persistSoon(r);
    this.events.emit('event', r.name, event);
  }

  /**
   * Journals an execution soon: events are batched (a write and rename per event was the local
   * runner's largest cost). Losing the last few events in a crash only makes a resume start one
   * state earlier, which idempotent steps repeat harmlessly; a task token is written at once.
   */
  private persistSoon(r: ExecutionRecord): void {
    if (this.closing) return;
    this.dirty.set(r.executionArn, r);
    this.flushTimer ??= setTimeout(() => this.flush(), 25);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const r of this.dirty.values()) this.write(r).catch((e) => this.options.log?.(`[sfn] journal write failed: ${e}`));
    this.dirty.clear();
  }

  /** Journals an execution now; resolves once it is on disk. */
  private persist(r: ExecutionRecord): Promise<void> {
    if (this.closing) return Promise.resolve();
    this.dirty.delete(r.executionArn);
    return this.write(r);
  }

  /**
   * Snapshots the record now and writes it (temp file + rename, so a crash leaves the old or the new
   * version) asynchronously: the synchronous writes were a fifth of the main thread's time in a
   * campaign. Writes to one file are chained, so a newer snapshot never lands before an older one.
   */
  private write(r: ExecutionRecord): Promise<void> {
    const file = join(this.options.dir, `${r.name}.${Buffer.from(r.stateMachineArn).toString('base64url').slice(-12)}.json`);
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

  /** Every journal write queued so far is on disk (or failed). */
  private async drainJournal(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes.values()]);
  }

  // ---- the Step Functions JSON 1.0 API -------------------------------------------------------

  async listen(port: number): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        body += c;
      });
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
        let status = 200;
        let out: unknown;
        try {
          out = this.dispatch(target, body ? JSON.parse(body) : {});
        } catch (e) {
          status = 400;
          const type = e instanceof ApiError ? e.type : 'InvalidArn';
          out = { __type: type, message: (e as Error).message };
        }
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(out ?? {}));
      });
    });
    guardLoopback(this.server);
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private dispatch(target: string, req: Record<string, unknown>): unknown {
    const secs = (iso?: string) => (iso ? new Date(iso).getTime() / 1000 : undefined);
    const summary = (r: ExecutionRecord) => ({
      executionArn: r.executionArn,
      stateMachineArn: r.stateMachineArn,
      name: r.name,
      status: r.status,
      startDate: secs(r.startDate),
      stopDate: secs(r.stopDate),
    });
    switch (target) {
      case 'StartExecution': {
        const r = this.startExecution(String(req.stateMachineArn), req.name as string | undefined, JSON.parse(String(req.input ?? '{}')));
        return { executionArn: r.executionArn, startDate: secs(r.startDate) };
      }
      case 'SendTaskSuccess':
        this.sendTaskSuccess(String(req.taskToken), JSON.parse(String(req.output ?? '{}')));
        return {};
      case 'SendTaskFailure':
        this.sendTaskFailure(String(req.taskToken), req.error as string | undefined, req.cause as string | undefined);
        return {};
      case 'SendTaskHeartbeat':
        if (!this.waiters.has(String(req.taskToken))) throw new ApiError('TaskDoesNotExist', 'Task does not exist anymore');
        return {};
      case 'DescribeExecution': {
        const r = this.describe(String(req.executionArn));
        return {
          ...summary(r),
          input: JSON.stringify(r.input),
          output: r.output === undefined ? undefined : JSON.stringify(r.output),
          error: r.error,
          cause: r.cause,
        };
      }
      case 'ListExecutions':
        return {
          executions: this.list(req.stateMachineArn as string, req.statusFilter as string).map(summary),
        };
      case 'GetExecutionHistory': {
        const r = this.describe(String(req.executionArn));
        return {
          events: r.events.map((e) => {
            const failure = failureOf(e.detail);
            return {
              id: e.id,
              timestamp: secs(e.timestamp),
              type: e.type,
              ...(e.state && e.type !== 'StateExited' ? { stateEnteredEventDetails: { name: e.state } } : {}),
              ...(e.state && e.type === 'StateExited' ? { stateExitedEventDetails: { name: e.state } } : {}),
              // Errors (a failed, retried or caught state, a failed execution) travel in the modelled
              // executionFailedEventDetails, so the SDK keeps them.
              ...(failure ? { executionFailedEventDetails: failure } : {}),
            };
          }),
        };
      }
      case 'StopExecution':
        this.stop(String(req.executionArn), req.error as string | undefined, req.cause as string | undefined);
        return { stopDate: Date.now() / 1000 };
      default:
        throw new ApiError('UnknownOperationException', `The local Step Functions service does not implement ${target}`);
    }
  }

  /** Stops serving. Running executions stay RUNNING in the journal and resume on the next start. */
  async close(): Promise<void> {
    this.flush();
    this.closing = true;
    await this.drainJournal();
    // Let invocations under way finish while the stand-ins are still up, like a Lambda that
    // completes its request; their executions then park and resume at the next start.
    await Promise.allSettled([...this.inFlight]);
    for (const { abort } of this.running.values()) abort();
    // Settle what the aborted executions still wait on, so they end (and their task time-out timers
    // are cleared) without failing: nothing is journalled while closing, so each stays RUNNING in
    // the journal at its last state and resumes at the next start.
    for (const w of this.waiters.values()) w.resolve(null);
    this.waiters.clear();
    for (const release of this.parked.splice(0)) release();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.drainJournal();
  }
}

/** The error and cause an event's detail carries, whatever shape the runner gave it. */
function failureOf(detail: unknown): { error: string; cause?: string } | undefined {
  if (!detail || typeof detail !== 'object') return undefined;
  const d = detail as { error?: unknown; cause?: unknown; name?: unknown; message?: unknown };
  const error = d.error ?? d.name;
  if (typeof error !== 'string' && !(error && typeof error === 'object')) return undefined;
  if (error && typeof error === 'object') return failureOf(error);
  const cause = d.cause ?? d.message;
  return { error, cause: typeof cause === 'string' ? cause.slice(0, 2000) : undefined };
}
