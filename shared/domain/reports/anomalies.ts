/**
 * Anomaly alerts between two consecutive months, by thresholds kept as data (shared/policy/reports.json):
 * a sudden drop in an objective's monthly compliance, or a jump in a service's violations.
 */
import type { ObjectiveFigure } from './figures.js';

export interface AnomalyRules {
  /** Alert when an objective's compliance falls by at least this many percentage points month on month. */
  complianceDropPoints: number;
  /** Alert when a service's violations are at least this many times the previous month's… */
  violationIncreaseRatio: number;
  /** …and at least this many (from zero, reaching this many is a jump). */
  violationIncreaseMinimum: number;
}

export interface Anomaly {
  kind: 'compliance-drop' | 'violation-jump';
  agreementId?: string;
  objectiveId?: string;
  serviceId?: string;
  title: string;
  detail: string;
}

export interface AnomalyInput {
  month: string;
  previous: string;
  figures: readonly ObjectiveFigure[];
  previousFigures: readonly ObjectiveFigure[];
  /** Violations by the month they were detected in. */
  violations: readonly { serviceId: string; month: string }[];
}

const fmt = (x: number) => `${Number(x.toFixed(4))}%`;

/** The anomalies of `month` against `previous`, in a stable order (compliance drops first). */
export function detectAnomalies(i: AnomalyInput, rules: AnomalyRules): Anomaly[] {
  const out: Anomaly[] = [];
  const before = new Map(i.previousFigures.map((f) => [`${f.agreementId}/${f.objectiveId}`, f]));
  for (const f of [...i.figures].sort((a, b) =>
    `${a.agreementId}/${a.objectiveId}`.localeCompare(`${b.agreementId}/${b.objectiveId}`),
  )) {
    const p = before.get(`${f.agreementId}/${f.objectiveId}`);
    if (!p || p.compliance === null || f.compliance === null) continue;
    const drop = p.compliance - f.compliance;
    if (drop >= rules.complianceDropPoints) {
      out.push({
        kind: 'compliance-drop',
        agreementId: f.agreementId,
        objectiveId: f.objectiveId,
        title: `Compliance of ${f.agreementId}/${f.objectiveId} fell ${Number(drop.toFixed(4))} points in ${i.month}`,
        detail: `${f.agreementId}/${f.objectiveId}: ${fmt(p.compliance)} in ${i.previous}, ${fmt(f.compliance)} in ${i.month} (target ${f.target}%); the alert threshold is a drop of ${rules.complianceDropPoints} points.`,
      });
    }
  }
  const count = (month: string) => {
    const m = new Map<string, number>();
    for (const v of i.violations) if (v.month === month) m.set(v.serviceId, (m.get(v.serviceId) ?? 0) + 1);
    return m;
  };
  const now = count(i.month);
  const then = count(i.previous);
  for (const [serviceId, n] of [...now.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const p = then.get(serviceId) ?? 0;
    if (n < rules.violationIncreaseMinimum) continue;
    // From none before (p = 0), n / p is Infinity, never below the ratio: reaching the minimum is a jump.
    if (n / p < rules.violationIncreaseRatio) continue;
    out.push({
      kind: 'violation-jump',
      serviceId,
      title: `Violations of ${serviceId} jumped to ${n} in ${i.month}`,
      detail: `${serviceId}: ${p} violation(s) in ${i.previous}, ${n} in ${i.month}; the alert threshold is ${rules.violationIncreaseRatio}× the previous month and at least ${rules.violationIncreaseMinimum}.`,
    });
  }
  return out;
}
