import { describe, expect, it } from 'vitest';
import { badFromGoodTotal, counterSelector, gaugeSelector } from '../../../shared/domain/openslo/promql.js';
import { promDuration } from '../../../shared/domain/openslo/rules.js';

describe('reading the selector under an OpenSLO Prometheus query', () => {
  it('finds the selector under rate, increase and irate, summed or not, with a fixed or templated range', () => {
    for (const q of [
      'http_requests_total{job="a", code!~"5.."}',
      'rate(http_requests_total{job="a", code!~"5.."}[5m])',
      'sum(rate(http_requests_total{job="a",code!~"5.."}[5m]))',
      'sum by (job) (increase(http_requests_total{job="a", code!~"5.."}[{{.window}}]))',
      'sum without (instance) (irate(http_requests_total{job="a", code!~"5.."}[$__rate_interval]))',
    ])
      expect(counterSelector(q), q).toBe('http_requests_total{job="a", code!~"5.."}');
  });

  it('refuses what is not one counter selector: arithmetic, two selectors, no metric name', () => {
    expect(counterSelector('sum(rate(a[5m])) / sum(rate(b[5m]))')).toBeNull();
    expect(counterSelector('rate(a[5m]) + rate(b[5m])')).toBeNull();
    expect(counterSelector('{job="a"}')).toBeNull();
    expect(counterSelector('histogram_quantile(0.9, rate(x_bucket[5m]))')).toBeNull();
  });

  it('reads a raw ratio gauge bare or summed', () => {
    expect(gaugeSelector('probe_success{job="p"}')).toBe('probe_success{job="p"}');
    expect(gaugeSelector('sum(probe_success{job="p"})')).toBe('probe_success{job="p"}');
  });
});

describe('bad events from good and total', () => {
  it('negates the one matcher the good selector adds, whatever its operator', () => {
    expect(badFromGoodTotal('x{job="a", code!~"5.."}', 'x{job="a"}')).toBe('x{job="a", code=~"5.."}');
    expect(badFromGoodTotal('x{job="a", code=~"2.."}', 'x{job="a"}')).toBe('x{job="a", code!~"2.."}');
    expect(badFromGoodTotal('x{ok="true"}', 'x')).toBe('x{ok!="true"}');
    expect(badFromGoodTotal('x{ok!="false"}', 'x')).toBe('x{ok="false"}');
  });

  it('gives up when the total is not the good selector less one matcher', () => {
    expect(badFromGoodTotal('x{a="1", b="2"}', 'x')).toBeNull(); // two extra matchers
    expect(badFromGoodTotal('x{a="1"}', 'y')).toBeNull(); // another metric
    expect(badFromGoodTotal('x{a="1"}', 'x{c="3"}')).toBeNull(); // total has a matcher good lacks
  });
});

describe('Prometheus durations', () => {
  it('writes minutes in the largest unit that divides them', () => {
    expect([5, 55, 60, 335, 360, 1440, 4320, 4030].map((m) => promDuration(m * 60_000))).toEqual([
      '5m',
      '55m',
      '1h',
      '335m',
      '6h',
      '1d',
      '3d',
      '4030m',
    ]);
  });
});
