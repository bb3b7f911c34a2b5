import { expect } from 'vitest';
import { BackfillFileError } from '../../shared/domain/telemetry/backfill-files.js';
import { thrown } from './refusal.js';

/** The problems of the BackfillFileError `f` throws (the test fails when it throws anything else, or nothing). */
export function problems(f: () => unknown) {
  const e = thrown(f);
  expect(e).toBeInstanceOf(BackfillFileError);
  return (e as BackfillFileError).problems;
}

/**
 * A series of a backfill file as its reader decodes it: its samples in time order, each `[index, value, time ms]`,
 * with the line each is on, and `path` the line it first stands on.
 */
export function fileSeries(o: {
  metric: string;
  labels: Record<string, string>;
  path: string;
  firstIndex: number;
  type: string | undefined;
  typeSource: string | undefined;
  points: [index: number, value: number, time: number][];
  lines: number[];
}) {
  return {
    series: { metric: o.metric, labels: o.labels },
    path: o.path,
    pointField: 'samples',
    firstIndex: o.firstIndex,
    type: o.type,
    typeSource: o.typeSource,
    epochUnit: 'ms',
    points: o.points.map(([index, value, time]) => ({ index, value, time })),
    lines: o.lines,
  };
}

/** A backfill file decoded with nothing malformed in it: its format, its series, its sample and series counts. */
export const fileBatch = (format: string, series: unknown[], sampleCount: number, seriesCount: number) => ({
  format,
  series,
  malformed: [],
  sampleCount,
  seriesCount,
  malformedSeries: 0,
});
