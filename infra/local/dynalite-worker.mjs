// Runs dynalite in a worker thread of the local runtime: DynamoDB's stand-in gets its own core
// (the runtime's main thread runs the handlers, the mailbox and the workflow runner), and it still
// lives and dies with the process, so a killed runtime leaves no server behind.
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.once('error', (e) => parentPort.postMessage({ error: e.message }));
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m === 'close') {
    server.closeAllConnections();
    server.close(() => parentPort.postMessage({ closed: true }));
  }
});
