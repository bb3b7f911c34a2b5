import { MemoryServiceStore } from '../../shared/adapters/memory/services.js';
import { serviceStoreContract } from './service-store.contract.js';

serviceStoreContract('in-memory fake', () => new MemoryServiceStore());
