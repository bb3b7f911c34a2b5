import { MemorySliActivityStore } from '../../shared/adapters/memory/series-state.js';
import { sliActivityStoreContract } from './sli-activity-store.contract.js';

sliActivityStoreContract('memory', () => new MemorySliActivityStore());
