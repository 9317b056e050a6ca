/**
 * Fault injection at the file-system call: loaded with `node --import` before `npm start`, it makes
 * every write under READONLY_DIR fail with EROFS, as a folder on a read-only mount does. A real
 * read-only mount needs root (and a test running as root writes through chmod 555), so the tests
 * simulate it here; reads pass through.
 */
import fs from 'node:fs';
import { resolve } from 'node:path';
import { syncBuiltinESMExports } from 'node:module';

const root = process.env.READONLY_DIR ? resolve(process.env.READONLY_DIR) : undefined;

const erofs = (syscall: string, path: string) =>
  Object.assign(new Error(`EROFS: read-only file system, ${syscall} '${path}'`), { code: 'EROFS', errno: -30, syscall, path });

const inside = (path: unknown): path is string => {
  if (!root || (typeof path !== 'string' && !(path instanceof URL))) return false;
  const p = resolve(String(path instanceof URL ? path.pathname : path));
  return p === root || p.startsWith(`${root}/`);
};

const writes = ['writeFileSync', 'appendFileSync', 'mkdirSync', 'renameSync', 'rmSync', 'unlinkSync'] as const;
for (const name of writes) {
  const original = fs[name] as (...args: unknown[]) => unknown;
  (fs as unknown as Record<string, unknown>)[name] = (path: unknown, ...rest: unknown[]) => {
    // mkdir of a folder that exists fails with EEXIST before the file system is asked to write.
    if (inside(path) && !(name === 'mkdirSync' && fs.existsSync(path))) throw erofs(name.replace(/Sync$/, ''), String(path));
    return original(path, ...rest);
  };
}
const openSync = fs.openSync;
fs.openSync = ((path: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
  if (inside(path) && flags !== undefined && flags !== 'r' && flags !== fs.constants.O_RDONLY) throw erofs('open', String(path));
  return openSync(path, flags ?? 'r', mode);
}) as typeof fs.openSync;
const promises = fs.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
for (const name of ['writeFile', 'appendFile', 'mkdir', 'rename', 'rm', 'unlink']) {
  const original = promises[name]!;
  promises[name] = async (path: unknown, ...rest: unknown[]) => {
    if (inside(path)) throw erofs(name, String(path));
    return original(path, ...rest);
  };
}
syncBuiltinESMExports();
