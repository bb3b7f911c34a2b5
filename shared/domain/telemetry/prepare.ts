import type { Rejection, SemanticType } from '../../schemas/telemetry.js';
import { type CompiledPolicy, labelsKey, sameBound, type Target } from './mapping.js';
import {
  type DecodedBatch,
  type DecodedSeries,
  type PreparedBatch,
  pointPath,
  type Sample,
  type UnmappedSighting,
} from './model.js';
import { decideFeed, defaultType, nativeCountWithin } from './semantics.js';
import { toInstant } from './time.js';
import { DEFAULT_UNIT, MEASURE_KINDS, unitInfo } from './units.js';

/** The refusal of a time that is missing (a protobuf time left out reads as 0) or not after the epoch. */
const MISSING_TIME = 'the time is missing (0) or not after 1970-01-01T00:00:00Z';

/** Prometheus marks a series stale with this exact NaN payload. */
const STALE_NAN_HI = 0x7ff00000;
const STALE_NAN_LO = 0x00000002;
const f64 = new DataView(new ArrayBuffer(8));

function isStaleMarker(v: number): boolean {
  f64.setFloat64(0, v);
  return f64.getUint32(0) === STALE_NAN_HI && f64.getUint32(4) === STALE_NAN_LO;
}

/**
 * The largest magnitude a value may have after conversion to canonical units: 2^53 − 1. Counts above it cannot be
 * held exactly in a double, and it keeps running totals finite (10^6 buckets of it stay below 10^22).
 */
export const MAX_VALUE = Number.MAX_SAFE_INTEGER;

export interface PrepareContext {
  vendorId: string;
  /** The instant the request was received (epoch ms): lateness and future skew are measured from it. */
  nowMs: number;
  policy: CompiledPolicy;
  /**
   * The oldest instant accepted (epoch ms), for an explicit backfill import; default `nowMs` minus the vendor's
   * accepted lateness.
   */
  oldestMs?: number | undefined;
}

/**
 * A series of the request: its samples and how many were accepted (the batch's `seriesOf`), and the times it took in
 * this request, to find a time sent twice: the first as the position of its sample in `accepted`, the others (time →
 * value) in `more`. One Map entry per series serves both.
 */
interface SeriesEntry {
  samples: number;
  accepted: number;
  unmapped: boolean;
  /** Position in `accepted` of the series' first float sample of this request; -1 before it has one. */
  first: number;
  more: Map<number, number> | undefined;
}

/** Rejects every sample of a series with one reason (the field, if any, appended to each point's path). */
function rejectAll(
  rejected: Rejection[],
  s: DecodedSeries,
  reason: string,
  message: string,
  field = '',
): void {
  for (const p of s.points)
    rejected.push({ index: p.index, path: `${pointPath(s, p.index)}${field}`, reason, message });
  for (const h of s.histograms ?? [])
    rejected.push({ index: h.index, path: `${pointPath(s, h.index)}${field}`, reason, message });
}

/** Rejects the point of a series at a request index. */
/**
 * The name each format gives a point's time, by the field holding its points, for the path of a time rejection:
 * Datadog's `points[i].timestamp`, remote write's `samples[i].timestamp` (and `histograms[k].timestamp`), OTLP's
 * `dataPoints[i].timeUnixNano`; Accord JSON's `samples[i].time`, and a backfill file's `line N.time`, keep `time`
 * (new user wave 39: an OTLP and a Datadog point were named `….time`, a field neither format has).
 */
const TIME_FIELDS: Readonly<Record<string, string>> = {
  points: '.timestamp',
  samples: '.timestamp',
  dataPoints: '.timeUnixNano',
};

function timeField(s: DecodedSeries): string {
  return (s.lines ? undefined : TIME_FIELDS[s.pointField]) ?? '.time';
}

function rejectAt(
  rejected: Rejection[],
  s: DecodedSeries,
  index: number,
  reason: string,
  message: string,
  field = '',
): void {
  rejected.push({ index, path: `${pointPath(s, index)}${field}`, reason, message });
}

/**
 * Maps, validates and normalises a decoded batch. Every submitted sample ends up either accepted (in canonical
 * units and UTC, with how it feeds its SLI) or rejected with its index, path and reason; every series is counted
 * by outcome. Unmapped series are rejected by name and reported as sightings so they can be counted, never dropped.
 * Cumulative counters leave `events` to the store, which applies the series' stored state (`applyCounters`).
 */
export function prepareBatch(batch: DecodedBatch, ctx: PrepareContext): PreparedBatch {
  const { policy, vendorId } = ctx;
  const limits = policy.limits;
  if (batch.types?.size) policy.rememberTypes(vendorId, batch.types);
  const accepted: Sample[] = [];
  const rejected: Rejection[] = [...batch.malformed];
  const unmapped = new Map<string, UnmappedSighting>();
  const seriesOf = new Map<string, SeriesEntry>();
  const oldest = ctx.oldestMs ?? ctx.nowMs - policy.latenessMs(vendorId);
  const newest = ctx.nowMs + limits.maxFutureSkewSeconds * 1000;

  for (const s of batch.series) {
    // Remote write's flat decode gives its points as columns of the request (no object per point): see `columns`.
    const columns = s.columns;
    const floats = columns ? s.columnCount! : s.points.length;
    const sampleCount = floats + (s.histograms?.length ?? 0);
    // Labels every format shares the rules of: checked before mapping (a repeated name hides a value).
    const labelProblem =
      s.labelProblem ?? (s.series.withinLimits === limits ? undefined : labelLimits(s.series.labels, limits));
    if (!labelProblem) s.series.withinLimits = limits;
    if (labelProblem) {
      for (const p of s.points)
        rejected.push({
          index: p.index,
          path: labelProblem.path || s.path,
          reason: 'invalid_labels',
          message: labelProblem.problem,
        });
      for (const h of s.histograms ?? [])
        rejected.push({
          index: h.index,
          path: labelProblem.path || s.path,
          reason: 'invalid_labels',
          message: labelProblem.problem,
        });
      bump(seriesOf, `${s.path}|invalid`, sampleCount, false);
      continue;
    }

    let target: Target;
    let series: string;
    if (s.target) {
      target = s.target;
      series = `${vendorId}|${target.sliKey}|${target.measure}${labelsKey(s.series.labels)}`;
    } else {
      const m = policy.map(vendorId, s.series);
      series = m.series;
      if (!m.ok) {
        const u = unmapped.get(series);
        if (u) u.samples += sampleCount;
        else
          unmapped.set(series, {
            vendorId,
            metric: s.series.metric,
            labels: s.series.labels,
            samples: sampleCount,
          });
        bump(seriesOf, series, sampleCount, true);
        rejectAll(
          rejected,
          s,
          'unmapped_series',
          `no mapping rule maps ${s.series.metric} for vendor ${vendorId}`,
        );
        continue;
      }
      target = m.target;
    }
    const entry = bump(seriesOf, series, sampleCount, false);

    // Semantic type: the format's own metadata, else what this vendor's metadata said before, else the rule.
    const type: SemanticType | undefined =
      s.type ??
      (batch.format === 'prometheus-remote-write'
        ? policy.rememberedType(vendorId, s.series.metric)
        : undefined) ??
      target.type ??
      defaultType(target.measure);
    const source = policy.sources.get(target.sliKey);
    const rollup = !source || source[source.authoritative] === vendorId;

    if (s.histograms?.length) {
      entry.accepted += prepareNative(s, target, series, rollup, ctx, { oldest, newest }, accepted, rejected);
    }
    if (floats === 0) continue;

    const decision = decideFeed(type === 'native-histogram' ? 'gauge' : type, target);
    if (!decision.ok) {
      rejectAll(rejected, s, decision.reason, decision.message);
      continue;
    }
    if (decision.type === 'rate' && !s.intervalS) {
      rejectAll(
        rejected,
        s,
        'missing_interval',
        'a rate needs the interval it covers (Datadog `interval`) to become a count of events',
      );
      continue;
    }
    const { feed, cumulative } = decision;
    const events = feed === 'good' || feed === 'bad';
    const histogramPart = decision.type === 'histogram';
    const seriesUnit = s.unit ?? target.unit ?? DEFAULT_UNIT[target.measure];
    // The series' unit looked up once; a point naming its own unit (Accord JSON) is looked up for itself.
    // Stryker disable next-line ConditionalExpression: a histogram part's unit is never read (`false` only looks it up for nothing)
    const seriesUnitInfo = histogramPart ? undefined : unitInfo(seriesUnit);
    // Stryker disable next-line ConditionalExpression: a columnar series' `points` are empty or the same points as its columns (`false` reads those instead)
    const points = columns ? undefined : s.points;

    // No closure per series (under tsx, keepNames makes each one a defineProperty call): see rejectAt.
    for (let k = 0; k < floats; k++) {
      const p = points?.[k];
      const index = p ? p.index : s.firstIndex + k;
      // Value: a finite number.
      const raw = p ? p.value : columns!.values[index]!;
      let value: number;
      if (typeof raw === 'number') value = raw;
      else if (raw === 'NaN') value = Number.NaN;
      else if (raw === 'Infinity') value = Number.POSITIVE_INFINITY;
      else if (raw === '-Infinity') value = Number.NEGATIVE_INFINITY;
      else {
        rejectAt(rejected, s, index, 'missing_value', 'the sample has no value', '.value');
        continue;
      }
      if (Number.isNaN(value)) {
        if (isStaleMarker(value))
          rejectAt(
            rejected,
            s,
            index,
            'stale_marker',
            'a Prometheus staleness marker carries no measurement',
          );
        else rejectAt(rejected, s, index, 'value_nan', 'the value is NaN', '.value');
        continue;
      }
      if (!Number.isFinite(value)) {
        rejectAt(rejected, s, index, 'value_infinite', 'the value is infinite', '.value');
        continue;
      }

      // Unit: known, of a kind the measure takes; the value stays finite and countable once converted. A
      // histogram's series hold counts of observations (the unit is the observations'), taken as they are.
      const unitName = p?.unit ?? seriesUnit;
      if (!histogramPart) {
        // Stryker disable next-line ConditionalExpression: the series' unit looked up once; looking it up again (`false`) gives the same unit
        const unit = unitName === seriesUnit ? seriesUnitInfo : unitInfo(unitName);
        if (!unit) {
          rejectAt(
            rejected,
            s,
            index,
            'unknown_unit',
            `"${unitName}" is not a unit Accord knows (ns, us, ms, s, ratio, percent, count)`,
            '.unit',
          );
          continue;
        }
        if (!MEASURE_KINDS[target.measure].includes(unit.kind)) {
          rejectAt(
            rejected,
            s,
            index,
            'unit_mismatch',
            `a ${target.measure} cannot be measured in ${unitName}`,
            '.unit',
          );
          continue;
        }
        value *= unit.factor;
      }
      if (!Number.isFinite(value)) {
        rejectAt(
          rejected,
          s,
          index,
          'value_infinite',
          `the value becomes infinite once converted from ${unitName}`,
          '.value',
        );
        continue;
      }
      let n = 0;
      if (events) n = decision.type === 'rate' ? value * s.intervalS! : value;
      if (Math.abs(value) > MAX_VALUE || Math.abs(n) > MAX_VALUE) {
        rejectAt(
          rejected,
          s,
          index,
          'value_out_of_range',
          `a value beyond ±${MAX_VALUE} cannot be counted exactly`,
          '.value',
        );
        continue;
      }

      // Bounds per measure.
      // Stryker disable next-line ConditionalExpression: only a duration measure has the feed `duration` (decideFeed), so the measure test (`true`) decides nothing of its own
      if (target.measure === 'duration' && value < 0 && feed === 'duration') {
        rejectAt(
          rejected,
          s,
          index,
          'negative_duration',
          `a duration cannot be negative (${value} ms)`,
          '.value',
        );
        continue;
      }
      if ((events || cumulative) && value < 0) {
        rejectAt(
          rejected,
          s,
          index,
          'negative_count',
          `an event count cannot be negative (${value})`,
          '.value',
        );
        continue;
      }
      if (target.measure === 'ratio' && (value < 0 || value > 1)) {
        rejectAt(
          rejected,
          s,
          index,
          'ratio_out_of_range',
          `a ratio must lie in [0, 1], got ${value}`,
          '.value',
        );
        continue;
      }

      // Time: a UTC instant within [now - accepted lateness, now + skew].
      const time = p ? p.time : columns!.times[index]!;
      let ms: number;
      // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: the fast path for finite epoch ms; toInstant, which takes every time it leaves (`false`, `typeof time !== 'number'`, `""`), gives the same instant for those
      if (typeof time === 'number' && s.epochUnit === 'ms' && Number.isFinite(time)) ms = Math.round(time);
      else {
        const t = toInstant(time, s.epochUnit, p?.timeZone ?? s.timeZone);
        if (!t.ok) {
          rejectAt(rejected, s, index, t.reason, `the time ${t.problem}`, timeField(s));
          continue;
        }
        ms = Math.round(t.ms);
      }
      if (ms <= 0) {
        // A protobuf point that leaves its time out reads as 0 (OTLP's timeUnixNano, remote write's timestamp): say
        // it is missing rather than 56 years late (new user wave 39: an OTLP point without a time was too old).
        rejectAt(rejected, s, index, 'bad_timestamp', MISSING_TIME, timeField(s));
        continue;
      }
      if (ms > newest) {
        rejectAt(
          rejected,
          s,
          index,
          'timestamp_in_future',
          `the time is ${Math.round((ms - ctx.nowMs) / 1000)} s ahead of the receiver's clock`,
          timeField(s),
        );
        continue;
      }
      if (ms < oldest) {
        rejectAt(
          rejected,
          s,
          index,
          'timestamp_too_old',
          `the time is older than the accepted lateness of ${policy.latenessMs(vendorId) / 60_000} minutes`,
          timeField(s),
        );
        continue;
      }

      let before: number | undefined;
      if (entry.first >= 0) {
        const first = accepted[entry.first]!;
        before = first.timestampMs === ms ? first.value : entry.more?.get(ms);
        if (before === undefined) {
          entry.more ??= new Map();
          entry.more.set(ms, value);
        }
      }
      if (before !== undefined) {
        if (before === value)
          rejectAt(
            rejected,
            s,
            index,
            'duplicate_sample',
            'the same series and time appear earlier in this batch',
          );
        else
          rejectAt(
            rejected,
            s,
            index,
            'conflicting_value',
            `the same series and time appear earlier in this batch with another value (${before})`,
          );
        continue;
      }

      const sample: Sample = {
        index,
        vendorId,
        series,
        sliKey: target.sliKey,
        measure: target.measure,
        type: decision.type,
        feed,
        timestampMs: ms,
        value,
        events: n,
        cumulative,
        rollup,
      };
      if (target.thresholdMs !== undefined) sample.thresholdMs = target.thresholdMs;
      // A start time too old to count from is no signal: the series is then read as any other counter.
      if (cumulative && p?.startMs !== undefined && p.startMs >= oldest) sample.startMs = p.startMs;
      if (entry.first < 0) entry.first = accepted.length;
      accepted.push(sample);
      entry.accepted++;
    }
  }
  rejected.sort((a, b) => a.index - b.index);
  const byIndex = batch.series;
  return {
    submitted: batch.sampleCount,
    accepted,
    rejected,
    unmapped: [...unmapped.values()],
    seriesOf,
    malformedSeries: batch.malformedSeries,
    pathOf: (index) => pathAt(byIndex, index),
  };
}

/**
 * A native histogram series feeding a latency SLI: each point becomes two cumulative counters, the observations at
 * or below the threshold (good) and all observations (total), with the sender's reset hint (or start time). A delta
 * series (OTLP DELTA temporality) gives the two counts of its interval as events, with no counter state. An explicit
 * histogram (OTLP Histogram) must have the threshold among its bounds (`threshold_not_a_bound`).
 */
function prepareNative(
  s: DecodedSeries,
  target: Target,
  series: string,
  rollup: boolean,
  ctx: PrepareContext,
  window: { oldest: number; newest: number },
  accepted: Sample[],
  rejected: Rejection[],
): number {
  let n = 0;
  const decision = decideFeed('native-histogram', target);
  const unitName = s.unit ?? target.unit ?? 's';
  const unit = unitInfo(unitName);
  for (const h of s.histograms!) {
    const reject = (reason: string, message: string) =>
      rejected.push({ index: h.index, path: pointPath(s, h.index), reason, message });
    if (!decision.ok) {
      reject(decision.reason, decision.message);
      continue;
    }
    if (unit?.kind !== 'time') {
      reject('unit_mismatch', 'a latency histogram observes durations (s, ms, ...)');
      continue;
    }
    if (h.problem) {
      reject('malformed', `the native histogram ${h.problem}`);
      continue;
    }
    if (h.gauge) {
      reject('gauge_histogram', 'a gauge histogram goes up and down: its counts are not events');
      continue;
    }
    if (!Number.isFinite(h.count) || h.count < 0 || h.count > MAX_VALUE) {
      reject('value_out_of_range', `the histogram's count ${h.count} is not a countable number`);
      continue;
    }
    if (h.time <= 0) {
      reject('bad_timestamp', MISSING_TIME);
      continue;
    }
    if (h.time > window.newest) {
      reject('timestamp_in_future', "the time is ahead of the receiver's clock");
      continue;
    }
    if (h.time < window.oldest) {
      reject('timestamp_too_old', 'the time is older than the accepted lateness');
      continue;
    }
    const threshold = target.thresholdMs! / unit.factor;
    if (h.explicit && !h.bounds.some((b) => sameBound(b, threshold))) {
      // Stryker disable next-line EqualityOperator: no bound equals the threshold in this branch (an equal bound is a sameBound, and the point would not be here), so < and <= pick the same
      const below = h.bounds.filter((b) => b < threshold).at(-1);
      // Stryker disable next-line EqualityOperator: no bound equals the threshold in this branch (an equal bound is a sameBound, and the point would not be here), so > and >= pick the same
      const above = h.bounds.find((b) => b > threshold);
      reject(
        'threshold_not_a_bound',
        `the threshold ${target.thresholdMs} ms (${threshold} ${unitName}) is not a bucket bound of this histogram; the nearest are ${below ?? 'none'} and ${above ?? 'none'}: add it to the histogram's bounds (an OTel View or the instrument's advice)`,
      );
      continue;
    }
    const delta = s.delta === true;
    const base = {
      index: h.index,
      vendorId: ctx.vendorId,
      sliKey: target.sliKey,
      measure: target.measure,
      type: 'native-histogram' as const,
      timestampMs: h.time,
      cumulative: !delta,
      reset: h.reset,
      thresholdMs: target.thresholdMs!,
      rollup,
      // Stryker disable next-line ConditionalExpression: an undefined start (`h.startMs !== undefined` as `true`) compares false with the oldest instant and is left out as well
      ...(!delta && h.startMs !== undefined && h.startMs >= window.oldest ? { startMs: h.startMs } : {}),
    };
    const within = nativeCountWithin(h, threshold);
    accepted.push(
      {
        ...base,
        series: `${series}#le=${threshold}`,
        feed: 'good-only',
        value: within,
        events: delta ? within : 0,
      },
      { ...base, series: `${series}#count`, feed: 'total-only', value: h.count, events: delta ? h.count : 0 },
    );
    n++;
  }
  return n;
}

/** Label limits every format shares (the policy's): how many, how long. */
function labelLimits(
  labels: Record<string, string>,
  limits: CompiledPolicy['limits'],
): { path: string; problem: string } | undefined {
  let n = 0;
  for (const name in labels) {
    n++;
    if (name.length > limits.maxLabelNameLength)
      return {
        path: '',
        problem: `the label name "${name.slice(0, 40)}…" is longer than ${limits.maxLabelNameLength} characters`,
      };
    if (labels[name]!.length > limits.maxLabelValueLength)
      return {
        path: '',
        problem: `the value of label "${name}" is longer than ${limits.maxLabelValueLength} characters`,
      };
  }
  if (n > limits.maxLabelsPerSeries)
    return { path: '', problem: `the series has ${n} labels; the limit is ${limits.maxLabelsPerSeries}` };
  return undefined;
}

function bump(map: Map<string, SeriesEntry>, key: string, samples: number, unmapped: boolean): SeriesEntry {
  let e = map.get(key);
  if (e) e.samples += samples;
  else {
    e = { samples, accepted: 0, unmapped, first: -1, more: undefined };
    map.set(key, e);
  }
  return e;
}

/**
 * The body path of the sample at an index: series are in index order, and the series holding it names it as its
 * rejections do (`pointPath`: Accord JSON's `samples[i]` included); an index before every series is `samples[i]`.
 */
function pathAt(series: readonly DecodedSeries[], index: number): string {
  let lo = 0;
  let hi = series.length - 1;
  let found: DecodedSeries | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (series[mid]!.firstIndex <= index) {
      found = series[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (!found) return `samples[${index}]`;
  return pointPath(found, index);
}
