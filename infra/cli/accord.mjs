#!/usr/bin/env node
// The `accord` command (package.json "bin"): loads the TypeScript CLI through tsx and exits with its code.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./main.ts');
const { lineWriters } = await import('./terminal.ts');
process.exitCode = await run(process.argv.slice(2), {
  ...lineWriters(process.stdout, process.stderr),
  env: process.env,
  stdin: async () => {
    const parts = [];
    for await (const chunk of process.stdin) parts.push(chunk);
    return Buffer.concat(parts).toString('utf8');
  },
});
