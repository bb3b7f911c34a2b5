import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type PrometheusRule, prometheusRules, type RuleTarget } from '../../shared/domain/openslo/rules.js';
import { DEFAULT_BURN_WINDOWS } from '../../shared/policy/objectives.js';
import { Objective } from '../../shared/schemas/agreement.js';
import { rulesYaml } from '../../shared/usecases/ecosystem.js';
import { promtool } from '../helpers/prometheus.js';

/**
 * The generated rules checked by the real promtool (Debian's `prometheus` package; test/setup/system-deps.sh
 * installs it): `promtool check rules` on the file, then `promtool test rules` with synthetic series in which each
 * burn-rate alert of the engine's table must fire when, and only when, the engine would page or ticket.
 */

const AGR = 'agr_01TESTPROMTOOL00';
const objective = (id: string, job: string, over: Record<string, unknown> = {}) =>
  Objective.parse({
    id,
    name: `Requests of ${job} succeed`,
    sli: {
      type: 'availability',
      name: `${job}-requests`,
      source: {
        type: 'Prometheus',
        dataSource: 'prometheus-main',
        counter: true,
        good: { query: `sum(rate(http_requests_total{job="${job}", code!~"5.."}[5m]))` },
        total: { query: `sum(rate(http_requests_total{job="${job}"}[5m]))` },
      },
    },
    target: 99.9,
    window: { type: 'rolling', days: 30 },
    owner: { name: 'O', email: 'o@example.com' },
    customerContact: { name: 'C', email: 'c@example.com' },
    ...over,
  });

const targets: RuleTarget[] = [
  { agreementId: AGR, serviceId: 'svc_checkout', objective: objective('checkout', 'checkout') },
  { agreementId: AGR, serviceId: 'svc_quiet', objective: objective('quiet', 'quiet') },
  {
    agreementId: AGR,
    serviceId: 'svc_probe',
    objective: objective('probe', 'probe', {
      window: { type: 'calendar', unit: 'month' },
      sli: {
        type: 'availability',
        name: 'probe',
        source: {
          type: 'Prometheus',
          counter: false,
          rawType: 'success',
          raw: { query: 'probe_success{job="probe"}' },
        },
      },
    }),
  },
  {
    agreementId: AGR,
    serviceId: 'svc_dd',
    objective: objective('datadog', 'dd', {
      sli: {
        type: 'availability',
        name: 'dd',
        source: { type: 'Datadog', good: { query: 'x' }, total: { query: 'y' } },
      },
    }),
  },
];

const result = prometheusRules(targets, DEFAULT_BURN_WINDOWS);
let dir = '';
const alertsOf = (objectiveId: string) =>
  result.groups
    .find((g) => g.name.endsWith(`/${objectiveId}`))!
    .rules.filter((r) => r.alert) as (PrometheusRule & {
    labels: Record<string, string>;
    annotations: Record<string, string>;
  })[];
const expected = (objectiveId: string, ...windows: string[]) =>
  alertsOf(objectiveId)
    .filter((r) => windows.includes(r.labels.accord_window ?? ''))
    .map((r) => ({ exp_labels: r.labels, exp_annotations: r.annotations }));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'accord-promtool-'));
  writeFileSync(join(dir, 'rules.yaml'), rulesYaml(result));
});

describe('Prometheus rules from the engine burn-rate table', () => {
  it('writes rules for Prometheus SLIs only and says why the others have none', () => {
    expect(result.groups.map((g) => g.name)).toEqual([
      `accord/${AGR}/checkout`,
      `accord/${AGR}/quiet`,
      `accord/${AGR}/probe`,
    ]);
    expect(result.skipped).toEqual([
      { agreementId: AGR, objectiveId: 'datadog', reason: 'the SLI comes from Datadog, not Prometheus' },
    ]);
    // 30 days: the Workbook's table as is; 99.9%: 14.4 × 0.001 = 0.0144 exactly
    expect(alertsOf('checkout')[0]!.expr).toContain(
      'accord_slo:sli_error:ratio_rate1h{accord_agreement="agr_01TESTPROMTOOL00", accord_objective="checkout"} > 0.0144',
    );
    expect(alertsOf('checkout').map((r) => r.labels.severity)).toEqual(['page', 'page', 'ticket']);
  });

  it('passes promtool check rules', () => {
    const out = promtool(['check', 'rules', 'rules.yaml'], dir);
    // 3 groups: 5 distinct windows (5m, 30m, 1h, 6h, 3d) × 2 recording rules (errors, events) + 3 alerts each
    expect(out).toMatch(/SUCCESS: 39 rules found/);
  });

  it('fires each alert when, and only when, both windows burn above its threshold with enough events (promtool test rules)', () => {
    // checkout (sampled every 5 minutes, as a scrape might be, to keep promtool quick): 1,000 good requests a minute
    // throughout; from minute 4320 (3 days in) 20 failures a minute for 240 minutes (1.96% errors), then none.
    // Hand-computed crossing points (Δ minutes into the incident):
    //   page-fast (1h > 1.44%):  20Δ·0.9856 > 864   → Δ > 43.8
    //   page-slow (6h > 0.6%):   20Δ·0.994  > 2160  → Δ > 108.7
    //   ticket    (3d > 0.1%):   20Δ·0.999  > 4320  → Δ > 216.2
    // After the incident the short windows clear first: page-fast stops within 5 minutes, page-slow within 30.
    const checkout = {
      interval: '5m',
      input_series: [
        { series: 'http_requests_total{job="checkout", code="200"}', values: '0+5000x960' },
        { series: 'http_requests_total{job="checkout", code="500"}', values: '0x863 0+100x48 4800x47' },
      ],
      alert_rule_test: [
        { eval_time: '72h40m', alertname: 'AccordErrorBudgetBurn', exp_alerts: [] },
        {
          eval_time: '72h50m',
          alertname: 'AccordErrorBudgetBurn',
          exp_alerts: expected('checkout', 'page-fast'),
        },
        {
          eval_time: '73h45m',
          alertname: 'AccordErrorBudgetBurn',
          exp_alerts: expected('checkout', 'page-fast'),
        },
        {
          eval_time: '73h55m',
          alertname: 'AccordErrorBudgetBurn',
          exp_alerts: expected('checkout', 'page-fast', 'page-slow'),
        },
        {
          eval_time: '75h30m',
          alertname: 'AccordErrorBudgetBurn',
          exp_alerts: expected('checkout', 'page-fast', 'page-slow'),
        },
        {
          eval_time: '75h45m',
          alertname: 'AccordErrorBudgetBurn',
          exp_alerts: expected('checkout', 'page-fast', 'page-slow', 'ticket'),
        },
        {
          eval_time: '76h10m',
          alertname: 'AccordErrorBudgetBurn',
          exp_alerts: expected('checkout', 'page-slow', 'ticket'),
        },
        {
          eval_time: '76h40m',
          alertname: 'AccordErrorBudgetBurn',
          exp_alerts: expected('checkout', 'ticket'),
        },
      ],
    };
    // quiet: one request a minute, every one failing for 7 hours: 100% errors, but 5 events in 5 minutes is too few
    // to judge (minEvents 10), so page-fast never fires; page-slow (30 min) and ticket (6 h) have enough.
    const quiet = {
      interval: '1m',
      input_series: [
        { series: 'http_requests_total{job="quiet", code="200"}', values: '0x420' },
        { series: 'http_requests_total{job="quiet", code="500"}', values: '0+1x420' },
      ],
      alert_rule_test: [
        {
          eval_time: '6h',
          alertname: 'AccordErrorBudgetBurn',
          exp_alerts: expected('quiet', 'page-slow', 'ticket'),
        },
      ],
    };
    // probe: a calendar month (nominal 30 days): a success ratio, one probe a minute, failing from 2h on. Each probe
    // is one event (as Accord's ratio measure counts it), so 5 minutes hold too few to page fast.
    const probe = {
      interval: '1m',
      input_series: [{ series: 'probe_success{job="probe"}', values: '1x119 0x60' }],
      alert_rule_test: [
        { eval_time: '1h50m', alertname: 'AccordErrorBudgetBurn', exp_alerts: [] },
        {
          eval_time: '2h30m',
          alertname: 'AccordErrorBudgetBurn',
          exp_alerts: expected('probe', 'page-slow', 'ticket'),
        },
      ],
    };
    writeFileSync(
      join(dir, 'tests.yaml'),
      stringify(
        { rule_files: ['rules.yaml'], evaluation_interval: '5m', tests: [checkout, quiet, probe] },
        { lineWidth: 0 },
      ),
    );
    const out = promtool(['test', 'rules', 'tests.yaml'], dir);
    expect(out).toMatch(/SUCCESS/);
  });

  it('makes promtool fail when an expectation is wrong, so the test above can fail', () => {
    writeFileSync(
      join(dir, 'wrong.yaml'),
      stringify({
        rule_files: ['rules.yaml'],
        evaluation_interval: '5m',
        tests: [
          {
            interval: '1m',
            input_series: [
              { series: 'http_requests_total{job="quiet", code="200"}', values: '0x420' },
              { series: 'http_requests_total{job="quiet", code="500"}', values: '0+1x420' },
            ],
            // page-fast cannot fire on 5 events in 5 minutes
            alert_rule_test: [
              {
                eval_time: '6h',
                alertname: 'AccordErrorBudgetBurn',
                exp_alerts: expected('quiet', 'page-fast', 'page-slow', 'ticket'),
              },
            ],
          },
        ],
      }),
    );
    expect(() => promtool(['test', 'rules', 'wrong.yaml'], dir)).toThrow(/FAILED/);
  });
});
