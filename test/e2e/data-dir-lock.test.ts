import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocal } from '../../infra/local/app.js';
import { DataDirInUseError } from '../../infra/local/data-dir-lock.js';
import { readConfig } from '../../shared/runtime/config.js';
import { exited, startChildServer } from '../helpers/child-server.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'accord-lock-'));
  dirs.push(dir);
  return dir;
};

describe('one server per data directory', () => {
  it('refuses a second npm start on a data directory a running server holds, naming the directory, and starts once the first has been killed with SIGKILL', async () => {
    const dir = fresh();
    const first = await startChildServer(dir);
    // A second server on the same directory would replay and checkpoint the first one's append records too: every
    // un-checkpointed sample stored twice, or deleted under the first's heads. It is refused instead.
    await expect(startChildServer(dir)).rejects.toThrow(
      `server exited with 1: the data directory ${dir} is in use by another Accord process`,
    );
    expect(first.proc.exitCode).toBeNull();
    first.proc.kill('SIGKILL');
    await exited(first.proc);
    // The lock is the operating system's file lock: it went with the killed process, nothing stale remains.
    const app = await startLocal({ dataDir: dir, port: 0, config: readConfig({}) });
    await app.stop();
  });

  it('refuses a second app in the same process until the first has stopped', async () => {
    const dir = fresh();
    const app = await startLocal({ dataDir: dir, port: 0, config: readConfig({}) });
    await expect(startLocal({ dataDir: dir, port: 0, config: readConfig({}) })).rejects.toBeInstanceOf(
      DataDirInUseError,
    );
    await app.stop();
    const again = await startLocal({ dataDir: dir, port: 0, config: readConfig({}) });
    await again.stop();
    expect(again.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('starts on a data directory that does not exist yet, creating it (a first start, the benchmarks)', async () => {
    const dir = join(fresh(), 'not', 'yet');
    const app = await startLocal({ dataDir: dir, port: 0, config: readConfig({}) });
    await app.stop();
    expect(existsSync(join(dir, 'accord.db'))).toBe(true);
  });
});
