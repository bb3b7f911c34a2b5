import type { Rejection } from '../../schemas/telemetry.js';
import type { CompiledPolicy, Target } from './mapping.js';
import type { DecodedBatch, PreparedBatch, Sample, UnmappedSighting, VendorSample } from './model.js';
import { toInstant } from './time.js';
import { DEFAULT_UNIT, MEASURE_KINDS, unitInfo } from './units.js';

/** Prometheus marks a series stale with this exact NaN payload. */
const STALE_NAN_HI = 0x7ff00000;
const STALE_NAN_LO = 0x00000002;
const f64 = new DataView(new ArrayBuffer(8));

function isStaleMarker(v: number): boolean {
  f64.setFloat64(0, v);
  return f64.getUint32(0) === STALE_NAN_HI && f64.getUint32(4) === STALE_NAN_LO;
}

export interface PrepareContext {
  vendorId: string;
  /** The instant the request was received (epoch ms): lateness and future skew are measured from it. */
  nowMs: number;
  policy: CompiledPolicy;
}

/**
 * Maps, validates and normalises a decoded batch. Every submitted sample ends up either accepted (in
 * canonical units and UTC) or rejected with its index, path and reason: accepted + rejected = submitted.
 * Unmapped series are rejected by name and reported as sightings so they can be counted, never dropped.
 */
export function prepareBatch(batch: DecodedBatch, ctx: PrepareContext): PreparedBatch {
  const accepted: Sample[] = [];
  const rejected: Rejection[] = [...batch.malformed];
  const unmapped = new Map<string, UnmappedSighting>();
  const seen = new Map<string, Set<number>>();
  const oldest = ctx.nowMs - ctx.policy.latenessMs(ctx.vendorId);
  const newest = ctx.nowMs + ctx.policy.limits.maxFutureSkewSeconds * 1000;
  const reject = (s: VendorSample, reason: string, message: string, field = '') =>
    rejected.push({ index: s.index, path: `${s.path}${field}`, reason, message });

  for (const s of batch.samples) {
    let target: Target;
    let series: string;
    if (s.target) {
      target = s.target;
      series = `${ctx.vendorId}|${target.sliKey}|${target.measure}${labelSuffix(s.series.labels)}`;
    } else {
      const m = ctx.policy.map(ctx.vendorId, s.series);
      series = m.series;
      if (!m.ok) {
        const u = unmapped.get(series);
        if (u) u.samples++;
        else
          unmapped.set(series, {
            vendorId: ctx.vendorId,
            metric: s.series.metric,
            labels: s.series.labels,
            samples: 1,
          });
        reject(s, 'unmapped_series', `no mapping rule maps ${s.series.metric} for vendor ${ctx.vendorId}`);
        continue;
      }
      target = m.target;
    }

    // Value: a finite number.
    const raw = s.value;
    let value: number;
    if (typeof raw === 'number') value = raw;
    else if (raw === 'NaN') value = Number.NaN;
    else if (raw === 'Infinity') value = Number.POSITIVE_INFINITY;
    else if (raw === '-Infinity') value = Number.NEGATIVE_INFINITY;
    else {
      reject(s, 'missing_value', 'the sample has no value', '.value');
      continue;
    }
    if (Number.isNaN(value)) {
      if (isStaleMarker(value))
        reject(s, 'stale_marker', 'a Prometheus staleness marker carries no measurement');
      else reject(s, 'value_nan', 'the value is NaN', '.value');
      continue;
    }
    if (!Number.isFinite(value)) {
      reject(s, 'value_infinite', 'the value is infinite', '.value');
      continue;
    }

    // Unit: known, and of a kind the measure takes.
    const unitName = s.unit ?? target.unit ?? DEFAULT_UNIT[target.measure];
    const unit = unitInfo(unitName);
    if (!unit) {
      reject(
        s,
        'unknown_unit',
        `"${unitName}" is not a unit Accord knows (ns, us, ms, s, ratio, percent, count)`,
        '.unit',
      );
      continue;
    }
    if (!MEASURE_KINDS[target.measure].includes(unit.kind)) {
      reject(s, 'unit_mismatch', `a ${target.measure} cannot be measured in ${unitName}`, '.unit');
      continue;
    }
    value *= unit.factor;

    // Bounds per measure.
    if (target.measure === 'duration' && value < 0) {
      reject(s, 'negative_duration', `a duration cannot be negative (${value} ms)`, '.value');
      continue;
    }
    if ((target.measure === 'good' || target.measure === 'bad') && value < 0) {
      reject(s, 'negative_count', `an event count cannot be negative (${value})`, '.value');
      continue;
    }
    if (target.measure === 'ratio' && (value < 0 || value > 1)) {
      reject(s, 'ratio_out_of_range', `a ratio must lie in [0, 1], got ${value}`, '.value');
      continue;
    }

    // Time: a UTC instant within [now - accepted lateness, now + skew].
    const t = toInstant(s.time, s.epochUnit, s.timeZone);
    if (!t.ok) {
      reject(s, t.reason, `the time ${t.problem}`, '.time');
      continue;
    }
    const ms = Math.round(t.ms);
    if (ms > newest) {
      reject(
        s,
        'timestamp_in_future',
        `the time is ${Math.round((ms - ctx.nowMs) / 1000)} s ahead of the receiver's clock`,
        '.time',
      );
      continue;
    }
    if (ms < oldest) {
      reject(
        s,
        'timestamp_too_old',
        `the time is older than the accepted lateness of ${ctx.policy.latenessMs(ctx.vendorId) / 60_000} minutes`,
        '.time',
      );
      continue;
    }

    let times = seen.get(series);
    if (!times) {
      times = new Set<number>();
      seen.set(series, times);
    }
    if (times.has(ms)) {
      reject(s, 'duplicate_sample', 'the same series and time appear earlier in this batch');
      continue;
    }
    times.add(ms);

    const source = ctx.policy.sources.get(target.sliKey);
    const rollup = !source || source[source.authoritative] === ctx.vendorId;
    const sample: Sample = {
      vendorId: ctx.vendorId,
      series,
      sliKey: target.sliKey,
      measure: target.measure,
      timestampMs: ms,
      value,
      rollup,
      index: s.index,
      path: s.path,
    };
    const threshold = target.thresholdMs;
    if (threshold !== undefined) sample.thresholdMs = threshold;
    accepted.push(sample);
  }
  rejected.sort((a, b) => a.index - b.index);
  return {
    submitted: batch.samples.length + batch.malformed.length,
    accepted,
    rejected,
    unmapped: [...unmapped.values()],
  };
}

function labelSuffix(labels: Record<string, string>): string {
  const names = Object.keys(labels);
  if (names.length === 0) return '';
  names.sort();
  let s = '';
  for (const n of names) s += `|${n}=${labels[n]}`;
  return s;
}
