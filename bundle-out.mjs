import { build } from 'esbuild';
await build({
  entryPoints: [process.argv[2]],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  outfile: '/tmp/out.mjs',
});
