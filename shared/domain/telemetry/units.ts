import type { Measure } from '../../schemas/telemetry.js';

/** The kind of quantity a unit measures, and the factor to the canonical unit of that kind. */
export interface UnitInfo {
  kind: 'time' | 'ratio' | 'count' | 'bytes';
  /** Multiply a value in this unit by factor to get the canonical unit: ms, ratio (0..1), count, bytes. */
  factor: number;
}

// No prototype: a unit named `toString` or `constructor` is unknown, not Object.prototype's function.
const UNITS: Record<string, UnitInfo> = Object.create(null);
const def = (names: string[], info: UnitInfo) => {
  for (const n of names) UNITS[n] = info;
};
def(['ns', 'nanosecond', 'nanoseconds'], { kind: 'time', factor: 1e-6 });
def(['us', 'µs', 'μs', 'microsecond', 'microseconds'], { kind: 'time', factor: 1e-3 });
def(['ms', 'millisecond', 'milliseconds'], { kind: 'time', factor: 1 });
def(['s', 'sec', 'second', 'seconds'], { kind: 'time', factor: 1000 });
def(['ratio', 'fraction'], { kind: 'ratio', factor: 1 });
def(['percent', '%'], { kind: 'ratio', factor: 0.01 });
def(['count', '1', 'event', 'events', 'request', 'requests', 'hit', 'hits', 'error', 'errors'], {
  kind: 'count',
  factor: 1,
});
def(['byte', 'bytes', 'By'], { kind: 'bytes', factor: 1 });
// Datadog's percent_nano is 1e-9 percent.
UNITS.percent_nano = { kind: 'ratio', factor: 1e-11 };

/** The unit named, case-insensitively for the spelled-out names; undefined when Accord does not know it. */
export function unitInfo(unit: string): UnitInfo | undefined {
  return UNITS[unit] ?? UNITS[unit.toLowerCase()];
}

/** The units a measure accepts: durations are times, ratios are ratios or percentages, counts are counts. */
export const MEASURE_KINDS: Record<Measure, readonly UnitInfo['kind'][]> = {
  duration: ['time'],
  ratio: ['ratio'],
  good: ['count'],
  bad: ['count'],
  value: ['time', 'ratio', 'count', 'bytes'],
};

/** The unit assumed when neither the sample nor the mapping rule names one. */
export const DEFAULT_UNIT: Record<Measure, string> = {
  duration: 'ms',
  ratio: 'ratio',
  good: 'count',
  bad: 'count',
  value: 'count',
};
