import { build } from 'esbuild';
const r = await build({
  entryPoints: [`functions/${process.argv[2]}.ts`],
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  write: false,
  external: ['@aws-sdk/*'],
  mainFields: ['module', 'main'],
  logLevel: 'silent',
  metafile: true,
});
const inputs = Object.entries(r.metafile.outputs)[0][1].inputs;
const groups = new Map<string, number>();
for (const [file, v] of Object.entries(inputs)) {
  const key = file.includes('node_modules') ? file.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1') : file;
  groups.set(key, (groups.get(key) ?? 0) + v.bytesInOutput);
}
console.log('total', r.outputFiles[0].contents.length);
for (const [k, v] of [...groups].sort((a, b) => b[1] - a[1])) console.log(String(v).padStart(7), k);
