import { MemoryAuditStore } from '../../shared/adapters/memory/audit.js';
import { auditStoreContract } from './audit-store.contract.js';

auditStoreContract('in-memory fake', () => new MemoryAuditStore());
