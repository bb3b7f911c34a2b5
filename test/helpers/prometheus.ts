import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { exited } from './child-server.js';

/** A free TCP port on 127.0.0.1 (for a peer that cannot listen on port 0 and say which it got). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Throws (so the test fails, never skips) when Debian's prometheus binary is not on the PATH, saying how to install
 * it.
 */
export function requirePrometheus(): void {
  const version = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error(
      `this test needs Debian's prometheus binary on the PATH (apt-get install prometheus, or bash test/setup/system-deps.sh): ${version.error?.message ?? version.stderr}`,
    );
  }
}

export interface RunningPrometheus {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a real Prometheus on a free port with this configuration (YAML) and extra flags, its data in `dir`. */
export async function startPrometheus(
  dir: string,
  config: string,
  flags: string[] = [],
): Promise<RunningPrometheus> {
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const proc = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...flags,
    ],
    { stdio: 'ignore' },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    proc,
    async stop() {
      if (proc.pid && proc.exitCode === null) {
        proc.kill('SIGTERM');
        await exited(proc);
      }
    },
  };
}

/**
 * One remote-write queue's counters from Prometheus's own /metrics (2.42's names):
 * `{samples,histograms,metadata}_{total,failed_total,retried_total,dropped_total}`.
 */
export async function remoteCounters(promUrl: string, queue: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${promUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  const re =
    /^prometheus_remote_storage_(samples|histograms|metadata)_(total|failed_total|retried_total|dropped_total)\{([^}]*)\} (\S+)$/gm;
  for (const m of text.matchAll(re)) {
    if (!m[3]!.includes(`remote_name="${queue}"`)) continue;
    out[`${m[1]}_${m[2]}`] = Number(m[4]);
  }
  return out;
}

/**
 * Runs Debian's `promtool` with `args` in `cwd` and returns its standard output. Throws naming the install step when
 * promtool is missing (these tests never skip), and with promtool's own output when it fails.
 */
export function promtool(args: string[], cwd: string): string {
  try {
    return execFileSync('promtool', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (err.code === 'ENOENT')
      throw new Error(
        'promtool is not installed: run `bash test/setup/system-deps.sh` (apt-get install prometheus); this test does not skip',
      );
    throw new Error(`promtool ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}
