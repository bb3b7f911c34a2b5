import { MemoryArchiveHeadStore } from '../../shared/adapters/memory/archive.js';
import { archiveHeadStoreContract } from './archive-head.contract.js';

archiveHeadStoreContract('memory', async () => {
  const store = new MemoryArchiveHeadStore();
  return { store, again: () => store };
});
