import { describe, expect, it } from 'vitest';
import { OsObjective, OsSliSpec, OsSlo } from '../../../shared/domain/openslo/model.js';

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

// An SLO's objective gives its target as a fraction or as a percent, never both; `op` and `value` (a threshold
// objective) come together; an SLO names its SLI inline or by reference, exactly one (OpenSLO v1 spec, "SLO").
const problems = (
  schema: {
    safeParse: (v: unknown) => {
      success: boolean;
      error?: { issues: { path: PropertyKey[]; message: string }[] };
    };
  },
  v: unknown,
) => {
  const r = schema.safeParse(v);
  return r.success ? [] : (r.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]);
};

describe('the OpenSLO objective and SLO shapes', () => {
  it('takes an objective with a target or a targetPercent, and op with value', () => {
    expect(problems(OsObjective, { target: 0.99 })).toEqual([]);
    expect(problems(OsObjective, { targetPercent: 99.9 })).toEqual([]);
    expect(problems(OsObjective, { target: 0.99, op: 'lt', value: 300 })).toEqual([]);
  });

  it('refuses an objective with both targets or neither', () => {
    const ONE = [['', 'must give exactly one of target or targetPercent']];
    expect(problems(OsObjective, { target: 0.99, targetPercent: 99 })).toEqual(ONE);
    expect(problems(OsObjective, {})).toEqual(ONE);
  });

  it('refuses an objective with op but no value, or value but no op', () => {
    const BOTH = [['', 'op and value go together']];
    expect(problems(OsObjective, { target: 0.99, op: 'lte' })).toEqual(BOTH);
    expect(problems(OsObjective, { target: 0.99, value: 250 })).toEqual(BOTH);
  });

  it('refuses an SLO with both an inline indicator and an indicatorRef, or with neither', () => {
    const slo = (extra: Record<string, unknown>) => ({
      apiVersion: 'openslo/v1',
      kind: 'SLO',
      metadata: { name: 'pay-availability' },
      spec: {
        service: 'pay',
        timeWindow: [{ duration: '28d', isRolling: true }],
        budgetingMethod: 'Occurrences',
        objectives: [{ target: 0.999 }],
        ...extra,
      },
    });
    const indicator = { metadata: { name: 'pay-ok' }, spec: { thresholdMetric: m('latency') } };
    const ONE = [['spec', 'must give exactly one of indicator or indicatorRef']];
    expect(problems(OsSlo, slo({ indicatorRef: 'pay-ok' }))).toEqual([]);
    expect(problems(OsSlo, slo({ indicator }))).toEqual([]);
    expect(problems(OsSlo, slo({ indicator, indicatorRef: 'pay-ok' }))).toEqual(ONE);
    expect(problems(OsSlo, slo({}))).toEqual(ONE);
  });
});
