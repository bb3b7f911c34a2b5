import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLocalServer } from '../../infra/local/build.js';
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import type { AgreementVersion } from '../../shared/schemas/agreement.js';
import { agreementVersion } from '../helpers/fixtures.js';
import { closedLoop } from './http-load.js';
import { type BenchEntry, prng } from './report.js';

const AGREEMENTS = Number(process.env.BENCH_AGREEMENTS ?? 100_000);
const CONCURRENCY = 16;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
export const TARGET = { getP99Ms: 10, listP99Ms: 30 } as const;
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

/**
 * Starts the embedded default as `npm start` does (its prestart build, then plain node on `dist/local/main.js`) as a
 * child process, and waits for its URL. The pid is the server's own, so CPU and peak RSS are the server's.
 */
export async function startServerProcess(
  dataDir: string,
  extraArgs: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server under a bench.
      ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      await buildLocalServer(),
      '--data-dir',
      dataDir,
      '--port',
      '0',
      ...extraArgs,
    ],
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

const idOf = (i: number) => `agr_01BENCH${String(i).padStart(12, '0')}`;

function load(dataDir: string): void {
  const db = openDatabase(join(dataDir, 'accord.db'));
  const store = new SqliteAgreementStore(db);
  const t0 = performance.now();
  db.transaction(() => {
    for (let i = 0; i < AGREEMENTS; i++) {
      const bu = BUS[i % BUS.length]!;
      const a = agreementVersion({
        id: idOf(i),
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
    }
  })();
  console.log(`loaded ${AGREEMENTS} agreements in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  db.close();
}

/** A page of a listing: its query and the cursor that reaches it (none for the first), and its depth. */
interface Page {
  query: string;
  cursor?: string;
  depth: number;
}

/** Walks a listing to its end (untimed), keeping every page's cursor, so the load can ask for any page. */
async function pagesOf(url: string, query: string, headers: Record<string, string>): Promise<Page[]> {
  const pages: Page[] = [{ query, depth: 0 }];
  for (;;) {
    const last = pages[pages.length - 1]!;
    const r = await fetch(`${url}/v1/agreements?${query}${last.cursor ? `&cursor=${last.cursor}` : ''}`, {
      headers,
    });
    if (r.status !== 200) throw new Error(`listing ${query}: ${r.status} ${await r.text()}`);
    const body = (await r.json()) as { nextCursor?: string };
    if (!body.nextCursor) return pages;
    pages.push({ query, cursor: body.nextCursor, depth: pages.length });
  }
}

/**
 * GET one agreement by an id drawn at random from all 100,000, and list pages of 50 drawn at random from every page
 * of four filtered listings and of two whole business units (pages as deep as 250), over HTTP, 16 concurrent
 * clients. The cursors of every page are collected first by walking each listing once (untimed).
 */
export async function benchApi(): Promise<BenchEntry[]> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-bench-api-'));
  try {
    load(dir);
    const { child, url } = await startServerProcess(dir);
    try {
      const creds = JSON.parse(readFileSync(join(dir, 'dev-credentials.json'), 'utf8'));
      const auth = { authorization: `Bearer ${creds.tokens['sla-manager'].token}` };
      const auditor = { authorization: `Bearer ${creds.tokens.auditor.token}` };
      const rand = prng(11);
      const get = await closedLoop({
        url,
        concurrency: CONCURRENCY,
        durationMs: DURATION_MS,
        next: () => ({ path: `/v1/agreements/${idOf(Math.floor(rand() * AGREEMENTS))}`, headers: auditor }),
      });
      // The peer in the same run: the same GET on 100 hot ids (the old bench's shortcut), so the ratio separates
      // what random ids cost from what the machine's load costs.
      const hot = await closedLoop({
        url,
        concurrency: CONCURRENCY,
        durationMs: DURATION_MS / 2,
        next: (i) => ({ path: `/v1/agreements/${idOf((i % 100) * 997)}`, headers: auditor }),
      });
      const filtered = (
        await Promise.all(
          ['payments', 'retail-banking', 'group-platform', 'wealth-management'].map((bu) =>
            pagesOf(url, `businessUnit=${bu}&status=active&kind=SLA&limit=50`, auth),
          ),
        )
      ).flat();
      const whole = (
        await Promise.all(
          ['payments', 'retail-banking'].map((bu) => pagesOf(url, `businessUnit=${bu}&limit=50`, auth)),
        )
      ).flat();
      const pages = [...filtered, ...whole];
      const pathOf = (p: Page) => `/v1/agreements?${p.query}${p.cursor ? `&cursor=${p.cursor}` : ''}`;
      const list = await closedLoop({
        url,
        concurrency: CONCURRENCY,
        durationMs: DURATION_MS,
        next: () => ({ path: pathOf(pages[Math.floor(rand() * pages.length)]!), headers: auth }),
      });
      const deepest = Math.max(...pages.map((p) => p.depth));
      // Pages 100 and deeper (half-way down when a smaller run has fewer).
      const deepFrom = Math.min(100, Math.floor(deepest / 2));
      const deep = pages.filter((p) => p.depth >= deepFrom);
      const deepList = await closedLoop({
        url,
        concurrency: CONCURRENCY,
        durationMs: DURATION_MS / 2,
        next: () => ({ path: pathOf(deep[Math.floor(rand() * deep.length)]!), headers: auth }),
      });
      console.log(`${pages.length} pages (deepest ${deepest}), ${deep.length} at depth ${deepFrom} or more`);
      for (const [name, r] of [
        ['get', get],
        ['list', list],
        ['deep list', deepList],
      ] as const) {
        console.log(
          `${name}: ${r.requests} requests, ${r.errors} errors, ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`,
        );
        if (r.errors > 0) throw new Error(`${name}: ${r.errors} requests failed`);
      }
      return [
        { name: 'api.get_agreement.p50_ms', value: get.p50, unit: 'ms (random ids over all 100,000)' },
        {
          name: 'api.get_agreement.p99_ms',
          value: get.p99,
          unit: 'ms',
          target: { op: '<=', limit: TARGET.getP99Ms },
        },
        { name: 'api.get_agreement.rps', value: get.rps, unit: 'req/s' },
        { name: 'api.get_agreement.hot_ids.p99_ms', value: hot.p99, unit: 'ms (100 hot ids, same run)' },
        { name: 'api.get_agreement.random_to_hot_p99', value: get.p99 / hot.p99, unit: 'ratio' },
        { name: 'api.list_agreements.p50_ms', value: list.p50, unit: `ms (random page of ${pages.length})` },
        {
          name: 'api.list_agreements.p99_ms',
          value: list.p99,
          unit: 'ms',
          target: { op: '<=', limit: TARGET.listP99Ms },
        },
        { name: 'api.list_agreements.rps', value: list.rps, unit: 'req/s' },
        {
          name: 'api.list_agreements.deep.p99_ms',
          value: deepList.p99,
          unit: `ms (pages ${deepFrom} to ${deepest})`,
          target: { op: '<=', limit: TARGET.listP99Ms },
        },
        { name: 'api.list_agreements.deep.rps', value: deepList.rps, unit: 'req/s' },
      ];
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
