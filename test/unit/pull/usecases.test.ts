import { describe, expect, it, vi } from 'vitest';
import { MemoryAuditStore } from '../../../shared/adapters/memory/audit.js';
import {
  type DomainError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import type { DecodedBatch } from '../../../shared/domain/telemetry/model.js';
import type {
  DataSourceConfig,
  MetricSources,
  QueryRange,
  RangeSeries,
} from '../../../shared/ports/metric-source.js';
import type { ObjectiveAgreement } from '../../../shared/ports/objectives.js';
import { Objective } from '../../../shared/schemas/agreement.js';
import type { IngestResponse } from '../../../shared/schemas/telemetry.js';
import { type PullIngest, PullUseCases, pullIn } from '../../../shared/usecases/pull.js';
import { agreementVersion, principal } from '../../helpers/fixtures.js';

// The pull use cases with a scripted metric source and a recording ingest: the real Prometheus runs in
// test/e2e/prometheus-pull.test.ts, in a server a mutation test cannot see.

const NOW = Date.UTC(2026, 10, 30, 12, 7, 31, 500);
const DAY = 86_400_000;
const admin = principal({ subject: 'ada', roles: ['admin'] });

const objective = (id: string, sli: string, source?: Record<string, unknown>) =>
  Objective.parse({
    id,
    name: id,
    sli: { type: 'availability', name: sli, ...(source ? { source } : {}) },
    target: 99.9,
    window: { type: 'rolling', days: 28 },
    owner: { name: 'O', email: 'o@example.com' },
    customerContact: { name: 'C', email: 'c@example.com' },
  });
const prom = (dataSource: string, job = 'a') => ({
  type: 'Prometheus',
  dataSource,
  counter: true,
  good: { query: `ok_total{job="${job}"}` },
  bad: { query: `err_total{job="${job}"}` },
});

interface Call {
  query: string;
  range: QueryRange;
}

function setup(o: {
  sources?: string[];
  series?: (query: string) => RangeSeries[] | Promise<RangeSeries[]>;
  active?: ObjectiveAgreement[];
  respond?: (b: DecodedBatch) => Partial<IngestResponse>;
}) {
  let now = NOW;
  const calls: Call[] = [];
  const ingested: { batch: DecodedBatch; vendor: string; oldestMs: number }[] = [];
  const configs = new Map<string, DataSourceConfig>(
    (o.sources ?? ['prom']).map((name) => [
      name,
      { name, type: 'Prometheus', url: 'http://p:9090', stepSeconds: 60, lookbackMinutes: 15 },
    ]),
  );
  const sources: MetricSources = {
    list: () => [...configs.values()],
    get: (name) => {
      const config = configs.get(name);
      return config
        ? {
            config,
            source: {
              queryRange: async (query, range) => {
                calls.push({ query, range });
                return (o.series ?? (() => []))(query);
              },
            },
          }
        : undefined;
    },
  };
  const ingest: PullIngest = {
    ingestBackfill: async (batch, vendor, oldestMs) => {
      ingested.push({ batch, vendor, oldestMs });
      return {
        submitted: batch.sampleCount,
        accepted: batch.sampleCount,
        duplicates: 0,
        rejected: [],
        unmappedSeries: 0,
        series: { total: 0 },
        slis: [],
        durability: 'stored',
        ...(o.respond?.(batch) ?? {}),
      } as IngestResponse;
    },
  };
  const listActive = vi.fn(async () => o.active ?? []);
  const agreements = new Map<string, ReturnType<typeof agreementVersion>>();
  const audit = new MemoryAuditStore();
  const pull = new PullUseCases({
    sources,
    active: { listActive },
    agreements: { get: async (id) => agreements.get(id) },
    ingest: () => ingest,
    audit,
    clock: { now: () => new Date(now) },
    cacheTtlMs: 30_000,
  });
  return {
    pull,
    calls,
    ingested,
    listActive,
    agreements,
    audit,
    tick: (ms: number) => {
      now += ms;
    },
  };
}

const active = (serviceId: string, objectives: ReturnType<typeof objective>[]) =>
  ({ serviceId, objectives }) as unknown as ObjectiveAgreement;
const series = (n: number, from = NOW - 60_000 * n): RangeSeries => ({
  labels: { __name__: 'ok_total', job: 'a' },
  points: Array.from({ length: n }, (_, i) => [from + i * 1000, i] as [number, number]),
});
const failure = async (f: () => Promise<unknown>): Promise<DomainError> => {
  const e = await f().then(
    () => undefined,
    (err: unknown) => err,
  );
  if (e === undefined) throw new Error('expected a failure');
  return e as DomainError;
};

describe('the scheduled pull', () => {
  it('reads nothing, not even the active objectives, where no data source is configured', async () => {
    const { pull, listActive } = setup({
      sources: [],
      active: [active('svc_a', [objective('o', 'checkout', prom('prom'))])],
    });
    expect(await pull.pullScheduled()).toEqual({ pulled: [], skipped: [] });
    expect(listActive).not.toHaveBeenCalled();
  });

  it('pulls each SLI once over the lookback ending on a whole step, and skips the SLIs it cannot pull, saying why', async () => {
    const { pull, calls, ingested } = setup({
      series: (q) => (q.startsWith('ok_total') ? [series(3)] : []),
      active: [
        active('svc_a', [
          objective('first', 'checkout', prom('prom')),
          // The same SLI again: the first objective naming it decides.
          objective('again', 'checkout', prom('elsewhere')),
          objective('pushed', 'login'),
          objective('unknown-source', 'search', prom('other')),
        ]),
        active('svc_b', [objective('threshold', 'latency', { type: 'Prometheus', dataSource: 'prom' })]),
      ],
    });
    const run = await pull.pullScheduled();
    // 12:07:31.5 on a 60 s step ends at 12:07:00; 15 minutes back is 11:52:00.
    const from = '2026-11-30T11:52:00.000Z';
    const to = '2026-11-30T12:07:00.000Z';
    expect(run.pulled).toEqual([
      {
        sliKey: 'svc_a/checkout',
        dataSource: 'prom',
        from,
        to,
        series: 1,
        submitted: 3,
        accepted: 3,
        duplicates: 0,
        rejected: 0,
        rejectedByReason: {},
      },
    ]);
    expect(run.skipped).toEqual([
      { sliKey: 'svc_a/search', reason: 'data source other is not configured here' },
      { sliKey: 'svc_b/latency', reason: expect.any(String) },
    ]);
    const range = { startMs: Date.parse(from), endMs: Date.parse(to), stepS: 60 };
    expect(calls).toEqual([
      { query: 'ok_total{job="a"}', range },
      { query: 'err_total{job="a"}', range },
    ]);
    expect(ingested.map((i) => [i.vendor, i.oldestMs, i.batch.sampleCount])).toEqual([
      ['prom', range.startMs, 3],
    ]);
  });

  it('sends no request at all when the source has no series for the SLI', async () => {
    const { pull, ingested, calls } = setup({
      series: () => [],
      active: [active('svc_a', [objective('o', 'checkout', prom('prom'))])],
    });
    const [p] = (await pull.pullScheduled()).pulled;
    expect(calls).toHaveLength(2);
    expect(ingested).toEqual([]);
    expect(p).toMatchObject({ series: 0, submitted: 0, accepted: 0 });
  });

  it('adds up what each ingest answered, rejections counted by reason', async () => {
    const { pull } = setup({
      series: () => [series(4)],
      active: [active('svc_a', [objective('o', 'checkout', prom('prom'))])],
      respond: () => ({
        submitted: 4,
        accepted: 2,
        duplicates: 1,
        rejected: [
          { index: 0, reason: 'too_old' },
          { index: 1, reason: 'too_old' },
          { index: 3, reason: 'out_of_order' },
        ] as unknown as IngestResponse['rejected'],
      }),
    });
    const [p] = (await pull.pullScheduled()).pulled;
    // One ingest for both queries' series (8 points): the figures are its answer.
    expect(p).toMatchObject({
      series: 2,
      submitted: 4,
      accepted: 2,
      duplicates: 1,
      rejected: 3,
      rejectedByReason: { too_old: 2, out_of_order: 1 },
    });
  });

  it('sends whole series in requests of at most 200,000 points: 100,000 twice is one request, 150,000 twice is two', async () => {
    const run = async (n: number) => {
      const { pull, ingested } = setup({
        series: () => [series(n, NOW - 900_000)],
        active: [active('svc_a', [objective('o', 'checkout', prom('prom'))])],
      });
      const [p] = (await pull.pullScheduled()).pulled;
      return { requests: ingested.map((i) => i.batch.sampleCount), submitted: p!.submitted };
    };
    expect(await run(100_000)).toEqual({ requests: [200_000], submitted: 200_000 });
    // One series over the bound alone is one request of its own, never preceded by an empty one.
    expect(await run(200_001)).toEqual({ requests: [200_001, 200_001], submitted: 400_002 });
    expect(await run(150_000)).toEqual({ requests: [150_000, 150_000], submitted: 300_000 });
  });

  it('records why a source failed on that SLI, with the problems, and still pulls the others; a fault that is not a refusal surfaces', async () => {
    const { pull } = setup({
      series: (q) => {
        if (q.includes('job="down"'))
          throw new UnavailableError('prometheus is unreachable', [
            { path: 'url', problem: 'connection refused' },
            { path: 'url', problem: 'after 3 tries' },
          ]);
        if (q.includes('job="bare"')) throw new UnavailableError('prometheus failed');
        return [series(2)];
      },
      active: [
        active('svc_a', [
          objective('down', 'down', prom('prom', 'down')),
          objective('bare', 'bare', prom('prom', 'bare')),
          objective('up', 'up', prom('prom', 'up')),
        ]),
      ],
    });
    const run = await pull.pullScheduled();
    expect(run.pulled.map((p) => [p.sliKey, p.error, p.submitted])).toEqual([
      ['svc_a/down', 'prometheus is unreachable: connection refused; after 3 tries', 0],
      ['svc_a/bare', 'prometheus failed', 0],
      ['svc_a/up', undefined, 4],
    ]);
    expect(run.pulled[2]).not.toHaveProperty('error');
    const { pull: broken } = setup({
      series: () => {
        throw new TypeError('a bug');
      },
      active: [active('svc_a', [objective('o', 'checkout', prom('prom'))])],
    });
    await expect(broken.pullScheduled()).rejects.toThrow('a bug');
  });
});

describe('pulling an agreement’s history', () => {
  const withAgreement = (objectives = [objective('o', 'checkout', prom('prom'))]) => {
    const s = setup({ series: () => [series(2)] });
    const a = agreementVersion({ objectives });
    s.agreements.set(a.id, a);
    return { ...s, a };
  };

  it('is an administrator’s explicit import: anyone else gets 403 on the role, an unknown agreement 404', async () => {
    const { pull, a } = withAgreement();
    const manager = principal({ roles: ['sla-manager'], businessUnits: ['payments'] });
    const e = await failure(() =>
      pull.pullHistory(manager, {
        agreementId: a.id,
        from: '2026-11-01T00:00:00Z',
        to: '2026-11-02T00:00:00Z',
        reason: 'r',
      }),
    );
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.message).toBe('pulling history is an explicit import by an administrator');
    expect(e.details).toEqual([{ path: 'role', problem: 'needs the telemetry.backfill action (admin)' }]);
    const n = await failure(() =>
      pull.pullHistory(admin, {
        agreementId: 'agr_nope',
        from: '2026-11-01T00:00:00Z',
        to: '2026-11-02T00:00:00Z',
        reason: 'r',
      }),
    );
    expect(n).toBeInstanceOf(NotFoundError);
    expect(n.message).toBe('there is no agreement agr_nope');
    expect(n.details).toEqual([{ path: 'agreementId', problem: 'unknown agreement' }]);
  });

  it('takes a range from exactly 400 days ago to exactly now, and refuses one a millisecond older, in the future, or empty', async () => {
    const { pull, a } = withAgreement();
    const iso = (ms: number) => new Date(ms).toISOString();
    const oldest = NOW - 400 * DAY;
    const ok = await pull.pullHistory(admin, {
      agreementId: a.id,
      from: iso(oldest),
      to: iso(NOW),
      reason: 'r',
    });
    expect(ok.pulled).toHaveLength(1);
    const problems = async (from: number, to: number) =>
      (
        await failure(() =>
          pull.pullHistory(admin, { agreementId: a.id, from: iso(from), to: iso(to), reason: 'r' }),
        )
      ).details;
    expect(await problems(oldest - 1, NOW)).toEqual([{ path: 'from', problem: 'is more than 400 days ago' }]);
    expect(await problems(NOW - DAY, NOW + 1)).toEqual([{ path: 'to', problem: 'is in the future' }]);
    expect(await problems(NOW - DAY, NOW - DAY)).toEqual([{ path: 'to', problem: 'must be after from' }]);
    expect(await problems(NOW - DAY, NOW - 2 * DAY)).toEqual([{ path: 'to', problem: 'must be after from' }]);
    const e = await failure(() =>
      pull.pullHistory(admin, { agreementId: a.id, from: 'yesterday', to: iso(NOW), reason: 'r' }),
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('the history cannot be pulled');
    expect(e.details).toEqual([{ path: 'to', problem: 'must be after from' }]);
  });

  it('refuses an agreement with no SLI to pull, naming each skipped SLI and why, or that none names a source', async () => {
    const none = withAgreement([objective('o', 'checkout')]);
    const range = { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', reason: 'r' };
    expect(
      (await failure(() => none.pull.pullHistory(admin, { agreementId: none.a.id, ...range }))).details,
    ).toEqual([
      {
        path: 'agreementId',
        problem: "no objective's SLI names a configured Prometheus data source (none names one)",
      },
    ]);
    const elsewhere = withAgreement([
      objective('o', 'checkout', prom('other')),
      objective('p', 'login', prom('third')),
    ]);
    expect(
      (await failure(() => elsewhere.pull.pullHistory(admin, { agreementId: elsewhere.a.id, ...range })))
        .details,
    ).toEqual([
      {
        path: 'agreementId',
        problem:
          "no objective's SLI names a configured Prometheus data source (svc_payments-gateway/checkout: data source other is not configured here; svc_payments-gateway/login: data source third is not configured here)",
      },
    ]);
  });

  it('reads whole steps inside the range, accepts points back to 400 days, and audits the pull under a pl_ id', async () => {
    const { pull, a, calls, ingested, audit } = withAgreement();
    const r = await pull.pullHistory(admin, {
      agreementId: a.id,
      from: '2026-11-01T00:00:30Z',
      to: '2026-11-02T00:00:30Z',
      reason: 'history for the review',
    });
    // Inside [00:00:30, 00:00:30 next day] on a 60 s step: 00:01:00 to 00:00:00.
    expect(calls[0]!.range).toEqual({
      startMs: Date.parse('2026-11-01T00:01:00Z'),
      endMs: Date.parse('2026-11-02T00:00:00Z'),
      stepS: 60,
    });
    expect(ingested[0]!.oldestMs).toBe(NOW - 400 * DAY);
    expect(r.id).toMatch(/^pl_[0-9a-f-]{36}$/);
    expect(r.pulled.map((p) => [p.sliKey, p.from, p.to])).toEqual([
      ['svc_payments-gateway/checkout', '2026-11-01T00:01:00.000Z', '2026-11-02T00:00:00.000Z'],
    ]);
    const [entry] = await audit.list('telemetry-backfill', r.id, { limit: 10 });
    expect(entry).toMatchObject({
      entity: 'telemetry-backfill',
      entityId: r.id,
      version: 1,
      at: new Date(NOW).toISOString(),
      by: 'ada',
      reason: 'history for the review',
      change: `history of ${a.id} pulled from 2026-11-01T00:00:30Z to 2026-11-02T00:00:30Z`,
      diff: [
        {
          path: 'pull',
          op: 'added',
          after: {
            agreementId: a.id,
            from: '2026-11-01T00:00:30Z',
            to: '2026-11-02T00:00:30Z',
            pulled: r.pulled,
            skipped: [],
          },
        },
      ],
    });
    expect(entry!.eventId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('the SLIs a data source pulls', () => {
  it('maps each pulled SLI to its source, remembered for the cache time and read again when it is up', async () => {
    const s = setup({
      active: [active('svc_a', [objective('o', 'checkout', prom('prom')), objective('p', 'login')])],
    });
    expect(await s.pull.pulledSlis()).toEqual(new Map([['svc_a/checkout', 'prom']]));
    s.tick(29_999);
    await s.pull.pulledSlis();
    expect(s.listActive).toHaveBeenCalledTimes(1);
    s.tick(1);
    await s.pull.pulledSlis();
    expect(s.listActive).toHaveBeenCalledTimes(2);
  });

  it('forgets a failed read, so the next call asks again', async () => {
    const s = setup({});
    s.listActive.mockRejectedValueOnce(new Error('store down'));
    await expect(s.pull.pulledSlis()).rejects.toThrow('store down');
    expect(await s.pull.pulledSlis()).toEqual(new Map());
    expect(s.listActive).toHaveBeenCalledTimes(2);
  });

  it('remembers for 60 s when not told otherwise', async () => {
    const listActive = vi.fn(async () => []);
    let now = NOW;
    const pull = new PullUseCases({
      sources: { list: () => [{ name: 'p' } as DataSourceConfig], get: () => undefined },
      active: { listActive },
      agreements: { get: async () => undefined },
      ingest: () => ({}) as PullIngest,
      audit: new MemoryAuditStore(),
      clock: { now: () => new Date(now) },
    });
    await pull.pulledSlis();
    now += 59_999;
    await pull.pulledSlis();
    expect(listActive).toHaveBeenCalledTimes(1);
    now += 1;
    await pull.pulledSlis();
    expect(listActive).toHaveBeenCalledTimes(2);
  });
});

describe('where pulling is not deployed', () => {
  it('answers 503, and gives the use cases where wired', async () => {
    const e = await failure(async () => pullIn({}));
    expect(e).toBeInstanceOf(UnavailableError);
    expect(e.message).toBe('pull data sources are not deployed here');
    const { pull } = setup({});
    expect(pullIn({ pull })).toBe(pull);
  });
});
