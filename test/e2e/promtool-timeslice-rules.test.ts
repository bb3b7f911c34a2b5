import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MemoryRollupStore } from '../../shared/adapters/memory/rollups.js';
import type { EvaluationResult } from '../../shared/domain/objectives/types.js';
import { prometheusRules, type RuleTarget } from '../../shared/domain/openslo/rules.js';
import { DEFAULT_BURN_WINDOWS } from '../../shared/policy/objectives.js';
import { Objective } from '../../shared/schemas/agreement.js';
import { rulesYaml } from '../../shared/usecases/ecosystem.js';
import { promtool } from '../helpers/prometheus.js';
import { ctx, evaluate, fill } from '../unit/objectives/helpers.js';

/**
 * Prometheus rules of a TIMESLICE objective burn slices, as Accord's engine does (a slice is bad when its own ratio
 * misses timeSliceTarget; burn = bad slices / slices / (1 − target)), not request ratios. Checked by the real
 * promtool: `check rules`, and `test rules` on synthetic series where each alert must fire when, and only when, the
 * engine pages, the engine being run on the same data (5-minute rollups) in this test and its burn rates compared
 * with the recording rules' values at the same instants.
 *
 * The data: 1,000 requests a minute. For 3 days (minutes 0–4320) 4% fail: every 5-minute slice is good (96% ≥ 95%),
 * so nothing burns, although a request-ratio rule would open the ticket (4% > 1 × 1%). Then 6% fail for 60 minutes
 * (4320–4380): every slice of that hour is bad. Then 4% again. At 4320 + Δ (Δ a multiple of 5, ≤ 60), Δ/5 slices
 * are bad. Hand-computed (99% of slices, rolling 30 days: 1 h/5 min 14.4x, 6 h/30 min 6x, 3 d/6 h 1x):
 *   page-fast: (Δ/5)/12 > 0.144 and the last slice bad      → fires from Δ = 10 (2/12), not at Δ = 5 (1/12)
 *   page-slow: (Δ/5)/72 > 0.06 and (Δ/5)/6 > 0.06            → fires from Δ = 25 (5/72), not at Δ = 20 (4/72)
 *   ticket:    (Δ/5)/864 > 0.01 and (Δ/5)/72 > 0.01           → fires from Δ = 45 (9/864), not at Δ = 40 (8/864)
 * At 4385 the last slice is good again: page-fast stops; page-slow (12/72, 6 bad of the last 6 slices… then fewer)
 * and ticket go on.
 */

const AGR = 'agr_01TESTSLICES0000';
const MIN = 60_000;
const spec = (id: string, over: Record<string, unknown>) =>
  Objective.parse({
    id,
    name: `Requests of ${id}`,
    sli: {
      type: 'availability',
      name: `${id}-requests`,
      source: {
        type: 'Prometheus',
        counter: true,
        good: { query: `sum(rate(http_requests_total{job="${id}", code!~"5.."}[5m]))` },
        total: { query: `sum(rate(http_requests_total{job="${id}"}[5m]))` },
      },
    },
    target: 99,
    window: { type: 'rolling', days: 30 },
    owner: { name: 'O', email: 'o@example.com' },
    customerContact: { name: 'C', email: 'c@example.com' },
    ...over,
  });
const sliced = spec('api', { budgetingMethod: 'timeslices', timeSlice: { minutes: 5, target: 0.95 } });
const ratioSliced = spec('ratio', {
  budgetingMethod: 'ratio-timeslices',
  timeSlice: { minutes: 5, target: 0.95, emptySlices: 'bad' },
});
const targets: RuleTarget[] = [
  { agreementId: AGR, serviceId: 'svc_api', objective: sliced },
  { agreementId: AGR, serviceId: 'svc_api', objective: ratioSliced },
];
const result = prometheusRules(targets, DEFAULT_BURN_WINDOWS);

/** Good and failed requests per minute m (the minute's increment, m ≥ 1). */
const perMinute = (m: number): [good: number, bad: number] => (m > 4320 && m <= 4380 ? [940, 60] : [960, 40]);
const LAST = 4440;
function counterValues(which: 0 | 1): string {
  const v = [0];
  for (let m = 1; m <= LAST; m++) v.push(v[m - 1]! + perMinute(m)[which]);
  return v.join(' ');
}

/** The engine on the same data: 5-minute rollups from T0 (promtool's minute 0) to T0 + minute. */
const T0 = Date.UTC(2026, 9, 1);
const engineAt = new Map<number, EvaluationResult>();
async function engine(minute: number): Promise<EvaluationResult> {
  const s = new MemoryRollupStore();
  await fill(s, 'svc_pay/availability', T0, T0 + minute * MIN, (t) => {
    const m0 = (t - T0) / MIN; // the bucket holds minutes m0 + 1 … m0 + 5
    let good = 0;
    let total = 0;
    for (let m = m0 + 1; m <= m0 + 5; m++) {
      const [g, b] = perMinute(m);
      good += g;
      total += g + b;
    }
    return [good, total];
  });
  return evaluate(
    s,
    ctx({
      budgetingMethod: 'timeslices',
      timeSlice: { minutes: 5, target: 0.95 },
      target: 99,
      window: { type: 'rolling', days: 30 },
    }),
    T0 + minute * MIN,
  );
}

const CHECKS = [4320, 4325, 4330, 4340, 4345, 4360, 4365, 4385] as const;
const group = (id: string) => result.groups.find((g) => g.name === `accord/${AGR}/${id}`)!;
const labelsOf = (id: string) => ({ accord_agreement: AGR, accord_objective: id, accord_service: 'svc_api' });

let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'accord-promtool-slices-'));
  writeFileSync(join(dir, 'rules.yaml'), rulesYaml(result));
  for (const m of CHECKS) engineAt.set(m, await engine(m));
}, 60_000);

describe('Prometheus rules of timeslice objectives (promtool)', () => {
  it('record the share of bad slices per burn window, not the request error ratio', () => {
    const records = group('api')
      .rules.filter((r) => r.record)
      .map((r) => r.record);
    expect(records).toContain('accord_slo:slice_bad:ratio_rate1h');
    expect(records).not.toContain('accord_slo:sli_error:ratio_rate1h');
    const oneHour = group('api').rules.find((r) => r.record === 'accord_slo:slice_bad:ratio_rate1h')!;
    // The 12 slices that start inside the hour: end points T − 55 min … T (+1 ms: Prometheus 3's left-open ranges).
    expect(oneHour.expr).toMatch(/^avg_over_time\(.*< bool 0\.95\).*\[3300001ms:5m\]\)$/s);
    const fiveMin = group('api').rules.find((r) => r.record === 'accord_slo:slice_bad:ratio_rate5m')!;
    expect(fiveMin.expr).toMatch(/\[299999ms:5m\]\)$/);
    // Ratio timeslices: each slice's shortfall; empty slices count as bad, as the objective says.
    const ratio = group('ratio').rules.find((r) => r.record === 'accord_slo:slice_bad:ratio_rate1h')!;
    expect(ratio.expr).toContain('(1 - (sum(increase(');
    expect(ratio.expr).toContain('* 0 + 1))');
    expect(group('api').rules.find((r) => r.alert)!.expr).toContain(
      'accord_slo:slice_bad:ratio_rate1h{accord_agreement="agr_01TESTSLICES0000", accord_objective="api"} > 0.144',
    );
  });

  it('passes promtool check rules', () => {
    // 2 groups: 5 windows × 2 recording rules + 3 alerts
    expect(promtool(['check', 'rules', 'rules.yaml'], dir)).toMatch(/SUCCESS: 26 rules found/);
  });

  it('the engine pages exactly at the hand-computed slices', () => {
    const firing = (m: number) =>
      engineAt
        .get(m)!
        .burnRates.filter((b) => b.firing)
        .map((b) => b.name);
    expect(firing(4320)).toEqual([]);
    expect(firing(4325)).toEqual([]);
    expect(firing(4330)).toEqual(['page-fast']);
    expect(firing(4340)).toEqual(['page-fast']);
    expect(firing(4345)).toEqual(['page-fast', 'page-slow']);
    expect(firing(4360)).toEqual(['page-fast', 'page-slow']);
    expect(firing(4365)).toEqual(['page-fast', 'page-slow', 'ticket']);
    expect(firing(4385)).toEqual(['page-slow', 'ticket']);
    // 4% of requests failing for 3 days burns nothing: every slice is good.
    expect(engineAt.get(4320)!.burnRates.map((b) => b.long.burnRate)).toEqual([0, 0, 0]);
  });

  it('fire in Prometheus when, and only when, the engine pages, and record the engine’s burn rates (promtool test rules)', () => {
    const api = labelsOf('api');
    const alertsFor = (names: string[]) =>
      group('api')
        .rules.filter((r) => r.alert && names.includes(r.labels!.accord_window!))
        .map((r) => ({ exp_labels: r.labels, exp_annotations: r.annotations }));
    const windows = ['1h', '5m', '6h', '30m', '3d'];
    const minutesOf = { '5m': 5, '30m': 30, '1h': 60, '6h': 360, '3d': 4320 } as Record<string, number>;
    const series = (code: string, which: 0 | 1) => ({
      series: `http_requests_total{job="api", code="${code}"}`,
      values: counterValues(which),
    });
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '5m',
      tests: [
        {
          interval: '1m',
          input_series: [
            series('200', 0),
            series('500', 1),
            // The ratio-timeslice objective's job: no requests at all, so each slice is empty and counts as bad.
            { series: 'http_requests_total{job="ratio", code="200"}', values: `0x${LAST}` },
          ],
          alert_rule_test: CHECKS.map((m) => ({
            eval_time: `${m}m`,
            alertname: 'AccordErrorBudgetBurn',
            exp_alerts: alertsFor(
              engineAt
                .get(m)!
                .burnRates.filter((b) => b.firing)
                .map((b) => b.name),
            ),
          })),
          // The recording rules' bad-slice share = the engine's burn rate × (1 − 99%), window by window, with the
          // engine's own slice counts.
          promql_expr_test: CHECKS.flatMap((m) =>
            windows.map((w) => {
              const fig = engineAt
                .get(m)!
                .burnRates.flatMap((b) => [b.long, b.short])
                .find((x) => x.minutes === minutesOf[w])!;
              const bad = Math.round(fig.burnRate! * 0.01 * fig.slices!);
              // As a count of bad slices (share × slices, rounded): Prometheus's running mean differs from bad/slices
              // in the last bit, and promtool compares exactly.
              return {
                expr: `round(accord_slo:slice_bad:ratio_rate${w}{accord_objective="api"} * ${fig.slices})`,
                eval_time: `${m}m`,
                exp_samples: [
                  {
                    labels: `{${Object.entries(api)
                      .map(([k, v]) => `${k}="${v}"`)
                      .join(',')}}`,
                    value: bad,
                  },
                ],
              };
            }),
          ),
        },
      ],
    };
    writeFileSync(join(dir, 'tests.yaml'), stringify(tests));
    const out = promtool(['test', 'rules', 'tests.yaml'], dir);
    expect(out).toContain('SUCCESS');
    // promtool evaluates these series for about a minute on a quiet machine; on a loaded one it took 154 s.
  }, 300_000);

  it('make promtool fail on a wrong expectation (the test can fail)', () => {
    const wrong = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '5m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: 'http_requests_total{job="api", code="200"}', values: counterValues(0) },
            { series: 'http_requests_total{job="api", code="500"}', values: counterValues(1) },
          ],
          // A request-ratio rule would ticket here (4% > 1%); the slice rule must not.
          alert_rule_test: [
            {
              eval_time: '4320m',
              alertname: 'AccordErrorBudgetBurn',
              exp_alerts: [
                { exp_labels: { ...labelsOf('api'), accord_window: 'ticket', severity: 'ticket' } },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'wrong.yaml'), stringify(wrong));
    expect(() => promtool(['test', 'rules', 'wrong.yaml'], dir)).toThrow(/FAILED/);
  }, 120_000);
});
