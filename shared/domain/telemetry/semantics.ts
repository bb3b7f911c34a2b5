import type { Measure, SemanticType } from '../../schemas/telemetry.js';
import { type FamilyPart, sameBound, type Target, typeProblem } from './mapping.js';
import type { Feed, Sample } from './model.js';
import { unitInfo } from './units.js';

/**
 * Sample semantics: how a series' values become an SLI's events or readings, decided by its semantic type (from the
 * format's own metadata, else the mapping rule) and the SLI's measure. The whole table is in docs/telemetry.md
 * ("Sample semantics"); each cell is tested in test/unit/telemetry/semantics.test.ts.
 */

/** How one series feeds its SLI, or why it cannot. */
export type FeedDecision =
  | { ok: true; feed: Feed; cumulative: boolean; type: SemanticType }
  | { ok: false; reason: string; message: string };

/** The type assumed when neither the format nor the rule says: readings for reading measures; events need it said. */
export function defaultType(measure: Measure): SemanticType | undefined {
  return measure === 'good' || measure === 'bad' ? undefined : 'gauge';
}

/**
 * Decides how a series feeds its SLI.
 * @param type the resolved semantic type (format metadata, else the rule, else the measure's default); undefined
 *   when nobody says (then good/bad series are refused rather than guessed)
 * @param target the mapping target (measure, threshold, histogram part and bucket bound)
 */
export function decideFeed(type: SemanticType | undefined, target: Target): FeedDecision {
  const { measure } = target;
  if (type === undefined) {
    return {
      ok: false,
      reason: 'unknown_type',
      message: `whether ${measure} events arrive as a running total (counter), a count per report (delta) or a rate is not said by the format nor by the mapping rule ${target.rule ?? ''}: set the rule's type`,
    };
  }
  const why = typeProblem(type, measure);
  if (why)
    return { ok: false, reason: type === 'summary' ? 'summary_not_events' : 'type_mismatch', message: why };
  switch (type) {
    case 'counter':
      return { ok: true, feed: measure as Feed, cumulative: true, type };
    case 'delta':
    case 'rate':
    case 'gauge':
      return { ok: true, feed: measure as Feed, cumulative: false, type };
    case 'summary':
      // Only a value SLI reads a summary, and only its quantile series (a reading of the client's estimate).
      return target.part === 'quantile' || target.part === undefined
        ? { ok: true, feed: 'value', cumulative: false, type }
        : {
            ok: false,
            reason: 'summary_not_events',
            message: `a summary's _${target.part} is not a reading`,
          };
    case 'histogram':
      return classicPart(target.part, target);
    case 'native-histogram':
      if (target.thresholdMs === undefined) {
        return {
          ok: false,
          reason: 'missing_threshold',
          message: 'a histogram feeds a latency SLI only with a threshold (thresholdMs) in its rule',
        };
      }
      // Native points become two counters in prepare (count at or below the threshold, and the total count).
      return { ok: true, feed: 'total-only', cumulative: true, type };
  }
}

function classicPart(part: FamilyPart | undefined, target: Target): FeedDecision {
  const type: SemanticType = 'histogram';
  if (target.thresholdMs === undefined) {
    return {
      ok: false,
      reason: 'missing_threshold',
      message: 'a histogram feeds a latency SLI only with a threshold (thresholdMs) in its rule',
    };
  }
  switch (part) {
    case 'count':
      return { ok: true, feed: 'total-only', cumulative: true, type };
    case 'sum':
      return { ok: true, feed: 'none', cumulative: false, type };
    case 'bucket': {
      const le = target.le!;
      // Stryker disable next-line StringLiteral: seconds (the default unit) and a unit unitInfo does not know both give 1,000 ms a unit
      const threshold = target.thresholdMs / (unitInfo(target.unit ?? 's')?.factor ?? 1000);
      if (
        target.buckets &&
        le !== Number.POSITIVE_INFINITY &&
        !target.buckets.some((b) => sameBound(b, le))
      ) {
        return {
          ok: false,
          reason: 'undeclared_bucket',
          message: `le="${le}" is not among the buckets the rule declares (${target.buckets.join(', ')}): the exporter's layout changed; update the rule`,
        };
      }
      return sameBound(le, threshold)
        ? { ok: true, feed: 'good-only', cumulative: true, type }
        : { ok: true, feed: 'none', cumulative: false, type };
    }
    default:
      return {
        ok: false,
        reason: 'type_mismatch',
        message: 'a classic histogram arrives as _bucket{le}, _count and _sum series',
      };
  }
}

/** Per-series counter state: the last accepted sample of a cumulative counter and a version for compare-and-set. */
export interface CounterState {
  lastTs: number;
  lastValue: number;
  /** Bumped on every change: a conditional write expects the version it read. */
  version: number;
}

export interface CounterRejection {
  sample: Sample;
  reason: 'out_of_order' | 'conflicting_value';
  message: string;
}

export interface CounterOutcome {
  /** The new state of each series that changed. */
  next: Map<string, CounterState>;
  rejected: CounterRejection[];
  /** Samples equal to the stored last sample (same time and value): a retry, counted once already. */
  repeats: Sample[];
}

/**
 * Turns the running totals of cumulative counters into increases, per series, from each series' stored state.
 * For each series in time order:
 *  - the first sample ever seen has no predecessor and counts nothing (it is the baseline, as in Prometheus's
 *    `increase()`), unless the sender says when the counter started from 0 (`startMs`, OTLP's start time, at or
 *    before the sample): then it counts its whole value;
 *  - a sample at or above its predecessor adds the difference; one below it, one marked as the first after a reset,
 *    or one whose series started after the predecessor (`startMs` later than it: OTLP's reset signal) is a counter
 *    reset and adds its own value (the counter restarted from 0);
 *  - a sample older than the stored last one is rejected (`out_of_order`): the later sample already counted the
 *    increase up to it, so nothing is lost but its place in time;
 *  - a sample at the stored last time is a retry when its value is the same, a conflict when it differs.
 * Sets `events` on each accepted sample; answers the next states and the rejections.
 *
 * Source: Prometheus `extrapolatedRate` without extrapolation (promql/functions.go): last − first + the value
 * before each reset, which is the sum of these per-pair increases.
 */
export function applyCounters(
  samples: readonly Sample[],
  states: ReadonlyMap<string, CounterState>,
): CounterOutcome {
  const bySeries = new Map<string, Sample[]>();
  for (const s of samples) {
    let list = bySeries.get(s.series);
    if (!list) {
      list = [];
      bySeries.set(s.series, list);
    }
    list.push(s);
  }
  const out: CounterOutcome = { next: new Map(), rejected: [], repeats: [] };
  for (const [series, list] of bySeries) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: sorting a list of one sample (`true`, `>= 1`) leaves it as it is; the test only saves the call
    if (list.length > 1) list.sort((a, b) => a.timestampMs - b.timestampMs);
    const stored = states.get(series);
    // The series' state as the samples advance it (scalars: no object per sample), written once at the end.
    let has = stored !== undefined;
    let lastTs = stored?.lastTs ?? 0;
    let lastValue = stored?.lastValue ?? 0;
    let version = stored?.version ?? 0;
    for (const s of list) {
      if (has && s.timestampMs < lastTs) {
        out.rejected.push({
          sample: s,
          reason: 'out_of_order',
          message: `this counter's last accepted sample is at ${new Date(lastTs).toISOString()}: an older one cannot be placed (its increase is counted by the later sample)`,
        });
        continue;
      }
      if (has && s.timestampMs === lastTs) {
        if (s.value === lastValue) out.repeats.push(s);
        else
          out.rejected.push({
            sample: s,
            reason: 'conflicting_value',
            message: `this series already holds ${lastValue} at this time; a different value (${s.value}) is a conflict, not a retry`,
          });
        continue;
      }
      const started = s.startMs !== undefined && s.startMs <= s.timestampMs;
      if (!has) s.events = started ? s.value : 0;
      else if (s.reset || s.value < lastValue || (started && s.startMs! > lastTs)) s.events = s.value;
      else s.events = s.value - lastValue;
      has = true;
      lastTs = s.timestampMs;
      lastValue = s.value;
      version++;
    }
    // Stryker disable next-line ConditionalExpression: `has` is always true here (a series without stored state takes its first sample), so `true` in its place changes nothing
    if (has && version !== (stored?.version ?? 0)) out.next.set(series, { lastTs, lastValue, version });
  }
  return out;
}

/**
 * Cumulative counts of a native (exponential) histogram at or below a threshold: the zero bucket (when its upper
 * edge is within the threshold) and every positive bucket whose upper bound is at or below it. A bucket that
 * straddles the threshold counts as above it: good is never over-reported, and the error is at most that one
 * bucket (its width is 2^(2^-schema) − 1 of its lower bound: 9 % for schema 3). Negative observations are durations
 * below zero: they count as good (they are within any positive threshold).
 */
export function nativeCountWithin(
  p: {
    zeroThreshold: number;
    zeroCount: number;
    bounds: readonly number[];
    counts: readonly number[];
    negativeCount: number;
  },
  threshold: number,
): number {
  let good = p.negativeCount;
  if (p.zeroThreshold <= threshold) good += p.zeroCount;
  // Stryker disable next-line EqualityOperator: one step past the end (`<=`) reads an undefined bound, which compares false and breaks out as the end of the loop does
  for (let i = 0; i < p.bounds.length; i++) {
    if (p.bounds[i]! <= threshold * (1 + 1e-12)) good += p.counts[i]!;
    else break;
  }
  return good;
}
