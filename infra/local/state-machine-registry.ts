/**
 * The local runtime's state machines as Step Functions keeps them: each registration of a changed
 * definition publishes a new numbered version and moves the `live` alias to it; an execution runs
 * the version it started on to its end, whatever is registered later. Versions and aliases are
 * kept on disk (one JSON file per machine), so an execution journalled before a restart with new
 * definitions resumes on the definition it started with.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';

export const LOCAL_REGION = 'eu-north-1';
export const LOCAL_ACCOUNT = '000000000000';
/** The alias the service starts executions through (as the cloud's `live` alias). */
export const LIVE_ALIAS = 'live';

export interface Definition {
  StartAt: string;
  States: Record<string, { Type: string; Resource?: unknown; Parameters?: Record<string, unknown> }>;
}

interface StoredMachine {
  versions: { version: number; publishedAt: string; definition: Definition }[];
  aliases: Record<string, number>;
}

/** What a (qualified or unqualified) state machine ARN points at. */
export interface ResolvedMachine {
  name: string;
  /** arn:aws:states:<region>:<account>:stateMachine:<name> */
  stateMachineArn: string;
  version: number;
  stateMachineVersionArn: string;
  stateMachineAliasArn?: string;
}

export class StepFunctionsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const stateMachineArnOf = (name: string): string => `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;

export class StateMachineRegistry {
  private readonly machines = new Map<string, StoredMachine>();
  /** Built (and validated) machines by name, version and start state: building one costs ~250 ms. */
  private readonly compiledCache = new Map<string, StateMachine>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /**
   * Registers a machine's current definition: publishes it as a new version when it differs from
   * the last published one, and points `live` at the newest version. Returns the unqualified ARN.
   */
  register(name: string, definition: Record<string, unknown>): { stateMachineArn: string; version: number; published: boolean } {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new StepFunctionsError('InvalidName', `Invalid state machine name: ${name}`);
    const stored = this.load(name);
    const latest = stored.versions.at(-1);
    const published = !latest || JSON.stringify(latest.definition) !== JSON.stringify(definition);
    if (published) {
      stored.versions.push({
        version: (latest?.version ?? 0) + 1,
        publishedAt: new Date().toISOString(),
        definition: definition as unknown as Definition,
      });
    }
    const version = stored.versions.at(-1)?.version ?? 1;
    stored.aliases[LIVE_ALIAS] = version;
    this.machines.set(name, stored);
    writeFileSync(this.file(name), JSON.stringify(stored));
    return { stateMachineArn: stateMachineArnOf(name), version, published };
  }

  has(name: string): boolean {
    return this.machines.has(name);
  }

  /** The versions published so far, oldest first. */
  versions(name: string): number[] {
    return (this.machines.get(name)?.versions ?? []).map((v) => v.version);
  }

  aliasArn(name: string, alias = LIVE_ALIAS): string {
    return `${stateMachineArnOf(name)}:${alias}`;
  }

  /** Resolves an unqualified ARN (the newest version), a version ARN (`:<n>`) or an alias ARN (`:<alias>`). */
  resolve(arn: string): ResolvedMachine {
    const m = /^arn:aws:states:[^:]+:[^:]+:stateMachine:([^:]+)(?::([^:]+))?$/.exec(arn);
    const name = m?.[1];
    const stored = name ? this.machines.get(name) : undefined;
    if (!name || !stored) throw new StepFunctionsError('StateMachineDoesNotExist', `State machine does not exist: ${arn}`);
    const qualifier = m?.[2];
    const stateMachineArn = stateMachineArnOf(name);
    let version = stored.versions.at(-1)?.version ?? 1;
    let stateMachineAliasArn: string | undefined;
    if (qualifier && /^\d+$/.test(qualifier)) {
      version = Number(qualifier);
      if (!stored.versions.some((v) => v.version === version))
        throw new StepFunctionsError('ResourceNotFound', `State machine version does not exist: ${arn}`);
    } else if (qualifier) {
      const target = stored.aliases[qualifier];
      if (target === undefined) throw new StepFunctionsError('ResourceNotFound', `State machine alias does not exist: ${arn}`);
      version = target;
      stateMachineAliasArn = `${stateMachineArn}:${qualifier}`;
    }
    return { name, stateMachineArn, version, stateMachineVersionArn: `${stateMachineArn}:${version}`, stateMachineAliasArn };
  }

  definition(name: string, version: number): Definition {
    const found = this.machines.get(name)?.versions.find((v) => v.version === version);
    if (!found) throw new StepFunctionsError('StateMachineDoesNotExist', `State machine ${name} has no version ${version}`);
    return found.definition;
  }

  /**
   * The runnable machine for a version, starting at `startAt`. A resumed start state leaves earlier
   * states unreachable, which the validator rejects, so each version is validated once as
   * published and its resumed variants skip validation.
   */
  compiled(name: string, version: number, startAt: string): StateMachine {
    const key = `${name}:${version}:${startAt}`;
    let sm = this.compiledCache.get(key);
    if (!sm) {
      const definition = this.definition(name, version);
      const resumed = startAt !== definition.StartAt;
      if (resumed) this.compiled(name, version, definition.StartAt);
      sm = new StateMachine({ ...definition, StartAt: startAt } as never, {
        validationOptions: resumed ? { noValidate: true } : { checkArn: false },
      });
      this.compiledCache.set(key, sm);
    }
    return sm;
  }

  private load(name: string): StoredMachine {
    const known = this.machines.get(name);
    if (known) return known;
    const file = this.file(name);
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredMachine) : { versions: [], aliases: {} };
  }

  private file(name: string): string {
    return join(this.dir, `${name}.json`);
  }
}
