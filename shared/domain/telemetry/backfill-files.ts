import { parse as parseCsv } from 'csv-parse/sync';
import type { SemanticType } from '../../schemas/telemetry.js';
import type { FieldProblem } from '../errors.js';
import type { DecodedBatch, DecodedPoint, DecodedSeries } from './model.js';

/**
 * Backfill files (docs/backfill.md): history older than the ingest lateness limit, read from an OpenMetrics text
 * file (as `promtool tsdb create-blocks-from openmetrics` reads it) or a CSV file, into the decoded model every
 * ingest format produces, so that mapping, semantics (counters become increases) and storage are live ingest's.
 *
 * OpenMetrics is read here, not with a library: the one npm parser of the text format (parse-prometheus-text-format
 * 1.1.1, 2019) drops sample timestamps, which are the whole point of a backfill file, and knows no `# EOF`.
 */

/** OpenMetrics `# TYPE` → Accord's semantic type (an `unknown` family is left to the mapping rule). */
const OM_TYPES: Record<string, SemanticType | undefined> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'gauge',
  summary: 'summary',
  info: 'gauge',
  stateset: 'gauge',
};

/** A file that cannot be read at all: each problem names its line. */
export class BackfillFileError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.problem}`).join('; '));
  }
}

interface Builder {
  series: Map<string, DecodedSeries & { lines: number[] }>;
  count: number;
}

function add(
  b: Builder,
  metric: string,
  labels: Record<string, string>,
  type: SemanticType | undefined,
  value: number,
  timeMs: number,
  line: number,
): void {
  const keys = Object.keys(labels).sort();
  let key = metric;
  for (const k of keys) key += `\u0000${k}\u0001${labels[k]}`;
  let s = b.series.get(key);
  if (!s) {
    s = {
      series: { metric, labels },
      path: `line ${line}`,
      pointField: 'samples',
      firstIndex: 0,
      type,
      typeSource: type ? '# TYPE' : undefined,
      epochUnit: 'ms',
      points: [],
      lines: [],
    };
    b.series.set(key, s);
  }
  s.points.push({ index: 0, value, time: timeMs });
  s.lines.push(line);
  b.count++;
}

/**
 * Orders each series' points by time (a counter's increases are taken in time order) and numbers the samples
 * series by series; each sample's path is its line in the file.
 */
function finish(b: Builder, format: DecodedBatch['format']): DecodedBatch {
  const series: DecodedSeries[] = [];
  let index = 0;
  for (const s of b.series.values()) {
    const order = s.points
      .map((_, i) => i)
      .sort((x, y) => (s.points[x]!.time as number) - (s.points[y]!.time as number));
    const points: DecodedPoint[] = new Array(order.length);
    const paths: string[] = new Array(order.length);
    s.firstIndex = index;
    for (let i = 0; i < order.length; i++) {
      const p = s.points[order[i]!]!;
      points[i] = { index: index++, value: p.value, time: p.time };
      paths[i] = `line ${s.lines[order[i]!]}`;
    }
    const { lines: _lines, ...rest } = s;
    series.push({ ...rest, points, paths });
  }
  return {
    format,
    series,
    malformed: [],
    sampleCount: index,
    seriesCount: series.length,
    malformedSeries: 0,
  };
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/** Reads a label set `{a="x",b="y"}` from `text` at `at` (on the `{`); OpenMetrics escapes \\, \" and \n. */
function readLabels(text: string, at: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = at + 1;
  const bad = (problem: string) => new BackfillFileError([{ path: `line ${line}`, problem }]);
  while (i < text.length && text[i] !== '}') {
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i, i + 200));
    if (!m) throw bad(`a label name is expected at column ${i + 1}`);
    const name = m[0];
    i += name.length;
    if (text[i] !== '=' || text[i + 1] !== '"') throw bad(`label ${name} has no ="value"`);
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw bad(`the value of label ${name} is not closed`);
      if (c === '"') break;
      if (c === '\\') {
        const n = text[i + 1];
        value += n === 'n' ? '\n' : (n ?? '');
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++;
    if (name in labels) throw bad(`label ${name} appears twice`);
    labels[name] = value;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw bad('the label set is not closed');
  }
  if (text[i] !== '}') throw bad('the label set is not closed');
  return { labels, end: i + 1 };
}

/**
 * Reads an OpenMetrics text file: `# TYPE` families, samples `name{labels} value timestamp` with the timestamp in
 * seconds (decimals allowed), `# EOF` last. Every sample must carry a timestamp (a backfill without one has no
 * time). `_created` samples are skipped (Accord takes increases from the series' own values).
 * @throws BackfillFileError naming every unreadable line (at most 20), or a file without `# EOF`
 */
export function decodeOpenMetrics(text: string): DecodedBatch {
  const b: Builder = { series: new Map(), count: 0 };
  const types = new Map<string, SemanticType>();
  const problems: FieldProblem[] = [];
  let eof = false;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length && problems.length < 20) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (line === '') {
      if (start > text.length) break;
      continue;
    }
    if (eof) {
      problems.push({ path: `line ${lineNo}`, problem: 'nothing may follow # EOF' });
      break;
    }
    if (line[0] === '#') {
      if (line === '# EOF') eof = true;
      else if (line.startsWith('# TYPE ')) {
        const [, , family, type] = line.split(' ');
        if (family && type) {
          const t = OM_TYPES[type];
          if (t) types.set(family, t);
        }
      }
      continue;
    }
    try {
      const m = NAME.exec(line);
      if (!m) throw new BackfillFileError([{ path: `line ${lineNo}`, problem: 'a metric name is expected' }]);
      const metric = m[0];
      let i = metric.length;
      let labels: Record<string, string> = {};
      if (line[i] === '{') ({ labels, end: i } = readLabels(line, i, lineNo));
      const rest = line.slice(i).trim().split(' ');
      const value = Number(rest[0]);
      const ts = rest[1];
      if (rest[0] === undefined || rest[0] === '' || (Number.isNaN(value) && rest[0] !== 'NaN'))
        throw new BackfillFileError([
          { path: `line ${lineNo}`, problem: `"${rest[0] ?? ''}" is not a number` },
        ]);
      if (ts === undefined || ts === '#')
        throw new BackfillFileError([
          {
            path: `line ${lineNo}`,
            problem: 'the sample has no timestamp: a backfill sample needs its time',
          },
        ]);
      const seconds = Number(ts);
      if (!Number.isFinite(seconds))
        throw new BackfillFileError([
          { path: `line ${lineNo}`, problem: `"${ts}" is not a timestamp in seconds` },
        ]);
      if (metric.endsWith('_created')) continue;
      add(b, metric, labels, familyType(types, metric), value, Math.round(seconds * 1000), lineNo);
    } catch (e) {
      if (!(e instanceof BackfillFileError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length === 0 && !eof)
    problems.push({ path: `line ${lineNo}`, problem: 'an OpenMetrics file ends with # EOF' });
  if (problems.length) throw new BackfillFileError(problems);
  return finish(b, 'openmetrics');
}

function familyType(types: ReadonlyMap<string, SemanticType>, metric: string): SemanticType | undefined {
  const direct = types.get(metric);
  if (direct) return direct;
  const m = /_(total|bucket|count|sum)$/.exec(metric);
  return m ? types.get(metric.slice(0, m.index)) : undefined;
}

/**
 * Reads a CSV backfill file with csv-parse: a header row naming `timestamp` (RFC 3339, or epoch seconds), `metric`,
 * `value` and optionally `type` (counter, gauge, histogram…); every other column is a label (an empty cell: the
 * label is absent).
 * @throws BackfillFileError naming the missing columns or each bad row (at most 20)
 */
export function decodeCsv(text: string): DecodedBatch {
  let rows: string[][];
  try {
    rows = parseCsv(text, { skip_empty_lines: true, relax_column_count: false, trim: true }) as string[][];
  } catch (e) {
    throw new BackfillFileError([{ path: '(file)', problem: (e as Error).message }]);
  }
  const header = rows[0] ?? [];
  const col = (n: string) => header.indexOf(n);
  const missing = ['timestamp', 'metric', 'value'].filter((n) => col(n) < 0);
  if (missing.length)
    throw new BackfillFileError(
      missing.map((n) => ({ path: 'line 1', problem: `the header has no ${n} column` })),
    );
  const [ti, mi, vi, yi] = [col('timestamp'), col('metric'), col('value'), col('type')];
  const labelCols = header.map((h, i) => [h, i] as const).filter(([, i]) => ![ti, mi, vi, yi].includes(i));
  const b: Builder = { series: new Map(), count: 0 };
  const problems: FieldProblem[] = [];
  for (let r = 1; r < rows.length && problems.length < 20; r++) {
    const row = rows[r]!;
    const path = `line ${r + 1}`;
    const t = row[ti]!;
    const ms = /^\d+(\.\d+)?$/.test(t) ? Math.round(Number(t) * 1000) : Date.parse(t);
    if (!Number.isFinite(ms) || !/^\d/.test(t)) {
      problems.push({ path: `${path}.timestamp`, problem: `"${t}" is neither RFC 3339 nor epoch seconds` });
      continue;
    }
    const value = Number(row[vi]);
    if (row[vi] === '' || Number.isNaN(value)) {
      problems.push({ path: `${path}.value`, problem: `"${row[vi]}" is not a number` });
      continue;
    }
    const metric = row[mi]!;
    if (!NAME.test(metric) || NAME.exec(metric)![0] !== metric) {
      problems.push({ path: `${path}.metric`, problem: `"${metric}" is not a metric name` });
      continue;
    }
    const type = yi >= 0 && row[yi] ? OM_TYPES[row[yi]!] : undefined;
    if (yi >= 0 && row[yi] && !type) {
      problems.push({
        path: `${path}.type`,
        problem: `"${row[yi]}" is not counter, gauge, histogram or summary`,
      });
      continue;
    }
    const labels: Record<string, string> = {};
    for (const [h, i] of labelCols) if (row[i]) labels[h] = row[i]!;
    add(b, metric, labels, type, value, ms, r + 1);
  }
  if (problems.length) throw new BackfillFileError(problems);
  return finish(b, 'csv');
}
