import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeOtlpRequest } from '../../../shared/domain/telemetry/otlp.js';
import { jsonRequest, promRequest } from '../../helpers/telemetry.js';
import { telemetryFixture } from '../../helpers/telemetry-app.js';

/**
 * For random streams of counter values with resets, split into requests at random (some sent twice, as retries),
 * the increase Accord stores equals the reference `increase()`: Prometheus's counter correction without
 * extrapolation, last − first + the value before each drop (promql/functions.go, extrapolatedRate). Over every
 * format that carries cumulative counters.
 */

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const T0 = NOW - 2 * 3_600_000;
const MIN = 60_000;

/** The reference: Prometheus's formulation, independent of Accord's per-pair sum. */
function referenceIncrease(values: readonly number[]): number {
  if (values.length < 2) return 0;
  let correction = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! < values[i - 1]!) correction += values[i - 1]!;
  return values[values.length - 1]! - values[0]! + correction;
}

/** A counter: it grows by 0..100 per scrape, or restarts (a reset) from a small value. */
const stream = fc
  .tuple(
    fc.integer({ min: 0, max: 10_000 }),
    fc.array(
      fc.oneof(
        { weight: 5, arbitrary: fc.integer({ min: 0, max: 100 }) },
        { weight: 1, arbitrary: fc.constant(-1) },
      ),
      {
        minLength: 1,
        maxLength: 25,
      },
    ),
    fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 25, maxLength: 25 }),
  )
  .map(([start, steps, restarts]) => {
    const values = [start];
    steps.forEach((s, i) => {
      const prev = values[values.length - 1]!;
      values.push(s === -1 ? restarts[i]! : prev + s);
    });
    return values;
  });

/** Cut points splitting a stream into requests, and which requests are sent twice. */
const plan = fc.record({
  cuts: fc.array(fc.integer({ min: 1, max: 25 }), { maxLength: 4 }),
  retry: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
});

function chunks(n: number, cuts: readonly number[]): [number, number][] {
  const points = [...new Set(cuts.filter((c) => c < n))].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let from = 0;
  for (const c of [...points, n]) {
    out.push([from, c]);
    from = c;
  }
  return out;
}

type Format = 'remote-write' | 'accord-json' | 'datadog';
const labels = { service: 'svc_core-ledger', sli: 'postings' };

function request(format: Format, good: number[], bad: number[], from: number, to: number) {
  const at = (i: number) => T0 + i * MIN;
  const idx = Array.from({ length: to - from }, (_, k) => from + k);
  switch (format) {
    case 'remote-write':
      return promRequest([
        {
          labels: { __name__: 'accord_sli_good_total', ...labels },
          samples: idx.map((i) => ({ value: good[i]!, timestampMs: at(i) })),
        },
        {
          labels: { __name__: 'accord_sli_bad_total', ...labels },
          samples: idx.map((i) => ({ value: bad[i]!, timestampMs: at(i) })),
        },
      ]);
    case 'accord-json':
      return jsonRequest({
        version: 1,
        samples: idx.flatMap((i) => [
          { ...labels, measure: 'good', type: 'counter', value: good[i]!, time: at(i) },
          { ...labels, measure: 'bad', type: 'counter', value: bad[i]!, time: at(i) },
        ]),
      });
    case 'datadog':
      return jsonRequest({
        series: [
          {
            metric: 'accord_sli_good_total',
            type: 0,
            tags: ['service:svc_core-ledger', 'sli:postings'],
            points: idx.map((i) => ({ timestamp: at(i) / 1000, value: good[i]! })),
          },
          {
            metric: 'accord_sli_bad_total',
            type: 0,
            tags: ['service:svc_core-ledger', 'sli:postings'],
            points: idx.map((i) => ({ timestamp: at(i) / 1000, value: bad[i]! })),
          },
        ],
      });
  }
}

describe.each([
  ['remote-write', 'sqlite'],
  ['remote-write', 'memory'],
  ['accord-json', 'sqlite'],
  ['datadog', 'sqlite'],
] as const)('counters as %s (%s)', (format, kind) => {
  it('store the reference increase() of random streams with resets, however they are split and retried', async () => {
    await fc.assert(
      fc.asyncProperty(stream, stream, plan, async (goodRaw, badRaw, p) => {
        const n = Math.min(goodRaw.length, badRaw.length);
        const good = goodRaw.slice(0, n);
        const bad = badRaw.slice(0, n);
        const t = await telemetryFixture(kind, NOW);
        for (const [k, [from, to]] of chunks(n, p.cuts).entries()) {
          const req = request(format, good, bad, from, to);
          const r = await t.ingest.ingest({ vendorId: 'prometheus-main', ...req });
          expect(r.body.rejected).toEqual([]);
          if (p.retry[k]) {
            const again = await t.ingest.ingest({ vendorId: 'prometheus-main', ...req });
            expect(again.body.duplicates).toBe(again.body.accepted);
          }
        }
        const [c] = await t.rollups.cumulative([
          { sliKey: 'svc_core-ledger/postings', instants: [NOW + 3_600_000] },
        ]);
        expect(c![0]!.good).toBe(referenceIncrease(good));
        expect(c![0]!.total).toBe(referenceIncrease(good) + referenceIncrease(bad));
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});

/**
 * OTLP cumulative Sums with start times, as an SDK sends them: the series starts counting at a start time before its
 * first point, and every restart (a reset) gets a new start time just before its first point. Reference: the first
 * value counted from the start, then per pair the difference, or the whole value at a restart (even one that does
 * not drop below its predecessor, which `increase()` cannot see).
 */
const restarts = fc
  .tuple(
    fc.integer({ min: 0, max: 10_000 }),
    fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 25 }),
  )
  .map(([start, steps]) => {
    const values = [start];
    const restart = [false];
    for (const [reset, v] of steps) {
      values.push(reset ? v : values[values.length - 1]! + v);
      restart.push(reset);
    }
    return { values, restart };
  });

function otlpRequest(values: number[], restart: boolean[], from: number, to: number) {
  const at = (i: number) => T0 + i * MIN;
  // The start time of point i: just before the last restart at or before it (the first "restart" is the series' start).
  const startOf = (i: number) => {
    let k = i;
    while (k > 0 && !restart[k]) k--;
    return at(k) - 1_000;
  };
  const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();
  const dataPoints = Array.from({ length: to - from }, (_, j) => from + j).map((i) => ({
    attributes: [
      { key: 'service', value: { stringValue: 'svc_core-ledger' } },
      { key: 'sli', value: { stringValue: 'postings' } },
    ],
    startTimeUnixNano: ns(startOf(i)),
    timeUnixNano: ns(at(i)),
    asInt: values[i]!,
  }));
  const body = encodeOtlpRequest({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'ledger' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'accord.sli.good',
                sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints },
              },
            ],
          },
        ],
      },
    ],
  });
  return { headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(body), otlp: true };
}

describe('counters as OTLP cumulative Sums with start times (sqlite)', () => {
  it('store the first value (counted from the start) plus each increase, a restart adding its whole value', async () => {
    await fc.assert(
      fc.asyncProperty(restarts, plan, async ({ values, restart }, p) => {
        const t = await telemetryFixture('sqlite', NOW);
        for (const [k, [from, to]] of chunks(values.length, p.cuts).entries()) {
          const req = otlpRequest(values, restart, from, to);
          const r = await t.ingest.ingest({ vendorId: 'prometheus-main', ...req });
          expect(r.body.rejected).toEqual([]);
          if (p.retry[k]) {
            const again = await t.ingest.ingest({ vendorId: 'prometheus-main', ...req });
            expect(again.body.duplicates).toBe(again.body.accepted);
          }
        }
        let want = values[0]!;
        for (let i = 1; i < values.length; i++) want += restart[i] ? values[i]! : values[i]! - values[i - 1]!;
        const [c] = await t.rollups.cumulative([
          { sliKey: 'svc_core-ledger/postings', instants: [NOW + 3_600_000] },
        ]);
        expect(c![0]!.good).toBe(want);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});

describe('the reference itself', () => {
  it('gives the issue’s figures: 1000, 1060, 1120, 30 → 150 and 5, 5, 6, 0 → 1', () => {
    expect(referenceIncrease([1000, 1060, 1120, 30])).toBe(150);
    expect(referenceIncrease([5, 5, 6, 0])).toBe(1);
  });
});
