import Database from 'better-sqlite3';
import { SqliteEvaluationStore } from '../../shared/adapters/sqlite/objectives.js';
import { evaluationStoreContract } from './evaluation-store.contract.js';

evaluationStoreContract('sqlite', () => new SqliteEvaluationStore(new Database(':memory:')));
