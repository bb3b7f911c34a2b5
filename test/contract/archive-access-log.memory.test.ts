import { MemoryArchiveAccessLog } from '../../shared/adapters/memory/archive.js';
import { archiveAccessLogContract } from './archive-access-log.contract.js';

archiveAccessLogContract('memory', () => new MemoryArchiveAccessLog());
