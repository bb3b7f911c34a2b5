import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { FileArchiveStore } from '../../shared/adapters/fs/archive.js';
import { archiveStoreContract } from './archive-store.contract.js';

const root = mkdtempSync(join(tmpdir(), 'accord-archive-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

archiveStoreContract(
  'write-once folder (.accord/archive)',
  (clock) => new FileArchiveStore(join(root, String(n++)), clock),
);
