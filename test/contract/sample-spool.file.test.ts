import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSampleSpool } from '../../shared/adapters/fs/spool.js';
import { sampleSpoolContract } from './sample-spool.contract.js';

sampleSpoolContract('files', () => new FileSampleSpool(mkdtempSync(join(tmpdir(), 'accord-spool-'))));

describe('the file spool across restarts', () => {
  it('hands a new process what an earlier one spooled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-spool-'));
    await new FileSampleSpool(dir).append({ id: 'x', vendorId: 'v', receivedAtMs: 1, samples: [] });
    const ids: string[] = [];
    await new FileSampleSpool(dir).replay(async (b) => void ids.push(b.id));
    expect(ids).toEqual(['x']);
  });
});
