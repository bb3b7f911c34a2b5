/**
 * `ecosystem.backfill.samples_per_s` (issue 14 benchmark, target ≥ 500,000 samples/s): 90 days × 250 SLIs from an
 * OpenMetrics file, one good and one bad counter per SLI, a sample an hour (1,080,000 samples + the baselines, about
 * 92 MB), sent by the CLI's `backfillFile` (chunks of at most 200,000 samples and 10 MB, the per-request bounds: about
 * 120,000 lines each here) to the embedded
 * default, started as `npm start` starts it in its own process, over HTTP as an administrator: decode, map, counter
 * state, raw store, rollups, audit per chunk. The
 * peer, measured in the same run on the same file: `promtool tsdb create-blocks-from openmetrics` (Prometheus's
 * own backfill into TSDB blocks).
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfillFile } from '../../infra/cli/backfill.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startServerProcess } from './api.js';
import type { BenchEntry } from './report.js';

const HOUR = 3_600_000;

/** Writes the file: per SLI, its good series then its bad series, hourly from 90 days ago (counters grow). */
export async function writeBenchFile(path: string, slis: number, days: number): Promise<number> {
  const out = createWriteStream(path);
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  const end = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
  const start = end - days * 24 * HOUR;
  let samples = 0;
  for (const [name, perHour] of [
    ['accord_sli_good_total', 997],
    ['accord_sli_bad_total', 3],
  ] as const) {
    await write(`# TYPE ${name} counter\n`);
    for (let i = 0; i < slis; i++) {
      const labels = `{service="svc_payments-gateway",sli="sli-${i}"}`;
      const lines: string[] = [];
      let v = 1_000;
      for (let t = start; t <= end; t += HOUR) {
        lines.push(`${name}${labels} ${v} ${t / 1000}`);
        v += perHour;
      }
      samples += lines.length;
      await write(`${lines.join('\n')}\n`);
    }
  }
  await write('# EOF\n');
  await new Promise<void>((r) => out.end(r));
  return samples;
}

/**
 * CPU seconds of this process's finished children (Linux: /proc/self/stat's cutime + cstime, in clock ticks of 1/100 s):
 * the peer's CPU, read around its run.
 */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3, cutime and cstime are fields 16 and 17.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** CPU seconds (user + system) of a running process, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/**
 * The entry and its peer. `peer: false` (`--backfill-no-peer`) skips promtool, for quick comparisons of Accord alone
 * (promtool takes minutes on 90 days).
 */
export async function benchBackfill(slis = 250, days = 90, peer = true): Promise<BenchEntry[]> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-bench-backfill-'));
  const file = join(dir, 'history.om.txt');
  try {
    const samples = await writeBenchFile(file, slis, days);
    // The server as a deployment runs it (`npm start`'s build, its own process), the CLI in this one: the two share
    // the machine's cores as they would on an administrator's laptop.
    const dataDir = join(dir, 'accord');
    const { child, url } = await startServerProcess(dataDir);
    let seconds = 0;
    let cliCpu = 0;
    let serverCpu = 0;
    let accepted = 0;
    try {
      const creds = JSON.parse(readFileSync(join(dataDir, 'dev-credentials.json'), 'utf8')) as {
        tokens: Record<string, { token: string }>;
      };
      const created = await fetch(`${url}/v1/services`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${creds.tokens['sla-manager']!.token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(serviceBody()),
      });
      if (created.status !== 201) throw new Error(`service: ${created.status} ${await created.text()}`);
      // The vendor the file is imported as, bound to the service (a backfill names a vendor that exists, and its
      // bindings scope what the file writes: docs/backfill.md, "Vendor scope").
      const vendor = await fetch(`${url}/v1/vendors`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${creds.tokens.admin!.token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          id: 'prometheus',
          name: 'Prometheus (bench history)',
          tier: 'standard',
          bindings: [{ serviceId: 'svc_payments-gateway' }],
          reason: 'bench: the vendor the history is imported as',
        }),
      });
      if (vendor.status !== 201) throw new Error(`vendor: ${vendor.status} ${await vendor.text()}`);
      const config = { endpoint: url, token: creds.tokens.admin!.token };
      const s0 = cpuSecondsOf(child.pid!);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const job = await backfillFile(config, file, {
        vendor: 'prometheus',
        format: 'openmetrics',
        reason: 'bench: 90 days of history',
        perChunk: 200_000,
        progress: () => {},
      });
      seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      cliCpu = (cpu.user + cpu.system) / 1e6;
      serverCpu = cpuSecondsOf(child.pid!) - s0;
      accepted = job.accepted;
      if (job.rejected)
        throw new Error(`backfill rejected ${job.rejected} samples: ${JSON.stringify(job.rejectedByReason)}`);
    } finally {
      await stopChild(child);
    }
    const cpuSeconds = cliCpu + serverCpu;
    const rate = samples / seconds;
    const entry: BenchEntry = {
      name: 'ecosystem.backfill.samples_per_s',
      value: Math.round(rate),
      unit: `samples/s (${slis} SLIs × ${days} days, hourly good and bad counters: ${samples.toLocaleString('en-GB')} samples, ${(statSync(file).size / 1e6).toFixed(0)} MB, ${accepted.toLocaleString('en-GB')} accepted, in ${seconds.toFixed(2)} s over HTTP to the server in its own process, ${cpuSeconds.toFixed(2)} s of CPU (server ${serverCpu.toFixed(2)} s, CLI ${cliCpu.toFixed(2)} s) = ${Math.round(samples / cpuSeconds).toLocaleString('en-GB')} samples per CPU second; target ≥ 500,000)`,
      target: { op: '>=', limit: 500_000 },
    };
    if (!peer) return [entry];
    const pc0 = childrenCpuSeconds();
    const p0 = performance.now();
    const run = spawnSync(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', file, join(dir, 'blocks')],
      {
        encoding: 'utf8',
      },
    );
    const peerSeconds = (performance.now() - p0) / 1000;
    const peerCpu = childrenCpuSeconds() - pc0;
    if (run.status !== 0) throw new Error(`promtool failed: ${run.error?.message ?? run.stderr}`);
    const peerRate = samples / peerSeconds;
    return [
      entry,
      {
        name: 'ecosystem.backfill.promtool_samples_per_s',
        value: Math.round(peerRate),
        unit: `samples/s (peer: promtool tsdb create-blocks-from openmetrics on the same file, ${peerSeconds.toFixed(1)} s, ${peerCpu.toFixed(1)} s of CPU; Accord at ${(rate / peerRate).toFixed(2)}x its rate, ${(peerCpu / cpuSeconds).toFixed(2)}x less CPU)`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
