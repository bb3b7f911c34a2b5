import { MemorySeriesStateStore } from '../../shared/adapters/memory/series-state.js';
import { seriesStateStoreContract } from './series-state-store.contract.js';

seriesStateStoreContract('memory', () => new MemorySeriesStateStore());
