import { MemoryRemediationStore } from '../../shared/adapters/memory/remediation.js';
import { remediationStoreContract } from './remediation-store.contract.js';

remediationStoreContract('memory', () => new MemoryRemediationStore());
