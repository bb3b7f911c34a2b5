import type { MappingRule, Measure, SourcePolicy, TelemetryPolicy } from '../../schemas/telemetry.js';

/** A vendor series: a metric name and its labels (Prometheus labels, Datadog tags and resources). */
export interface SeriesRef {
  metric: string;
  labels: Record<string, string>;
  /** Memo of the mapping for this object (a batch shares one ref among the samples of one series). */
  mapped?: MappingResult;
}

/** Where a series goes: an SLI `<serviceId>/<sli>` and how its samples feed it. */
export interface Target {
  serviceId: string;
  sli: string;
  sliKey: string;
  measure: Measure;
  unit: string | undefined;
  thresholdMs: number | undefined;
}

export type MappingResult = { ok: true; target: Target; series: string } | { ok: false; series: string };

interface CompiledRule {
  rule: MappingRule;
  regex: RegExp | undefined;
}

const SERVICE_ID = /^svc_[0-9a-z][0-9a-z-]{1,62}$/;
const SLI_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** The mapping policy ready to use: regexes compiled once, rule lists per vendor, a memo of recent series. */
export class CompiledPolicy {
  private readonly defaults: CompiledRule[];
  private readonly perVendor = new Map<string, CompiledRule[]>();
  private readonly memo = new Map<string, MappingResult>();
  readonly sources = new Map<string, SourcePolicy>();

  constructor(readonly policy: TelemetryPolicy) {
    const compile = (rule: MappingRule): CompiledRule => ({
      rule,
      regex: rule.metricRegex ? new RegExp(rule.metricRegex) : undefined,
    });
    this.defaults = policy.defaultRules.map(compile);
    for (const [vendor, v] of Object.entries(policy.vendors)) {
      this.perVendor.set(vendor, [...v.rules.map(compile), ...this.defaults]);
    }
    for (const s of policy.sources) this.sources.set(s.sliKey, s);
  }

  get limits(): TelemetryPolicy['limits'] {
    return this.policy.limits;
  }

  /** The accepted lateness of a vendor's samples, in milliseconds. */
  latenessMs(vendorId: string): number {
    const m =
      this.policy.vendors[vendorId]?.acceptedLatenessMinutes ?? this.policy.limits.acceptedLatenessMinutes;
    return m * 60_000;
  }

  /** The SLI a vendor series maps to: the vendor's rules first, then the naming convention. */
  map(vendorId: string, ref: SeriesRef): MappingResult {
    if (ref.mapped) return ref.mapped;
    const series = seriesKey(vendorId, ref.metric, ref.labels);
    let result = this.memo.get(series);
    if (!result) {
      result = this.resolve(vendorId, ref, series);
      if (this.memo.size >= 50_000) this.memo.clear();
      this.memo.set(series, result);
    }
    ref.mapped = result;
    return result;
  }

  private resolve(vendorId: string, ref: SeriesRef, series: string): MappingResult {
    const rules = this.perVendor.get(vendorId) ?? this.defaults;
    for (const { rule, regex } of rules) {
      let groups: Record<string, string> = {};
      if (rule.metric !== undefined) {
        if (rule.metric !== ref.metric) continue;
      } else {
        const m = regex!.exec(ref.metric);
        if (!m || m[0] !== ref.metric) continue;
        groups = (m.groups ?? {}) as Record<string, string>;
      }
      if (rule.labels && !Object.entries(rule.labels).every(([k, v]) => ref.labels[k] === v)) continue;
      const vars = { ...ref.labels, ...groups };
      const serviceId = fill(rule.service, vars);
      const sli = fill(rule.sli, vars);
      if (serviceId === undefined || sli === undefined) continue;
      if (!SERVICE_ID.test(serviceId) || !SLI_NAME.test(sli)) continue;
      return {
        ok: true,
        series,
        target: {
          serviceId,
          sli,
          sliKey: `${serviceId}/${sli}`,
          measure: rule.measure,
          unit: rule.unit,
          thresholdMs: rule.thresholdMs,
        },
      };
    }
    return { ok: false, series };
  }
}

/** `{name}` placeholders filled from labels; undefined when one is missing. */
function fill(template: string, vars: Record<string, string>): string | undefined {
  let missing = false;
  const out = template.replace(/\{([A-Za-z_][A-Za-z0-9_.]*)\}/g, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined || v === '') missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}

/** The identity of a series: vendor, metric and labels in name order. Same series + same time = same sample. */
export function seriesKey(vendorId: string, metric: string, labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  let s = `${vendorId}|${metric}`;
  for (const n of names) s += `|${n}=${labels[n]}`;
  return s;
}
