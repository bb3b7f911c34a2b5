import { MemorySampleSpool } from '../../shared/adapters/memory/telemetry.js';
import { sampleSpoolContract } from './sample-spool.contract.js';

sampleSpoolContract('memory', () => new MemorySampleSpool());
