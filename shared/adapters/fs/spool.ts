import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SampleSpool, SpooledBatch } from '../../ports/telemetry.js';

/**
 * The embedded default's durable fallback: one file per batch under a directory (`.accord/spool`).
 * A batch is written to a temporary name, fsynced, renamed into place and the directory fsynced: once
 * append() resolves, the batch survives a crash. Replay hands batches over oldest first and deletes a
 * file only after the raw store took it; the store is idempotent, so a crash mid-replay repeats harmlessly.
 */
export class FileSampleSpool implements SampleSpool {
  private seq = 0;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
  }

  async append(batch: SpooledBatch): Promise<void> {
    const name = `${String(batch.receivedAtMs).padStart(15, '0')}-${String(process.pid)}-${String(this.seq++).padStart(9, '0')}.json`;
    const tmp = join(this.dir, `${name}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(batch));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, name));
    const dfd = openSync(this.dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }

  async replay(write: (batch: SpooledBatch) => Promise<void>): Promise<number> {
    let n = 0;
    for (const f of this.files()) {
      const path = join(this.dir, f);
      let batch: SpooledBatch;
      try {
        batch = JSON.parse(readFileSync(path, 'utf8')) as SpooledBatch;
      } catch {
        // A file that cannot be read is kept aside for a person, not replayed in a loop.
        renameSync(path, `${path}.corrupt`);
        continue;
      }
      try {
        await write(batch);
      } catch {
        return n;
      }
      rmSync(path, { force: true });
      n++;
    }
    return n;
  }

  async pending(): Promise<number> {
    return this.files().length;
  }

  private files(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  }
}
