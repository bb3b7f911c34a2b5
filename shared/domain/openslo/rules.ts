/**
 * Prometheus rules for objectives whose SLI comes from Prometheus: recording rules for the SLI's error ratio and
 * event count over each burn-rate window, and multi-window, multi-burn-rate alerting rules (SRE Workbook, ch. 5)
 * built from the SAME plan the engine uses (`burnWindowsFor`, `thresholdExact` of `../objectives/plan.ts` over
 * the policy table `DEFAULT_BURN_WINDOWS`), so Prometheus pages on what Accord would page on:
 *
 *   error_ratio(long) > X·(1 − target) and error_ratio(short) > X·(1 − target)
 *   and events(long) >= minEvents and events(short) >= minEvents
 *
 * with X = budgetPercent/100 × P/long written as an exact decimal (`>` as the Workbook and the engine decide it).
 */
import type { z } from 'zod';
import type { BurnWindowPolicy } from '../../policy/objectives.js';
import type { Objective } from '../../schemas/agreement.js';
import { decimalString, type Exact, exact, mul, ratio, sub, toNumber } from '../objectives/exact.js';
import { burnWindowsFor, type PlannedBurnWindow, thresholdExact } from '../objectives/plan.js';
import { counterSelector, gaugeSelector, queryOf } from './promql.js';

type ObjectiveSpec = z.output<typeof Objective>;

/** Nominal period lengths of calendar windows (Prometheus rules cannot follow the calendar): 7, 30 and 91 days. */
export const NOMINAL_CALENDAR_DAYS = { week: 7, month: 30, quarter: 91 } as const;

export interface RuleTarget {
  agreementId: string;
  serviceId: string;
  objective: ObjectiveSpec;
}

export interface PrometheusRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: PrometheusRule[];
}

export interface RulesResult {
  groups: RuleGroup[];
  /** Objectives for which no rules were written, and why. */
  skipped: { agreementId: string; objectiveId: string; reason: string }[];
}

const MIN = 60_000;

/** A duration in Prometheus's syntax, in the largest unit that divides it (55m, 6h, 3d). */
export function promDuration(ms: number): string {
  const m = Math.round(ms / MIN);
  if (m % 1440 === 0) return `${m / 1440}d`;
  if (m % 60 === 0) return `${m / 60}h`;
  return `${m}m`;
}

/** The period the burn windows scale to: a rolling window's days, or a calendar window's nominal length. */
export function nominalPeriodMs(o: ObjectiveSpec): number {
  const days = o.window.type === 'rolling' ? o.window.days : NOMINAL_CALENDAR_DAYS[o.window.unit];
  return days * 86_400_000;
}

/**
 * An SLI's expressions over a window `w`: its error ratio, its event count, and its success ratio (what a timeslice
 * compares with its `timeSliceTarget`).
 */
type Exprs = {
  errors: (w: string) => string;
  events: (w: string) => string;
  success: (w: string) => string;
};

/** The error-ratio and event-count expressions of an SLI's Prometheus source over a window `w`; or why there are none. */
export function sliExpressions(o: ObjectiveSpec): Exprs | { reason: string } {
  const src = o.sli.source;
  if (!src) return { reason: 'the SLI has no source query (its telemetry arrives through mapping rules)' };
  if (src.type.toLowerCase() !== 'prometheus')
    return { reason: `the SLI comes from ${src.type}, not Prometheus` };
  if (src.threshold) return { reason: 'a thresholdMetric SLI needs a histogram bucket; not generated' };
  if (src.raw) {
    const rawQuery = queryOf(src.raw);
    const sel = rawQuery === null ? null : gaugeSelector(rawQuery);
    if (!sel) return { reason: 'the raw query is not a series selector' };
    const failed =
      src.rawType === 'failure'
        ? (w: string) => `avg_over_time(${sel}[${w}])`
        : (w: string) => `(1 - avg_over_time(${sel}[${w}]))`;
    return {
      errors: (w) => `avg(${failed(w)})`,
      events: (w) => `sum(count_over_time(${sel}[${w}]))`,
      success: (w) => `(1 - avg(${failed(w)}))`,
    };
  }
  if (!src.counter) return { reason: 'only counter ratio SLIs (ratioMetric.counter: true) get rules' };
  const sel = (spec: Record<string, unknown> | undefined) => {
    const q = queryOf(spec);
    return q === null ? null : counterSelector(q);
  };
  const good = sel(src.good);
  const bad = sel(src.bad);
  const total = sel(src.total);
  if (!total || (!good && !bad))
    return { reason: 'a query is not a counter selector such as sum(rate(x{…}[5m]))' };
  const inc = (s: string, w: string) => `sum(increase(${s}[${w}]))`;
  return {
    errors: (w) =>
      bad ? `${inc(bad, w)} / ${inc(total, w)}` : `(${inc(total, w)} - ${inc(good!, w)}) / ${inc(total, w)}`,
    events: (w) => inc(total, w),
    success: (w) =>
      bad ? `(1 - ${inc(bad, w)} / ${inc(total, w)})` : `(${inc(good!, w)} / ${inc(total, w)})`,
  };
}

/**
 * The badness of the slice that ends at each step of a subquery, as Accord's engine counts slices (docs/openslo.md,
 * "Timeslice objectives"): for `timeslices` 1 when the slice's own success ratio misses `timeSliceTarget`, else 0;
 * for `ratio-timeslices` its shortfall, 1 − its ratio. A slice without events is dropped (`excluded`, the default:
 * neither good nor bad), or counts 0 (`good`) or 1 (`bad`).
 */
export function sliceBadness(o: ObjectiveSpec, exprs: Exprs): string {
  const ts = o.timeSlice!;
  const l = promDuration(ts.minutes * MIN);
  const unit =
    o.budgetingMethod === 'timeslices'
      ? `(${exprs.success(l)} < bool ${ts.target})`
      : `(1 - ${exprs.success(l)})`;
  const withEvents = `(${unit} and on() (${exprs.events(l)} > 0))`;
  const empty = ts.emptySlices ?? 'excluded';
  return empty === 'excluded'
    ? withEvents
    : `(${withEvents} or on() (${exprs.events(l)} * 0${empty === 'bad' ? ' + 1' : ''}))`;
}

/**
 * The subquery range that selects, at evaluation time T, the end points t (multiples of the slice length L since
 * the epoch, as Prometheus aligns subquery steps) of the complete slices that START inside a window w, as the engine
 * counts them: T − w + L ≤ t ≤ T; and at least the last complete slice when none starts inside it (w < 2L). Written
 * in milliseconds so that Prometheus 2's closed and Prometheus 3's left-open ranges select the same points:
 * w − L + 1 ms (left-open: t > T − w + L − 1 ms, that is t ≥ T − w + L) or L − 1 ms (exactly one point either way).
 */
export function sliceRangeMs(windowMs: number, sliceMs: number): number {
  return windowMs - sliceMs >= sliceMs ? windowMs - sliceMs + 1 : sliceMs - 1;
}

const thresholds = new WeakMap<PlannedBurnWindow, Map<number, { limit: string; x: string }>>();

/**
 * An exact number as a PromQL literal: its decimals when they end within 15 places (0.0144), otherwise the nearest
 * float64 in its shortest form (2/7 % of a budget: 0.0010285714285714286), which is what Prometheus would parse any
 * longer text into. decimalString's cut form ("0.001028571428571…") is no PromQL number, and a policy window whose
 * threshold does not end (2 % of 30 days within 7 hours) once wrote it into every alert's expression.
 */
export function promNumber(x: Exact): string {
  const text = decimalString(x, 15);
  return text.endsWith('…') ? String(toNumber(x)) : text;
}

/** X·(1 − target) and X as exact decimals, remembered per planned window and target (many objectives share them). */
function thresholdText(w: PlannedBurnWindow, target: number): { limit: string; x: string } {
  let byTarget = thresholds.get(w);
  // Stryker disable next-line ConditionalExpression: performance only: a fresh map on every call computes the same thresholds again
  if (!byTarget) {
    byTarget = new Map();
    thresholds.set(w, byTarget);
  }
  let t = byTarget.get(target);
  // Stryker disable next-line ConditionalExpression: performance only: computing the thresholds again gives the same text
  if (!t) {
    const share = sub(exact(1), ratio(target, 100));
    t = { limit: promNumber(mul(thresholdExact(w), share)), x: decimalString(thresholdExact(w), 6) };
    byTarget.set(target, t);
  }
  return t;
}

/** The recording rule of a timeslice objective's bad-slice share over a window. */
const sliceName = (d: string) => `accord_slo:slice_bad:ratio_rate${d}`;

/** Valid Prometheus label values need no escaping beyond JSON's (Go string syntax). */
const q = (s: string) => JSON.stringify(s);

/** The windows of a period with their distinct durations in Prometheus syntax, shortest first. */
interface PeriodPlan {
  windows: PlannedBurnWindow[];
  durations: { d: string; ms: number; errorsName: string; eventsName: string }[];
}

/**
 * Rule groups for objectives, one group per objective with its recording and alerting rules.
 * What many objectives share is worked out once per call: the plan of each period (windows, durations, rule
 * names) and the expressions of each SLI source (PromQL parsing is the dearest step).
 * @param policy the engine's burn-rate table (`DEFAULT_BURN_WINDOWS`)
 */
export function prometheusRules(targets: readonly RuleTarget[], policy: BurnWindowPolicy): RulesResult {
  const skipped: RulesResult['skipped'] = [];
  const groups = [...ruleGroups(targets, policy, skipped)];
  return { groups, skipped };
}

/**
 * The rule file for objectives as text (what `rulesFileText(prometheusRules(…).groups)` gives), each group written
 * as soon as it is built so that no group outlives its writing: at 10,000 objectives holding every group until the
 * end doubled the live heap and the garbage collector's work.
 * @returns the YAML text, the number of groups written, and the objectives skipped with why
 */
export function prometheusRulesFile(
  targets: readonly RuleTarget[],
  policy: BurnWindowPolicy,
): { text: string; groups: number; skipped: RulesResult['skipped'] } {
  const skipped: RulesResult['skipped'] = [];
  let groups = 0;
  const text = rulesFileText({
    *[Symbol.iterator]() {
      for (const g of ruleGroups(targets, policy, skipped)) {
        groups++;
        yield g;
      }
    },
  });
  return { text, groups, skipped };
}

/** The rule groups of `targets`, one at a time; objectives without rules are pushed onto `skipped`. */
function* ruleGroups(
  targets: readonly RuleTarget[],
  policy: BurnWindowPolicy,
  skipped: RulesResult['skipped'],
): Generator<RuleGroup> {
  const plans = new Map<number, PeriodPlan>();
  const sources = new Map<string, Exprs | { reason: string }>();
  for (const t of targets) {
    const o = t.objective;
    // Stryker disable next-line ConditionalExpression,StringLiteral: only a cache key: no source is keyed apart from every source's JSON (an object's, so never undefined nor a bare word)
    const sourceKey = o.sli.source ? JSON.stringify(o.sli.source) : '';
    let exprs = sources.get(sourceKey);
    // Stryker disable next-line ConditionalExpression: performance only: sliExpressions is pure, parsing the source again gives the same expressions
    if (!exprs) {
      exprs = sliExpressions(o);
      sources.set(sourceKey, exprs);
    }
    if ('reason' in exprs) {
      skipped.push({ agreementId: t.agreementId, objectiveId: o.id, reason: exprs.reason });
      continue;
    }
    const periodMs = nominalPeriodMs(o);
    let plan = plans.get(periodMs);
    // Stryker disable next-line ConditionalExpression: performance only: planning the period again gives the same windows and durations
    if (!plan) {
      const windows = burnWindowsFor(policy, periodMs);
      const ms = [...new Set(windows.flatMap((w) => [w.long, w.short]))].sort((a, b) => a - b);
      plan = {
        windows,
        durations: ms.map((m) => {
          const d = promDuration(m);
          return {
            d,
            ms: m,
            errorsName: `accord_slo:sli_error:ratio_rate${d}`,
            eventsName: `accord_slo:sli_events:increase${d}`,
          };
        }),
      };
      plans.set(periodMs, plan);
    }
    const labels = { accord_agreement: t.agreementId, accord_objective: o.id, accord_service: t.serviceId };
    const match = `{accord_agreement=${q(t.agreementId)}, accord_objective=${q(o.id)}}`;
    const rules: PrometheusRule[] = [];
    // Timeslice methods burn slices, as the engine does: the share of bad slices (or their mean shortfall).
    const sliced = o.budgetingMethod !== 'occurrences' && o.timeSlice ? o.timeSlice : undefined;
    // Stryker disable next-line StringLiteral: read only when sliced, so what an unsliced objective holds here is never written
    const badness = sliced ? sliceBadness(o, exprs) : '';
    for (const { d, ms, errorsName, eventsName } of plan.durations) {
      if (sliced) {
        const range = sliceRangeMs(ms, sliced.minutes * MIN);
        const step = promDuration(sliced.minutes * MIN);
        rules.push({
          record: sliceName(d),
          expr: `avg_over_time(${badness}[${range}ms:${step}])`,
          labels,
        });
      } else rules.push({ record: errorsName, expr: exprs.errors(d), labels });
      rules.push({ record: eventsName, expr: exprs.events(d), labels });
    }
    const ratioName = (d: string) => (sliced ? sliceName(d) : `accord_slo:sli_error:ratio_rate${d}`);
    for (const w of plan.windows) {
      const { limit, x } = thresholdText(w, o.target);
      const [long, short] = [promDuration(w.long), promDuration(w.short)];
      rules.push({
        alert: `AccordErrorBudgetBurn`,
        expr:
          `${ratioName(long)}${match} > ${limit}\n` +
          `and ${ratioName(short)}${match} > ${limit}\n` +
          `and accord_slo:sli_events:increase${long}${match} >= ${policy.minEvents}\n` +
          `and accord_slo:sli_events:increase${short}${match} >= ${policy.minEvents}`,
        labels: { ...labels, accord_window: w.name, severity: w.action },
        annotations: {
          summary: `${o.name}: error budget burning faster than ${x}x (${w.name})`,
          description: `Over both ${long} and ${short}, more than ${limit} of ${sliced ? `${sliced.minutes}-minute slices ${o.budgetingMethod === 'timeslices' ? `missed ${sliced.target}` : 'fell short (mean shortfall)'}` : 'events failed'} (${x} × (1 − ${o.target}%)), each window holding at least ${policy.minEvents} events: ${w.action === 'page' ? 'page' : 'open a ticket'}.`,
        },
      });
    }
    yield { name: `accord/${t.agreementId}/${o.id}`, rules };
  }
}

/**
 * The rule file as YAML text, written directly (one pass, every scalar double-quoted as JSON writes it, which YAML
 * reads as the same string): a 10,000-objective file is tens of megabytes, too slow for a general YAML printer.
 * The text is written into one growing byte buffer and decoded once at the end: building it from a million line
 * strings kept them all alive until the final join, and their garbage collection cost more than the writing.
 */
export function rulesFileText(groups: Iterable<RuleGroup>): string {
  const out = new TextSink();
  const q = JSON.stringify;
  out.put('groups:\n');
  for (const g of groups) {
    out.put(`  - name: ${q(g.name)}\n    rules:\n`);
    // A group's rules share their label maps: each distinct map is written once.
    let lastLabels: Record<string, string> | undefined;
    // Stryker disable next-line StringLiteral: never written: the first rule with labels differs from the initial undefined and sets the text first
    let lastLabelsText = '';
    for (const r of g.rules) {
      out.put(r.record !== undefined ? `      - record: ${q(r.record)}\n` : `      - alert: ${q(r.alert)}\n`);
      out.put('        expr: ');
      out.put(q(r.expr));
      out.put('\n');
      if (r.for !== undefined) out.put(`        for: ${q(r.for)}\n`);
      if (r.labels) {
        // Stryker disable next-line ConditionalExpression: performance only: writing the same label map again gives the same text
        if (r.labels !== lastLabels) {
          lastLabels = r.labels;
          lastLabelsText = mapText('labels', r.labels);
        }
        out.put(lastLabelsText);
      }
      if (r.annotations) out.put(mapText('annotations', r.annotations));
    }
  }
  return out.text();
}

function mapText(key: string, m: Record<string, string>): string {
  let s = `        ${key}:\n`;
  for (const k in m) s += `          ${k}: ${JSON.stringify(m[k])}\n`;
  return s;
}

/** An append-only UTF-8 byte buffer that doubles when full. */
class TextSink {
  private buf = Buffer.allocUnsafe(1 << 20);
  private len = 0;
  put(s: string): void {
    const room = this.len + s.length * 3; // UTF-8 writes a UTF-16 code unit in at most 3 bytes
    // Stryker disable next-line EqualityOperator: growing a buffer that would have been exactly full changes no text
    if (room > this.buf.length) {
      // Stryker disable next-line ArithmeticOperator: room already exceeds the buffer, so it wins over half the buffer too; doubling only means fewer copies
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, room));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    this.len += this.buf.write(s, this.len);
  }
  text(): string {
    return this.buf.toString('utf8', 0, this.len);
  }
}
