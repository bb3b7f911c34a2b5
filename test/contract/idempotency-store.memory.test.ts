import { MemoryIdempotencyStore } from '../../shared/adapters/memory/telemetry.js';
import { idempotencyStoreContract } from './idempotency-store.contract.js';

idempotencyStoreContract('memory', () => new MemoryIdempotencyStore());
