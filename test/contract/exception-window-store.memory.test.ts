import { MemoryExceptionWindowStore } from '../../shared/adapters/memory/objectives.js';
import { exceptionWindowStoreContract } from './exception-window-store.contract.js';

exceptionWindowStoreContract('memory', () => new MemoryExceptionWindowStore());
