import { describe, expect, it } from 'vitest';
import { decodeAccord, decodeDatadog } from '../../../shared/domain/telemetry/formats.js';
import { refusal } from '../../helpers/refusal.js';
import { smallTestLimits, tooManySamples } from '../../helpers/telemetry-limits.js';

// The two JSON formats, decoded into the model every format shares: Accord's own batch (a sample names its SLI) and
// Datadog's v2 series (tags and resources become labels). Compared whole: the series, their points and paths, the
// rejections and the counts are what prepareBatch and the API's answer read.
const limits = smallTestLimits();
const many = { ...limits, maxSamplesPerRequest: 100 };

const sample = (extra: Record<string, unknown> = {}) => ({
  service: 'svc_checkout',
  sli: 'availability',
  measure: 'ratio',
  value: 1,
  time: 1764000000000,
  ...extra,
});

describe('Accord JSON batches', () => {
  it('decodes each sample into its series, with the target it names, its type and where the type came from', () => {
    const d = decodeAccord(
      {
        version: 1,
        timeZone: 'Europe/Paris',
        epochUnit: 's',
        samples: [
          sample({ value: 0.5, time: '2026-03-02T10:00:00', unit: 'percent' }),
          sample({ measure: 'good', value: 3, time: 10, timeZone: 'UTC' }),
          sample({ value: 0.75, time: 20, unit: 'ratio' }),
          sample({
            sli: 'latency',
            measure: 'duration',
            value: 120,
            time: 30,
            thresholdMs: 300,
            type: 'gauge',
            labels: { route: '/pay' },
          }),
        ],
      },
      { ...limits, maxSamplesPerRequest: 4 },
    );
    expect(d).toEqual({
      format: 'accord-json',
      series: [
        {
          series: { metric: 'accord:ratio', labels: {} },
          path: 'samples[0]',
          pointField: '',
          firstIndex: 0,
          type: 'gauge',
          typeSource: 'the measure (Accord JSON)',
          unit: 'percent',
          target: {
            serviceId: 'svc_checkout',
            sli: 'availability',
            sliKey: 'svc_checkout/availability',
            measure: 'ratio',
            unit: undefined,
            thresholdMs: undefined,
          },
          labelProblem: undefined,
          epochUnit: 's',
          timeZone: 'Europe/Paris',
          points: [
            {
              index: 0,
              path: 'samples[0]',
              value: 0.5,
              time: '2026-03-02T10:00:00',
              timeZone: 'Europe/Paris',
              unit: 'percent',
            },
            { index: 2, path: 'samples[2]', value: 0.75, time: 20, timeZone: 'Europe/Paris', unit: 'ratio' },
          ],
        },
        {
          series: { metric: 'accord:good', labels: {} },
          path: 'samples[1]',
          pointField: '',
          firstIndex: 1,
          type: 'delta',
          typeSource: 'the measure (Accord JSON)',
          target: {
            serviceId: 'svc_checkout',
            sli: 'availability',
            sliKey: 'svc_checkout/availability',
            measure: 'good',
          },
          epochUnit: 's',
          timeZone: 'Europe/Paris',
          points: [{ index: 1, path: 'samples[1]', value: 3, time: 10, timeZone: 'UTC' }],
        },
        {
          series: { metric: 'accord:duration', labels: { route: '/pay' } },
          path: 'samples[3]',
          pointField: '',
          firstIndex: 3,
          type: 'gauge',
          typeSource: 'sample.type',
          target: {
            serviceId: 'svc_checkout',
            sli: 'latency',
            sliKey: 'svc_checkout/latency',
            measure: 'duration',
            thresholdMs: 300,
          },
          epochUnit: 's',
          timeZone: 'Europe/Paris',
          points: [{ index: 3, path: 'samples[3]', value: 120, time: 30, timeZone: 'Europe/Paris' }],
        },
      ],
      malformed: [],
      sampleCount: 4,
      seriesCount: 3,
      malformedSeries: 0,
    });
  });

  it('reads numeric times in milliseconds when the batch names no epoch unit', () => {
    const d = decodeAccord({ version: 1, samples: [sample()] }, limits);
    expect(d.series[0]!.epochUnit).toBe('ms');
    expect(d.series[0]!.timeZone).toBeUndefined();
  });

  it('counts good and bad as deltas and everything else as gauges unless the sample says otherwise', () => {
    const d = decodeAccord(
      {
        version: 1,
        samples: [
          sample({ measure: 'bad' }),
          sample({ measure: 'value' }),
          sample({ measure: 'good', type: 'counter' }),
        ],
      },
      limits,
    );
    expect(d.series.map((s) => [s.target!.measure, s.type, s.typeSource])).toEqual([
      ['bad', 'delta', 'the measure (Accord JSON)'],
      ['value', 'gauge', 'the measure (Accord JSON)'],
      ['good', 'counter', 'sample.type'],
    ]);
  });

  it('keeps apart samples that differ only in their type, threshold or labels, and joins those that are alike', () => {
    const d = decodeAccord(
      {
        version: 1,
        samples: [
          sample({ measure: 'good', type: 'counter' }),
          sample({ measure: 'good' }),
          sample({ measure: 'duration', thresholdMs: 100 }),
          sample({ measure: 'duration', thresholdMs: 200 }),
          sample({ measure: 'duration' }),
          sample({ labels: { a: '1' } }),
          sample({ labels: { a: '2' } }),
          sample({ labels: { a: '1' } }),
          sample({ sli: 'other' }),
          sample({ service: 'svc_other' }),
          sample({ labels: {} }),
          sample(),
        ],
      },
      many,
    );
    expect(d.series.map((s) => s.points.map((p) => p.index))).toEqual([
      [0],
      [1],
      [2],
      [3],
      [4],
      [5, 7],
      [6],
      [8],
      [9],
      [10, 11],
    ]);
    expect(d.seriesCount).toBe(10);
  });

  it('names a label with an empty name at the sample’s labels, and keeps a series without labels free of it', () => {
    const d = decodeAccord(
      { version: 1, samples: [sample({ labels: { '': 'x', b: 'y' } }), sample({ labels: { b: 'y' } })] },
      limits,
    );
    expect(d.series.map((s) => [s.series.labels, s.labelProblem])).toEqual([
      [
        { '': 'x', b: 'y' },
        { path: 'samples[0].labels', problem: 'has a label with an empty name' },
      ],
      [{ b: 'y' }, undefined],
    ]);
  });

  it('keeps a malformed sample as a rejection naming the field, counted as a series of its own', () => {
    const d = decodeAccord(
      {
        version: 1,
        samples: [{ service: 'nope' }, sample(), sample({ zz: 1 }), sample({ labels: { k: 5 } })],
      },
      { ...limits, maxSamplesPerRequest: 4 },
    );
    expect(d.malformed).toEqual([
      {
        index: 0,
        path: 'samples[0].service',
        reason: 'malformed',
        message: 'must look like svc_<lower-case slug>',
      },
      { index: 2, path: 'samples[2].zz', reason: 'malformed', message: 'is not a known field' },
      {
        index: 3,
        path: 'samples[3].labels.k',
        reason: 'malformed',
        message: 'Invalid input: expected string, received number',
      },
    ]);
    expect([d.series.length, d.sampleCount, d.seriesCount, d.malformedSeries]).toEqual([1, 4, 4, 3]);
    expect(d.series[0]!.firstIndex).toBe(1);
  });

  it('refuses a bad envelope as a whole, naming every field that is wrong', () => {
    expect(refusal(() => decodeAccord({ version: 2, samples: 'x', extra: 1 }, limits))).toEqual({
      name: 'ValidationError',
      message: 'the batch envelope does not match the schema',
      details: [
        { path: 'version', problem: 'Invalid input: expected 1' },
        { path: 'samples', problem: 'Invalid input: expected array, received string' },
        { path: 'extra', problem: 'is not a known field' },
      ],
    });
  });

  it('takes as many samples as the limit and refuses one more with a 413 naming the limits', () => {
    expect(decodeAccord({ version: 1, samples: [sample(), sample(), sample()] }, limits).sampleCount).toBe(3);
    expect(refusal(() => decodeAccord({ version: 1, samples: [{}, {}, {}, {}] }, limits))).toEqual(
      tooManySamples({ carried: 4, max: 3, bytes: 2000 }),
    );
  });
});

describe('Datadog v2 series', () => {
  it('decodes a series: resources then tags as labels, its type, interval and unit, points in epoch seconds', () => {
    const d = decodeDatadog(
      {
        series: [
          {
            metric: 'checkout.requests',
            type: 2,
            interval: 10,
            unit: 'request',
            points: [
              { timestamp: 1764000000, value: 5 },
              { timestamp: 1764000010, value: null },
            ],
            resources: [{ name: 'web-1', type: 'host' }],
            tags: ['env:prod', 'canary', 'url:http://x:8080/'],
          },
        ],
      },
      limits,
    );
    expect(d).toEqual({
      format: 'datadog-v2',
      series: [
        {
          series: {
            metric: 'checkout.requests',
            labels: { host: 'web-1', env: 'prod', canary: '', url: 'http://x:8080/' },
          },
          path: 'series[0]',
          pointField: 'points',
          firstIndex: 0,
          type: 'rate',
          typeSource: 'series.type 2',
          intervalS: 10,
          unit: 'request',
          labelProblem: undefined,
          epochUnit: 's',
          points: [
            { index: 0, value: 5, time: 1764000000 },
            { index: 1, value: null, time: 1764000010 },
          ],
        },
      ],
      malformed: [],
      sampleCount: 2,
      seriesCount: 1,
      malformedSeries: 0,
    });
  });

  it('reads type 1 as a delta count and 3 as a gauge, and says nothing of type 0 or no type', () => {
    const d = decodeDatadog(
      {
        series: [0, 1, 3, undefined].map((type) => ({
          metric: 'm',
          ...(type === undefined ? {} : { type }),
          points: [{ timestamp: 1, value: 1 }],
        })),
      },
      many,
    );
    expect(d.series.map((s) => [s.type, s.typeSource])).toEqual([
      [undefined, undefined],
      ['delta', 'series.type 1'],
      ['gauge', 'series.type 3'],
      [undefined, undefined],
    ]);
  });

  it('names the first label problem of a series at its tags: an empty name, then a name given twice', () => {
    const d = decodeDatadog(
      {
        series: [
          { metric: 'a', points: [{ timestamp: 1, value: 1 }], tags: [':x', 'env:1', 'env:2'] },
          { metric: 'b', points: [{ timestamp: 1, value: 1 }], tags: ['env:1', 'env:2', ':x'] },
          {
            metric: 'c',
            points: [{ timestamp: 1, value: 1 }],
            resources: [{ name: 'h', type: 'host' }],
            tags: ['host:h2'],
          },
        ],
      },
      limits,
    );
    expect(d.series.map((s) => [s.series.labels, s.labelProblem])).toEqual([
      [
        { '': 'x', env: '2' },
        { path: 'series[0].tags', problem: 'has a label with an empty name' },
      ],
      [
        { env: '2', '': 'x' },
        { path: 'series[1].tags', problem: 'has the label "env" twice' },
      ],
      [{ host: 'h2' }, { path: 'series[2].tags', problem: 'has the label "host" twice' }],
    ]);
  });

  it('rejects each point of a series it cannot read, or the series itself when it has no points', () => {
    const d = decodeDatadog(
      {
        series: [
          null,
          {
            points: [
              { timestamp: 1, value: 1 },
              { timestamp: 2, value: 2 },
            ],
          },
          { metric: 'm', points: 'x' },
          { metric: '', points: [] },
          { metric: 'ok', points: [{ timestamp: 3, value: 3 }] },
        ],
      },
      many,
    );
    expect(d.malformed).toEqual([
      {
        index: 0,
        path: 'series[0]',
        reason: 'malformed',
        message: 'Invalid input: expected object, received null',
      },
      {
        index: 1,
        path: 'series[1].metric',
        reason: 'malformed',
        message: 'Invalid input: expected string, received undefined',
      },
      {
        index: 2,
        path: 'series[1].metric',
        reason: 'malformed',
        message: 'Invalid input: expected string, received undefined',
      },
      {
        index: 3,
        path: 'series[2].points',
        reason: 'malformed',
        message: 'Invalid input: expected array, received string',
      },
      {
        index: 4,
        path: 'series[3].metric',
        reason: 'malformed',
        message: 'Too small: expected string to have >=1 characters',
      },
    ]);
    expect(d.series.map((s) => [s.series.metric, s.series.labels, s.firstIndex, s.points])).toEqual([
      ['ok', {}, 5, [{ index: 5, value: 3, time: 3 }]],
    ]);
    expect([d.sampleCount, d.seriesCount, d.malformedSeries]).toEqual([6, 5, 4]);
  });

  it('names a list item inside a series by its index: a tag, a resource’s field', () => {
    const d = decodeDatadog(
      {
        series: [
          { metric: 'a', points: [{ timestamp: 1, value: 1 }], tags: ['env:prod', 5] },
          {
            metric: 'b',
            points: [{ timestamp: 1, value: 1 }],
            resources: [
              { name: 'h', type: 'host' },
              { name: 7, type: 'pod' },
            ],
          },
        ],
      },
      limits,
    );
    expect(d.malformed.map((r) => [r.index, r.path, r.message])).toEqual([
      [0, 'series[0].tags[1]', 'Invalid input: expected string, received number'],
      [1, 'series[1].resources[1].name', 'Invalid input: expected string, received number'],
    ]);
  });

  it('rejects a series without points at its points, and each point it cannot read at the point', () => {
    const d = decodeDatadog(
      {
        series: [
          { metric: 'empty', points: [] },
          {
            metric: 'half',
            points: [
              { timestamp: 1.5, value: 1 },
              { timestamp: 2, value: 2 },
            ],
          },
          { metric: 'none', points: [{ timestamp: 1, value: 'x' }] },
        ],
      },
      many,
    );
    expect(d.malformed).toEqual([
      { index: 0, path: 'series[0].points', reason: 'malformed', message: 'has no points' },
      {
        index: 1,
        path: 'series[1].points[0].timestamp',
        reason: 'malformed',
        message: 'Invalid input: expected int, received number',
      },
      { index: 3, path: 'series[2].points[0].value', reason: 'malformed', message: 'Invalid input' },
    ]);
    expect(d.series.map((s) => [s.series.metric, s.firstIndex, s.points])).toEqual([
      ['half', 1, [{ index: 2, value: 2, time: 2 }]],
    ]);
    expect([d.sampleCount, d.seriesCount, d.malformedSeries]).toEqual([4, 3, 2]);
  });

  it('counts a series without readable points as one sample against the limit', () => {
    const series = (n: number) =>
      Array.from({ length: n }, (_, i) => (i % 2 ? { points: [] } : { points: 'x' }));
    expect(decodeDatadog({ series: series(3) }, limits).sampleCount).toBe(3);
    expect(decodeDatadog({ series: [null, null, null] }, limits).sampleCount).toBe(3);
    expect(refusal(() => decodeDatadog({ series: series(4) }, limits)).details).toEqual([
      { path: '(body)', problem: 'carries 4 samples, more than 3' },
      { path: 'limits.maxSamplesPerRequest', problem: '3' },
      { path: 'limits.maxBodyBytes', problem: '2000' },
    ]);
  });

  it('counts every point of every series against the limit', () => {
    const pts = (n: number) => Array.from({ length: n }, (_, i) => ({ timestamp: i, value: i }));
    expect(
      decodeDatadog(
        {
          series: [
            { metric: 'a', points: pts(2) },
            { metric: 'b', points: pts(1) },
          ],
        },
        limits,
      ).sampleCount,
    ).toBe(3);
    expect(
      refusal(() =>
        decodeDatadog(
          {
            series: [
              { metric: 'a', points: pts(2) },
              { metric: 'b', points: pts(2) },
            ],
          },
          limits,
        ),
      ),
    ).toEqual(tooManySamples({ carried: 4, max: 3, bytes: 2000 }));
  });

  it('refuses a payload whose series are not a list, naming the field', () => {
    expect(refusal(() => decodeDatadog({ series: 'x' }, limits))).toEqual({
      name: 'ValidationError',
      message: 'the batch envelope does not match the schema',
      details: [{ path: 'series', problem: 'Invalid input: expected array, received string' }],
    });
  });
});
