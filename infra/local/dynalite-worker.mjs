// Runs dynalite in a worker thread of the local runtime: DynamoDB's stand-in gets its own core
// (the runtime's main thread runs the handlers, the mailbox and the workflow runner), and it still
// lives and dies with the process, so a killed runtime leaves no server behind.
//
// A write its storage (LevelDB under the data folder) refuses, as on a full disk, is reported to
// the runtime ({ storageError }), which then answers every request with what is wrong and where.
// dynalite itself throws such an error out of its request handler, which killed this thread: here
// it becomes DynamoDB's own 500 InternalFailure for that request, and the stand-in stays up.
// For tests, { diskFull: true } makes the storage refuse every write the way LevelDB does when the
// disk is full ("IO error: …: No space left on device"), without filling a real disk.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import { guardLoopback } from './loopback.mjs';

// The LevelDB class dynalite stores through (the same module instance: resolved from dynalite's own place).
const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const { ClassicLevel } = createRequire(requireFromDynalite.resolve('level'))('classic-level');

let diskFull = false;
let reported = false;
const STORAGE_ERROR = /IO error|No space left|ENOSPC|EROFS|Read-only file system|EDQUOT/i;
for (const method of ['_put', '_del', '_batch']) {
  const original = ClassicLevel.prototype[method];
  ClassicLevel.prototype[method] = async function (...args) {
    try {
      if (diskFull) {
        throw Object.assign(new Error(`IO error: ${join(workerData.path, '000003.log')}: No space left on device`), {
          code: 'LEVEL_IO_ERROR',
        });
      }
      return await original.apply(this, args);
    } catch (e) {
      if (!STORAGE_ERROR.test(String(e?.message))) throw e;
      if (!reported) {
        reported = true;
        parentPort.postMessage({ storageError: String(e.message) });
      }
      throw Object.assign(e, {
        statusCode: 500,
        body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalFailure', message: `The storage refused the write: ${e.message}` },
      });
    }
  };
}

const server = guardLoopback(dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }));
server.once('error', (e) => parentPort.postMessage({ error: e.message }));
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m === 'close') {
    server.closeAllConnections();
    server.close(() => parentPort.postMessage({ closed: true }));
  } else if (typeof m?.diskFull === 'boolean') {
    diskFull = m.diskFull;
    if (!diskFull) reported = false;
  }
});
