import { createReadStream } from 'node:fs';
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
  /** Largest request body (default MAX_CHUNK_BYTES). */
  maxBytes?: number;
}

/** Largest request body the CLI sends: API Gateway's and the embedded server's 10 MB limit, less a margin. */
export const MAX_CHUNK_BYTES = 10 * 1024 * 1024 - 64 * 1024;

const NL = 0x0a;
const CR = 0x0d;
const HASH = 0x23;

/**
 * A file in blocks of whole lines (about 1 MB each, a line cut by a read carried into the next block; the last line
 * given its newline): a file of millions of samples is never held whole, and no string is made per line.
 */
async function* blocks(file: string): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  for await (const read of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const block = carry ? Buffer.concat([carry, read]) : read;
    const last = block.lastIndexOf(NL);
    if (last < 0) {
      carry = block;
      continue;
    }
    yield block.subarray(0, last + 1);
    carry = last + 1 < block.length ? block.subarray(last + 1) : undefined;
  }
  if (carry?.length) yield Buffer.concat([carry, Buffer.from('\n')]);
}

/** Each line of a block of whole lines: [start, end) without the newline (nor a carriage return before it), next. */
function eachLine(block: Buffer, f: (start: number, end: number, next: number) => void): void {
  let start = 0;
  for (let nl = block.indexOf(NL); nl >= 0; nl = block.indexOf(NL, start)) {
    f(start, nl > start && block[nl - 1] === CR ? nl - 1 : nl, nl + 1);
    start = nl + 1;
  }
}

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

interface Chunk {
  /** Byte ranges of sample lines (runs of consecutive lines of one block), newlines included. */
  parts: Buffer[];
  samples: number;
  bytes: number;
}

/**
 * Sends a backfill file in chunks of one import job: each OpenMetrics chunk carries the `# TYPE`/`# HELP` lines seen
 * so far and ends with `# EOF`; each CSV chunk repeats the header (a quoted field spanning lines is not split
 * correctly: keep one row a line). A chunk holds at most `perChunk` samples and `maxBytes` bytes (lines are copied as
 * bytes, never decoded). Counts the samples first, so the bar and ETA know the total.
 * @throws CliError as the API answers (403 → exit 3, 400 → 5 naming the line of the chunk)
 */
export async function backfillFile(
  config: CliConfig,
  file: string,
  o: BackfillOptions,
): Promise<BackfillJobView> {
  const csv = o.format === 'csv';
  let total = 0;
  let first = true;
  try {
    for await (const block of blocks(file))
      eachLine(block, (start, end) => {
        if (end === start) return;
        if (csv ? !first : block[start] !== HASH) total++;
        first = false;
      });
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, EXIT.usage);
  }
  const maxBytes = o.maxBytes ?? MAX_CHUNK_BYTES;
  const started = Date.now();
  let job: BackfillJobView | undefined;
  let done = 0;
  const header: string[] = [];
  let headerBytes = 0;
  const send = async (c: Chunk) => {
    const body = Buffer.concat([
      Buffer.from(header.length ? `${header.join('\n')}\n` : ''),
      ...c.parts,
      Buffer.from(csv ? '' : '# EOF\n'),
    ]);
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
          'content-type': csv ? 'text/csv' : 'application/openmetrics-text; version=1.0.0',
        },
      },
    );
    job = JSON.parse(r.text) as BackfillJobView;
    done += c.samples;
    o.progress(progressLine(done, total, Date.now() - started));
  };
  let chunk: Chunk = { parts: [], samples: 0, bytes: 0 };
  const full: Chunk[] = [];
  // The run of consecutive sample lines in the current block: [runStart, runEnd).
  let runStart = 0;
  let runEnd = 0;
  let block: Buffer = Buffer.alloc(0);
  const closeRun = () => {
    if (runEnd > runStart) chunk.parts.push(block.subarray(runStart, runEnd));
    runStart = runEnd = 0;
  };
  first = true;
  for await (block of blocks(file)) {
    eachLine(block, (start, end, next) => {
      if (end === start) return closeRun();
      const isFirst = first;
      first = false;
      if (csv ? isFirst : block[start] === HASH) {
        closeRun();
        const l = block.toString('utf8', start, end);
        if (csv || l.startsWith('# TYPE') || l.startsWith('# HELP') || l.startsWith('# UNIT')) {
          header.push(l);
          headerBytes += Buffer.byteLength(l) + 1;
        }
        return;
      }
      const size = next - start;
      if (
        chunk.samples >= o.perChunk ||
        (chunk.samples > 0 && headerBytes + chunk.bytes + size + 8 > maxBytes)
      ) {
        closeRun();
        full.push(chunk);
        chunk = { parts: [], samples: 0, bytes: 0 };
      }
      if (runEnd === start && runEnd > runStart) runEnd = next;
      else {
        closeRun();
        runStart = start;
        runEnd = next;
      }
      chunk.samples++;
      chunk.bytes += size;
    });
    closeRun();
    for (const c of full.splice(0)) await send(c);
  }
  if (chunk.samples > 0) await send(chunk);
  o.progress('\n');
  if (!job) throw new CliError(`${file} holds no samples`, EXIT.refused);
  return job;
}
