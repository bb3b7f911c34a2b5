import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportOpenSlo, type ImportContext, importOpenSlo } from '../../../shared/domain/openslo/convert.js';
import { parseOpenSlo, writeOpenSlo } from '../../../shared/domain/openslo/yaml.js';
import { DEFAULT_BURN_WINDOWS } from '../../../shared/policy/objectives.js';
import { Objective } from '../../../shared/schemas/agreement.js';

const EVERY_KIND = readFileSync(new URL('../../fixtures/openslo/every-kind.yaml', import.meta.url), 'utf8');
const CTX: ImportContext = {
  serviceId: 'svc_payments-gateway',
  timeZone: 'Europe/London',
  defaultOwner: { name: 'Pat Owner', email: 'pat@example.com' },
  defaultCustomerContact: { name: 'Cus Tomer', email: 'cus@example.com' },
};

function importText(text: string, ctx = CTX) {
  const parsed = parseOpenSlo(text);
  const r = importOpenSlo(parsed.docs, ctx);
  return { ...r, problems: [...parsed.problems, ...r.problems] };
}

const exportOf = (objectives: ReturnType<typeof importText>['objectives']) =>
  exportOpenSlo({
    agreementId: 'agr_01TESTTESTTEST',
    serviceId: CTX.serviceId,
    timeZone: CTX.timeZone,
    objectives: objectives.map((o) => Objective.parse(o)),
    burnWindows: DEFAULT_BURN_WINDOWS,
    agreementOnly: ['credits', 'supportedHours'],
  });

describe('OpenSLO import', () => {
  it('maps every budgeting method and window kind to Accord objectives', () => {
    const r = importText(EVERY_KIND);
    expect(r.problems).toEqual([]);
    const byId = Object.fromEntries(r.objectives.map((o) => [o.id, o]));
    expect(Object.keys(byId).sort()).toEqual([
      'availability-2w',
      'availability-quarter',
      'latency-1',
      'latency-2',
      'logins-weekly',
      'requests-monthly',
      'requests-rolling-28d',
    ]);
    expect(byId['requests-rolling-28d']).toMatchObject({
      target: 99.9,
      window: { type: 'rolling', days: 28 },
      budgetingMethod: 'occurrences',
      sli: {
        type: 'availability',
        name: 'requests',
        source: { type: 'Prometheus', dataSource: 'prometheus-main' },
      },
    });
    expect(byId['requests-monthly']).toMatchObject({
      target: 99.5,
      window: { type: 'calendar', unit: 'month' },
      budgetingMethod: 'timeslices',
      timeSlice: { minutes: 5, target: 0.95 },
    });
    expect(byId['logins-weekly']).toMatchObject({
      target: 99.5,
      window: { type: 'calendar', unit: 'week' },
      budgetingMethod: 'ratio-timeslices',
      timeSlice: { minutes: 60, target: 0.9 },
    });
    expect(byId['availability-quarter']).toMatchObject({
      target: 99.95,
      window: { type: 'calendar', unit: 'quarter' },
    });
    expect(byId['availability-2w']).toMatchObject({
      window: { type: 'rolling', days: 14 },
      timeSlice: { minutes: 1440, target: 1 },
    });
    expect(byId['latency-1']).toMatchObject({
      name: 'Fast enough',
      target: 95,
      sli: { type: 'response-time', name: 'latency', thresholdMs: 300, source: { type: 'Datadog' } },
    });
    expect(byId['latency-2']!.sli.thresholdMs).toBe(1000);
    for (const o of r.objectives) expect(Objective.safeParse(o).success).toBe(true);
  });

  it('reports what it did not take instead of dropping it', () => {
    const r = importText(EVERY_KIND);
    const notes = r.notes.map((n) => `${n.path}: ${n.problem}`);
    expect(notes.some((n) => n.startsWith('documents[1].spec.connectionDetails: not taken'))).toBe(true);
  });

  it('proposes mapping rules for Prometheus counters, deriving bad events from good and total', () => {
    const r = importText(EVERY_KIND);
    const rules = r.mappingRules.map((m) => [m.vendor, m.rule.measure, m.rule.selector]);
    expect(rules).toContainEqual([
      'prometheus-main',
      'good',
      'http_requests_total{job="payments-gateway", code!~"5.."}',
    ]);
    expect(rules).toContainEqual([
      'prometheus-main',
      'bad',
      'http_requests_total{job="payments-gateway", code=~"5.."}',
    ]);
    expect(rules).toContainEqual(['prometheus-main', 'bad', 'login_attempts_total{outcome="error"}']);
    expect(rules).toContainEqual(['prometheus-main', 'good', 'login_attempts_total{outcome!="error"}']);
    expect(rules).toContainEqual(['prometheus-main', 'ratio', 'probe_success{job="payments-gateway"}']);
  });

  it('refuses what Accord cannot take, naming each problem with its path and line', () => {
    const bad = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: odd
spec:
  service: other-service
  indicator:
    metadata: {name: x}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Prometheus, spec: {query: up}}}
        total: {metricSource: {type: Prometheus, spec: {query: up}}}
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar: {startTime: "2026-01-15 12:00:00", timeZone: America/New_York}
  budgetingMethod: Timeslices
  objectives:
    - target: 0.99
      timeSliceTarget: 0.9
      timeSliceWindow: 1m
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: typo
spec:
  service: payments-gateway
  indicatorRef: nowhere
  timeWindow: [{duration: 5Y, isRolling: true}]
  budgetingMethod: Occurences
  objectives: [{target: 1.5}]
  colour: blue
`;
    const r = importText(bad);
    const paths = r.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'documents[0].spec.service',
        'documents[0].spec.timeWindow[0].calendar.timeZone',
        'documents[0].spec.timeWindow[0].calendar.startTime',
        'documents[0].spec.objectives[0].timeSliceWindow',
        'documents[1].spec.budgetingMethod',
        'documents[1].spec.objectives[0].target',
        'documents[1].spec.colour',
      ]),
    );
    expect(r.problems.find((p) => p.path === 'documents[1].spec.colour')!.problem).toMatch(/\(line 34\)/);
    expect(
      r.problems.find((p) => p.path === 'documents[0].spec.objectives[0].timeSliceWindow')!.problem,
    ).toMatch(/finer than the 5-minute rollups/);
  });

  it('names a YAML syntax error and an unknown kind by document', () => {
    const r = importText(
      'apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a\n---\napiVersion: openslo/v1\nkind: Budget\n',
    );
    expect(r.problems.map((p) => p.path)).toEqual(['documents[0]', 'documents[1].kind']);
    expect(r.problems[0]!.problem).toMatch(/^YAML: .*line \d+/);
  });

  it('refuses a rolling month and a calendar year, which Accord windows cannot express', () => {
    const doc = (tw: string) => `apiVersion: openslo/v1
kind: SLO
metadata: {name: s}
spec:
  service: payments-gateway
  indicator: {metadata: {name: s}, spec: {ratioMetric: {counter: true, good: {metricSource: {type: P, spec: {}}}, total: {metricSource: {type: P, spec: {}}}}}}
  timeWindow: [${tw}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
`;
    expect(importText(doc('{duration: 1M, isRolling: true}')).problems[0]!.path).toBe(
      'documents[0].spec.timeWindow[0].duration',
    );
    expect(importText(doc('{duration: 1Y, isRolling: false}')).problems[0]!.path).toBe(
      'documents[0].spec.timeWindow[0].duration',
    );
    expect(importText(doc('{duration: 36h, isRolling: true}')).problems[0]!.path).toBe(
      'documents[0].spec.timeWindow[0].duration',
    );
    expect(importText(doc('{duration: 48h, isRolling: true}')).objectives[0]!.window).toEqual({
      type: 'rolling',
      days: 2,
    });
  });
});

describe('OpenSLO export and round trip', () => {
  it('import → export → import gives the same objectives', () => {
    const first = importText(EVERY_KIND);
    const exported = exportOf(first.objectives);
    const yaml = writeOpenSlo(exported.docs, 'exported');
    const second = importText(yaml);
    expect(second.problems).toEqual([]);
    const norm = (os: typeof first.objectives) =>
      os.map((o) => Objective.parse(o)).sort((a, b) => a.id.localeCompare(b.id));
    expect(norm(second.objectives)).toEqual(norm(first.objectives));
    // and once more: the export of the re-import is the same text
    expect(writeOpenSlo(exportOf(second.objectives).docs, 'exported')).toBe(yaml);
  });

  it('keeps what OpenSLO has no field for in annotations and says what it cannot carry', () => {
    const objective = Objective.parse({
      id: 'office-hours',
      name: 'Office hours',
      sli: { type: 'response-time', name: 'api-latency', thresholdMs: 250 },
      target: 99,
      window: { type: 'calendar', unit: 'month' },
      budgetingMethod: 'timeslices',
      timeSlice: { minutes: 30, target: 0.9, emptySlices: 'bad' },
      monitoring: 'reported',
      owner: { name: 'A', email: 'a@example.com' },
      customerContact: { name: 'B', email: 'b@example.com' },
      supportedHoursOnly: true,
    });
    const out = exportOpenSlo({
      agreementId: 'agr_01TESTTESTTEST',
      serviceId: CTX.serviceId,
      timeZone: CTX.timeZone,
      objectives: [objective],
      burnWindows: DEFAULT_BURN_WINDOWS,
      agreementOnly: ['credits', 'signOffs', 'supportedHours'],
    });
    expect(out.notExpressed.map((n) => n.path)).toEqual(
      expect.arrayContaining(['credits', 'signOffs', 'supportedHours', 'objectives[0].sli']),
    );
    const again = importText(writeOpenSlo(out.docs));
    expect(again.problems).toEqual([]);
    expect(Objective.parse(again.objectives[0])).toEqual(objective);
  });

  it("writes Accord's burn-rate table as an AlertPolicy with one condition per window pair", () => {
    const out = exportOf(importText(EVERY_KIND).objectives);
    const conditions = out.docs.filter((d) => d.kind === 'AlertCondition');
    expect(
      conditions.map((c) => [
        c.metadata.name,
        (c.spec as { condition: { threshold: number } }).condition.threshold,
      ]),
    ).toEqual([
      ['accord-page-fast', 14.4],
      ['accord-page-slow', 6],
      ['accord-ticket', 1],
    ]);
  });
});
