import { MemoryAgreementStore } from '../../shared/adapters/memory/agreements.js';
import { agreementStoreContract } from './agreement-store.contract.js';

agreementStoreContract('in-memory fake', () => new MemoryAgreementStore());
