/**
 * `npm run bench -- workflows`: the approval workflow on the embedded default, in process (the composition root of
 * `npm start` over a SQLite file, time moved by the clock port): N approvals submitted, each signed in its two
 * capacities through the agreement use case (the workflow observes it), then driven to activation on their
 * effective date; then a restart (a new composition root over the same file) while 1,000 executions wait with a
 * heartbeat due, timed until all have replayed and wait again. Notification delivery is not in the figures (queued
 * only). Entries: workflows.approvals_per_s, workflows.restart_resume_s, workflows.peak_rss_mb (the issue's targets),
 * and the process CPU time per approval of the workflow and of the no-workflow peer: on a machine shared with other
 * work, wall-clock figures move two- to threefold with the load while CPU time per approval moves far less. And the
 * SQL statements run per approval, of the workflow and of the peer (`workflows.sql_per_approval`, counted by
 * test/bench/sql-count.ts; `ACCORD_BENCH_SQL_DETAIL=1` prints them by statement text): they do not depend on the load.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../infra/local/heap.js';
import { composeLocal } from '../../infra/local/compose.js';
import { UlidGenerator } from '../../shared/adapters/ids.js';
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import { SqliteExecutionJournal } from '../../shared/adapters/sqlite/workflows.js';
import type { Principal } from '../../shared/domain/access/policy.js';
import { loadSignOffRules } from '../../shared/policy/index.js';
import { readConfig } from '../../shared/runtime/config.js';
import { setContainer } from '../../shared/runtime/container.js';
import { AgreementUseCases } from '../../shared/usecases/agreements.js';
import { ServiceUseCases } from '../../shared/usecases/services.js';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import type { BenchEntry } from './report.js';
import { countSql, formatCounts } from './sql-count.js';
import { approvalLibraryFloor } from './workflow-floor.js';

const N = Number(process.env.ACCORD_BENCH_APPROVALS ?? 10_000);
const WAITING = Number(process.env.ACCORD_BENCH_WAITING ?? 1_000);
const BATCH = 250;
/** Set (to anything): the statements counted in the approvals and the peer phases are printed, most frequent first. */
const SQL_DETAIL = process.env.ACCORD_BENCH_SQL_DETAIL;
/**
 * Set (to anything): the CPU time of each part of the approvals loop is printed per approval (submits, the first
 * replays, the sign-offs with their hook, the replays they cause, the activation replays): on a shared machine the
 * parts move together with the load, so a change shows in its part where the total hides it.
 */
const PHASES = process.env.ACCORD_BENCH_PHASES;
/** A folder: the approvals and the resume phases are each written there as a V8 CPU profile (`<phase>.cpuprofile`). */
const PROFILE_DIR = process.env.ACCORD_BENCH_PROFILE;

/** Starts V8's CPU profiler when ACCORD_BENCH_PROFILE names a folder; the returned function writes the profile. */
async function profile(phase: string): Promise<() => Promise<void>> {
  if (!PROFILE_DIR) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile: p } = await session.post('Profiler.stop');
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, `${phase}.cpuprofile`), JSON.stringify(p));
    session.disconnect();
  };
}

const manager: Principal = {
  subject: 'bench-manager',
  roles: ['sla-manager'],
  businessUnits: ['payments', 'retail-banking'],
  services: [],
  signOffCapacities: [],
};
const owner: Principal = {
  subject: 'bench-owner',
  roles: ['service-owner'],
  businessUnits: [],
  services: ['svc_payments-gateway'],
  signOffCapacities: [],
};
const business: Principal = {
  subject: 'bench-business',
  roles: ['approver'],
  businessUnits: [],
  services: [],
  signOffCapacities: ['business-owner'],
};

/** Bytes and calls the process has written through `write` so far (Linux `/proc/self/io`: wchar, syscw). */
function written(): { bytes: number; calls: number } {
  try {
    const io = readFileSync('/proc/self/io', 'utf8');
    const field = (k: string) => Number(new RegExp(`^${k}: (\\d+)$`, 'm').exec(io)?.[1] ?? Number.NaN);
    return { bytes: field('wchar'), calls: field('syscw') };
  } catch {
    return { bytes: Number.NaN, calls: Number.NaN };
  }
}

/** `write` bytes (KB) and calls, and user and system CPU, per unit since `start`, for the SQL detail log. */
function writtenSince(start: { bytes: number; calls: number }, cpu: NodeJS.CpuUsage, per: number): string {
  const now = written();
  const c = process.cpuUsage(cpu);
  const kb = (now.bytes - start.bytes) / 1024 / per;
  const calls = (now.calls - start.calls) / per;
  const user = c.user / 1000 / per;
  const system = c.system / 1000 / per;
  return `${kb.toFixed(1)} KB in ${calls.toFixed(1)} write calls per unit; CPU ${user.toFixed(2)} ms user, ${system.toFixed(2)} ms system`;
}

/** Process CPU time (user + system) since `start`, in milliseconds. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

export async function benchWorkflows(): Promise<BenchEntry[]> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const dir = mkdtempSync(join(tmpdir(), 'accord-bench-wf-'));
  let now = Date.parse('2026-03-02T09:00:00.000Z');
  const clock = { now: () => new Date(now) };
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    let parts = composeLocal(readConfig({}), join(dir, 'accord.db'), clock);
    setContainer(parts.container);
    let c = parts.container;
    await c.services.register(manager, serviceBody({ tier: 2 }));
    const body = agreementBody({
      effectiveFrom: '2026-03-03',
      effectiveTo: '2027-03-02',
      reviewCycle: { everyMonths: 12, nextReviewDate: '2026-12-01' },
    });
    const create = async (n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++)
        ids.push((await c.agreements.create(manager, { ...body, title: `Bench SLA ${i}` })).id);
      return ids;
    };
    const ids = await create(N);
    const engine = parts.workflows.engine;
    const stopApprovals = await profile('approvals');
    const stopSql = countSql(Boolean(SQL_DETAIL));
    const io0 = written();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const byPart: Record<string, number> = {};
    let mark = process.cpuUsage();
    const part = (name: string) => {
      const d = process.cpuUsage(mark);
      byPart[name] = (byPart[name] ?? 0) + (d.user + d.system) / 1000;
      mark = process.cpuUsage();
    };
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      for (const id of batch) await c.agreements.submit(manager, id, 1, 'ready');
      part('submits');
      await engine.idle();
      part('first replays');
      for (const id of batch) {
        const a = await c.agreements.signOff(owner, id, 2, {
          capacity: 'service-owner',
          decision: 'approved',
          reason: 'fine',
        });
        await c.agreements.signOff(business, id, a.version, {
          capacity: 'business-owner',
          decision: 'approved',
          reason: 'fine',
        });
      }
      part('sign-offs');
      await engine.idle();
      part('sign-off replays');
    }
    now = Date.parse('2026-03-03T00:30:00.000Z');
    await engine.tick();
    await engine.idle();
    part('activation replays');
    const seconds = (performance.now() - t0) / 1000;
    const cpuMs = cpuMsSince(cpu0);
    const sql = stopSql();
    await stopApprovals();
    if (PHASES)
      console.error(
        `CPU ms per approval by part: ${Object.entries(byPart)
          .map(([k, v]) => `${k} ${(v / N).toFixed(3)}`)
          .join(', ')}`,
      );
    if (SQL_DETAIL)
      console.error(
        `statements per approval (workflow):\n${formatCounts(sql, N)}\n${writtenSince(io0, cpu0, N)}`,
      );
    const active = (
      await c.agreements.list({ ...manager, roles: ['admin'] } as Principal, { status: 'active', limit: 1 })
    ).items.length;
    if (active === 0) throw new Error('no agreement was activated');
    // The raw ceiling, same run: the library alone through one recorded execution (test/bench/workflow-floor.ts).
    const journal = new SqliteExecutionJournal(parts.db);
    const [done] = await journal.listBySubject({ type: 'agreement', id: ids[0] ?? '' });
    if (done?.status !== 'succeeded') throw new Error('the first approval did not succeed');
    const floor = await approvalLibraryFloor(
      (await journal.steps(done.executionId)).values(),
      done.input,
      done.output,
    );

    // Restart while executions wait, each with a heartbeat due: time until every one has replayed and waits again.
    const waiting = await create(WAITING);
    for (const id of waiting) await c.agreements.submit(manager, id, 1, 'ready');
    await engine.idle();
    parts.workflows.stop();
    parts.db.close();
    now += 2 * 3_600_000;
    parts = composeLocal(readConfig({}), join(dir, 'accord.db'), clock);
    setContainer(parts.container);
    c = parts.container;
    const stopResume = await profile('resume');
    const r0 = performance.now();
    const rc0 = process.cpuUsage();
    await parts.workflows.engine.resumeAndRun(60_000);
    await parts.workflows.engine.idle();
    const resume = (performance.now() - r0) / 1000;
    const resumeCpuMs = cpuMsSince(rc0);
    await stopResume();
    parts.workflows.stop();
    parts.db.close();

    // Peer, same run: the same lifecycle (submit, two sign-offs, activate by hand) through the agreement use cases
    // alone on a SQLite file, no workflow: what the workflow adds on top of the writes it causes.
    const peerDb = openDatabase(join(dir, 'peer.db'));
    const agreements = new SqliteAgreementStore(peerDb);
    const services = new SqliteServiceStore(peerDb);
    now = Date.parse('2026-03-02T09:00:00.000Z');
    const plain = new AgreementUseCases({
      agreements,
      services,
      clock,
      ids: new UlidGenerator(clock),
      signOffRules: loadSignOffRules(),
    });
    await new ServiceUseCases({ services, agreements, clock }).register(manager, serviceBody({ tier: 2 }));
    const peerIds: string[] = [];
    for (let i = 0; i < N; i++)
      peerIds.push((await plain.create(manager, { ...body, title: `Peer SLA ${i}` })).id);
    now = Date.parse('2026-03-03T00:30:00.000Z');
    const stopPeerSql = countSql(Boolean(SQL_DETAIL));
    const pio0 = written();
    const p0 = performance.now();
    const pc0 = process.cpuUsage();
    for (const id of peerIds) {
      await plain.submit(manager, id, 1, 'ready');
      const a = await plain.signOff(owner, id, 2, {
        capacity: 'service-owner',
        decision: 'approved',
        reason: 'fine',
      });
      const b = await plain.signOff(business, id, a.version, {
        capacity: 'business-owner',
        decision: 'approved',
        reason: 'fine',
      });
      await plain.activate(manager, id, b.version, 'go-live');
    }
    const peerSeconds = (performance.now() - p0) / 1000;
    const peerCpuMs = cpuMsSince(pc0);
    const peerSql = stopPeerSql();
    if (SQL_DETAIL)
      console.error(
        `statements per approval (peer):\n${formatCounts(peerSql, N)}\n${writtenSince(pio0, pc0, N)}`,
      );
    peerDb.close();
    return [
      { name: 'workflows.approvals', value: N, unit: 'executions' },
      {
        name: 'workflows.approvals_per_s',
        value: N / seconds,
        unit: 'executions/s',
        target: { op: '>=', limit: 500 },
      },
      {
        name: 'workflows.peer_lifecycle_per_s',
        value: N / peerSeconds,
        unit: 'agreements/s (no workflow, same steps by hand)',
      },
      {
        name: 'workflows.ratio_to_peer',
        value: peerSeconds / seconds,
        unit: 'x (workflow rate / peer rate)',
      },
      {
        name: 'workflows.restart_resume_s',
        value: resume,
        unit: `s (${WAITING} waiting)`,
        target: { op: '<=', limit: 2 },
      },
      {
        name: 'workflows.peak_rss_mb',
        value: peak / 1024 / 1024,
        unit: 'MB',
        target: { op: '<', limit: 400 },
      },
      { name: 'workflows.cpu_ms_per_approval', value: cpuMs / N, unit: 'ms CPU (process, user + system)' },
      { name: 'workflows.peer_cpu_ms_per_approval', value: peerCpuMs / N, unit: 'ms CPU (no workflow)' },
      {
        name: 'workflows.sql_per_approval',
        value: sql.total / N,
        unit: 'SQL statements run (prepared run/get/all/iterate and exec)',
      },
      {
        name: 'workflows.peer_sql_per_approval',
        value: peerSql.total / N,
        unit: 'SQL statements (no workflow)',
      },
      { name: 'workflows.resume_cpu_ms_per_execution', value: resumeCpuMs / WAITING, unit: 'ms CPU' },
      {
        name: 'workflows.library_floor_per_s',
        value: floor.passesPerS,
        unit: 'passes/s (the approval ASL alone in aws-local-stepfunctions, recorded outputs, nothing persisted)',
      },
      { name: 'workflows.library_floor_cpu_ms', value: floor.cpuMsPerPass, unit: 'ms CPU per pass (same)' },
    ];
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
}
