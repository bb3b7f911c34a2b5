import { MemoryWorkTaskStore } from '../../shared/adapters/memory/tasks.js';
import { workTaskStoreContract } from './work-task-store.contract.js';

workTaskStoreContract('memory', () => new MemoryWorkTaskStore());
