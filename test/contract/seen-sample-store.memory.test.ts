import { MemorySeenSampleStore } from '../../shared/adapters/memory/seen.js';
import { seenSampleStoreContract } from './seen-sample-store.contract.js';

seenSampleStoreContract('in-memory fake', () => new MemorySeenSampleStore());
