import { MemoryArchiveStore } from '../../shared/adapters/memory/archive.js';
import { archiveStoreContract } from './archive-store.contract.js';

archiveStoreContract('memory', (clock) => new MemoryArchiveStore(clock));
