import { describe, expect, it } from 'vitest';
import { decodeTelemetry, LabelSetCache } from '../../../shared/domain/telemetry/formats.js';
import { seriesKey } from '../../../shared/domain/telemetry/mapping.js';
import { prepareBatch } from '../../../shared/domain/telemetry/prepare.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import { accordSample, jsonRequest, promRequest } from '../../helpers/telemetry.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

// Two different series whose `name=value` pairs joined with `|` read the same: `|service=svc_ab|sli=avail|z=1`.
const good = (labels: Record<string, string>) => ({ __name__: 'accord_sli_good_total', ...labels });
const A = good({ service: 'svc_ab', sli: 'avail', z: '1' });
const B = good({ service: 'svc_ab', sli: 'avail|z=1' });

describe('a series key names one series: label values holding | or = cannot pass for other labels', () => {
  it('gives different keys to label sets that read alike once joined, and keeps plain keys as they were', () => {
    const { __name__: m, ...a } = A;
    const { __name__: _m, ...b } = B;
    expect(seriesKey('v', m, a)).not.toBe(seriesKey('v', m, b));
    expect(seriesKey('v', 'm', { x: 'a=b' })).not.toBe(seriesKey('v', 'm', { 'x=a': 'b' }));
    expect(seriesKey('v', 'm', { x: 'a\\|y=b' })).not.toBe(seriesKey('v', 'm', { x: 'a\\', y: 'b' }));
    // Without \, | or = nothing changes (counter states stored under these keys are found again).
    expect(seriesKey('prometheus-main', 'm', { b: '2', a: '1' })).toBe('prometheus-main|m|a=1|b=2');
  });

  it.each([
    ['in one request', true],
    ['in two requests (the mapping memo of the first)', false],
  ])(
    'leaves a series whose SLI name is not valid unmapped, after a series that maps and reads alike, %s',
    (_w, one) => {
      const policy = loadTelemetryPolicy();
      const cache = new LabelSetCache();
      const run = (
        series: { labels: Record<string, string>; samples: { value: number; timestampMs: number }[] }[],
      ) =>
        prepareBatch(decodeTelemetry(promRequest(series), policy.limits, { labelSets: cache }), {
          vendorId: 'prometheus-main',
          nowMs: NOW,
          policy,
        });
      const a = { labels: A, samples: [{ value: 100, timestampMs: NOW - 60_000 }] };
      const b = { labels: B, samples: [{ value: 7, timestampMs: NOW - 60_000 }] };
      const batches = one ? [run([a, b])] : [run([a]), run([b])];
      const accepted = batches.flatMap((x) => x.accepted);
      expect(accepted.map((s) => [s.sliKey, s.value])).toEqual([['svc_ab/avail', 100]]);
      expect(batches.flatMap((x) => x.unmapped).map((u) => u.labels)).toEqual([
        { service: 'svc_ab', sli: 'avail|z=1' },
      ]);
      expect(batches.flatMap((x) => x.rejected).map((r) => r.reason)).toEqual(['unmapped_series']);
    },
  );

  it('keeps two Accord JSON series apart when one label value holds what reads as another label', () => {
    const policy = loadTelemetryPolicy();
    const t = new Date(NOW - 60_000).toISOString();
    const batch = prepareBatch(
      decodeTelemetry(
        jsonRequest({
          version: 1,
          samples: [
            accordSample(t, 0.9, { labels: { region: 'eu|zone=a' } }),
            accordSample(t, 0.5, { labels: { region: 'eu', zone: 'a' } }),
          ],
        }),
        policy.limits,
      ),
      { vendorId: 'prometheus-main', nowMs: NOW, policy },
    );
    expect(batch.rejected).toEqual([]);
    expect(batch.accepted.map((s) => s.value)).toEqual([0.9, 0.5]);
    expect(new Set(batch.accepted.map((s) => s.series)).size).toBe(2);
  });
});
