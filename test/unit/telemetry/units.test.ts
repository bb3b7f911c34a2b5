// The units telemetry may name, and the factor each one is converted to Accord's canonical unit by.
import { describe, expect, it } from 'vitest';
import { DEFAULT_UNIT, MEASURE_KINDS, unitInfo } from '../../../shared/domain/telemetry/units.js';

describe('units Accord knows', () => {
  const table: [string[], 'time' | 'ratio' | 'count' | 'bytes', number][] = [
    [['ns', 'nanosecond', 'nanoseconds'], 'time', 1e-6],
    [['us', 'µs', 'μs', 'microsecond', 'microseconds'], 'time', 1e-3],
    [['ms', 'millisecond', 'milliseconds'], 'time', 1],
    [['s', 'sec', 'second', 'seconds'], 'time', 1000],
    [['ratio', 'fraction'], 'ratio', 1],
    [['percent', '%'], 'ratio', 0.01],
    [['count', '1', 'event', 'events', 'request', 'requests', 'hit', 'hits', 'error', 'errors'], 'count', 1],
    [['byte', 'bytes', 'By'], 'bytes', 1],
    [['percent_nano'], 'ratio', 1e-11],
  ];
  for (const [names, kind, factor] of table) {
    it(`reads ${names.join(', ')} as ${kind} with factor ${factor} to the canonical unit`, () => {
      for (const n of names) expect([n, unitInfo(n)]).toEqual([n, { kind, factor }]);
    });
  }

  it('reads spelled-out names in any letter case: 250 Milliseconds are 250 ms, 2 SECONDS are 2,000 ms', () => {
    expect(250 * unitInfo('Milliseconds')!.factor).toBe(250);
    expect(2 * unitInfo('SECONDS')!.factor).toBe(2000);
  });

  it('knows no unit it was not taught, not even the names every JavaScript object carries', () => {
    expect(unitInfo('furlongs')).toBeUndefined();
    expect(unitInfo('toString')).toBeUndefined();
    expect(unitInfo('constructor')).toBeUndefined();
  });
});

describe('which units a measure accepts, and its default', () => {
  it('takes durations in time units, ratios in ratios, good and bad events as counts, any unit for a value', () => {
    expect(MEASURE_KINDS).toEqual({
      duration: ['time'],
      ratio: ['ratio'],
      good: ['count'],
      bad: ['count'],
      value: ['time', 'ratio', 'count', 'bytes'],
    });
  });

  it('assumes milliseconds for a duration, a 0..1 ratio for a ratio and counts for the rest', () => {
    expect(DEFAULT_UNIT).toEqual({
      duration: 'ms',
      ratio: 'ratio',
      good: 'count',
      bad: 'count',
      value: 'count',
    });
  });
});
