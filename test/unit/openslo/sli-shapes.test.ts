import { describe, expect, it } from 'vitest';
import { OsSliSpec } from '../../../shared/domain/openslo/model.js';

// An OpenSLO v1 SLI is either a thresholdMetric or a ratioMetric; a ratio names total with exactly one of good or
// bad, or a raw ratio with its rawType (OpenSLO v1 spec, "SLI"). Each case is one shape a user could write.
const m = (query: string) => ({ metricSource: { type: 'Prometheus', spec: { query } } });
const RATIO = 'must give total with exactly one of good or bad, or raw with rawType';
const ONE_OF = 'must give exactly one of thresholdMetric or ratioMetric';

const issues = (spec: unknown) => {
  const r = OsSliSpec.safeParse(spec);
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
};

describe('the OpenSLO SLI spec shapes', () => {
  it('takes total with good, or total with bad, or raw with its rawType', () => {
    expect(issues({ ratioMetric: { counter: true, good: m('g'), total: m('t') } })).toEqual([]);
    expect(issues({ ratioMetric: { counter: true, bad: m('b'), total: m('t') } })).toEqual([]);
    expect(issues({ ratioMetric: { counter: false, raw: m('r'), rawType: 'success' } })).toEqual([]);
    expect(issues({ thresholdMetric: m('latency') })).toEqual([]);
  });

  it('refuses a ratio with both good and bad, or with neither, or without total', () => {
    expect(issues({ ratioMetric: { counter: true, good: m('g'), bad: m('b'), total: m('t') } })).toEqual([
      ['ratioMetric', RATIO],
    ]);
    expect(issues({ ratioMetric: { counter: true, total: m('t') } })).toEqual([['ratioMetric', RATIO]]);
    expect(issues({ ratioMetric: { counter: true, good: m('g') } })).toEqual([['ratioMetric', RATIO]]);
    expect(issues({ ratioMetric: { counter: true, bad: m('b') } })).toEqual([['ratioMetric', RATIO]]);
  });

  it('refuses a raw ratio without its rawType, or mixed with good, bad or total', () => {
    expect(issues({ ratioMetric: { counter: false, raw: m('r') } })).toEqual([['ratioMetric', RATIO]]);
    for (const extra of ['good', 'bad', 'total']) {
      expect(
        issues({ ratioMetric: { counter: false, raw: m('r'), rawType: 'failure', [extra]: m('x') } }),
        extra,
      ).toEqual([['ratioMetric', RATIO]]);
    }
  });

  it('refuses an SLI with both a threshold metric and a ratio metric, or with neither', () => {
    expect(
      issues({ thresholdMetric: m('l'), ratioMetric: { counter: true, good: m('g'), total: m('t') } }),
    ).toEqual([['', ONE_OF]]);
    expect(issues({})).toEqual([['', ONE_OF]]);
  });
});
