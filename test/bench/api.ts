import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import type { AgreementVersion } from '../../shared/schemas/agreement.js';
import { agreementVersion } from '../helpers/fixtures.js';
import { closedLoop } from './http-load.js';
import type { BenchEntry } from './report.js';

const AGREEMENTS = Number(process.env.BENCH_AGREEMENTS ?? 100_000);
const CONCURRENCY = 16;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const BUS = [
  'retail-banking',
  'payments',
  'group-platform',
  'wealth-management',
  'insurance',
  'mortgages',
  'cards',
  'treasury',
];
const STATUSES: AgreementVersion['status'][] = [
  'active',
  'active',
  'active',
  'draft',
  'submitted',
  'approved',
  'expired',
];

/** Starts `npm start` (the embedded default) as a child process and waits for its URL. */
export async function startServerProcess(
  dataDir: string,
  extraArgs: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/local/main.ts', '--data-dir', dataDir, '--port', '0', ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running on the embedded default at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { child, url };
}

function load(dataDir: string): { sampleIds: string[] } {
  const db = openDatabase(join(dataDir, 'accord.db'));
  const store = new SqliteAgreementStore(db);
  const sampleIds: string[] = [];
  const t0 = performance.now();
  db.transaction(() => {
    for (let i = 0; i < AGREEMENTS; i++) {
      const bu = BUS[i % BUS.length]!;
      const a = agreementVersion({
        id: `agr_01BENCH${String(i).padStart(12, '0')}`,
        businessUnit: bu,
        serviceId: `svc_bench-${i % 400}`,
        status: STATUSES[i % STATUSES.length]!,
        kind: (['SLA', 'OLA', 'UC'] as const)[i % 3]!,
        title: `Benchmark agreement ${i}`,
        parties: {
          provider: { type: 'business-unit', businessUnit: bu },
          customer: { type: 'business-unit', businessUnit: 'retail-banking' },
        },
      });
      void store.create(a);
      if (i % 997 === 0) sampleIds.push(a.id);
    }
  })();
  console.log(`loaded ${AGREEMENTS} agreements in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  db.close();
  return { sampleIds };
}

/** GET one agreement and a filtered list page of 50, over HTTP, 16 concurrent clients, 100k agreements loaded. */
export async function benchApi(): Promise<BenchEntry[]> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-bench-api-'));
  try {
    const { sampleIds } = load(dir);
    const { child, url } = await startServerProcess(dir);
    try {
      const creds = JSON.parse(readFileSync(join(dir, 'dev-credentials.json'), 'utf8'));
      const auth = { authorization: `Bearer ${creds.tokens['sla-manager'].token}` };
      const auditor = { authorization: `Bearer ${creds.tokens.auditor.token}` };
      const get = await closedLoop({
        url,
        concurrency: CONCURRENCY,
        durationMs: DURATION_MS,
        next: (i) => ({ path: `/v1/agreements/${sampleIds[i % sampleIds.length]}`, headers: auditor }),
      });
      const filters = ['payments', 'retail-banking', 'group-platform', 'wealth-management'];
      const list = await closedLoop({
        url,
        concurrency: CONCURRENCY,
        durationMs: DURATION_MS,
        next: (i) => ({
          path: `/v1/agreements?businessUnit=${filters[i % filters.length]}&status=active&kind=SLA&limit=50`,
          headers: auth,
        }),
      });
      for (const [name, r] of [
        ['get', get],
        ['list', list],
      ] as const) {
        console.log(
          `${name}: ${r.requests} requests, ${r.errors} errors, ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`,
        );
        if (r.errors > 0) throw new Error(`${name}: ${r.errors} requests failed`);
      }
      return [
        { name: 'api.get_agreement.p50_ms', value: get.p50, unit: 'ms' },
        { name: 'api.get_agreement.p99_ms', value: get.p99, unit: 'ms' },
        { name: 'api.get_agreement.rps', value: get.rps, unit: 'req/s' },
        { name: 'api.list_agreements.p50_ms', value: list.p50, unit: 'ms' },
        { name: 'api.list_agreements.p99_ms', value: list.p99, unit: 'ms' },
        { name: 'api.list_agreements.rps', value: list.rps, unit: 'req/s' },
      ];
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
