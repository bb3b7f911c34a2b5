import { MemoryUnmappedSeriesStore } from '../../shared/adapters/memory/telemetry.js';
import { unmappedSeriesStoreContract } from './unmapped-series-store.contract.js';

unmappedSeriesStoreContract('memory', () => new MemoryUnmappedSeriesStore());
