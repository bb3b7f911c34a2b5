import { MemoryVendorStore } from '../../shared/adapters/memory/vendors.js';
import { vendorStoreContract } from './vendor-store.contract.js';

vendorStoreContract('in-memory fake', () => new MemoryVendorStore());
