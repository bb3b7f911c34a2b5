import { beforeEach, describe, expect, it } from 'vitest';
import { MemorySliActivityStore } from '../../../shared/adapters/memory/series-state.js';
import { MemoryDiscrepancyStore } from '../../../shared/adapters/memory/telemetry.js';
import { UnavailableError, ValidationError } from '../../../shared/domain/errors.js';
import { vendorScope } from '../../../shared/domain/telemetry/scope.js';
import type { SampleStore, SliActivityRecord } from '../../../shared/ports/telemetry.js';
import { telemetryIn } from '../../../shared/usecases/telemetry/index.js';
import { ingestFixture, reader } from '../../helpers/ingest-usecase.js';
import { jsonRequest, type PromSeries, promRequest } from '../../helpers/telemetry.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const T = NOW - 60_000;
const HOUR = 3_600_000;

type Fixture = Awaited<ReturnType<typeof ingestFixture>>;
let f: Fixture;

beforeEach(async () => {
  f = await ingestFixture(NOW);
});

/** One Accord JSON sample. */
const sample = (service: string, sli: string, measure: string, value: number, time = T) => ({
  service,
  sli,
  measure,
  value,
  time,
});
const ratio = (value: number, time = T) =>
  sample('svc_payments-gateway', 'availability', 'ratio', value, time);
const postings = (value: number, time = T) => sample('svc_core-ledger', 'postings', 'good', value, time);
const accord = (...samples: unknown[]) => jsonRequest({ version: 1, samples });
const send = async (req: { headers: Record<string, string>; body: Buffer }, vendorId = 'prometheus-main') =>
  (await f.ingest.ingest({ vendorId, ...req })).body;

/** Good and total events summed over the rollup buckets of an SLI around NOW. */
async function totals(sliKey: string) {
  const buckets = await f.rollups.read(sliKey, NOW - 4 * HOUR, NOW + HOUR);
  const add = (k: 'good' | 'total') => buckets.reduce((n, b) => n + b[k], 0);
  return { good: add('good'), total: add('total') };
}

const unknownService = (index: number, id: string) => ({
  index,
  path: `samples[${index}]`,
  reason: 'unknown_service',
  message: `there is no service ${id}: register it (POST /v1/services) or correct the mapping`,
});

/** A native histogram (schema 0): zero bucket, then buckets (0.125, 0.25], (0.25, 0.5], (0.5, 1]. */
const native = (zero: number, buckets: [number, number, number], time = T) => ({
  count_int: zero + buckets[0] + buckets[1] + buckets[2],
  sum: 1,
  schema: 0,
  zero_threshold: 0.001,
  zero_count_int: zero,
  positive_spans: [{ offset: -2, length: 3 }],
  positive_deltas: [buckets[0], buckets[1] - buckets[0], buckets[2] - buckets[1]],
  timestamp: time,
});
const latency = (histograms: ReturnType<typeof native>[]): PromSeries => ({
  labels: { __name__: 'http_request_duration_seconds', job: 'api' },
  samples: [],
  histograms,
});

describe('each sample of a request is accepted, rejected with its reason and index, or unmapped', () => {
  it('answers the outcome of every sample and series, stores the accepted ones and their rollups', async () => {
    const r = await f.ingest.ingest({
      vendorId: 'prometheus-main',
      ...promRequest([
        {
          labels: { __name__: 'probe_success', job: 'payments-gateway' },
          samples: [
            { value: 1, timestampMs: T },
            { value: 0, timestampMs: T + 1000 },
          ],
        },
        {
          labels: { __name__: 'probe_success', job: 'payments-gateway', x: 'y' },
          samples: [{ value: 7, timestampMs: T }],
        },
        { labels: { __name__: 'node_load1' }, samples: [{ value: 0.5, timestampMs: T }] },
      ]),
    });
    expect(r).toEqual({
      status: 200,
      replayed: false,
      body: {
        submitted: 4,
        accepted: 2,
        duplicates: 0,
        rejected: [
          {
            index: 2,
            path: 'timeseries[1].samples[0].value',
            reason: 'ratio_out_of_range',
            message: 'a ratio must lie in [0, 1], got 7',
          },
          {
            index: 3,
            path: 'timeseries[2].samples[0]',
            reason: 'unmapped_series',
            message: 'no mapping rule maps node_load1 for vendor prometheus-main',
          },
        ],
        unmappedSeries: 1,
        series: { submitted: 3, accepted: 1, rejected: 1, unmapped: 1 },
        slis: [{ sliKey: 'svc_payments-gateway/availability', accepted: 2, readByObjective: false }],
        durability: 'stored',
      },
    });
    expect(await f.samples.count('prometheus-main')).toBe(2);
    expect(await totals('svc_payments-gateway/availability')).toEqual({ good: 1, total: 2 });
    expect(await f.deps.unmapped.list({ limit: 10 })).toEqual([
      expect.objectContaining({ vendorId: 'prometheus-main', metric: 'node_load1', samples: 1 }),
    ]);
  });

  it('stores nothing and says so when no sample is accepted', async () => {
    let writes = 0;
    const write = f.samples.write.bind(f.samples);
    f = await ingestFixture(NOW, {
      samples: {
        write: (s: never) => {
          writes++;
          return write(s);
        },
      } as unknown as SampleStore,
    });
    const r = await send(accord(ratio(7)));
    expect(r).toMatchObject({ submitted: 1, accepted: 0, durability: 'none', slis: [] });
    expect(writes).toBe(0);
  });

  it('counts a sample sent again as a duplicate, stored once', async () => {
    await send(accord(ratio(1)));
    const r = await send(accord(ratio(1), ratio(0, T + 1000)));
    expect(r).toMatchObject({ submitted: 2, accepted: 2, duplicates: 1, rejected: [] });
    expect(await totals('svc_payments-gateway/availability')).toEqual({ good: 1, total: 2 });
  });
});

describe('vendor scope', () => {
  it('rejects every sample outside the bindings as not_your_service, stores none of them, and counts their series rejected', async () => {
    f = await ingestFixture(NOW, {
      admit: async (vendorId) => vendorScope(vendorId, [{ serviceId: 'svc_payments-gateway' }]),
    });
    const r = await send(
      accord(
        postings(3),
        ratio(7),
        ratio(1),
        postings(2, T + 1000),
        sample('svc_api', 'requests', 'good', 1),
      ),
    );
    const refused = (index: number, service: string, sliKey: string) => ({
      index,
      path: `samples[${index}]`,
      reason: 'not_your_service',
      message: `vendor prometheus-main is not bound to ${service} or to its SLI ${sliKey}: an admin binds it (PUT /v1/vendors/prometheus-main/bindings)`,
    });
    expect(r.rejected).toEqual([
      refused(0, 'svc_core-ledger', 'svc_core-ledger/postings'),
      {
        index: 1,
        path: 'samples[1].value',
        reason: 'ratio_out_of_range',
        message: 'a ratio must lie in [0, 1], got 7',
      },
      refused(3, 'svc_core-ledger', 'svc_core-ledger/postings'),
      refused(4, 'svc_api', 'svc_api/requests'),
    ]);
    expect(r).toMatchObject({
      submitted: 5,
      accepted: 1,
      series: { submitted: 3, accepted: 1, rejected: 2, unmapped: 0 },
    });
    expect(await f.samples.count()).toBe(1);
    expect(await totals('svc_core-ledger/postings')).toEqual({ good: 0, total: 0 });
  });

  it('hands the admission the vendor and the key it authenticated with', async () => {
    const asked: [string, string | undefined][] = [];
    f = await ingestFixture(NOW, {
      admit: async (vendorId, keyId) => {
        asked.push([vendorId, keyId]);
        return vendorScope(vendorId, [{ serviceId: 'svc_payments-gateway', sli: 'availability' }]);
      },
    });
    const r = await f.ingest.ingest({
      vendorId: 'datadog-eu',
      keyId: 'key_01ABCDEFGHJK',
      ...accord(ratio(1)),
    });
    expect(r.body.accepted).toBe(1);
    expect(asked).toEqual([['datadog-eu', 'key_01ABCDEFGHJK']]);
  });
});

describe('one SLI, one feed: an SLI a data source pulls', () => {
  const pulling = (over: Record<string, string>) =>
    ingestFixture(NOW, { pulledSlis: async () => new Map(Object.entries(over)) });

  it("stores another vendor's samples raw but keeps them out of the rollups", async () => {
    f = await pulling({ 'svc_core-ledger/postings': 'ledger-pull' });
    const r = await send(accord(postings(3), ratio(1)));
    expect(r).toMatchObject({ accepted: 2, rejected: [] });
    expect(await f.samples.count()).toBe(2);
    expect(await totals('svc_core-ledger/postings')).toEqual({ good: 0, total: 0 });
    expect(await totals('svc_payments-gateway/availability')).toEqual({ good: 1, total: 1 });
  });

  it("feeds the rollups from the pulling source's own samples", async () => {
    f = await pulling({ 'svc_core-ledger/postings': 'ledger-pull' });
    await send(accord(postings(3)), 'ledger-pull');
    expect(await totals('svc_core-ledger/postings')).toEqual({ good: 3, total: 3 });
  });

  it('feeds the rollups of a pulled SLI whose sources the policy names', async () => {
    f = await pulling({ 'svc_payments-gateway/availability': 'uptime-pull' });
    await send(accord(ratio(1)));
    expect(await totals('svc_payments-gateway/availability')).toEqual({ good: 1, total: 1 });
  });

  it('feeds the rollups of an SLI no source pulls while other SLIs are pulled', async () => {
    f = await pulling({ 'svc_payments-gateway/availability': 'uptime-pull' });
    await send(accord(postings(3)));
    expect(await totals('svc_core-ledger/postings')).toEqual({ good: 3, total: 3 });
  });

  it('does not ask which SLIs are pulled when nothing was accepted', async () => {
    let asked = 0;
    f = await ingestFixture(NOW, {
      pulledSlis: async () => {
        asked++;
        return new Map();
      },
    });
    await send(accord(ratio(7)));
    expect(asked).toBe(0);
    await send(accord(ratio(1)));
    expect(asked).toBe(1);
  });
});

describe('samples for a service that does not exist', () => {
  it('are rejected one by one as unknown_service, in request order among the other rejections', async () => {
    const r = await send(
      accord(
        sample('svc_nowhere', 'availability', 'ratio', 1),
        ratio(7),
        sample('svc_nowhere', 'latency', 'ratio', 1),
        ratio(1),
      ),
    );
    expect(r.rejected).toEqual([
      unknownService(0, 'svc_nowhere'),
      {
        index: 1,
        path: 'samples[1].value',
        reason: 'ratio_out_of_range',
        message: 'a ratio must lie in [0, 1], got 7',
      },
      unknownService(2, 'svc_nowhere'),
    ]);
    expect(r).toMatchObject({ accepted: 1, series: { submitted: 3, accepted: 1, rejected: 2, unmapped: 0 } });
    expect(r.slis).toEqual([
      { sliKey: 'svc_payments-gateway/availability', accepted: 1, readByObjective: false },
    ]);
    expect(await f.samples.count()).toBe(1);
    // One lookup per service and request, however many of its SLIs the request names.
    expect(f.serviceLookups.filter((id) => id === 'svc_nowhere')).toEqual(['svc_nowhere']);
  });

  it('are rejected again in the next request: an unknown service is never remembered as known', async () => {
    await send(accord(sample('svc_nowhere', 'availability', 'ratio', 1)));
    const r = await send(accord(sample('svc_nowhere', 'availability', 'ratio', 1, T + 1000)));
    expect(r.rejected).toEqual([unknownService(0, 'svc_nowhere')]);
    expect(f.serviceLookups).toEqual(['svc_nowhere', 'svc_nowhere']);
  });

  it('remembers a service known to exist for 60 seconds from its last use, then asks again', async () => {
    await send(accord(ratio(1)));
    f.clock.ms = NOW + 59_999;
    await send(accord(ratio(1, T + 1000)));
    f.clock.ms = NOW + 119_998;
    await send(accord(ratio(1, T + 2000)));
    expect(f.serviceLookups).toEqual(['svc_payments-gateway']);
    f.clock.ms = NOW + 179_998;
    await send(accord(ratio(1, T + 3000)));
    expect(f.serviceLookups).toEqual(['svc_payments-gateway', 'svc_payments-gateway']);
  });

  it('remembers for the configured time', async () => {
    f = await ingestFixture(NOW, { cacheTtlMs: 1000 });
    await send(accord(ratio(1)));
    f.clock.ms = NOW + 999;
    await send(accord(ratio(1, T + 1000)));
    expect(f.serviceLookups).toEqual(['svc_payments-gateway']);
    f.clock.ms = NOW + 1999;
    await send(accord(ratio(1, T + 2000)));
    expect(f.serviceLookups).toEqual(['svc_payments-gateway', 'svc_payments-gateway']);
  });
});

describe('samples the store refuses', () => {
  it('become rejections with the store’s reason, and leave their series rejected', async () => {
    await send(accord(ratio(1)));
    const r = await send(accord(postings(3), ratio(0)));
    expect(r).toMatchObject({ submitted: 2, accepted: 1, duplicates: 0 });
    expect(r.rejected).toEqual([
      {
        index: 1,
        path: 'samples[1]',
        reason: 'conflicting_value',
        message: 'this series already holds 1 at this time; a different value (0) is a conflict, not a retry',
      },
    ]);
    expect(r.slis).toEqual([{ sliKey: 'svc_core-ledger/postings', accepted: 1, readByObjective: false }]);
    expect(r.series).toEqual({ submitted: 2, accepted: 1, rejected: 1, unmapped: 0 });
  });

  it('places a refusal among the other rejections in request order', async () => {
    await send(accord(ratio(1)));
    const r = await send(accord(ratio(0), postings(3), ratio(7, T + 5000)));
    expect(r.rejected.map((x) => [x.index, x.reason])).toEqual([
      [0, 'conflicting_value'],
      [2, 'ratio_out_of_range'],
    ]);
    expect(r.accepted).toBe(1);
  });

  it('reject a native histogram whole when only its bucket count conflicts, once, with nothing counted accepted', async () => {
    await send(promRequest([latency([native(1, [4, 3, 2])])]));
    // The same count (10) at the same time, but 4 instead of 5 observations within 300 ms.
    const r = await send(promRequest([latency([native(1, [3, 4, 2])])]));
    expect(r).toMatchObject({ submitted: 1, accepted: 0, duplicates: 1, slis: [] });
    expect(r.rejected).toEqual([
      expect.objectContaining({ index: 0, path: 'timeseries[0].histograms[0]', reason: 'conflicting_value' }),
    ]);
    expect(r.series).toEqual({ submitted: 1, accepted: 0, rejected: 1, unmapped: 0 });
  });

  it('answer a native histogram whose two counters both conflict with one rejection', async () => {
    await send(promRequest([latency([native(1, [4, 3, 2])])]));
    // 12 observations, 6 within 300 ms, at the time that holds 10 and 5.
    const r = await send(promRequest([latency([native(2, [4, 3, 3])])]));
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]).toMatchObject({ index: 0, reason: 'conflicting_value' });
    expect(r).toMatchObject({ submitted: 1, accepted: 0 });
  });

  it('leave a series accepted when another of its native histograms is stored', async () => {
    await send(promRequest([latency([native(1, [4, 3, 2])])]));
    const r = await send(promRequest([latency([native(2, [3, 3, 3]), native(2, [5, 4, 3], T + 1000)])]));
    expect(r).toMatchObject({ submitted: 2, accepted: 1 });
    expect(r.rejected.map((x) => x.index)).toEqual([0]);
    expect(r.series).toEqual({ submitted: 1, accepted: 1, rejected: 0, unmapped: 0 });
    expect(r.slis).toEqual([{ sliKey: 'svc_api/response-time', accepted: 1, readByObjective: false }]);
  });
});

describe('when the raw store is down', () => {
  it('spools the accepted samples and answers 202', async () => {
    f.samples.failing = true;
    const r = await f.ingest.ingest({ vendorId: 'prometheus-main', ...accord(ratio(1), ratio(7)) });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ submitted: 2, accepted: 1, durability: 'spooled' });
    expect(await f.deps.spool.pending()).toBe(1);
    const batches: unknown[] = [];
    f.samples.failing = false;
    await f.deps.spool.replay(async (b) => {
      batches.push(b);
    });
    expect(batches).toEqual([
      {
        id: expect.any(String),
        vendorId: 'prometheus-main',
        receivedAtMs: NOW,
        samples: [expect.objectContaining({ sliKey: 'svc_payments-gateway/availability', value: 1 })],
      },
    ]);
  });

  it('replays the spool into the store and its rollups later', async () => {
    f.samples.failing = true;
    await send(accord(ratio(1), ratio(0, T + 1000)));
    f.samples.failing = false;
    expect(await f.ingest.replaySpool()).toBe(1);
    expect(await f.samples.count()).toBe(2);
    expect(await totals('svc_payments-gateway/availability')).toEqual({ good: 1, total: 2 });
  });

  it('does not spool what the store refuses as a client error: that error is the answer', async () => {
    f = await ingestFixture(NOW, {
      samples: {
        write: async () => {
          throw new ValidationError('the sample is refused', [{ path: 'samples[0]', problem: 'no' }]);
        },
      } as unknown as SampleStore,
    });
    await expect(send(accord(ratio(1)))).rejects.toBeInstanceOf(ValidationError);
    expect(await f.deps.spool.pending()).toBe(0);
  });
});

describe('SLI activity', () => {
  it('records which SLIs got new samples, when and from whom', async () => {
    await send(accord(ratio(1), ratio(0, T + 1000), postings(3)), 'datadog-eu');
    expect(await f.deps.activity.listByService('svc_payments-gateway')).toEqual([
      {
        sliKey: 'svc_payments-gateway/availability',
        vendorId: 'datadog-eu',
        samples: 2,
        firstSampleMs: T,
        lastSampleMs: T + 1000,
        lastReceivedMs: NOW,
      },
    ]);
  });

  it('leaves the activity to a store that recorded it with the samples', async () => {
    const activity = new MemorySliActivityStore();
    const write = f.samples.write.bind(f.samples);
    f = await ingestFixture(NOW, {
      activity,
      samples: {
        write: async (s: never) => ({ ...(await write(s)), activityRecorded: true }),
      } as unknown as SampleStore,
    });
    await send(accord(ratio(1)));
    expect(await activity.listByService('svc_payments-gateway')).toEqual([]);
  });

  it('records nothing when nothing new was stored', async () => {
    const recorded: SliActivityRecord[][] = [];
    f = await ingestFixture(NOW, {
      activity: { record: async (e) => void recorded.push([...e]), listByService: async () => [] },
    });
    await send(accord(ratio(1)));
    await send(accord(ratio(1)));
    expect(recorded).toHaveLength(1);
  });

  it('still acknowledges the samples when the activity cannot be recorded, and tells', async () => {
    const down = new Error('activity table down');
    f = await ingestFixture(NOW, {
      activity: {
        record: async () => {
          throw down;
        },
        listByService: async () => [],
      },
    });
    const r = await f.ingest.ingest({ vendorId: 'prometheus-main', ...accord(ratio(1)) });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ accepted: 1, durability: 'stored' });
    expect(f.background).toEqual([['SLI activity', down]]);
  });
});

describe('which SLIs an objective reads', () => {
  it('counts the accepted samples per SLI, in SLI order, flagging the ones no objective reads', async () => {
    f.readerLists.set('svc_core-ledger', [reader('postings')]);
    const r = await send(
      accord(postings(3), ratio(1), sample('svc_api', 'zeta', 'ratio', 1), postings(2, T + 1000), ratio(7)),
    );
    expect(r.slis).toEqual([
      { sliKey: 'svc_api/zeta', accepted: 1, readByObjective: false },
      { sliKey: 'svc_core-ledger/postings', accepted: 2, readByObjective: true },
      { sliKey: 'svc_payments-gateway/availability', accepted: 1, readByObjective: false },
    ]);
  });

  it('counts a native histogram once, not once per counter it feeds', async () => {
    const r = await send(promRequest([latency([native(1, [4, 3, 2]), native(1, [5, 3, 2], T + 1000)])]));
    expect(r.slis).toEqual([{ sliKey: 'svc_api/response-time', accepted: 2, readByObjective: false }]);
    expect(r.accepted).toBe(2);
  });

  it('remembers the readers of a service for 60 seconds, then asks again', async () => {
    await send(accord(ratio(1)));
    f.readerLists.set('svc_payments-gateway', [reader('availability')]);
    f.clock.ms = NOW + 59_999;
    expect((await send(accord(ratio(1, T + 1000)))).slis[0]!.readByObjective).toBe(false);
    f.clock.ms = NOW + 60_000;
    expect((await send(accord(ratio(1, T + 2000)))).slis[0]!.readByObjective).toBe(true);
    expect(f.readerLists.size).toBe(1);
    f.clock.ms = NOW + 600_000;
    f.readerLists.clear();
    expect((await send(accord(ratio(1, T + 3000)))).slis[0]!.readByObjective).toBe(false);
    expect(f.readerLists.size).toBe(0);
  });

  it('answers unread and asks again next time when the readers cannot be listed', async () => {
    const down = new Error('agreements unreachable');
    let fail = true;
    f = await ingestFixture(NOW, {
      readers: {
        of: async () => {
          if (fail) throw down;
          return [reader('availability')];
        },
      },
    });
    expect((await send(accord(ratio(1)))).slis[0]!.readByObjective).toBe(false);
    expect(f.background).toEqual([['objective readers', down]]);
    fail = false;
    expect((await send(accord(ratio(1, T + 1000)))).slis[0]!.readByObjective).toBe(true);
  });

  it('asks once per service while it remembers, whatever other services come between', async () => {
    await send(accord(ratio(1)));
    await send(accord(postings(1)));
    await send(accord(ratio(1, T + 1000)));
    expect(f.readerLookups).toEqual(['svc_payments-gateway', 'svc_core-ledger']);
  });
});

describe('two sources of one SLI', () => {
  // The policy names prometheus-main (primary) and datadog-eu (secondary) for the gateway's availability, 1 % apart.
  it('records a discrepancy beyond the tolerance, and clears it when the sources agree again', async () => {
    await send(accord(ratio(1), ratio(1, T + 1000)), 'prometheus-main');
    await send(accord(ratio(1), ratio(0, T + 1000)), 'datadog-eu');
    const bucketStart = new Date(Math.floor(T / 300_000) * 300_000).toISOString();
    expect(await f.deps.discrepancies.list({ limit: 10 })).toEqual([
      {
        sliKey: 'svc_payments-gateway/availability',
        bucketStart,
        primary: 'prometheus-main',
        secondary: 'datadog-eu',
        primaryValue: 1,
        secondaryValue: 0.5,
        difference: 0.5,
        tolerance: 0.01,
        authoritative: 'prometheus-main',
        detectedAt: new Date(NOW).toISOString(),
      },
    ]);
    await send(accord(ratio(0, T + 2000), ratio(0, T + 3000)), 'prometheus-main');
    expect(await f.deps.discrepancies.list({ limit: 10 })).toEqual([]);
  });

  it('asks the discrepancy store nothing for samples of an SLI with one source, or for nothing new', async () => {
    const store = new MemoryDiscrepancyStore();
    let asked = 0;
    const add = store.addSourceDeltas.bind(store);
    store.addSourceDeltas = (d) => {
      asked++;
      return add(d);
    };
    f = await ingestFixture(NOW, { discrepancies: store });
    await send(accord(postings(3)));
    expect(asked).toBe(0);
    await send(accord(ratio(1)));
    expect(asked).toBe(1);
    await send(accord(ratio(1)));
    expect(asked).toBe(1);
  });

  it('still acknowledges the samples when the comparison fails, and tells', async () => {
    const down = new Error('discrepancy table down');
    const store = new MemoryDiscrepancyStore();
    store.addSourceDeltas = async () => {
      throw down;
    };
    f = await ingestFixture(NOW, { discrepancies: store });
    const r = await f.ingest.ingest({ vendorId: 'prometheus-main', ...accord(ratio(1)) });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    expect(f.background).toEqual([['discrepancy check', down]]);
  });

  it('compares the samples of a replayed spool too', async () => {
    await send(accord(ratio(1), ratio(1, T + 1000)), 'prometheus-main');
    f.samples.failing = true;
    await send(accord(ratio(0), ratio(0, T + 1000)), 'datadog-eu');
    expect(await f.deps.discrepancies.list({ limit: 10 })).toEqual([]);
    f.samples.failing = false;
    await f.ingest.replaySpool();
    expect(await f.deps.discrepancies.list({ limit: 10 })).toEqual([
      expect.objectContaining({ primaryValue: 1, secondaryValue: 0, difference: 1 }),
    ]);
  });
});

describe('where telemetry ingestion is not deployed', () => {
  it('answers 503 naming it, and gives the wired services back where they are', async () => {
    const e = (() => {
      try {
        return telemetryIn({});
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(UnavailableError);
    expect((e as Error).message).toBe('telemetry ingestion is not deployed here');
    const { ingest, queries } = await ingestFixture(Date.parse('2026-11-30T12:00:00Z'));
    const telemetry = { ingest, queries };
    expect(telemetryIn({ telemetry })).toBe(telemetry);
  });
});
