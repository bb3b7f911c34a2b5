import { MemoryDiscrepancyStore } from '../../shared/adapters/memory/telemetry.js';
import { discrepancyStoreContract } from './discrepancy-store.contract.js';

discrepancyStoreContract('memory', () => new MemoryDiscrepancyStore());
