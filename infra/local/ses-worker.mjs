// Runs aws-ses-v2-local (SES v2 and the mailbox page) in a worker thread of the local runtime, as
// dynalite runs in its own: parsing and storing every mail (mailparser, express) was a tenth of the
// main thread's time in a campaign. It lives and dies with the process. The mailbox is memory only;
// a runtime restarted inside one process hands it over (workerData.emails in, the close reply out),
// so it survives a restart as it did when the stand-in ran on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import sesModule from 'aws-ses-v2-local';
import sesStore from 'aws-ses-v2-local/dist/store.js';
import { guardLoopback } from './loopback.mjs';

const start = sesModule.default ?? sesModule;
const store = sesStore.getStoreReadonly();
store.emails.push(...(workerData.emails ?? []));
try {
  const server = await start({ host: '127.0.0.1', port: workerData.port });
  // The mailbox shows every mail with its links: only to requests addressed to this machine.
  if (server.address()) guardLoopback(server);
  const address = server.address();
  if (!address) parentPort.postMessage({ error: 'in use' });
  else parentPort.postMessage({ port: address.port });
  parentPort.on('message', (m) => {
    if (m === 'close') {
      server.closeAllConnections?.();
      server.close(() => parentPort.postMessage({ closed: true, emails: store.emails }));
    }
  });
} catch (e) {
  parentPort.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
