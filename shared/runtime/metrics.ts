/**
 * Accord's own metrics in the Prometheus exposition format, with prom-client: requests and latencies per route,
 * telemetry samples accepted and rejected by reason, evaluation durations (this process's counters, in a registry
 * of their own), and at scrape time each objective's latest compliance, remaining budget and burn rates as gauges
 * (read from the evaluation store, so they are the same whichever process answers). docs/openslo.md, "/metrics".
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { targetRatio } from '../domain/objectives/methods/figures.js';
import type { EvaluationResult } from '../domain/objectives/types.js';
import type { IngestResponse } from '../schemas/telemetry.js';
import { installObserver } from './observe.js';

const registry = new Registry();

const requests = new Counter({
  name: 'accord_http_requests_total',
  help: 'HTTP requests answered, by route id, method and status code',
  labelNames: ['route', 'method', 'status'] as const,
  registers: [registry],
});
const latency = new Histogram({
  name: 'accord_http_request_duration_seconds',
  help: 'Time to answer an HTTP request, by route id and method (seconds)',
  labelNames: ['route', 'method'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});
const samples = new Counter({
  name: 'accord_telemetry_samples_total',
  help: 'Telemetry samples received, by outcome (accepted, duplicate, rejected)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
const rejections = new Counter({
  name: 'accord_telemetry_rejections_total',
  help: 'Telemetry samples rejected, by reason (unmapped_series, too_late, unknown_service, …)',
  labelNames: ['reason'] as const,
  registers: [registry],
});
const evaluation = new Histogram({
  name: 'accord_evaluation_duration_seconds',
  help: 'Time of an evaluation run, by kind (scheduled: every active objective; on-demand: one agreement) (seconds)',
  labelNames: ['kind'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [registry],
});

/** Records one answered request. */
export function recordRequest(route: string, method: string, status: number, seconds: number): void {
  requests.inc({ route, method, status: String(status) });
  latency.observe({ route, method }, seconds);
}

/** Records the outcome of one ingest request (its per-sample report). */
export function recordIngest(
  report: Pick<IngestResponse, 'accepted' | 'duplicates' | 'rejected'> | undefined,
): void {
  if (!report || !Array.isArray(report.rejected)) return;
  samples.inc({ outcome: 'accepted' }, report.accepted - report.duplicates);
  if (report.duplicates) samples.inc({ outcome: 'duplicate' }, report.duplicates);
  if (report.rejected.length) samples.inc({ outcome: 'rejected' }, report.rejected.length);
  const byReason = new Map<string, number>();
  for (const r of report.rejected) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
  for (const [reason, n] of byReason) rejections.inc({ reason }, n);
}

/** Records an evaluation run's duration. */
export function recordEvaluation(kind: 'scheduled' | 'on-demand', seconds: number): void {
  evaluation.observe({ kind }, seconds);
}

installObserver({ request: recordRequest, ingest: recordIngest, evaluation: recordEvaluation });

const STATUSES = ['healthy', 'at-risk', 'breached', 'unknown'] as const;

/**
 * The exposition text: this process's counters, then a gauge family per figure of each objective's latest
 * evaluation. A figure that is unknown (no data: compliance null) is left out, never written as 0 or 100%.
 */
export async function exposition(
  results: readonly EvaluationResult[],
): Promise<{ contentType: string; text: string }> {
  const objectives = new Registry();
  const names = ['agreement', 'objective', 'service', 'business_unit'] as const;
  const g = (name: string, help: string, extra: string[] = []) =>
    new Gauge({ name, help, labelNames: [...names, ...extra], registers: [objectives] });
  const compliance = g(
    'accord_objective_compliance_ratio',
    'Compliance of the objective over its window, 0–1 (the budgeting method’s population)',
  );
  const target = g('accord_objective_target_ratio', 'Target of the objective, 0–1');
  const remaining = g(
    'accord_objective_error_budget_remaining_ratio',
    'Share of the error budget left, 0–1 (negative when overspent is shown as 0)',
  );
  const consumed = g(
    'accord_objective_error_budget_consumed_ratio',
    'Share of the error budget spent (above 1 when overspent)',
  );
  const burn = g(
    'accord_objective_burn_rate',
    'Burn rate over a burn-rate window (1 spends the budget exactly over the period)',
    ['window', 'span'],
  );
  const firing = g(
    'accord_objective_burn_alert_firing',
    '1 when the burn-rate alert fires (both windows above the threshold, enough events)',
    ['window', 'severity'],
  );
  const status = g('accord_objective_status', '1 for the objective’s current status', ['status']);
  const evaluated = g(
    'accord_objective_last_evaluation_timestamp_seconds',
    'When the objective was last evaluated (Unix seconds)',
  );
  for (const r of results) {
    const l = {
      agreement: r.agreementId,
      objective: r.objectiveId,
      service: r.serviceId,
      business_unit: r.businessUnit,
    };
    if (r.measured && r.measured.total > 0) compliance.set(l, r.measured.good / r.measured.total);
    target.set(l, targetRatio(r.target));
    if (r.budget) {
      remaining.set(l, r.budget.remainingRatio);
      consumed.set(l, r.budget.consumedRatio);
    }
    for (const b of r.burnRates) {
      if (b.long.burnRate !== null) burn.set({ ...l, window: b.name, span: 'long' }, b.long.burnRate);
      if (b.short.burnRate !== null) burn.set({ ...l, window: b.name, span: 'short' }, b.short.burnRate);
      firing.set({ ...l, window: b.name, severity: b.action }, b.firing ? 1 : 0);
    }
    for (const s of STATUSES) status.set({ ...l, status: s }, r.status === s ? 1 : 0);
    evaluated.set(l, Date.parse(r.evaluatedAt) / 1000);
  }
  const text = `${await registry.metrics()}\n${await objectives.metrics()}`;
  return { contentType: registry.contentType, text };
}
