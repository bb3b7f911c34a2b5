import { MemoryRollupStore } from '../../shared/adapters/memory/rollups.js';
import { rollupStoreContract } from './rollup-store.contract.js';

rollupStoreContract('memory', () => new MemoryRollupStore());
