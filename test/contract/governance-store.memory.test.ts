import { MemoryGovernanceRequestStore } from '../../shared/adapters/memory/governance.js';
import { governanceStoreContract } from './governance-store.contract.js';

governanceStoreContract('memory', () => new MemoryGovernanceRequestStore());
