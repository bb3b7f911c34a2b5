import { beforeEach, describe, expect, it } from 'vitest';
import { MemorySliActivityStore } from '../../../shared/adapters/memory/series-state.js';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import { ValidationError } from '../../../shared/domain/errors.js';
import type { ColumnWrite } from '../../../shared/domain/telemetry/backfill-columns.js';
import { decodeTelemetry } from '../../../shared/domain/telemetry/formats.js';
import { vendorScope } from '../../../shared/domain/telemetry/scope.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import type { SliActivityStore } from '../../../shared/ports/telemetry.js';
import type { IngestResponse } from '../../../shared/schemas/telemetry.js';
import { ColumnarBackfill } from '../../../shared/usecases/backfill-columnar.js';
import { TelemetryIngest } from '../../../shared/usecases/telemetry/ingest.js';
import { NOW as CHUNK_NOW, chunk } from '../../helpers/backfill-columnar.js';
import { principal, service } from '../../helpers/fixtures.js';
import { ingestFixture, reader } from '../../helpers/ingest-usecase.js';
import { NOW, ratio, SVC, T } from '../../helpers/sli-cap.js';
import { jsonRequest, policyJsonWith, promRequest } from '../../helpers/telemetry.js';

/**
 * The cap on distinct SLIs per service (limits.maxSlisPerService): a flood of invented SLI names is rejected sample
 * by sample (`too_many_slis`) once the service has data for the cap's number of SLIs; an SLI an objective reads and
 * an SLI with data keep being accepted. And the owner's list of SLIs is paged by SLI key.
 */
const CAP = 3;

type Fixture = Awaited<ReturnType<typeof ingestFixture>>;
let f: Fixture;
/** How often the activity store was asked for a service's SLIs. */
let listed: string[];

const send = (...samples: unknown[]) =>
  f.ingest.ingest({ vendorId: 'prometheus-main', ...jsonRequest({ version: 1, samples }) });
const tooMany = (index: number, service = SVC, cap = CAP) => ({
  index,
  path: `samples[${index}]`,
  reason: 'too_many_slis',
  message: `service ${service} already has data for ${cap} SLIs (limits.maxSlisPerService): a new SLI is refused unless an objective reads it; correct the mapping or the SLI name`,
});
/** The SLI names of the service with data, as the activity store holds them. */
const slisWithData = async (service = SVC) =>
  [...new Set((await f.deps.activity.listByService(service)).map((r) => r.sliKey))].sort();

/** An activity store that counts listByService calls (the use case's view is loaded once per service). */
function countingActivity(): SliActivityStore {
  const inner = new MemorySliActivityStore();
  return {
    record: (e) => inner.record(e),
    listByService: (id) => {
      listed.push(id);
      return inner.listByService(id);
    },
  };
}

beforeEach(async () => {
  listed = [];
  f = await ingestFixture(NOW, { maxSlisPerService: CAP, activity: countingActivity() });
});

describe('the cap on distinct SLIs per service', () => {
  it('rejects every sample of an SLI new to a service at the cap with too_many_slis, counts them and stores none', async () => {
    const first = await send(ratio('a'), ratio('b'), ratio('c'));
    expect(first.body.accepted).toBe(3);
    const r = await send(ratio('a', 1, T + 1000), ratio('d'), ratio('d', 0, T + 1000), ratio('e'));
    expect(r.body).toMatchObject({
      submitted: 4,
      accepted: 1,
      rejected: [tooMany(1), tooMany(2), tooMany(3)],
      series: { submitted: 3, accepted: 1, rejected: 2, unmapped: 0 },
      slis: [{ sliKey: `${SVC}/a`, accepted: 1, readByObjective: false }],
    });
    expect(await slisWithData()).toEqual([`${SVC}/a`, `${SVC}/b`, `${SVC}/c`]);
    expect(await f.samples.read(`${SVC}/d`, 0, NOW * 2)).toEqual([]);
  });

  it('admits new SLIs up to the cap within one request and rejects the rest of that request', async () => {
    const r = await send(ratio('a'), ratio('b'), ratio('c'), ratio('d'), ratio('a', 0, T + 1000));
    expect(r.body.accepted).toBe(4);
    expect(r.body.rejected).toEqual([tooMany(3)]);
    expect(await slisWithData()).toEqual([`${SVC}/a`, `${SVC}/b`, `${SVC}/c`]);
  });

  it('accepts an SLI an objective reads even when the service is over the cap', async () => {
    f.readerLists.set(SVC, [reader('availability')]);
    await send(ratio('a'), ratio('b'), ratio('c'));
    const r = await send(ratio('availability'), ratio('x'));
    expect(r.body.rejected).toEqual([tooMany(1)]);
    expect(r.body.slis).toEqual([{ sliKey: `${SVC}/availability`, accepted: 1, readByObjective: true }]);
    expect(await slisWithData()).toEqual([`${SVC}/a`, `${SVC}/availability`, `${SVC}/b`, `${SVC}/c`]);
  });

  it('keeps accepting the SLIs a service already has data for once it is at the cap', async () => {
    await send(ratio('a'), ratio('b'), ratio('c'));
    const r = await send(ratio('c', 0, T + 1000), ratio('b', 0, T + 1000));
    expect(r.body).toMatchObject({ accepted: 2, rejected: [] });
  });

  it('counts each service apart: one service at the cap leaves another free', async () => {
    await send(ratio('a'), ratio('b'), ratio('c'));
    const r = await send(ratio('d'), ratio('d', 1, T, 'svc_core-ledger'));
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected).toEqual([tooMany(0)]);
  });

  it('reads the cap from the telemetry policy (limits.maxSlisPerService) when the use case is given none', async () => {
    const json = (await policyJsonWith([])) as { limits: Record<string, number> };
    const policy = loadTelemetryPolicy({ ...json, limits: { ...json.limits, maxSlisPerService: 2 } });
    f = await ingestFixture(NOW, { policy });
    const r = await send(ratio('a'), ratio('b'), ratio('c'));
    expect(r.body.rejected).toEqual([tooMany(2, SVC, 2)]);
  });

  it('ships a cap of 1,000 SLIs per service in the policy data', () => {
    expect(loadTelemetryPolicy().limits.maxSlisPerService).toBe(1000);
  });

  it('starts from the SLIs the activity store already holds for the service (another instance wrote them)', async () => {
    await send(ratio('a'), ratio('b'), ratio('c'));
    const other = new TelemetryIngest({ ...f.deps });
    const r = await other.ingest({
      vendorId: 'prometheus-main',
      ...jsonRequest({ version: 1, samples: [ratio('d')] }),
    });
    expect(r.body.rejected).toEqual([tooMany(0)]);
  });

  it('asks the activity store once per service and the readers only for SLIs new past the cap', async () => {
    await send(ratio('a'), ratio('b'));
    await send(ratio('a', 1, T + 1000), ratio('c'), ratio('c', 1, T + 2000));
    expect(listed).toEqual([SVC]);
    expect(f.readerLookups.filter((s) => s === SVC)).toHaveLength(1); // slisFed's, cached a minute
    f.clock.ms = NOW + 120_000;
    await send(ratio('d', 1, T + 60_000), ratio('e', 1, T + 60_000));
    expect(listed).toEqual([SVC]);
  });

  it('lets two concurrent requests take the last place only once', async () => {
    await send(ratio('a'), ratio('b'));
    const [x, y] = await Promise.all([send(ratio('x')), send(ratio('y'))]);
    expect([x.body.accepted, y.body.accepted].sort()).toEqual([0, 1]);
    expect(await slisWithData()).toHaveLength(CAP);
  });

  it('holds whatever the format: Prometheus remote write and OTLP samples of a new SLI are rejected alike', async () => {
    await send(ratio('a'), ratio('b'), ratio('c'));
    const rw = await f.ingest.ingest({
      vendorId: 'prometheus-main',
      ...promRequest([
        {
          labels: { __name__: 'accord_sli_ratio', service: SVC, sli: 'rw' },
          samples: [{ value: 1, timestampMs: T }],
        },
        {
          labels: { __name__: 'accord_sli_ratio', service: SVC, sli: 'a' },
          samples: [{ value: 1, timestampMs: T + 5000 }],
        },
      ]),
    });
    expect(rw.body).toMatchObject({ accepted: 1, rejected: [{ index: 0, reason: 'too_many_slis' }] });
    const otlp = await f.ingest.ingestOtlp({
      vendorId: 'prometheus-main',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(otlpGauge('otlp'))),
    });
    expect(otlp.status).toBe(200);
    expect(JSON.parse(String(otlp.body))).toMatchObject({
      partialSuccess: { rejectedDataPoints: '1', errorMessage: expect.stringContaining('too_many_slis') },
    });
    expect(await slisWithData()).toEqual([`${SVC}/a`, `${SVC}/b`, `${SVC}/c`]);
  });

  it('holds on the backfill path (ingestBackfill) as on live ingest', async () => {
    await send(ratio('a'), ratio('b'), ratio('c'));
    const decoded = decodeTelemetry(
      jsonRequest({ version: 1, samples: [ratio('old', 1, T - 3_600_000), ratio('a', 1, T - 3_600_000)] }),
      f.deps.policy.limits,
    );
    const r: IngestResponse = await f.ingest.ingestBackfill(decoded, 'prometheus-main', T - 86_400_000);
    expect(r.accepted).toBe(1);
    expect(r.rejected).toEqual([tooMany(0)]);
  });

  it('answers the columnar backfill whether a chunk’s SLIs all fit, counting those it admits', async () => {
    await send(ratio('a'), ratio('b'));
    expect(await f.ingest.admitsSlis([`${SVC}/a`, `${SVC}/c`, `${SVC}/c`])).toBe(true);
    expect(await f.ingest.admitsSlis([`${SVC}/d`])).toBe(false);
    f.readerLists.set(SVC, [reader('d')]);
    f.clock.ms = NOW + 120_000; // past the readers' cache
    expect(await f.ingest.admitsSlis([`${SVC}/d`])).toBe(true);
    const r = await send(ratio('e', 1, T + 60_000));
    expect(r.body.rejected).toEqual([tooMany(0)]);
  });
});

describe('the backfill columnar path under the cap', () => {
  let writes: ColumnWrite[][];
  let asked: string[][];
  let admits: boolean;
  let fast: ColumnarBackfill;

  beforeEach(async () => {
    const services = new MemoryServiceStore();
    await services.create(service());
    writes = [];
    asked = [];
    fast = new ColumnarBackfill({
      policy: loadTelemetryPolicy(),
      services,
      writer: {
        write: async (series) => {
          writes.push([...series]);
          return { stored: series.reduce((n, w) => n + w.times.length, 0) };
        },
      },
      admitsSlis: async (keys) => {
        asked.push([...keys]);
        return admits;
      },
    });
  });

  const tryChunk = () =>
    fast.tryImport(
      chunk(-1, 3),
      'prometheus',
      CHUNK_NOW,
      CHUNK_NOW - 400 * 86_400_000,
      10_000,
      vendorScope('prometheus', [{ serviceId: SVC }]),
    );

  it('leaves a chunk whose SLIs the cap does not admit to the live path, writing nothing', async () => {
    admits = false;
    expect(await tryChunk()).toBeUndefined();
    expect(writes).toEqual([]);
    expect(asked).toEqual([[`${SVC}/checkout`, `${SVC}/checkout`]]);
  });

  it('writes a chunk whose SLIs the cap admits', async () => {
    admits = true;
    expect(await tryChunk()).toEqual({ submitted: 8, accepted: 8 });
    expect(writes).toHaveLength(1);
  });
});

describe("the owner's list of a service's SLIs is paged by SLI key", () => {
  const owner = principal({ roles: ['service-owner'], services: [SVC] });

  beforeEach(async () => {
    f = await ingestFixture(NOW);
    await send(ratio('e'), ratio('a'), ratio('d'), ratio('b'), ratio('c'));
  });

  it('answers pages of `limit` SLIs in key order, each with a nextCursor to the next, the last without', async () => {
    const p1 = await f.queries.slisOf(owner, SVC, { limit: 2 });
    expect(p1.items.map((a) => a.sli)).toEqual(['a', 'b']);
    expect(p1.nextCursor).toEqual(expect.any(String));
    const p2 = await f.queries.slisOf(owner, SVC, { limit: 2, cursor: p1.nextCursor });
    expect(p2.items.map((a) => a.sli)).toEqual(['c', 'd']);
    const p3 = await f.queries.slisOf(owner, SVC, { limit: 2, cursor: p2.nextCursor });
    expect(p3).toEqual({ items: [expect.objectContaining({ sli: 'e', samples: 1 })] });
  });

  it('answers every SLI in one page without a cursor when they fit the default limit', async () => {
    const all = await f.queries.slisOf(owner, SVC);
    expect(all.items.map((a) => a.sli)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(all).not.toHaveProperty('nextCursor');
    const exact = await f.queries.slisOf(owner, SVC, { limit: 5 });
    expect(exact).not.toHaveProperty('nextCursor');
  });

  it('refuses a cursor it did not issue, or one issued for another service, naming the cursor', async () => {
    const p1 = await f.queries.slisOf(owner, SVC, { limit: 2 });
    const admin = principal({ roles: ['admin'] });
    for (const [id, cursor] of [
      [SVC, 'not-a-cursor'],
      ['svc_core-ledger', p1.nextCursor],
    ] as const) {
      const e = await f.queries.slisOf(admin, id, { cursor }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).details.map((d) => d.path)).toEqual(['query.cursor']);
    }
  });
});

/** An OTLP/JSON export of one accord_sli_ratio gauge point for `sli` of the gateway. */
function otlpGauge(sli: string) {
  const kv = (o: Record<string, string>) =>
    Object.entries(o).map(([key, v]) => ({ key, value: { stringValue: v } }));
  return {
    resourceMetrics: [
      {
        resource: { attributes: [] },
        scopeMetrics: [
          {
            scope: { name: 't' },
            metrics: [
              {
                name: 'accord_sli_ratio',
                gauge: {
                  dataPoints: [
                    {
                      attributes: kv({ service: SVC, sli }),
                      timeUnixNano: String(BigInt(T) * 1_000_000n),
                      asDouble: 1,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}
