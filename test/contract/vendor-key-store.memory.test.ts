import { MemoryVendorKeyStore } from '../../shared/adapters/memory/vendors.js';
import { vendorKeyStoreContract } from './vendor-key-store.contract.js';

vendorKeyStoreContract('in-memory fake', () => new MemoryVendorKeyStore());
