import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { sameBytes } from '../../shared/domain/telemetry/backfill-files.js';
import { type CliConfig, CliError, EXIT, postParts, withQuery } from './client.js';

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

/**
 * The file in blocks of whole lines read into ONE reused buffer (synchronously: nothing else runs while the survey
 * reads), for a reader that keeps nothing of a block once the next is asked for. `blocks` gives each block its own
 * memory (its lines are sent later) and joins a cut line to the next read: on the bench's 92 MB file that join copied
 * every MB once more, and the survey is what the first request waits for (backfill-5 round).
 */
function* reusedBlocks(file: string): Generator<Buffer> {
  const fd = openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(1 << 20);
    let kept = 0; // bytes of a cut line carried at the buffer's start
    for (;;) {
      if (kept === buf.length) {
        // A line longer than the buffer: a larger one.
        const larger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(larger, 0, 0, kept);
        buf = larger;
      }
      const got = readSync(fd, buf, kept, buf.length - kept, null);
      const size = kept + got;
      if (got === 0) {
        if (size > 0) {
          // The last line without a newline: given one, as `blocks` does.
          const last = Buffer.allocUnsafe(size + 1);
          buf.copy(last, 0, 0, size);
          last[size] = NL;
          yield last;
        }
        return;
      }
      // Up to the last newline (none yet in a line longer than the buffer: an empty block, all of it kept).
      const nl = buf.lastIndexOf(NL, size - 1);
      yield buf.subarray(0, nl + 1);
      kept = size - (nl + 1);
      buf.copyWithin(0, nl + 1, size);
    }
  } finally {
    closeSync(fd);
  }
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

/** The byte ranges of a request's sample lines (runs of consecutive lines of one buffer, newlines included). */
interface Chunk {
  parts: Buffer[];
  samples: number;
  bytes: number;
}

/**
 * Packs sample lines into chunks of at most `perChunk` samples and `maxBytes` bytes (the header and `# EOF` included),
 * in the order they are given; lines that follow each other in one buffer are kept as one byte range.
 */
class Packer {
  private chunk: Chunk = { parts: [], samples: 0, bytes: 0 };
  /** Chunks that are full, waiting to be sent. */
  readonly full: Chunk[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private runStart = 0;
  private runEnd = 0;

  constructor(
    private readonly perChunk: number,
    private readonly maxBytes: number,
    private readonly headerBytes: () => number,
  ) {}

  /** Adds the line buf[start, next) (next: after its newline). */
  add(buf: Buffer, start: number, next: number): void {
    const size = next - start;
    const c = this.chunk;
    if (
      c.samples >= this.perChunk ||
      (c.samples > 0 && this.headerBytes() + c.bytes + size + 8 > this.maxBytes)
    )
      this.cut();
    if (buf === this.buf && this.runEnd === start && this.runEnd > this.runStart) this.runEnd = next;
    else {
      this.closeRun();
      this.buf = buf;
      this.runStart = start;
      this.runEnd = next;
    }
    this.chunk.samples++;
    this.chunk.bytes += size;
  }

  /** Ends the current byte range (the next line added starts a new one). */
  closeRun(): void {
    if (this.runEnd > this.runStart) this.chunk.parts.push(this.buf.subarray(this.runStart, this.runEnd));
    this.runStart = this.runEnd = 0;
  }

  /** Closes the current chunk (if it holds samples) into `full`. */
  cut(): void {
    this.closeRun();
    if (this.chunk.samples > 0) this.full.push(this.chunk);
    this.chunk = { parts: [], samples: 0, bytes: 0 };
  }
}

const isBlank = (c: number | undefined) => c === 0x20 || c === 0x09;

/** The header lines a chunk carries (other comments are dropped). */
const HEADER = /^# (TYPE|HELP|UNIT) /;

/**
 * The timestamp (seconds) of an OpenMetrics sample line buf[start, end): the field after the value, past the name and
 * the label set (quotes and escapes respected); NaN when the line has none or it is not a number. Read in place
 * (plain decimals of at most 15 digits; anything else through Number()).
 */
export function sampleSeconds(buf: Buffer, start: number, end: number): number {
  return secondsAfter(buf, seriesEnd(buf, start, end), end);
}

/** Where the series of the sample line buf[start, end) ends: after its name, or after its label set's `}`. */
function seriesEnd(buf: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end && buf[i] !== 0x7b && buf[i] !== 0x20 && buf[i] !== 0x09) i++;
  if (buf[i] === 0x7b) {
    for (i++; i < end && buf[i] !== 0x7d; i++) {
      if (buf[i] !== 0x22) continue;
      for (i++; i < end && buf[i] !== 0x22; i++) if (buf[i] === 0x5c) i++;
    }
    i++;
  }
  return i;
}

/**
 * `sampleSeconds` line after line, remembering the series spelling (`name{labels}`) of the line before: a line that
 * starts with the same bytes followed by a blank has the same series end, so only its value and time are read (the
 * spelling compared four bytes at a time). The survey reads every line's time this way; a file written series by
 * series repeats each spelling for a whole run (backfill-5 round: the spelling was most of the survey's time).
 */
export class LineTimes {
  private buf: Buffer | undefined;
  private words: DataView | undefined;
  private from = 0;
  private len = -1;

  /** The time (seconds) of the sample line buf[start, end), as `sampleSeconds` reads it. */
  seconds(buf: Buffer, start: number, end: number): number {
    if (buf !== this.buf) {
      this.buf = buf;
      this.words = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.len = -1;
    }
    const len = this.len;
    // The same bytes followed by a blank: seriesEnd stops at the same place (a blank is never a line's end byte, so
    // the remembered bytes, which stop before one, lie inside this line).
    // Stryker disable next-line EqualityOperator: performance only: len is -1 (nothing remembered: buf[start - 1] is a line end, never blank) or a spelling's length; a spelling of 0 bytes gives the same series end either way.
    if (len > 0 && isBlank(buf[start + len]) && sameBytes(buf, this.words!, start, this.from, len))
      return secondsAfter(buf, start + len, end);
    const i = seriesEnd(buf, start, end);
    // Remembered only when a blank follows it: an unterminated label set runs past the line's end (a carriage return
    // there could then start a longer label set on a later line); the spelling remembered before stays otherwise.
    if (isBlank(buf[i])) {
      this.from = start;
      this.len = i - start;
    }
    return secondsAfter(buf, i, end);
  }
}

/** The time (seconds) after the series of a sample line ends at `i`: the field after the value (see sampleSeconds). */
function secondsAfter(buf: Buffer, i: number, end: number): number {
  while (i < end && isBlank(buf[i])) i++;
  while (i < end && !isBlank(buf[i])) i++;
  while (i < end && isBlank(buf[i])) i++;
  const a = i;
  while (i < end && !isBlank(buf[i])) i++;
  if (a === i || buf[a] === 0x23) return Number.NaN;
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (let k = a; k < i; k++) {
    const c = buf[k]!;
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) frac = 0;
    else {
      digits = 99;
      break;
    }
  }
  if (digits > 0 && digits <= 15 && frac !== 0) return frac > 0 ? m / 10 ** frac : m;
  const v = Number(buf.toString('latin1', a, i));
  return Number.isFinite(v) ? v : Number.NaN;
}

/** A run of sample lines of the file in time order (each line's time ≥ the one before): typically one series. */
interface TimeRun {
  /** File offsets: its first line, and after its last line. */
  start: number;
  end: number;
  first: number;
  last: number;
  lines: number;
  /** Every MARK_EVERY-th line of the run: its time (seconds) and file offset, flattened. */
  marks: number[];
}

/** The time-range sender lets the event loop run (the request in flight be written) after this many bytes read. */
const YIELD_BYTES = 1 << 20;
/** A run remembers one line in this many (time and offset): about 0.25 byte of memory per line of the file. */
const MARK_EVERY = 64;
/** Above this many runs, the file is sent in its own order (a request per time range would read too many pieces). */
const MAX_RUNS = 100_000;
/** Time bins of the survey: at most this many (their width doubles when there are more). */
const MAX_BINS = 1 << 16;

/** What the first read of an OpenMetrics file found: its size, header, runs in time order and samples over time. */
interface Survey {
  total: number;
  header: string[];
  headerBytes: number;
  /** undefined: the file is sent in its own order (a line without a readable time, or too many runs). */
  runs: TimeRun[] | undefined;
  /** Time bin (start = key × width seconds) → samples and bytes in it. */
  bins: Map<number, [number, number]>;
  binWidth: number;
}

async function survey(file: string, csv: boolean): Promise<Survey> {
  const s: Survey = {
    total: 0,
    header: [],
    headerBytes: 0,
    runs: csv ? undefined : [],
    bins: new Map(),
    binWidth: 60,
  };
  let first = true;
  let run: TimeRun | undefined;
  let base = 0;
  const times = new LineTimes();
  for (const block of reusedBlocks(file)) {
    eachLine(block, (start, end, next) => {
      if (end === start) return;
      if (csv) {
        if (!first) s.total++;
        first = false;
        return;
      }
      if (block[start] === HASH) {
        const l = block.toString('utf8', start, end);
        if (HEADER.test(l)) {
          s.header.push(l);
          s.headerBytes += Buffer.byteLength(l) + 1;
        }
        return;
      }
      s.total++;
      const runs = s.runs;
      if (!runs) return;
      const t = times.seconds(block, start, end);
      if (Number.isNaN(t)) {
        s.runs = undefined;
        return;
      }
      if (!run || t < run.last) {
        if (runs.length === MAX_RUNS) {
          s.runs = undefined;
          return;
        }
        run = { start: base + start, end: 0, first: t, last: t, lines: 0, marks: [] };
        runs.push(run);
      }
      if (run.lines % MARK_EVERY === 0) run.marks.push(t, base + start);
      run.lines++;
      run.last = t;
      run.end = base + next;
      const key = Math.floor(t / s.binWidth);
      const bin = s.bins.get(key);
      if (bin) {
        bin[0]++;
        bin[1] += next - start;
      } else {
        s.bins.set(key, [1, next - start]);
        if (s.bins.size > MAX_BINS) coarsen(s);
      }
    });
    base += block.length;
  }
  return s;
}

/** Doubles the width of the survey's time bins. */
function coarsen(s: Survey): void {
  const bins = new Map<number, [number, number]>();
  for (const [k, [n, bytes]] of s.bins) {
    const key = Math.floor(k / 2);
    const b = bins.get(key);
    if (b) {
      b[0] += n;
      b[1] += bytes;
    } else bins.set(key, [n, bytes]);
  }
  s.bins = bins;
  s.binWidth *= 2;
}

/**
 * Time ranges [from, to) (seconds) of at most `perChunk` samples and `maxBytes` bytes each (a bin larger than that is
 * a range of its own, cut further when sent), in time order, one after the other: together they cover every time.
 */
function timeRanges(s: Survey, perChunk: number, maxBytes: number): [number, number][] {
  const keys = [...s.bins.keys()].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let from: number | undefined;
  let n = 0;
  let bytes = 0;
  for (const k of keys) {
    const [bn, bb] = s.bins.get(k)!;
    if (from !== undefined && (n + bn > perChunk || bytes + bb > maxBytes)) {
      out.push([from * s.binWidth, k * s.binWidth]);
      from = undefined;
    }
    if (from === undefined) {
      from = k;
      n = 0;
      bytes = 0;
    }
    n += bn;
    bytes += bb;
  }
  if (from !== undefined) out.push([from * s.binWidth, Number.POSITIVE_INFINITY]);
  // Open at both ends, so that every sample falls in one range however its time rounds against a bin's edge.
  if (out.length) out[0]![0] = Number.NEGATIVE_INFINITY;
  return out;
}

/**
 * Where a run's lines timed in [a, b) are: the file offsets [from, to) hold them (and at most MARK_EVERY lines more at
 * each end), and every line starting in [inner[0], inner[1]] is one of them (between two marks inside the range), so
 * only the lines around the ends need their time read again.
 */
interface RunSpan {
  from: number;
  to: number;
  inner: [number, number];
}

function runSpan(r: TimeRun, a: number, b: number): RunSpan {
  const m = r.marks;
  const span: RunSpan = { from: r.start, to: r.end, inner: [Number.POSITIVE_INFINITY, -1] };
  for (let j = 0; j < m.length; j += 2) {
    const t = m[j]!;
    if (t < a) span.from = m[j + 1]!;
    else if (t >= b) {
      span.to = m[j + 1]!;
      break;
    } else {
      if (span.inner[0] === Number.POSITIVE_INFINITY) span.inner[0] = m[j + 1]!;
      span.inner[1] = m[j + 1]!;
    }
  }
  return span;
}

/**
 * Sends a backfill file in chunks of one import job: each OpenMetrics chunk carries the file's `# TYPE`/`# HELP`/`# UNIT`
 * lines and ends with `# EOF`; each CSV chunk repeats the header (a quoted field spanning lines is not split
 * correctly: keep one row a line). A chunk holds at most `perChunk` samples and `maxBytes` bytes (lines are copied as
 * bytes, never decoded).
 *
 * An OpenMetrics file is read twice. The first read counts the samples (for the bar and the ETA) and finds the file's
 * runs of lines in time order (in a file written series by series, such as promtool's input, each series is one).
 * When there are several, the file is sent **by time range**: each request carries every series' samples of one range
 * (ranges sized to the per-request bounds), read from each run at the offsets the first read noted (one line in 64:
 * the file is never held whole, whatever its size). So an SLI's good and bad counters of the same hours arrive in the
 * same request (their rollup buckets are written once, not written and rewritten), and each series still arrives in
 * time order. A file already in time order, a CSV file, or one with a line whose time cannot be read (the server names
 * it) is sent in its own order.
 * @throws CliError as the API answers (403 → exit 3, 400 → 5 naming the line of the chunk)
 */
export async function backfillFile(
  config: CliConfig,
  file: string,
  o: BackfillOptions,
): Promise<BackfillJobView> {
  const csv = o.format === 'csv';
  let s: Survey;
  try {
    s = await survey(file, csv);
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, EXIT.usage);
  }
  const total = s.total;
  const maxBytes = o.maxBytes ?? MAX_CHUNK_BYTES;
  const started = Date.now();
  let job: BackfillJobView | undefined;
  let done = 0;
  const header: string[] = [];
  let headerBytes = 0;
  const send = async (c: Chunk) => {
    // The header, the chunk's byte ranges of the file as read, `# EOF`: written as they are, never joined.
    const parts = [
      Buffer.from(header.length ? `${header.join('\n')}\n` : ''),
      ...c.parts,
      Buffer.from(csv ? '' : '# EOF\n'),
    ];
    const text = await postParts(
      config,
      withQuery('/v1/telemetry/backfills', {
        vendor: o.vendor,
        reason: o.reason,
        job: job?.id,
        total: job ? undefined : String(total),
      }),
      parts,
      { 'content-type': csv ? 'text/csv' : 'application/openmetrics-text; version=1.0.0' },
    );
    job = JSON.parse(text) as BackfillJobView;
    done += c.samples;
    o.progress(progressLine(done, total, Date.now() - started));
  };
  // One request in flight while the next chunk is read and packed (a chunk needs the job its predecessor answered, so
  // they still go one after the other, in order): the file's reading overlaps the server's import.
  let inflight: Promise<void> = Promise.resolve();
  const queue = async (c: Chunk) => {
    await inflight;
    inflight = send(c);
    inflight.catch(() => {}); // awaited before the next chunk or at the end; not an unhandled rejection meanwhile
  };
  const packer = new Packer(o.perChunk, maxBytes, () => headerBytes);
  const ranges = s.runs && s.runs.length > 1 ? timeRanges(s, o.perChunk, maxBytes - s.headerBytes - 8) : [];
  if (ranges.length > 1) {
    header.push(...s.header);
    headerBytes = s.headerBytes;
    await sendByTime(file, s, ranges, packer, queue);
  } else await sendInOrder(file, csv, packer, header, (n) => (headerBytes += n), queue);
  await inflight;
  o.progress('\n');
  if (!job) throw new CliError(`${file} holds no samples`, EXIT.refused);
  return job;
}

/** The file in its own order: header lines kept as they come (each chunk carries those seen so far). */
async function sendInOrder(
  file: string,
  csv: boolean,
  packer: Packer,
  header: string[],
  addHeaderBytes: (n: number) => void,
  send: (c: Chunk) => Promise<void>,
): Promise<void> {
  let first = true;
  for await (const block of blocks(file)) {
    eachLine(block, (start, end, next) => {
      if (end === start) return packer.closeRun();
      const isFirst = first;
      first = false;
      if (csv ? isFirst : block[start] === HASH) {
        packer.closeRun();
        const l = block.toString('utf8', start, end);
        if (csv || HEADER.test(l)) {
          header.push(l);
          addHeaderBytes(Buffer.byteLength(l) + 1);
        }
        return;
      }
      packer.add(block, start, next);
    });
    packer.closeRun();
    for (const c of packer.full.splice(0)) await send(c);
  }
  packer.cut();
  for (const c of packer.full.splice(0)) await send(c);
}

/** The file by time range: per range, each run's lines in it, runs in file order; a range ends its last chunk. */
async function sendByTime(
  file: string,
  s: Survey,
  ranges: readonly [number, number][],
  packer: Packer,
  send: (c: Chunk) => Promise<void>,
): Promise<void> {
  const fd = openSync(file, 'r');
  try {
    const { size } = fstatSync(fd);
    // Reads are synchronous (a range is one read per run: 500 reads of about 20 KB a request on the bench's file, from
    // the page cache): an asynchronous read cost about 80 us of CPU each through the thread pool, 7x a synchronous
    // one (backfill-5 round). The event loop is let run after every MB read, so the request in flight keeps being
    // written to its socket while the next chunk is read.
    let unyielded = 0;
    const times = new LineTimes();
    for (const [a, b] of ranges) {
      // The runs' spans in this range, adjacent spans read as one.
      const spans: { from: number; to: number; inner: [number, number][] }[] = [];
      for (const r of s.runs!) {
        if (r.last < a || r.first >= b) continue;
        const { from, to, inner } = runSpan(r, a, b);
        const prev = spans[spans.length - 1];
        if (prev && prev.to === from) {
          prev.to = to;
          prev.inner.push(inner);
        } else spans.push({ from, to, inner: [inner] });
      }
      for (const { from, to, inner } of spans) {
        // The survey gave the file's last line a newline if it had none: so does this read.
        const len = Math.min(to, size) - from;
        const block = Buffer.allocUnsafe(to - from);
        let got = 0;
        while (got < len) {
          const bytesRead = readSync(fd, block, got, len - got, from + got);
          if (bytesRead === 0) throw new CliError(`${file} changed while it was read`, EXIT.usage);
          got += bytesRead;
        }
        unyielded += len;
        if (unyielded >= YIELD_BYTES) {
          unyielded = 0;
          await new Promise<void>((r) => setImmediate(r));
        }
        if (block.length > len) block[len] = NL;
        let k = 0;
        eachLine(block, (start, end, next) => {
          if (end === start || block[start] === HASH) return packer.closeRun();
          const at = from + start;
          while (k < inner.length && at > inner[k]![1]) k++;
          const known = k < inner.length && at >= inner[k]![0];
          if (!known) {
            const t = times.seconds(block, start, end);
            if (t < a || t >= b) return packer.closeRun();
          }
          packer.add(block, start, next);
        });
        packer.closeRun();
      }
      packer.cut();
      for (const c of packer.full.splice(0)) await send(c);
    }
  } finally {
    closeSync(fd);
  }
}
