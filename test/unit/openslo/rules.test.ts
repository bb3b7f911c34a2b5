import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  nominalPeriodMs,
  type PrometheusRule,
  prometheusRules,
  prometheusRulesFile,
  promNumber,
  type RuleGroup,
  type RuleTarget,
  rulesFileText,
  sliceBadness,
  sliceRangeMs,
  sliExpressions,
} from '../../../shared/domain/openslo/rules.js';
import { BurnWindowPolicy } from '../../../shared/policy/objectives.js';
import { Objective } from '../../../shared/schemas/agreement.js';

/**
 * Unit tests of the Prometheus rules written for objectives whose SLI comes from Prometheus (the promtool e2e tests
 * check what they mean to Prometheus; these check what is written, exactly).
 */

const GOOD = 'sum(rate(http_requests_total{job="checkout", code!~"5.."}[5m]))';
const BAD = 'sum(rate(http_requests_total{job="checkout", code=~"5.."}[5m]))';
const TOTAL = 'sum(rate(http_requests_total{job="checkout"}[5m]))';
const G = 'http_requests_total{job="checkout", code!~"5.."}';
const B = 'http_requests_total{job="checkout", code=~"5.."}';
const T = 'http_requests_total{job="checkout"}';

const counterSource = (over: Record<string, unknown> = {}) => ({
  type: 'Prometheus',
  counter: true,
  good: { query: GOOD },
  total: { query: TOTAL },
  ...over,
});

const objective = (over: Record<string, unknown> = {}) =>
  Objective.parse({
    id: 'checkout',
    name: 'Checkout works',
    sli: { type: 'availability', source: counterSource() },
    target: 99.9,
    window: { type: 'rolling', days: 30 },
    owner: { name: 'O', email: 'o@example.com' },
    customerContact: { name: 'C', email: 'c@example.com' },
    ...over,
  });

const withSource = (source: Record<string, unknown> | undefined) =>
  objective({ sli: { type: 'availability', ...(source ? { source } : {}) } });

/** Two windows sharing the 1h duration: a page at 14.4x (1h/5m) and a ticket at 12x (6h/1h), 30 days. */
const twoWindows = () =>
  BurnWindowPolicy.parse({
    referencePeriod: '30d',
    scaleToPeriod: true,
    minEvents: 10,
    windows: [
      { name: 'page-fast', long: '1h', short: '5m', budgetPercent: 2, action: 'page' },
      { name: 'ticket', long: '6h', short: '1h', budgetPercent: 10, action: 'ticket' },
    ],
  });

/** The expressions of an SLI over a window, or the reason it has none. */
function exprsAt(o: Spec, w: string) {
  const e = sliExpressions(o);
  return 'reason' in e ? e : { errors: e.errors(w), events: e.events(w), success: e.success(w) };
}
type Spec = ReturnType<typeof objective>;

describe('the period the burn windows scale to', () => {
  it("is a rolling window's days, or a calendar window's nominal 7, 30 or 91 days", () => {
    const day = 86_400_000;
    expect(nominalPeriodMs(objective({ window: { type: 'rolling', days: 28 } }))).toBe(28 * day);
    expect(nominalPeriodMs(objective({ window: { type: 'calendar', unit: 'week' } }))).toBe(7 * day);
    expect(nominalPeriodMs(objective({ window: { type: 'calendar', unit: 'month' } }))).toBe(30 * day);
    expect(nominalPeriodMs(objective({ window: { type: 'calendar', unit: 'quarter' } }))).toBe(91 * day);
  });
});

describe("an SLI's Prometheus expressions", () => {
  it('are none for an SLI without a source, from another data source, or measured by a threshold', () => {
    expect(exprsAt(withSource(undefined), '1h')).toEqual({
      reason: 'the SLI has no source query (its telemetry arrives through mapping rules)',
    });
    expect(
      exprsAt(withSource({ type: 'Datadog', good: { query: 'x' }, total: { query: 'y' } }), '1h'),
    ).toEqual({
      reason: 'the SLI comes from Datadog, not Prometheus',
    });
    expect(
      exprsAt(withSource({ type: 'Prometheus', threshold: { query: 'latency_seconds' } }), '1h'),
    ).toEqual({
      reason: 'a thresholdMetric SLI needs a histogram bucket; not generated',
    });
  });

  it('read the data source type whatever its case', () => {
    expect(exprsAt(withSource(counterSource({ type: 'PROMETHEUS' })), '1h')).toEqual({
      errors: `(sum(increase(${T}[1h])) - sum(increase(${G}[1h]))) / sum(increase(${T}[1h]))`,
      events: `sum(increase(${T}[1h]))`,
      success: `(sum(increase(${G}[1h])) / sum(increase(${T}[1h])))`,
    });
  });

  it('of good and total counters: errors are total less good over total, success good over total', () => {
    expect(exprsAt(withSource(counterSource()), '5m')).toEqual({
      errors: `(sum(increase(${T}[5m])) - sum(increase(${G}[5m]))) / sum(increase(${T}[5m]))`,
      events: `sum(increase(${T}[5m]))`,
      success: `(sum(increase(${G}[5m])) / sum(increase(${T}[5m])))`,
    });
  });

  it('of bad and total counters: errors are bad over total, success one less that; bad wins over good', () => {
    const expected = {
      errors: `sum(increase(${B}[6h])) / sum(increase(${T}[6h]))`,
      events: `sum(increase(${T}[6h]))`,
      success: `(1 - sum(increase(${B}[6h])) / sum(increase(${T}[6h])))`,
    };
    expect(exprsAt(withSource(counterSource({ good: undefined, bad: { query: BAD } })), '6h')).toEqual(
      expected,
    );
    expect(exprsAt(withSource(counterSource({ bad: { query: BAD } })), '6h')).toEqual(expected);
  });

  it('are none for counters unless the total and the good or bad query are each one counter selector', () => {
    const reason = { reason: 'a query is not a counter selector such as sum(rate(x{…}[5m]))' };
    expect(exprsAt(withSource(counterSource({ total: undefined })), '1h')).toEqual(reason);
    expect(exprsAt(withSource(counterSource({ good: undefined })), '1h')).toEqual(reason);
    expect(exprsAt(withSource(counterSource({ good: {} })), '1h')).toEqual(reason);
    expect(exprsAt(withSource(counterSource({ total: { query: 42 } })), '1h')).toEqual(reason);
    expect(exprsAt(withSource(counterSource({ total: { query: `${TOTAL} * 2` } })), '1h')).toEqual(reason);
  });

  it('are none for a ratio of per-window values (not counters)', () => {
    const reason = { reason: 'only counter ratio SLIs (ratioMetric.counter: true) get rules' };
    expect(exprsAt(withSource(counterSource({ counter: false })), '1h')).toEqual(reason);
    expect(exprsAt(withSource(counterSource({ counter: undefined })), '1h')).toEqual(reason);
  });

  it('of a raw success ratio: errors the mean of one less each series, events the samples counted', () => {
    const raw = { type: 'prometheus', rawType: 'success', raw: { query: 'sum(probe_success{job="probe"})' } };
    const expected = {
      errors: 'avg((1 - avg_over_time(probe_success{job="probe"}[1h])))',
      events: 'sum(count_over_time(probe_success{job="probe"}[1h]))',
      success: '(1 - avg((1 - avg_over_time(probe_success{job="probe"}[1h]))))',
    };
    expect(exprsAt(withSource(raw), '1h')).toEqual(expected);
    // A raw ratio of no stated type is read as successes.
    expect(exprsAt(withSource({ ...raw, rawType: undefined }), '1h')).toEqual(expected);
  });

  it('of a raw failure ratio: errors the mean of each series, success one less that', () => {
    const raw = { type: 'Prometheus', rawType: 'failure', raw: { query: 'probe_failed{job="probe"}' } };
    expect(exprsAt(withSource(raw), '30m')).toEqual({
      errors: 'avg(avg_over_time(probe_failed{job="probe"}[30m]))',
      events: 'sum(count_over_time(probe_failed{job="probe"}[30m]))',
      success: '(1 - avg(avg_over_time(probe_failed{job="probe"}[30m])))',
    });
  });

  it('are none for a raw query that is not a series selector, or has no query', () => {
    const reason = { reason: 'the raw query is not a series selector' };
    const raw = (spec: Record<string, unknown>) =>
      withSource({ type: 'Prometheus', rawType: 'success', raw: spec });
    expect(exprsAt(raw({ query: 'probe_success{job="probe"} * 100' }), '1h')).toEqual(reason);
    expect(exprsAt(raw({}), '1h')).toEqual(reason);
  });
});

describe('the badness of a slice', () => {
  const stub = {
    errors: (w: string) => `err[${w}]`,
    events: (w: string) => `ev[${w}]`,
    success: (w: string) => `ok[${w}]`,
  };
  const sliced = (method: string, emptySlices?: string) =>
    objective({
      budgetingMethod: method,
      timeSlice: { minutes: 10, target: 0.95, ...(emptySlices ? { emptySlices } : {}) },
    });

  it('is 1 when a timeslice misses its target, 0 otherwise, over the slice length; empty slices dropped by default', () => {
    expect(sliceBadness(sliced('timeslices'), stub)).toBe('((ok[10m] < bool 0.95) and on() (ev[10m] > 0))');
    expect(sliceBadness(sliced('timeslices', 'excluded'), stub)).toBe(
      '((ok[10m] < bool 0.95) and on() (ev[10m] > 0))',
    );
  });

  it('is the shortfall of a ratio timeslice; an empty slice counts 0 when good and 1 when bad', () => {
    expect(sliceBadness(sliced('ratio-timeslices'), stub)).toBe('((1 - ok[10m]) and on() (ev[10m] > 0))');
    expect(sliceBadness(sliced('ratio-timeslices', 'good'), stub)).toBe(
      '(((1 - ok[10m]) and on() (ev[10m] > 0)) or on() (ev[10m] * 0))',
    );
    expect(sliceBadness(sliced('ratio-timeslices', 'bad'), stub)).toBe(
      '(((1 - ok[10m]) and on() (ev[10m] > 0)) or on() (ev[10m] * 0 + 1))',
    );
  });
});

describe('the subquery range of the slices of a window', () => {
  it('reaches back to the first slice starting inside the window, or takes the last slice alone', () => {
    const L = 300_000;
    expect(sliceRangeMs(3 * L, L)).toBe(2 * L + 1);
    expect(sliceRangeMs(2 * L, L)).toBe(L + 1); // the boundary: one slice starts inside
    expect(sliceRangeMs(2 * L - 1, L)).toBe(L - 1);
    expect(sliceRangeMs(L, L)).toBe(L - 1);
    expect(sliceRangeMs(L / 2, L)).toBe(L - 1);
  });
});

/** The rules a group's labels hold. */
const labels = { accord_agreement: 'agr_1', accord_objective: 'checkout', accord_service: 'svc_c' };
const match = '{accord_agreement="agr_1", accord_objective="checkout"}';

describe('Prometheus rule groups', () => {
  it('write, for an occurrences objective, error and event recording rules per distinct window and an alert per window', () => {
    const targets: RuleTarget[] = [{ agreementId: 'agr_1', serviceId: 'svc_c', objective: objective() }];
    const errs = (w: string) =>
      `(sum(increase(${T}[${w}])) - sum(increase(${G}[${w}]))) / sum(increase(${T}[${w}]))`;
    expect(prometheusRules(targets, twoWindows())).toEqual({
      groups: [
        {
          name: 'accord/agr_1/checkout',
          rules: [
            { record: 'accord_slo:sli_error:ratio_rate5m', expr: errs('5m'), labels },
            { record: 'accord_slo:sli_events:increase5m', expr: `sum(increase(${T}[5m]))`, labels },
            { record: 'accord_slo:sli_error:ratio_rate1h', expr: errs('1h'), labels },
            { record: 'accord_slo:sli_events:increase1h', expr: `sum(increase(${T}[1h]))`, labels },
            { record: 'accord_slo:sli_error:ratio_rate6h', expr: errs('6h'), labels },
            { record: 'accord_slo:sli_events:increase6h', expr: `sum(increase(${T}[6h]))`, labels },
            {
              alert: 'AccordErrorBudgetBurn',
              expr:
                `accord_slo:sli_error:ratio_rate1h${match} > 0.0144\n` +
                `and accord_slo:sli_error:ratio_rate5m${match} > 0.0144\n` +
                `and accord_slo:sli_events:increase1h${match} >= 10\n` +
                `and accord_slo:sli_events:increase5m${match} >= 10`,
              labels: { ...labels, accord_window: 'page-fast', severity: 'page' },
              annotations: {
                summary: 'Checkout works: error budget burning faster than 14.4x (page-fast)',
                description:
                  'Over both 1h and 5m, more than 0.0144 of events failed (14.4 × (1 − 99.9%)), each window holding at least 10 events: page.',
              },
            },
            {
              alert: 'AccordErrorBudgetBurn',
              expr:
                `accord_slo:sli_error:ratio_rate6h${match} > 0.012\n` +
                `and accord_slo:sli_error:ratio_rate1h${match} > 0.012\n` +
                `and accord_slo:sli_events:increase6h${match} >= 10\n` +
                `and accord_slo:sli_events:increase1h${match} >= 10`,
              labels: { ...labels, accord_window: 'ticket', severity: 'ticket' },
              annotations: {
                summary: 'Checkout works: error budget burning faster than 12x (ticket)',
                description:
                  'Over both 6h and 1h, more than 0.012 of events failed (12 × (1 − 99.9%)), each window holding at least 10 events: open a ticket.',
              },
            },
          ],
        },
      ],
      skipped: [],
    });
  });

  it('burn slices for a timeslice objective: the share of bad slices over each window, by a subquery stepping per slice', () => {
    const o = objective({ budgetingMethod: 'timeslices', timeSlice: { minutes: 5, target: 0.95 } });
    const { groups } = prometheusRules(
      [{ agreementId: 'agr_1', serviceId: 'svc_c', objective: o }],
      twoWindows(),
    );
    const bad = `(((sum(increase(${G}[5m])) / sum(increase(${T}[5m]))) < bool 0.95) and on() (sum(increase(${T}[5m])) > 0))`;
    const rules = groups[0]!.rules;
    expect(rules.slice(0, 6)).toEqual([
      { record: 'accord_slo:slice_bad:ratio_rate5m', expr: `avg_over_time(${bad}[299999ms:5m])`, labels },
      { record: 'accord_slo:sli_events:increase5m', expr: `sum(increase(${T}[5m]))`, labels },
      { record: 'accord_slo:slice_bad:ratio_rate1h', expr: `avg_over_time(${bad}[3300001ms:5m])`, labels },
      { record: 'accord_slo:sli_events:increase1h', expr: `sum(increase(${T}[1h]))`, labels },
      { record: 'accord_slo:slice_bad:ratio_rate6h', expr: `avg_over_time(${bad}[21300001ms:5m])`, labels },
      { record: 'accord_slo:sli_events:increase6h', expr: `sum(increase(${T}[6h]))`, labels },
    ]);
    expect(rules.slice(6).map((r) => [r.expr, r.annotations?.description])).toEqual([
      [
        `accord_slo:slice_bad:ratio_rate1h${match} > 0.0144\n` +
          `and accord_slo:slice_bad:ratio_rate5m${match} > 0.0144\n` +
          `and accord_slo:sli_events:increase1h${match} >= 10\n` +
          `and accord_slo:sli_events:increase5m${match} >= 10`,
        'Over both 1h and 5m, more than 0.0144 of 5-minute slices missed 0.95 (14.4 × (1 − 99.9%)), each window holding at least 10 events: page.',
      ],
      [
        `accord_slo:slice_bad:ratio_rate6h${match} > 0.012\n` +
          `and accord_slo:slice_bad:ratio_rate1h${match} > 0.012\n` +
          `and accord_slo:sli_events:increase6h${match} >= 10\n` +
          `and accord_slo:sli_events:increase1h${match} >= 10`,
        'Over both 6h and 1h, more than 0.012 of 5-minute slices missed 0.95 (12 × (1 − 99.9%)), each window holding at least 10 events: open a ticket.',
      ],
    ]);
  });

  it('describe a ratio-timeslice alert by the mean shortfall of its slices, stepping by the slice length', () => {
    const o = objective({ budgetingMethod: 'ratio-timeslices', timeSlice: { minutes: 30, target: 0.9 } });
    const { groups } = prometheusRules(
      [{ agreementId: 'agr_1', serviceId: 'svc_c', objective: o }],
      twoWindows(),
    );
    const rules = groups[0]!.rules;
    const bad = `((1 - (sum(increase(${G}[30m])) / sum(increase(${T}[30m])))) and on() (sum(increase(${T}[30m])) > 0))`;
    expect(rules[0]).toEqual({
      record: 'accord_slo:slice_bad:ratio_rate5m',
      expr: `avg_over_time(${bad}[1799999ms:30m])`,
      labels,
    });
    expect(rules[4]!.expr).toBe(`avg_over_time(${bad}[19800001ms:30m])`);
    expect(rules.filter((r) => r.alert).map((r) => r.annotations?.description)).toEqual([
      'Over both 1h and 5m, more than 0.0144 of 30-minute slices fell short (mean shortfall) (14.4 × (1 − 99.9%)), each window holding at least 10 events: page.',
      'Over both 6h and 1h, more than 0.012 of 30-minute slices fell short (mean shortfall) (12 × (1 − 99.9%)), each window holding at least 10 events: open a ticket.',
    ]);
  });

  it('ignore the slices of an occurrences objective that states them', () => {
    const o = objective({ timeSlice: { minutes: 5, target: 0.95 } });
    const { groups } = prometheusRules(
      [{ agreementId: 'agr_1', serviceId: 'svc_c', objective: o }],
      twoWindows(),
    );
    expect(groups[0]!.rules.map((r) => r.record ?? r.alert)).toEqual([
      'accord_slo:sli_error:ratio_rate5m',
      'accord_slo:sli_events:increase5m',
      'accord_slo:sli_error:ratio_rate1h',
      'accord_slo:sli_events:increase1h',
      'accord_slo:sli_error:ratio_rate6h',
      'accord_slo:sli_events:increase6h',
      'AccordErrorBudgetBurn',
      'AccordErrorBudgetBurn',
    ]);
  });

  it('are written for each objective with its own source, period and target, and the others skipped with why', () => {
    const probe = { type: 'Prometheus', rawType: 'failure', raw: { query: 'probe_failed{job="probe"}' } };
    const targets: RuleTarget[] = [
      { agreementId: 'agr_1', serviceId: 'svc_c', objective: objective() },
      {
        agreementId: 'agr_1',
        serviceId: 'svc_c',
        objective: objective({ id: 'none', sli: { type: 'availability' } }),
      },
      {
        agreementId: 'agr_2',
        serviceId: 'svc_p',
        objective: objective({
          id: 'probe',
          target: 99.95,
          window: { type: 'calendar', unit: 'week' },
          sli: { type: 'availability', source: probe },
        }),
      },
      { agreementId: 'agr_2', serviceId: 'svc_p', objective: objective({ id: 'again' }) },
      { agreementId: 'agr_3', serviceId: 'svc_d', objective: withSource({ type: 'Datadog' }) },
    ];
    const { groups, skipped } = prometheusRules(targets, twoWindows());
    expect(groups.map((g) => g.name)).toEqual([
      'accord/agr_1/checkout',
      'accord/agr_2/probe',
      'accord/agr_2/again',
    ]);
    expect(skipped).toEqual([
      {
        agreementId: 'agr_1',
        objectiveId: 'none',
        reason: 'the SLI has no source query (its telemetry arrives through mapping rules)',
      },
      { agreementId: 'agr_3', objectiveId: 'checkout', reason: 'the SLI comes from Datadog, not Prometheus' },
    ]);
    // A week scales the windows by 7/30 (1h → 15m, 6h → 85m, in 5-minute buckets); the thresholds stay.
    const probeRules = groups[1]!.rules;
    expect(probeRules.map((r) => r.record ?? r.alert)).toEqual([
      'accord_slo:sli_error:ratio_rate5m',
      'accord_slo:sli_events:increase5m',
      'accord_slo:sli_error:ratio_rate15m',
      'accord_slo:sli_events:increase15m',
      'accord_slo:sli_error:ratio_rate85m',
      'accord_slo:sli_events:increase85m',
      'AccordErrorBudgetBurn',
      'AccordErrorBudgetBurn',
    ]);
    expect(probeRules[0]!.expr).toBe('avg(avg_over_time(probe_failed{job="probe"}[5m]))');
    expect(probeRules[0]!.labels).toEqual({
      accord_agreement: 'agr_2',
      accord_objective: 'probe',
      accord_service: 'svc_p',
    });
    // 14.4 × 0.05% = 0.0072 exactly, not the float product.
    expect(probeRules[6]!.expr.split('\n')[0]).toBe(
      'accord_slo:sli_error:ratio_rate15m{accord_agreement="agr_2", accord_objective="probe"} > 0.0072',
    );
    expect(probeRules[7]!.annotations).toEqual({
      summary: 'Checkout works: error budget burning faster than 12x (ticket)',
      description:
        'Over both 85m and 15m, more than 0.006 of events failed (12 × (1 − 99.95%)), each window holding at least 10 events: open a ticket.',
    });
    // The same source as the first objective gives the same rules, under its own labels.
    expect(groups[2]!.rules[0]).toEqual({
      ...groups[0]!.rules[0],
      labels: { accord_agreement: 'agr_2', accord_objective: 'again', accord_service: 'svc_p' },
    });
    expect(groups[2]!.rules[6]!.expr.split('\n')[0]).toBe(
      'accord_slo:sli_error:ratio_rate1h{accord_agreement="agr_2", accord_objective="again"} > 0.0144',
    );
  });

  it('quote label values in the alert matchers as Prometheus strings', () => {
    const o = objective({ id: 'checkout' });
    const { groups } = prometheusRules(
      [{ agreementId: 'agr_"x"', serviceId: 'svc_c', objective: o }],
      twoWindows(),
    );
    expect(groups[0]!.rules[6]!.expr.split('\n')[2]).toBe(
      'and accord_slo:sli_events:increase1h{accord_agreement="agr_\\"x\\"", accord_objective="checkout"} >= 10',
    );
  });
});

describe('the rule file text', () => {
  it('writes each group and rule with every scalar double-quoted, a shared label map each time, and for only when set', () => {
    const shared = { a: 'x"y', b: '2' };
    const groups: RuleGroup[] = [
      {
        name: 'g/1',
        rules: [
          { record: 'r:one', expr: 'sum(x)', labels: shared },
          {
            alert: 'Burn',
            expr: 'r:one > 1\nand y',
            for: '5m',
            labels: shared,
            annotations: { summary: 'héllo − ×' },
          },
          { record: 'r:two', expr: 'z' },
          { record: 'r:three', expr: 'w', labels: { c: '3' } },
        ],
      },
      { name: 'g/2', rules: [] },
    ];
    expect(rulesFileText(groups)).toBe(
      [
        'groups:',
        '  - name: "g/1"',
        '    rules:',
        '      - record: "r:one"',
        '        expr: "sum(x)"',
        '        labels:',
        '          a: "x\\"y"',
        '          b: "2"',
        '      - alert: "Burn"',
        '        expr: "r:one > 1\\nand y"',
        '        for: "5m"',
        '        labels:',
        '          a: "x\\"y"',
        '          b: "2"',
        '        annotations:',
        '          summary: "héllo − ×"',
        '      - record: "r:two"',
        '        expr: "z"',
        '      - record: "r:three"',
        '        expr: "w"',
        '        labels:',
        '          c: "3"',
        '  - name: "g/2"',
        '    rules:',
        '',
      ].join('\n'),
    );
    expect(parseYaml(rulesFileText(groups)).groups[0].rules[1]).toEqual(groups[0]!.rules[1]);
  });

  it('holds a rule text of megabytes whole, multi-byte characters included', () => {
    // 2.1 MB of UTF-8 in 700,000 characters: more than twice the first buffer.
    const wide = `sum(${'€'.repeat(700_000)})`;
    const rules: PrometheusRule[] = [
      { record: 'before', expr: 'a' },
      { record: 'wide', expr: wide },
      { record: 'after', expr: 'b' },
    ];
    expect(rulesFileText([{ name: 'g', rules }])).toBe(
      'groups:\n  - name: "g"\n    rules:\n' +
        '      - record: "before"\n        expr: "a"\n' +
        `      - record: "wide"\n        expr: "${wide}"\n` +
        '      - record: "after"\n        expr: "b"\n',
    );
  });

  it('of objectives is the text of their groups, with the number of groups and the objectives skipped', () => {
    const targets: RuleTarget[] = [
      { agreementId: 'agr_1', serviceId: 'svc_c', objective: objective() },
      {
        agreementId: 'agr_1',
        serviceId: 'svc_c',
        objective: objective({
          id: 'sliced',
          budgetingMethod: 'timeslices',
          timeSlice: { minutes: 5, target: 0.9 },
        }),
      },
      { agreementId: 'agr_1', serviceId: 'svc_d', objective: withSource({ type: 'Datadog' }) },
    ];
    const file = prometheusRulesFile(targets, twoWindows());
    const result = prometheusRules(targets, twoWindows());
    expect(file).toEqual({ text: rulesFileText(result.groups), groups: 2, skipped: result.skipped });
    expect(parseYaml(file.text)).toEqual({ groups: result.groups });
  });
});

describe('a threshold written into an alert expression', () => {
  it('is a PromQL number even when the exact threshold does not end: the nearest float64, not a cut decimal', () => {
    // 2 % of 30 days within 7 hours: X = 2 · 720 / (100 · 7) = 2.057142857142857…; X · (1 − 99.9 %) does not end.
    const policy = BurnWindowPolicy.parse({
      referencePeriod: '30d',
      scaleToPeriod: true,
      minEvents: 10,
      windows: [{ name: 'page', long: '7h', short: '35m', budgetPercent: 2, action: 'page' }],
    });
    const r = prometheusRules(
      [{ agreementId: 'agr_1', serviceId: 'svc_checkout', objective: objective() }],
      policy,
    );
    const alert = r.groups[0]!.rules.find((x) => 'alert' in x && x.alert)!;
    expect(alert.expr.split('\n')[0]).toBe(
      'accord_slo:sli_error:ratio_rate7h{accord_agreement="agr_1", accord_objective="checkout"} > 0.002057142857142857',
    );
    expect(alert.annotations?.summary).toBe(
      'Checkout works: error budget burning faster than 2.057142…x (page)',
    );
  });

  it('keeps an exact decimal when it ends within 15 places', () => {
    expect(promNumber({ n: 144n, d: 10_000n })).toBe('0.0144');
    expect(promNumber({ n: 1n, d: 10n ** 15n })).toBe('0.000000000000001');
    expect(promNumber({ n: 1n, d: 3n })).toBe('0.3333333333333333');
  });
});
