/**
 * `npm run rebuild -- --table <name> [--region eu-north-1]` (a deployed table, with the AWS
 * credentials of the shell) or `npm run rebuild -- --data-dir .data` (a stopped local runtime's
 * folder): recomputes the per-cycle facts index and the organisers' search words from the records
 * (functions/use-cases/facts-upkeep.ts `rebuildIndexes`), then prints what it wrote. Safe to run while
 * the service runs: dialogues changed meanwhile are checked again at the end.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { systemClock } from '#core/time.ts';
import { DynamoDialogueQueries } from '#adapters/dialogue-queries.ts';
import { DynamoFactsIndex } from '#adapters/facts-index.ts';
import { DynamoFactsRebuild } from '#adapters/facts-rebuild.ts';
import { DynamoDialogueRepository, DynamoOrganiserRepository } from '#adapters/repositories.ts';
import { DynamoSearchIndex } from '#adapters/search-index.ts';
import { rebuildIndexes } from '#functions/use-cases/facts-upkeep.ts';
import { OffsetClock } from './clock.ts';

const { values } = parseArgs({
  options: { table: { type: 'string' }, region: { type: 'string' }, 'data-dir': { type: 'string' } },
});

async function main(): Promise<void> {
  let client: DynamoDBClient;
  let table: string;
  let stop: () => Promise<void> = async () => undefined;
  let clock = systemClock;
  if (values.table) {
    table = values.table;
    client = new DynamoDBClient({ region: values.region ?? process.env.AWS_REGION ?? 'eu-north-1' });
  } else {
    const dataDir = resolve(values['data-dir'] ?? process.env.DATA_DIR ?? '.data');
    const pid = join(dataDir, 'runtime.pid');
    if (existsSync(pid) && isAlive(Number(readFileSync(pid, 'utf8')))) {
      throw new Error(`${dataDir} is in use by a running runtime: stop it first (it rebuilds a folder without indexes by itself at start)`);
    }
    if (!existsSync(join(dataDir, 'dynamodb'))) throw new Error(`${dataDir} has no local table (dynamodb/): start the runtime once first`);
    const server = dynalite({ path: join(dataDir, 'dynamodb'), createTableMs: 0 });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as { port: number };
    client = new DynamoDBClient({
      region: 'eu-north-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    table = 'kvalitetsdialog';
    clock = new OffsetClock(join(dataDir, 'clock.json'));
    stop = () => new Promise<void>((ok) => server.close(() => ok()));
  }
  try {
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const facts = new DynamoFactsIndex(doc, table);
    const search = new DynamoSearchIndex(doc, table);
    const result = await rebuildIndexes(
      {
        clock,
        facts,
        search,
        dialogues: new DynamoDialogueRepository(doc, table, facts),
        organisers: new DynamoOrganiserRepository(doc, table, search),
        queries: new DynamoDialogueQueries(doc, table),
      },
      new DynamoFactsRebuild(doc, table),
      (line) => console.log(`[rebuild] ${line}`),
    );
    console.log(
      `[rebuild] done: ${result.dialogues} dialogues in ${result.cycles.length} cycle(s) (${result.cycles.join(', ') || 'none'}), ${result.organisers} organisers`,
    );
  } finally {
    await stop();
  }
}

function isAlive(pid: number): boolean {
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

main().catch((e) => {
  console.error(`[rebuild] ${(e as Error).message}`);
  process.exit(1);
});
