import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type CliConfig, CliError, EXIT, request, withQuery } from './client.js';

/** What POST /v1/telemetry/backfills answers: the job's counts so far. */
export interface BackfillJobView {
  id: string;
  chunks: number;
  submitted: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  rejections: { chunk: number; path: string; reason: string; message: string }[];
}

export interface BackfillOptions {
  vendor: string;
  format: 'openmetrics' | 'csv';
  reason: string;
  /** Samples (lines) per request. */
  perChunk: number;
  /** A progress line (a bar with the ETA) to show, `\r`-prefixed. */
  progress: (line: string) => void;
}

/** Lines of a file, streamed (a file of millions of samples is never held whole). */
async function* lines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const l of rl) yield l;
}

const isSample = (format: BackfillOptions['format'], l: string, first: boolean) =>
  l !== '' && (format === 'csv' ? !first : l[0] !== '#');

/** `[#####.....]  45%  90,000/200,000 samples  41,000/s  ETA 3s` */
export function progressLine(done: number, total: number, elapsedMs: number): string {
  const f = total > 0 ? Math.min(1, done / total) : 1;
  const width = 30;
  const bar = '#'.repeat(Math.round(f * width)).padEnd(width, '.');
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const eta = rate > 0 ? Math.ceil((total - done) / rate) : undefined;
  const n = (x: number) => x.toLocaleString('en-GB');
  return `\r[${bar}] ${(f * 100).toFixed(0).padStart(3)}%  ${n(done)}/${n(total)} samples  ${n(Math.round(rate))}/s  ETA ${eta === undefined ? '?' : `${eta}s`}`;
}

/**
 * Sends a backfill file in chunks of one import job: each OpenMetrics chunk carries the `# TYPE`/`# HELP` lines seen
 * so far and ends with `# EOF`; each CSV chunk repeats the header (a quoted field spanning lines is not split
 * correctly: keep one row a line). Counts the samples first, so the bar and ETA know the total.
 * @throws CliError as the API answers (403 → exit 3, 400 → 5 naming the line of the chunk)
 */
export async function backfillFile(
  config: CliConfig,
  file: string,
  o: BackfillOptions,
): Promise<BackfillJobView> {
  let total = 0;
  let first = true;
  try {
    for await (const l of lines(file)) {
      if (isSample(o.format, l, first)) total++;
      if (l !== '') first = false;
    }
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, EXIT.usage);
  }
  const started = Date.now();
  let job: BackfillJobView | undefined;
  let done = 0;
  let header: string[] = [];
  let chunk: string[] = [];
  const send = async () => {
    if (chunk.length === 0) return;
    const body =
      o.format === 'csv'
        ? [...header, ...chunk, ''].join('\n')
        : [...header, ...chunk, '# EOF', ''].join('\n');
    const r = await request(
      config,
      'POST',
      withQuery('/v1/telemetry/backfills', {
        vendor: o.vendor,
        reason: o.reason,
        job: job?.id,
        total: job ? undefined : String(total),
      }),
      {
        body,
        headers: {
          'content-type': o.format === 'csv' ? 'text/csv' : 'application/openmetrics-text; version=1.0.0',
        },
      },
    );
    job = JSON.parse(r.text) as BackfillJobView;
    done += chunk.length;
    chunk = [];
    o.progress(progressLine(done, total, Date.now() - started));
  };
  first = true;
  for await (const l of lines(file)) {
    if (l === '') continue;
    if (o.format === 'csv' && first) header = [l];
    else if (o.format === 'openmetrics' && l[0] === '#') {
      if (l.startsWith('# TYPE') || l.startsWith('# HELP') || l.startsWith('# UNIT')) header.push(l);
    } else {
      chunk.push(l);
      if (chunk.length >= o.perChunk) await send();
    }
    first = false;
  }
  await send();
  o.progress('\n');
  if (!job) throw new CliError(`${file} holds no samples`, EXIT.refused);
  return job;
}
