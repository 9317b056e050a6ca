/**
 * The local Step Functions service: runs the SAME ASL that CDK deploys with aws-local-stepfunctions,
 * serves the Step Functions JSON API (step-functions-api.ts) so handlers use the real SFNClient, and
 * journals every execution to disk so a restart resumes it where it stood. Definitions are
 * published as versions with a `live` alias (state-machine-registry.ts): an execution runs the
 * version it started on, as in Step Functions, even after newer definitions are registered.
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
import type { Server } from 'node:http';
import { join } from 'node:path';
import { ExecutionJournal } from './execution-journal.ts';
import { serveStepFunctionsApi } from './step-functions-api.ts';
import { LIVE_ALIAS, LOCAL_ACCOUNT, LOCAL_REGION, StateMachineRegistry, StepFunctionsError } from './state-machine-registry.ts';

export type LambdaHandler = (event: unknown) => Promise<unknown>;

export type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface HistoryEvent {
  id: number;
  timestamp: string;
  type: string;
  state?: string;
  detail?: unknown;
}

export interface ExecutionRecord {
  executionArn: string;
  /** The unqualified ARN. */
  stateMachineArn: string;
  /** The version the execution runs (journals from before versions existed: 1). */
  version?: number;
  stateMachineVersionArn?: string;
  /** The alias it was started through, if any. */
  stateMachineAliasArn?: string;
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

interface Waiter {
  executionArn: string;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

const TOKEN_PLACEHOLDER = '__LOCAL_TASK_TOKEN__';

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
  readonly registry: StateMachineRegistry;
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, { abort(): void; done: Promise<void> }>();
  private readonly waiters = new Map<string, Waiter>();
  private server?: Server;
  private closing = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly parked: (() => void)[] = [];
  private readonly journal: ExecutionJournal<ExecutionRecord>;
  /** Emits ('event', executionName, HistoryEvent) for every journalled event: tests wait on it. */
  readonly events = new EventEmitter();

  constructor(private readonly options: LocalStepFunctionsOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.registry = new StateMachineRegistry(join(options.dir, 'state-machines'));
    this.journal = new ExecutionJournal(options.dir, options.log);
  }

  /**
   * Registers a machine's definition (a new version when it changed, with `live` moved to it) and
   * returns the ARN of its `live` alias, which the service starts executions through.
   */
  register(name: string, definition: Record<string, unknown>): string {
    const { version, published } = this.registry.register(name, definition);
    if (published) this.options.log?.(`[sfn] ${name}: published version ${version}; ${LIVE_ALIAS} points at it`);
    return this.registry.aliasArn(name);
  }

  /** Loads the journal and resumes every execution that was running when the process stopped. */
  resume(): number {
    let resumed = 0;
    for (const file of readdirSync(this.options.dir).filter((f) => f.endsWith('.json'))) {
      const record = JSON.parse(readFileSync(join(this.options.dir, file), 'utf8')) as ExecutionRecord;
      this.executions.set(record.executionArn, record);
      if (record.status === 'RUNNING' && this.registry.has(this.nameOf(record))) {
        this.addEvent(record, 'ExecutionResumed', record.current.state, {
          reason: 'local runtime restarted',
        });
        this.run(record, record.current.state, record.current.input);
        resumed++;
      }
    }
    return resumed;
  }

  private nameOf(record: ExecutionRecord): string {
    return record.stateMachineArn.split(':').pop() ?? '';
  }

  /** Starts an execution of an unqualified (newest version), version or alias ARN. */
  startExecution(stateMachineArn: string, name: string | undefined, input: unknown): ExecutionRecord {
    const m = this.registry.resolve(stateMachineArn);
    const execName = name ?? randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(execName)) throw new StepFunctionsError('InvalidName', `Invalid execution name: ${execName}`);
    // Execution names are unique per state machine, across its versions and aliases.
    const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${m.name}:${execName}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (JSON.stringify(existing.input) === JSON.stringify(input) && existing.status === 'RUNNING') return existing;
      throw new StepFunctionsError('ExecutionAlreadyExists', `Execution already exists: ${executionArn}`);
    }
    const definition = this.registry.definition(m.name, m.version);
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: m.stateMachineArn,
      version: m.version,
      stateMachineVersionArn: m.stateMachineVersionArn,
      stateMachineAliasArn: m.stateMachineAliasArn,
      name: execName,
      input,
      status: 'RUNNING',
      startDate: new Date().toISOString(),
      current: { state: definition.StartAt, input },
      events: [],
    };
    this.executions.set(executionArn, record);
    this.addEvent(record, 'ExecutionStarted', undefined, { input, version: m.version });
    this.run(record, definition.StartAt, input);
    return record;
  }

  private run(record: ExecutionRecord, startAt: string, input: unknown): void {
    const name = this.nameOf(record);
    // The version it started on, to its end, whatever was registered since.
    const version = record.version ?? 1;
    const definition = this.registry.definition(name, version);
    const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (state.Type !== 'Task') continue;
      overrides[stateName] = (taskInput) => this.invokeTask(record, stateName, String(state.Resource ?? ''), taskInput);
    }
    const sm = this.registry.compiled(name, version, startAt);
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
    try {
      await this.callLambda(handler, replaceDeep(params.Payload, TOKEN_PLACEHOLDER, token));
    } catch (e) {
      // The task failed: its token is void, and a retry is handed a new one (as in Step Functions).
      this.waiters.delete(token);
      if (record.pendingTask?.token === token) record.pendingTask = undefined;
      throw e;
    }
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
    if (!w) throw new StepFunctionsError('TaskDoesNotExist', 'Task does not exist anymore');
    this.waiters.delete(token);
    w.resolve(output);
  }

  sendTaskFailure(token: string, error?: string, cause?: string): void {
    const w = this.waiters.get(token);
    if (!w) throw new StepFunctionsError('TaskDoesNotExist', 'Task does not exist anymore');
    this.waiters.delete(token);
    const e = new Error(cause ?? '');
    e.name = error ?? 'TaskFailed';
    w.reject(e);
  }

  /** A task token still waiting for its answer (SendTaskHeartbeat). */
  heartbeat(token: string): void {
    if (!this.waiters.has(token)) throw new StepFunctionsError('TaskDoesNotExist', 'Task does not exist anymore');
  }

  describe(executionArn: string): ExecutionRecord {
    const r = this.executions.get(executionArn);
    if (!r) throw new StepFunctionsError('ExecutionDoesNotExist', `Execution does not exist: ${executionArn}`);
    return r;
  }

  /** Executions, of one machine when given (an unqualified ARN: all; a version or alias ARN: those of it). */
  list(stateMachineArn?: string, status?: string): ExecutionRecord[] {
    const m = stateMachineArn ? this.registry.resolve(stateMachineArn) : undefined;
    const of = (r: ExecutionRecord) => {
      if (!stateMachineArn || !m) return true;
      if (r.stateMachineArn !== m.stateMachineArn) return false;
      if (stateMachineArn === m.stateMachineArn) return true;
      return m.stateMachineAliasArn ? r.stateMachineAliasArn === m.stateMachineAliasArn : (r.version ?? 1) === m.version;
    };
    return [...this.executions.values()].filter((r) => of(r) && (!status || r.status === status));
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

  private persistSoon(r: ExecutionRecord): void {
    if (!this.closing) this.journal.soon(r);
  }

  private persist(r: ExecutionRecord): Promise<void> {
    return this.closing ? Promise.resolve() : this.journal.now(r);
  }

  /** Serves the Step Functions JSON API on 127.0.0.1 (0: a free port); returns its URL. */
  async listen(port: number): Promise<string> {
    const { server, url } = await serveStepFunctionsApi(this, port);
    this.server = server;
    return url;
  }

  /** Stops serving. Running executions stay RUNNING in the journal and resume on the next start. */
  async close(): Promise<void> {
    this.journal.flush();
    this.closing = true;
    await this.journal.drain();
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
    await this.journal.drain();
  }
}
