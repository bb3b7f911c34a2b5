import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocal } from '../../infra/local/app.js';
import { FileSampleSpool } from '../../shared/adapters/fs/spool.js';
import { storedRollupTotals } from '../../shared/adapters/sqlite/rollups.js';
import { storedSampleTotals } from '../../shared/adapters/sqlite/telemetry.js';
import { readConfig } from '../../shared/runtime/config.js';
import { storedSample } from '../helpers/telemetry.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

describe('the spool on the embedded default', () => {
  it('is replayed into the raw store and the rollups when the server starts, then emptied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-spool-e2e-'));
    const now = Date.now();
    await new FileSampleSpool(join(dir, 'spool')).append({
      id: 'left-over',
      vendorId: 'prometheus-main',
      receivedAtMs: now,
      samples: [0, 1, 2].map((i) => ({
        ...storedSample({
          series: 'prometheus-main|probe_success|job=payments-gateway',
          timestampMs: now - 1000 * i,
        }),
        value: i === 0 ? 0 : 1,
        rollup: true,
      })),
    });
    const app = await startLocal({ dataDir: dir, port: 0, config: readConfig({}) });
    try {
      const stored = storedSampleTotals(app.db).n;
      expect(stored).toBe(3);
      // In the buckets or in the rollup journal the replay's write left (folded by the next read).
      expect(storedRollupTotals(app.db).total).toBe(3);
      expect(readdirSync(join(dir, 'spool')).filter((f) => f.endsWith('.json'))).toEqual([]);
    } finally {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
