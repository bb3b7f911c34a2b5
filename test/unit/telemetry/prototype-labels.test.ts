import { describe, expect, it } from 'vitest';
import { decodeAccord, decodeDatadog } from '../../../shared/domain/telemetry/formats.js';
import { decodeOtlp } from '../../../shared/domain/telemetry/otlp.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';

const limits = loadTelemetryPolicy().limits;
const now = Math.floor(Date.now() / 1000);
const labelsOf = (b: { series: { series: { labels: Record<string, string> } }[] }) =>
  b.series.map((s) => ({ ...s.series.labels }));

describe('telemetry labels named as Object.prototype members are labels like any other', () => {
  it('Accord JSON keeps a label named __proto__ (it was dropped, merging two series into one)', () => {
    const b = decodeAccord(
      JSON.parse(
        `{"version":1,"samples":[{"service":"svc_pay","sli":"availability","measure":"good","value":1,"time":${now}000,"labels":{"__proto__":"a","zone":"z1"}}]}`,
      ),
      limits,
    );
    expect(b.malformed).toEqual([]);
    expect(Object.hasOwn(b.series[0]!.series.labels, '__proto__')).toBe(true);
    expect(labelsOf(b)).toEqual([JSON.parse('{"__proto__":"a","zone":"z1"}')]);
  });

  it('Accord JSON keeps apart two series that differ only in their __proto__ label', () => {
    const sample = (v: string) =>
      `{"service":"svc_pay","sli":"availability","measure":"good","value":1,"time":${now}000,"labels":{"__proto__":"${v}"}}`;
    const b = decodeAccord(JSON.parse(`{"version":1,"samples":[${sample('a')},${sample('b')}]}`), limits);
    expect(b.series).toHaveLength(2);
  });

  it('Datadog tags __proto__:a and __proto__:b are the label __proto__ given twice, refused by name (they were both dropped)', () => {
    const b = decodeDatadog(
      {
        series: [
          {
            metric: 'm',
            type: 1,
            points: [{ timestamp: now, value: 1 }],
            tags: ['__proto__:a', '__proto__:b', 'service:svc_pay'],
          },
        ],
      },
      limits,
    );
    expect(b.series[0]!.labelProblem).toEqual({
      path: 'series[0].tags',
      problem: 'has the label "__proto__" twice',
    });
  });

  it('an OTLP attribute keyed __proto__ becomes the label __proto__', () => {
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'requests',
                  gauge: {
                    dataPoints: [
                      {
                        attributes: [{ key: '__proto__', value: { stringValue: 'a' } }],
                        timeUnixNano: `${now}000000000`,
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
    const b = decodeOtlp(Buffer.from(JSON.stringify(body)), 'json', limits);
    expect(b.malformed).toEqual([]);
    expect(Object.getOwnPropertyDescriptor(b.series[0]!.series.labels, '__proto__')?.value).toBe('a');
  });
});
