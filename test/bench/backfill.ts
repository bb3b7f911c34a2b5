/**
 * `ecosystem.backfill.samples_per_s` (issue 14 benchmark, target ≥ 500,000 samples/s): 90 days × 250 SLIs from an
 * OpenMetrics file, one good and one bad counter per SLI, a sample an hour (1,080,000 samples + the baselines, about
 * 92 MB), sent by the CLI's `backfillFile` (chunks of at most 200,000 samples and 10 MB, the per-request bounds: about
 * 120,000 lines each here) to the embedded
 * default over HTTP as an administrator: decode, map, counter state, raw store, rollups, audit per chunk. The
 * peer, measured in the same run on the same file: `promtool tsdb create-blocks-from openmetrics` (Prometheus's
 * own backfill into TSDB blocks).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfillFile } from '../../infra/cli/backfill.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp } from '../helpers/local-app.js';
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

export async function benchBackfill(slis = 250, days = 90): Promise<BenchEntry[]> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-bench-backfill-'));
  const file = join(dir, 'history.om.txt');
  try {
    const samples = await writeBenchFile(file, slis, days);
    const app = await startTestApp({}, { dir: join(dir, 'accord') });
    let seconds = 0;
    let cpuSeconds = 0;
    let accepted = 0;
    try {
      await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody() });
      const config = { endpoint: app.url, token: app.credentials.tokens.admin!.token };
      // CPU of this process (the CLI and the embedded server both run in it): steadier than wall time on a shared machine.
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
      cpuSeconds = (cpu.user + cpu.system) / 1e6;
      accepted = job.accepted;
      if (job.rejected)
        throw new Error(`backfill rejected ${job.rejected} samples: ${JSON.stringify(job.rejectedByReason)}`);
    } finally {
      await app.close();
    }
    const pc0 = childrenCpuSeconds();
    const p0 = performance.now();
    const peer = spawnSync(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', file, join(dir, 'blocks')],
      {
        encoding: 'utf8',
      },
    );
    const peerSeconds = (performance.now() - p0) / 1000;
    const peerCpu = childrenCpuSeconds() - pc0;
    if (peer.status !== 0) throw new Error(`promtool failed: ${peer.error?.message ?? peer.stderr}`);
    const rate = samples / seconds;
    const peerRate = samples / peerSeconds;
    return [
      {
        name: 'ecosystem.backfill.samples_per_s',
        value: Math.round(rate),
        unit: `samples/s (${slis} SLIs × ${days} days, hourly good and bad counters: ${samples.toLocaleString('en-GB')} samples, ${(statSync(file).size / 1e6).toFixed(0)} MB, ${accepted.toLocaleString('en-GB')} accepted, in ${seconds.toFixed(1)} s over HTTP, ${cpuSeconds.toFixed(1)} s of CPU = ${Math.round(samples / cpuSeconds).toLocaleString('en-GB')} samples per CPU second; target ≥ 500,000)`,
        target: { op: '>=', limit: 500_000 },
      },
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
