#!/usr/bin/env node
// The `accord` command (package.json "bin"): loads the TypeScript CLI through tsx and exits with its code.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./main.ts');
process.exitCode = await run(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  env: process.env,
});
