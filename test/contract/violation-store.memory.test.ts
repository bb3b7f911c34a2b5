import { MemoryViolationStore } from '../../shared/adapters/memory/objectives.js';
import { violationStoreContract } from './violation-store.contract.js';

violationStoreContract('memory', () => new MemoryViolationStore());
