import { describe, expect, it } from 'vitest';
import { counterSelector, selectorText } from '../../../shared/domain/openslo/promql.js';

// How the selector under an OpenSLO Prometheus query is written back as PromQL text: the metric name first, then
// every other matcher, metric-name matchers included (shared/domain/openslo/promql.ts, mutation ledger survivors).
// Each case is parsed inside its test.

describe('writing back the selector under a counter query', () => {
  it.each([
    {
      behaviour: 'takes the metric name from the = matcher on __name__, not from a != one written before it',
      query: 'sum(rate({__name__!="http_requests_created", __name__="http_requests_total"}[5m]))',
      text: 'http_requests_total{__name__!="http_requests_created"}',
    },
    {
      behaviour: 'keeps a != matcher on __name__ even when its value is the metric name',
      query: 'rate(http_requests_total{__name__!="http_requests_total", job="a"}[5m])',
      text: 'http_requests_total{__name__!="http_requests_total", job="a"}',
    },
    {
      behaviour: 'keeps a second = matcher on __name__ that names another metric',
      query: 'sum(increase({__name__="x_total", __name__="y_total"}[{{.window}}]))',
      text: 'x_total{__name__="y_total"}',
    },
    {
      behaviour: 'keeps a regex matcher on __name__ beside the metric name',
      query: 'x_total{__name__=~"x_.*", code!~"5.."}',
      text: 'x_total{__name__=~"x_.*", code!~"5.."}',
    },
    {
      behaviour: 'writes the metric name once when it is given both bare and as __name__',
      query: 'x_total{__name__="x_total"}',
      text: 'x_total{}',
    },
  ])('$behaviour', ({ query, text }) => {
    expect(counterSelector(query)).toBe(text);
  });

  it.each([
    {
      behaviour: 'refuses a selector whose metric name is only a regular expression',
      query: 'sum(rate({__name__=~"http_.*_total", job="a"}[5m]))',
    },
    {
      behaviour: 'refuses a selector whose metric name is only excluded',
      query: 'rate({__name__!="x_total", job="a"}[5m])',
    },
    {
      behaviour: 'refuses a value with an escape it cannot read rather than failing the whole import',
      query: 'sum(rate(http_requests_total{path="\\x2fhealth"}[5m]))',
    },
    {
      behaviour: 'refuses a value with an escape PromQL does not know',
      query: 'rate(http_requests_total{path="\\q"}[5m])',
    },
  ])('$behaviour', ({ query }) => {
    expect(counterSelector(query)).toBeNull();
  });
});

describe('a selector as PromQL text', () => {
  it('writes a selector without a metric name as its braces alone', () => {
    expect(
      selectorText({
        name: [],
        labels: [
          { name: 'job', op: '=', value: 'a' },
          { name: 'code', op: '!=', value: '500' },
        ],
      }),
    ).toBe('{job="a", code!="500"}');
  });

  it('writes a name that is only a regular expression as a matcher, with no bare name', () => {
    expect(selectorText({ name: [{ name: '__name__', op: '=~', value: 'x_.*' }], labels: [] })).toBe(
      '{__name__=~"x_.*"}',
    );
  });
});
