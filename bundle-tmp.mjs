import { build } from 'esbuild';
const entry = process.argv[2];
const r = await build({
  outdir: undefined,
  entryPoints: [entry],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  metafile: true,
  write: false,
  outfile: '/tmp/out.mjs',
});
const inputs = Object.entries(Object.values(r.metafile.outputs)[0].inputs).map(([k, v]) => [k, v.bytesInOutput]);
const total = inputs.reduce((s, [, b]) => s + b, 0);
const groups = {};
for (const [k, b] of inputs) {
  const g = k.startsWith('node_modules/')
    ? k
        .split('/')
        .slice(0, k.split('/')[1].startsWith('@') ? 3 : 2)
        .join('/')
    : k;
  groups[g] = (groups[g] ?? 0) + b;
}
console.log('TOTAL', total);
for (const [k, b] of Object.entries(groups)
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(process.argv[3] ?? 40)))
  console.log(String(b).padStart(7), k);
