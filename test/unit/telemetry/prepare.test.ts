import { describe, expect, it } from 'vitest';
import { decodeTelemetry } from '../../../shared/domain/telemetry/formats.js';
import { prepareBatch } from '../../../shared/domain/telemetry/prepare.js';
import { rollupDeltas } from '../../../shared/domain/telemetry/rollup.js';
import { toInstant } from '../../../shared/domain/telemetry/time.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import { accordSample, jsonRequest, promRequest, storedSample } from '../../helpers/telemetry.js';

const policy = loadTelemetryPolicy();
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function run(req: { headers: Record<string, string>; body: Buffer }, vendorId = 'prometheus-main') {
  return prepareBatch(decodeTelemetry(req, policy.limits), { vendorId, nowMs: NOW, policy });
}
const accord = (samples: unknown[], extra: Record<string, unknown> = {}) =>
  run(jsonRequest({ version: 1, samples, ...extra }));

describe('times become UTC instants', () => {
  it.each([
    ['an RFC 3339 time with a positive offset', '2026-11-25T13:00:00+01:00', NOW],
    ['an RFC 3339 time with a negative offset and fraction', '2026-11-25T06:30:00.250-05:30', NOW + 250],
    ['an RFC 3339 time in Zulu', '2026-11-25T12:00:00Z', NOW],
  ])('reads %s', (_name, time, expected) => {
    expect(toInstant(time, 'ms', undefined)).toEqual({ ok: true, ms: expected });
  });

  it('reads epoch seconds, milliseconds and nanoseconds (as digits, without losing precision)', () => {
    expect(toInstant(NOW / 1000, 's', undefined)).toEqual({ ok: true, ms: NOW });
    expect(toInstant(NOW, 'ms', undefined)).toEqual({ ok: true, ms: NOW });
    expect(toInstant(`${NOW}000123`, 'ns', undefined)).toEqual({ ok: true, ms: NOW + 0.000123 });
  });

  it('reads an agent-local time in its declared IANA zone, across a daylight-saving change', () => {
    // Paris is UTC+1 in November and UTC+2 in July.
    expect(toInstant('2026-11-25T13:00:00', 'ms', 'Europe/Paris')).toEqual({ ok: true, ms: NOW });
    expect(toInstant('2026-07-01T14:00:00', 'ms', 'Europe/Paris')).toEqual({
      ok: true,
      ms: Date.UTC(2026, 6, 1, 12),
    });
  });

  it('refuses a local time without a declared zone, and an unknown zone', () => {
    expect(toInstant('2026-11-25T13:00:00', 'ms', undefined)).toMatchObject({
      ok: false,
      reason: 'missing_time_zone',
    });
    expect(toInstant('2026-11-25T13:00:00', 'ms', 'Mars/Olympus')).toMatchObject({
      ok: false,
      reason: 'unknown_time_zone',
    });
    expect(toInstant('2026-02-30T13:00:00Z', 'ms', undefined)).toMatchObject({
      ok: false,
      reason: 'bad_timestamp',
    });
  });
});

describe('validation: every rejected sample is named with its index and reason', () => {
  it('rejects NaN, infinities, negative durations, ratios outside [0, 1] and unknown units, and keeps the rest', () => {
    const t = iso(NOW);
    const r = accord([
      accordSample(t, 0.5),
      accordSample(t, 'NaN'),
      accordSample(t, 'Infinity'),
      { ...accordSample(t, -3), measure: 'duration', sli: 'response-time' },
      accordSample(t, 1.2),
      { ...accordSample(t, 5), measure: 'duration', sli: 'response-time', unit: 'fortnights' },
      { ...accordSample(t, 5), measure: 'duration', sli: 'response-time', unit: 'percent' },
    ]);
    expect(r.accepted).toHaveLength(1);
    expect(r.rejected.map((x) => [x.index, x.reason, x.path])).toEqual([
      [1, 'value_nan', 'samples[1].value'],
      [2, 'value_infinite', 'samples[2].value'],
      [3, 'negative_duration', 'samples[3].value'],
      [4, 'ratio_out_of_range', 'samples[4].value'],
      [5, 'unknown_unit', 'samples[5].unit'],
      [6, 'unit_mismatch', 'samples[6].unit'],
    ]);
  });

  it('rejects times too far in the future or older than the accepted lateness (data: 72 hours by default)', () => {
    const r = accord([
      accordSample(iso(NOW + 10 * 60_000)),
      accordSample(iso(NOW - 73 * 3_600_000)),
      accordSample(iso(NOW - 71 * 3_600_000)),
    ]);
    expect(r.rejected.map((x) => x.reason)).toEqual(['timestamp_in_future', 'timestamp_too_old']);
    expect(r.accepted).toHaveLength(1);
  });

  it('stores a sample repeated within one batch once and names the repeat', () => {
    const r = accord([accordSample(iso(NOW)), accordSample(iso(NOW))]);
    expect(r.accepted).toHaveLength(1);
    expect(r.rejected).toEqual([expect.objectContaining({ index: 1, reason: 'duplicate_sample' })]);
  });
});

describe('normalisation: one unit per kind', () => {
  it('turns ns, µs, ms and s into milliseconds and percent into a ratio', () => {
    const t = iso(NOW);
    const dur = (value: number, unit: string, i: number) => ({
      ...accordSample(iso(NOW - i), value),
      measure: 'duration',
      sli: 'response-time',
      unit,
    });
    const r = accord([
      dur(2_000_000, 'ns', 0),
      dur(2000, 'µs', 1),
      dur(2, 'ms', 2),
      dur(0.002, 's', 3),
      { ...accordSample(t, 99.5), unit: 'percent' },
    ]);
    expect(r.rejected).toEqual([]);
    expect(r.accepted.map((s) => s.value)).toEqual([2, 2, 2, 2, 0.995]);
  });
});

describe('mapping: vendor series to SLIs through rules that are data', () => {
  it('maps a vendor rule first, then the naming convention, and reports what nothing maps', () => {
    const r = run(
      promRequest([
        {
          labels: { __name__: 'probe_success', job: 'payments-gateway' },
          samples: [{ value: 1, timestampMs: NOW }],
        },
        {
          labels: {
            __name__: 'accord_sli_duration_seconds',
            service: 'svc_core-ledger',
            sli: 'posting-time',
          },
          samples: [{ value: 0.25, timestampMs: NOW }],
        },
        {
          labels: { __name__: 'node_cpu_seconds_total', cpu: '0' },
          samples: [
            { value: 1, timestampMs: NOW },
            { value: 2, timestampMs: NOW - 1 },
          ],
        },
      ]),
    );
    expect(r.accepted.map((s) => [s.sliKey, s.measure, s.value])).toEqual([
      ['svc_payments-gateway/availability', 'ratio', 1],
      ['svc_core-ledger/posting-time', 'duration', 250],
    ]);
    expect(r.rejected.map((x) => [x.index, x.reason, x.path])).toEqual([
      [2, 'unmapped_series', 'timeseries[2].samples[0]'],
      [3, 'unmapped_series', 'timeseries[2].samples[1]'],
    ]);
    expect(r.unmapped).toEqual([
      { vendorId: 'prometheus-main', metric: 'node_cpu_seconds_total', labels: { cpu: '0' }, samples: 2 },
    ]);
  });

  it('fills templates from regex groups and labels (Datadog latency in seconds with a threshold)', () => {
    const r = run(
      jsonRequest({
        series: [
          {
            metric: 'trace.http.request.duration',
            points: [{ timestamp: NOW / 1000, value: 0.4 }],
            tags: ['service:card-authorisation'],
          },
        ],
      }),
      'datadog-eu',
    );
    expect(r.accepted[0]).toMatchObject({
      sliKey: 'svc_card-authorisation/response-time',
      value: 400,
      thresholdMs: 300,
    });
  });

  it('feeds the rollups only from the authoritative source of a two-source SLI', () => {
    const prom = run(
      promRequest([
        {
          labels: { __name__: 'probe_success', job: 'payments-gateway' },
          samples: [{ value: 1, timestampMs: NOW }],
        },
      ]),
    );
    const dd = run(
      jsonRequest({
        series: [
          {
            metric: 'synthetics.api.uptime',
            unit: 'percent',
            tags: ['service:payments-gateway'],
            points: [{ timestamp: NOW / 1000, value: 97 }],
          },
        ],
      }),
      'datadog-eu',
    );
    expect(prom.accepted[0]!.rollup).toBe(true);
    expect(dd.accepted[0]).toMatchObject({ rollup: false, value: 0.97 });
  });
});

describe('rollups from samples', () => {
  it('counts ratios as good/total, durations against their threshold with value aggregates, per 5-minute bucket', () => {
    const bucket = Math.floor(NOW / 300_000) * 300_000;
    const base = storedSample({ vendorId: 'v', series: 's', timestampMs: NOW });
    const deltas = rollupDeltas([
      { ...base, sliKey: 'svc_a/availability', measure: 'ratio', value: 1 },
      { ...base, sliKey: 'svc_a/availability', measure: 'ratio', value: 0 },
      {
        ...base,
        sliKey: 'svc_a/latency',
        measure: 'duration',
        feed: 'duration',
        value: 120,
        thresholdMs: 300,
      },
      {
        ...base,
        sliKey: 'svc_a/latency',
        measure: 'duration',
        feed: 'duration',
        value: 480,
        thresholdMs: 300,
      },
      {
        ...base,
        sliKey: 'svc_a/errors',
        measure: 'good',
        type: 'delta',
        feed: 'good',
        value: 90,
        events: 90,
      },
      { ...base, sliKey: 'svc_a/errors', measure: 'bad', type: 'delta', feed: 'bad', value: 10, events: 10 },
    ]);
    expect(deltas).toEqual([
      {
        sliKey: 'svc_a/availability',
        bucketStart: bucket,
        good: 1,
        total: 2,
        count: 0,
        sum: 0,
        min: 0,
        max: 0,
      },
      {
        sliKey: 'svc_a/latency',
        bucketStart: bucket,
        good: 1,
        total: 2,
        count: 2,
        sum: 600,
        min: 120,
        max: 480,
      },
      { sliKey: 'svc_a/errors', bucketStart: bucket, good: 90, total: 100, count: 0, sum: 0, min: 0, max: 0 },
    ]);
  });
});
