import { MemoryExecutionJournal, MemoryTaskTokenStore } from '../../shared/adapters/memory/workflows.js';
import { workflowEngineContract } from './workflow-engine.contract.js';

workflowEngineContract('memory', () => ({
  journal: new MemoryExecutionJournal(),
  tokens: new MemoryTaskTokenStore(),
}));
