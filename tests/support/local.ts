/**
 * Integration-test harness: the embedded runtime on free ports in a fresh data folder, plus small
 * helpers to call the API, read the mailbox and wait on workflow events instead of sleeping.
 * The handlers use one process-wide set of adapters, as a Lambda does: run one runtime at a time
 * in a test file (a second one started meanwhile takes the handlers over).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executionName } from '#adapters/workflow-client.ts';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '#infra/local/runtime.ts';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

export interface StoredMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

export class Harness {
  runtime!: LocalRuntime;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'kd-test-'));

  async start(options: Partial<LocalRuntimeOptions> = {}): Promise<LocalRuntime> {
    // A restart keeps the ports, as a real deployment keeps its URL (links in sent mail stay valid).
    const port = this.runtime ? Number(new URL(this.runtime.urls.app).port) : 0;
    const sesPort = this.runtime ? Number(new URL(this.runtime.urls.mailbox).port) : 0;
    this.runtime = await startLocalRuntime({
      dataDir: this.dataDir,
      port,
      sesPort,
      coordinatorToken: 'test-coordinator-token-0001',
      inspectorateToken: 'test-inspectorate-token-0001',
      tickMs: 3_600_000, // tests fire timers explicitly through the clock endpoint
      campaignPassMs: 3_600_000, // … and campaign passes too (the clock endpoint's tick makes one)
      retryIntervalOverrides: {},
      asyncRetryDelayMs: () => 1, // Lambda's async retries wait a minute or two in the cloud
      // Tests book at dates relative to the day they run: the default holiday weeks would make them
      // depend on the season. Tests of the holidays turn them on (or set a year's holidays).
      schoolHolidayDefaults: false,
      ...options,
    });
    return this.runtime;
  }

  async restart(options: Partial<LocalRuntimeOptions> = {}): Promise<LocalRuntime> {
    await this.runtime.stop();
    return this.start(options);
  }

  async close(): Promise<void> {
    await this.runtime?.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async api(method: string, path: string, body?: unknown, token: string | null = this.runtime.tokens.coordinator) {
    const res = await fetch(`${this.runtime.urls.app}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  async page(url: string, form?: Record<string, string>) {
    const res = await fetch(
      url,
      form
        ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() }
        : {},
    );
    return { status: res.status, html: await res.text() };
  }

  async mailbox(): Promise<StoredMail[]> {
    const res = await fetch(`${this.runtime.urls.mailbox}/store`);
    return ((await res.json()) as { emails: StoredMail[] }).emails;
  }

  /** aws-ses-v2-local keeps its store per process, across runtimes: tests that count mail clear it. */
  async clearMailbox(): Promise<void> {
    await fetch(`${this.runtime.urls.mailbox}/clear-store`, { method: 'POST' });
  }

  async mailTo(address: string): Promise<StoredMail[]> {
    return (await this.mailbox()).filter((m) => m.destination.to.includes(address));
  }

  linkIn(mail: StoredMail): string {
    const m = /https?:\/\/\S+\/r\/[A-Za-z0-9._-]+/.exec(mail.body.text ?? '');
    if (!m) throw new Error(`no answer link in mail "${mail.subject}"`);
    return m[0];
  }

  /** Creates a dialogue and waits until its workflow is waiting for the answer. */
  async invite(organiserId: string): Promise<string> {
    const r = await this.api('POST', '/api/dialogues', { organiserId });
    if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
    await this.waitForWorkflow(r.json.id, (e) => e.type === 'TaskWaiting');
    return r.json.id as string;
  }

  waitForWorkflow(dialogueId: string, match: Parameters<LocalRuntime['sfn']['waitForEvent']>[1]) {
    return this.runtime.sfn.waitForEvent(executionName(dialogueId, 'invitation'), match);
  }

  /**
   * Waits until every invitation workflow started so far waits for its answer (its mails are
   * sent) or has ended. The executions come from the local Step Functions, which hold each one
   * from its start: the dialogue list (an index by last change) can miss a dialogue while its
   * workflow writes it, as DynamoDB's index may and dynalite's does (it drops an item's old index
   * entry before it puts the new one).
   */
  async invitationsWaiting(): Promise<void> {
    const started = this.runtime.sfn.list().filter((r) => r.name.endsWith('-invitation'));
    const settled = (e: { type: string }) =>
      e.type === 'TaskWaiting' || (e.type.startsWith('Execution') && e.type !== 'ExecutionStarted' && e.type !== 'ExecutionResumed');
    await Promise.all(started.map((r) => this.runtime.sfn.waitForEvent(r.name, settled)));
  }

  execution(dialogueId: string) {
    const arn = this.runtime.sfn.list().find((r) => r.name === executionName(dialogueId, 'invitation'))?.executionArn;
    if (!arn) throw new Error(`no execution for ${dialogueId}`);
    return this.runtime.sfn.settled(arn);
  }

  async dialogue(id: string) {
    const r = await this.api('GET', `/api/dialogues/${id}`);
    if (r.status !== 200) throw new Error(`get dialogue failed: ${r.status} ${r.text}`);
    return r.json;
  }

  /** Attaches an analysis-material document for every school form of the dialogue's organiser (what sending the material needs). */
  async attachMaterial(dialogueId: string): Promise<void> {
    const forms: string[] = (await this.dialogue(dialogueId)).schoolForms ?? [];
    for (const schoolForm of forms.filter((f) => f !== 'fritidshem')) {
      const r = await this.api('POST', `/api/dialogues/${dialogueId}/documents`, {
        schoolForm,
        title: `Analysunderlag ${schoolForm}`,
        url: `https://underlag.example.se/${dialogueId}/${schoolForm}.pdf`,
      });
      if (r.status !== 201) throw new Error(`attach ${schoolForm}: ${r.status} ${r.text}`);
    }
  }

  advance(duration: string) {
    return this.api('POST', '/api/dev/clock', { advance: duration });
  }
}

export const organiser = (over: Record<string, unknown> = {}) => ({
  id: 'testkommun',
  orgNumber: '212000-0001',
  name: 'Testviks kommun',
  legalForm: 'kommun',
  municipality: 'Testvik',
  countyCode: '14',
  schoolForms: ['grundskola', 'forskola'],
  children: 1200,
  contacts: [
    { role: 'board', name: 'Utbildningsnämnden', email: 'namnden@testvik.example.se' },
    { role: 'school_chief', name: 'Örjan Åström', email: 'skolchef@testvik.example.se' },
  ],
  ...over,
});
