import { MemoryRollupStore } from '../../shared/adapters/memory/rollups.js';
import { MemorySampleStore } from '../../shared/adapters/memory/telemetry.js';
import { sampleStoreContract } from './sample-store.contract.js';

sampleStoreContract('memory', () => {
  const rollups = new MemoryRollupStore();
  return { store: new MemorySampleStore(rollups), rollups };
});
