import { UlidGenerator } from '../../shared/adapters/ids.js';
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import { SqliteAuditStore } from '../../shared/adapters/sqlite/audit.js';
import { type Db, openDatabase } from '../../shared/adapters/sqlite/db.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import { SqliteVendorKeyStore } from '../../shared/adapters/sqlite/vendors.js';
import { loadSignOffRules } from '../../shared/policy/index.js';
import { type Clock, systemClock } from '../../shared/ports/clock.js';
import type { Config } from '../../shared/runtime/config.js';
import type { Container } from '../../shared/runtime/container.js';
import { AgreementUseCases } from '../../shared/usecases/agreements.js';
import { AuditQueries, AuditRecorder } from '../../shared/usecases/audit.js';
import { ServiceUseCases } from '../../shared/usecases/services.js';

export interface LocalParts {
  db: Db;
  container: Container;
}

/** The embedded default's composition root: every port on SQLite in one file. */
export function composeLocal(config: Config, dbFile: string, clock: Clock = systemClock): LocalParts {
  const db = openDatabase(dbFile);
  const services = new SqliteServiceStore(db);
  const agreements = new SqliteAgreementStore(db);
  const audit = new SqliteAuditStore(db);
  const residencyRegion = config.ACCORD_RESIDENCY_REGION;
  const container: Container = {
    config,
    services: new ServiceUseCases({ services, clock, residencyRegion }),
    agreements: new AgreementUseCases({
      agreements,
      services,
      clock,
      ids: new UlidGenerator(clock),
      signOffRules: loadSignOffRules(),
      residencyRegion,
    }),
    auditRecorder: new AuditRecorder(audit),
    auditQueries: new AuditQueries(audit),
    vendorKeys: new SqliteVendorKeyStore(db),
  };
  return { db, container };
}
