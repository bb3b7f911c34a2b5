import { describe, expect, it } from 'vitest';
import { agreementVersion, principal } from '../../helpers/fixtures.js';
import { jsonRequest, type PromSeries, promRequest } from '../../helpers/telemetry.js';
import { telemetryFixture } from '../../helpers/telemetry-app.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const T = NOW - 60_000;
const send = async (
  t: Awaited<ReturnType<typeof telemetryFixture>>,
  req: { headers: Record<string, string>; body: Buffer },
  vendorId = 'prometheus-main',
) => (await t.ingest.ingest({ vendorId, ...req })).body;
const good = (service: string, sli: string, value: number, extra: Record<string, unknown> = {}) => ({
  service,
  sli,
  measure: 'good',
  value,
  time: T,
  ...extra,
});

describe('nothing accepted into the void', () => {
  it('rejects each sample for a service that does not exist, and keeps the others', async () => {
    const t = await telemetryFixture('sqlite', NOW);
    const r = await send(
      t,
      jsonRequest({
        version: 1,
        samples: [good('svc_core-ledger', 'postings', 3), good('svc_core-ledgr', 'postings', 4)],
      }),
    );
    expect(r.accepted).toBe(1);
    expect(r.rejected).toEqual([
      expect.objectContaining({
        index: 1,
        path: 'samples[1]',
        reason: 'unknown_service',
        message: expect.stringMatching(/no service svc_core-ledgr/),
      }),
    ]);
  });

  it('counts every series of a request once, as accepted, rejected or unmapped', async () => {
    const t = await telemetryFixture('memory', NOW);
    const s = (labels: Record<string, string>, values: number[]): PromSeries => ({
      labels,
      samples: values.map((value, i) => ({ value, timestampMs: T + i })),
    });
    const r = await send(
      t,
      promRequest([
        s({ __name__: 'probe_success', job: 'payments-gateway' }, [1, 0]), // accepted
        s({ __name__: 'probe_success', job: 'payments-gateway', x: 'y' }, [7]), // rejected: ratio out of range
        s({ __name__: 'node_load1' }, [0.5, 0.7]), // unmapped
        { labels: { job: 'no-name' }, samples: [{ value: 1, timestampMs: T }] }, // malformed: rejected
        // A series carrying only a native histogram is counted and answered, not passed over.
        {
          labels: { __name__: 'http_request_duration_seconds', job: 'api' },
          samples: [],
          histograms: [{ count_int: 3, schema: 0, timestamp: T }],
        },
      ]),
    );
    expect(r.series).toEqual({ submitted: 5, accepted: 2, rejected: 2, unmapped: 1 });
    expect(r.submitted).toBe(7);
    expect(r.accepted + r.rejected.length).toBe(r.submitted);
  });

  it('tells the sender which SLIs no objective reads yet, and stops once an agreement reads one', async () => {
    const t = await telemetryFixture('sqlite', NOW);
    const first = await send(
      t,
      jsonRequest({
        version: 1,
        samples: [good('svc_core-ledger', 'postingz', 3), good('svc_core-ledger', 'postings', 3)],
      }),
    );
    expect(first.slis).toEqual([
      { sliKey: 'svc_core-ledger/postings', accepted: 1, readByObjective: false },
      { sliKey: 'svc_core-ledger/postingz', accepted: 1, readByObjective: false },
    ]);
    const agreement = agreementVersion({ serviceId: 'svc_core-ledger' });
    agreement.objectives[0]!.sli = {
      type: 'custom',
      name: 'postings',
    } as (typeof agreement.objectives)[0]['sli'];
    await t.agreements.create(agreement);
    const later = await telemetryFixture('sqlite', NOW);
    await later.agreements.create(agreement);
    const r = await send(
      later,
      jsonRequest({ version: 1, samples: [good('svc_core-ledger', 'postings', 3)] }),
    );
    expect(r.slis).toEqual([{ sliKey: 'svc_core-ledger/postings', accepted: 1, readByObjective: true }]);
  });

  it('lists a service’s SLIs with data to its owner: last sample time, counts, senders, totals and readers', async () => {
    const t = await telemetryFixture('sqlite', NOW);
    await send(
      t,
      jsonRequest({
        version: 1,
        samples: [
          good('svc_core-ledger', 'postings', 3),
          { ...good('svc_core-ledger', 'postings', 2), time: T + 1000 },
        ],
      }),
      'vendor-a',
    );
    await send(
      t,
      jsonRequest({
        version: 1,
        samples: [{ ...good('svc_core-ledger', 'postings', 5), time: T - 1000, measure: 'bad' }],
      }),
      'vendor-b',
    );
    const owner = principal({ roles: ['service-owner'], services: ['svc_core-ledger'], businessUnits: [] });
    const list = (await t.queries.slisOf(owner, 'svc_core-ledger')).items;
    expect(list).toEqual([
      expect.objectContaining({
        sliKey: 'svc_core-ledger/postings',
        sli: 'postings',
        samples: 3,
        vendors: ['vendor-a', 'vendor-b'],
        lastSampleAt: new Date(T + 1000).toISOString(),
        firstSampleAt: new Date(T - 1000).toISOString(),
        good: 5,
        total: 10,
        readBy: [],
      }),
    ]);
    const stranger = principal({ roles: ['service-owner'], services: ['svc_checkout'] });
    // Outside the caller's scope reads exactly like a service that does not exist.
    await expect(t.queries.slisOf(stranger, 'svc_core-ledger')).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.queries.slisOf(owner, 'svc_nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('validation holes closed', () => {
  it('rejects a duration that becomes infinite in milliseconds (1e308 s), and counts beyond 2^53', async () => {
    const t = await telemetryFixture('sqlite', NOW);
    const r = await send(
      t,
      jsonRequest({
        version: 1,
        samples: [
          {
            service: 'svc_core-ledger',
            sli: 'latency',
            measure: 'duration',
            unit: 's',
            value: 1e308,
            time: T,
          },
          good('svc_core-ledger', 'postings', 1e308),
          { ...good('svc_core-ledger', 'postings', 1e308), time: T + 1 },
          { ...good('svc_core-ledger', 'postings', Number.MAX_SAFE_INTEGER), time: T + 2 },
        ],
      }),
    );
    expect(r.rejected.map((x) => [x.index, x.reason])).toEqual([
      [0, 'value_infinite'],
      [1, 'value_out_of_range'],
      [2, 'value_out_of_range'],
    ]);
    expect(r.rejected[0]!.message).toMatch(/infinite once converted from s/);
    const buckets = await t.rollups.read('svc_core-ledger/postings', T - 600_000, T + 600_000);
    expect(buckets.every((b) => Number.isFinite(b.good) && Number.isFinite(b.total))).toBe(true);
    const cum = await t.rollups.cumulative([
      { sliKey: 'svc_core-ledger/postings', instants: [NOW + 600_000] },
    ]);
    expect(cum[0]![0]!.total).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('applies Prometheus’s label rules in every format: no empty name, no name twice, the same limits', async () => {
    const t = await telemetryFixture('memory', NOW);
    // Remote write: a label name twice (the record form cannot hold it, so build the request from pairs).
    const { encodeWriteRequest } = await import('../../../shared/domain/telemetry/remote-write.js');
    const { compress } = await import('snappyjs');
    const twice = encodeWriteRequest({
      timeseries: [
        {
          labels: [
            { name: '__name__', value: 'probe_success' },
            { name: 'job', value: 'payments-gateway' },
            { name: 'job', value: 'other' },
          ],
          samples: [{ value: 1, timestamp: T }],
        },
      ],
    });
    const rw = await send(t, { headers: promRequest([]).headers, body: Buffer.from(compress(twice)) });
    expect(rw.rejected).toEqual([
      expect.objectContaining({
        reason: 'invalid_labels',
        path: 'timeseries[0].labels',
        message: 'has the label "job" twice',
      }),
    ]);
    // Datadog: a tag key twice, and a tag with an empty key.
    const dd = await send(
      t,
      jsonRequest({
        series: [
          {
            metric: 'synthetics.api.uptime',
            tags: ['service:payments-gateway', 'service:other'],
            points: [{ timestamp: T / 1000, value: 99 }],
          },
          {
            metric: 'synthetics.api.uptime',
            tags: ['service:payments-gateway', ':x'],
            points: [{ timestamp: T / 1000, value: 99 }],
          },
        ],
      }),
      'datadog-eu',
    );
    expect(dd.rejected.map((x) => [x.reason, x.message])).toEqual([
      ['invalid_labels', 'has the label "service" twice'],
      ['invalid_labels', 'has a label with an empty name'],
    ]);
    // Accord JSON: an empty label name; and the length limit (data: 1,024 characters per value).
    const js = await send(
      t,
      jsonRequest({
        version: 1,
        samples: [
          good('svc_core-ledger', 'postings', 1, { labels: { '': 'x' } }),
          good('svc_core-ledger', 'postings', 1, { labels: { pod: 'p'.repeat(1025) }, time: T + 1 }),
        ],
      }),
    );
    expect(js.rejected.map((x) => x.reason)).toEqual(['invalid_labels', 'invalid_labels']);
    expect(js.rejected[1]!.message).toMatch(/longer than 1024/);
  });

  it('refuses a JSON body with a key twice as a 400 naming the key', async () => {
    const t = await telemetryFixture('memory', NOW);
    const body = Buffer.from(
      '{"version": 1, "samples": [{"service": "svc_core-ledger", "sli": "x", "sli": "y"}]}',
    );
    await expect(
      t.ingest.ingest({ vendorId: 'v', headers: { 'content-type': 'application/json' }, body }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'samples[0].sli', problem: 'appears more than once in the same object' }],
    });
  });
});
