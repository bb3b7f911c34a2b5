import { describe, expect, it } from 'vitest';
import { matches, parseSelector, SelectorError } from '../../../shared/domain/telemetry/selector.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import { policyJsonWith } from '../../helpers/telemetry.js';

const load = async (rules: Record<string, unknown>[]) => loadTelemetryPolicy(await policyJsonWith(rules));
const base = { service: 'svc_checkout', sli: 'requests', measure: 'good', type: 'counter' };

describe('PromQL selectors in mapping rules (parsed by the Prometheus project’s grammar)', () => {
  it('reads a metric name and the four matchers, with PromQL string escapes', () => {
    const s = parseSelector(
      'http_requests_total{code=~"5..", job!="test", path!~"/health.*", env="pr\\"od"}',
    );
    expect(s.name.map((m) => [m.name, m.op, m.value])).toEqual([['__name__', '=', 'http_requests_total']]);
    expect(s.labels.map((m) => [m.name, m.op, m.value])).toEqual([
      ['code', '=~', '5..'],
      ['job', '!=', 'test'],
      ['path', '!~', '/health.*'],
      ['env', '=', 'pr"od'],
    ]);
  });

  it('matches as PromQL does: regexes anchored at both ends, a missing label as the empty string', () => {
    const [code5, notTest] = parseSelector('x{code=~"5..", job!="test"}').labels;
    expect(matches(code5!, '503')).toBe(true);
    expect(matches(code5!, '5031')).toBe(false);
    expect(matches(code5!, '1503')).toBe(false);
    expect(matches(notTest!, undefined)).toBe(true);
    expect(matches(parseSelector('x{job=""}').labels[0]!, undefined)).toBe(true);
  });

  it.each([
    ['rate(x[5m])', /plain series selector/],
    ['x{', /not a PromQL selector/],
    ['x{code=~"(5"}', /not a regular expression/],
  ])('refuses %s with why', (text, why) => {
    expect(() => parseSelector(text)).toThrow(SelectorError);
    expect(() => parseSelector(text)).toThrow(why);
  });
});

describe('rules are validated when loaded: a rule that can never match is an error', () => {
  it('loads the shipped policy, whose rules all can match', () => {
    expect(() => loadTelemetryPolicy()).not.toThrow();
  });

  it.each([
    [
      'contradictory equality matchers',
      { ...base, selector: 'x_total{code="200", code="500"}' },
      /selector: can never match: on code, code="200" and code="500"/,
    ],
    [
      'an equality its own regex refuses',
      { ...base, selector: 'x_total{code="200", code=~"5.."}' },
      /code="200" and code=~"5\.\." cannot both hold/,
    ],
    [
      'a regex and its negation',
      { ...base, selector: 'x_total{code=~"5..", code!~"5.."}' },
      /cannot both hold/,
    ],
    ['no metric name', { ...base, selector: '{code="500"}' }, /must name the metric/],
    [
      'a selector that does not parse',
      { ...base, selector: 'sum(x)' },
      /rules\[0\]\.selector: must be a plain series selector/,
    ],
    [
      'a gauge feeding good events',
      { ...base, metric: 'x', type: 'gauge' },
      /type: can never feed its SLI: a gauge is a reading/,
    ],
    [
      'a counter feeding a ratio',
      { ...base, metric: 'x', measure: 'ratio' },
      /a counter counts events; a ratio SLI takes readings/,
    ],
    [
      'a summary feeding a latency SLI',
      { ...base, metric: 'x', measure: 'duration', type: 'summary', thresholdMs: 300 },
      /summary's quantiles .* export a histogram/,
    ],
    [
      'a histogram rule naming a _bucket series',
      {
        ...base,
        selector: 'x_seconds_bucket',
        measure: 'duration',
        type: 'histogram',
        unit: 's',
        thresholdMs: 300,
        buckets: [0.3],
      },
      /names the family \(x_seconds\)/,
    ],
    [
      'a constant service id that is not one',
      { ...base, metric: 'x', service: 'checkout' },
      /service: can never match: "checkout" is not a valid service id/,
    ],
    [
      'a placeholder its selector fixes to empty',
      { ...base, selector: 'x{svc=""}', service: 'svc_{svc}' },
      /reads a label the selector requires to be empty/,
    ],
    ['an unknown unit', { ...base, metric: 'x', unit: 'fortnights' }, /unit: "fortnights" is not a unit/],
  ])('refuses %s', async (_name, rule, why) => {
    await expect(load([rule])).rejects.toThrow(why);
  });

  it('refuses a histogram threshold that is not a bucket boundary, naming the nearest boundaries', async () => {
    const rule = {
      ...base,
      selector: 'http_request_duration_seconds',
      measure: 'duration',
      type: 'histogram',
      unit: 's',
      thresholdMs: 300,
      buckets: [0.1, 0.25, 0.5, 1],
    };
    await expect(load([rule])).rejects.toThrow(
      /thresholdMs: 300 ms \(0\.3 s\) is not a bucket boundary; the nearest are 0\.25 s and 0\.5 s/,
    );
    await expect(load([{ ...rule, thresholdMs: 250 }])).resolves.toBeDefined();
    await expect(load([{ ...rule, buckets: undefined }])).rejects.toThrow(
      /buckets: a histogram rule lists the bucket bounds/,
    );
  });

  it('refuses a rule shadowed by an earlier one that matches all it matches and always maps them first', async () => {
    await expect(
      load([
        { ...base, metric: 'x_total' },
        { ...base, selector: 'x_total{code="500"}', measure: 'bad' },
      ]),
    ).rejects.toThrow(
      /rules\[1\]: can never match: vendors\.test-vendor\.rules\[0\] matches every series it matches/,
    );
    // Narrower first, wider second: both can match.
    await expect(
      load([
        { ...base, selector: 'x_total{code="500"}', measure: 'bad' },
        { ...base, metric: 'x_total' },
      ]),
    ).resolves.toBeDefined();
  });

  it('names every problem of the file at once, with its path', async () => {
    await expect(
      load([
        { ...base, metric: 'x', type: 'gauge' },
        { ...base, metric: 'y', service: 'nope' },
      ]),
    ).rejects.toThrow(/vendors\.test-vendor\.rules\[0\]\.type.*vendors\.test-vendor\.rules\[1\]\.service/);
  });
});
