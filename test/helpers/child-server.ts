import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtServer } from './local-build.js';

export interface ChildServer {
  proc: ChildProcess;
  url: string;
  apiKey: string;
}

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Starts the embedded default as its own process, as `npm start` runs it (plain node on the build of
 * infra/local/build.ts, so the pid is the server's own and SIGKILL reaches it), and resolves once it prints its
 * address.
 */
export async function startChildServer(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ChildServer> {
  const entry = await builtServer();
  const proc = spawn(process.execPath, [entry, '--data-dir', dataDir, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${err}`)), 55_000); // under the e2e hooks' 60 s: two servers starting together on a loaded 2-core machine took over 30 s
    proc.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Accord is running on the embedded default at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const creds = JSON.parse(readFileSync(join(dataDir, 'dev-credentials.json'), 'utf8')) as {
          vendor: { apiKey: string };
        };
        resolve({ proc, url: m[1]!, apiKey: creds.vendor.apiKey });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${err}`));
    });
  });
}

/** Resolves when the process has exited. */
export function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}
