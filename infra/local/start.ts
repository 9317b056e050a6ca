/**
 * `npm start`: runs the whole service on this machine with no cloud. Settings come from the
 * environment: PORT (3000), SES_PORT (8005), DATA_DIR (.data), COORDINATOR_TOKEN, INSPECTORATE_TOKEN,
 * INSPECTORATE_FEED_KEY.
 */
import { DataDirError, describeFsError } from './data-dir.ts';
import { type LocalRuntime, startLocalRuntime } from './runtime.ts';

const port = Number(process.env.PORT ?? 3000);
const sesPort = Number(process.env.SES_PORT ?? 8005);
const dataDir = process.env.DATA_DIR ?? '.data';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

let runtime: LocalRuntime;
try {
  runtime = await startLocalRuntime({
    dataDir,
    port,
    sesPort,
    coordinatorToken: process.env.COORDINATOR_TOKEN,
    inspectorateToken: process.env.INSPECTORATE_TOKEN,
    inspectorateFeedKey: process.env.INSPECTORATE_FEED_KEY,
    demo: true,
    log: (line) => console.log(line),
  });
} catch (e) {
  // What is wrong and where, in one line (a stack trace helps nobody start the service).
  const line =
    e instanceof DataDirError ? e.message : (describeFsError(e, dataDir) ?? String((e as Error)?.message ?? e).split('\n', 1)[0]);
  console.error(`npm start: ${line}`);
  process.exit(1);
}

console.log(`
Kvalitetsdialog is running locally (data in ${dataDir}/)

  App + API        ${runtime.urls.app}
  Console          ${runtime.urls.app}/console   (log in as Samordnare or Inspektionen)
  Mailbox          ${runtime.urls.mailbox}        (sent mail as JSON: ${runtime.urls.mailbox}/store)
  DynamoDB         ${runtime.urls.dynamodb}   (dynalite)
  Step Functions   ${runtime.urls.sfn}   (local runner)

  Coordinator token   ${runtime.tokens.coordinator}
  Inspectorate token  ${runtime.tokens.inspectorate}
  Inspectorate calendar subscription (planned dialogue dates; rotate it in the console):
    ${(await runtime.inspectorateFeedUrl()) ?? '(none configured)'}

Try:
  curl -s -X POST ${runtime.urls.app}/api/dialogues -H 'content-type: application/json' \\
       -H 'authorization: Bearer ${runtime.tokens.coordinator}' -d '{"organiserId":"norrviks-kommun"}'
  then open the mailbox and follow the link in the invitation.
  Advance local time (reminders, escalation):
  curl -s -X POST ${runtime.urls.app}/api/dev/clock -H 'authorization: Bearer ${runtime.tokens.coordinator}' -d '{"advance":"P8D"}'
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log('Stopping…');
    runtime.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
