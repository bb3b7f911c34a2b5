import { MemoryEvaluationStore } from '../../shared/adapters/memory/objectives.js';
import { evaluationStoreContract } from './evaluation-store.contract.js';

evaluationStoreContract('memory', () => new MemoryEvaluationStore());
