import type { Statement } from 'better-sqlite3';
import { partyUnitsOf } from '../../domain/access/policy.js';
import { type ChainAgreement, chainView } from '../../domain/chain/graph.js';
import { ConflictError, VersionConflictError } from '../../domain/errors.js';
import type { AgreementListQuery, AgreementStore, Page } from '../../ports/agreements.js';
import type { AgreementVersion } from '../../schemas/agreement.js';
import { ensureChangeLog } from './changes.js';
import type { Db } from './db.js';
import { PageQuery, Where } from './query.js';

/** The current row's columns (besides its id), as `agreements` names them. */
const CURRENT_COLUMNS = [
  'version',
  'status',
  'kind',
  'business_unit',
  'service_id',
  'renewal_date',
  'expiry_date',
] as const;
type CurrentColumn = (typeof CURRENT_COLUMNS)[number];
/** The current row as stored, with the document of the version it points at. */
type CurrentRow = Record<CurrentColumn, string | number | null> & { version: number; doc: string };

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x));

/**
 * Agreements in SQLite: immutable versions, a current row with the columns lists filter on, dependency edges,
 * and a change-log row per commit, all in one transaction.
 */
export class SqliteAgreementStore implements AgreementStore {
  private readonly s;
  constructor(private readonly db: Db) {
    ensureChangeLog(db);
    this.pages = new PageQuery(db);
    db.exec(`
      -- Documents are large: a rowid table keeps them out of the key B-tree (WITHOUT ROWID would spread each
      -- one over overflow pages and made a page of 50 five times slower to read).
      CREATE TABLE IF NOT EXISTS agreement_versions (
        id TEXT NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (id, version)
      );
      -- The current row is narrow (filter columns only) so that lists scan indexes and small rows;
      -- the document is read from the immutable version it points at.
      CREATE TABLE IF NOT EXISTS agreements (
        id TEXT PRIMARY KEY, version INTEGER NOT NULL, status TEXT NOT NULL, kind TEXT NOT NULL,
        business_unit TEXT NOT NULL, service_id TEXT NOT NULL, renewal_date TEXT, expiry_date TEXT
      );
      CREATE INDEX IF NOT EXISTS agreements_by_bu ON agreements (business_unit, id);
      CREATE INDEX IF NOT EXISTS agreements_by_bu_status ON agreements (business_unit, status, id);
      CREATE INDEX IF NOT EXISTS agreements_by_bu_status_kind ON agreements (business_unit, status, kind, id);
      CREATE INDEX IF NOT EXISTS agreements_by_service ON agreements (service_id, id);
      CREATE INDEX IF NOT EXISTS agreements_by_service_status ON agreements (service_id, status, id);
      CREATE INDEX IF NOT EXISTS agreements_by_status ON agreements (status, id);
      CREATE INDEX IF NOT EXISTS agreements_by_kind_status ON agreements (kind, status, id);
      CREATE INDEX IF NOT EXISTS agreements_by_renewal ON agreements (renewal_date) WHERE renewal_date IS NOT NULL;
      CREATE INDEX IF NOT EXISTS agreements_by_expiry ON agreements (expiry_date) WHERE expiry_date IS NOT NULL;
      -- Business units party to an agreement (provider, customer): customers list what they consume.
      CREATE TABLE IF NOT EXISTS agreement_parties (
        unit TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (unit, id)
      ) WITHOUT ROWID;
      -- Each write replaces an agreement's parties and edges by its id: without these two indexes that delete
      -- scanned the whole table, so every write's cost grew with the number of agreements.
      CREATE INDEX IF NOT EXISTS agreement_parties_by_id ON agreement_parties (id);
      -- The chain's projection of the current version (domain/chain/graph chainView), written with it: the
      -- portfolio's gap analysis reads these small documents, not the whole agreements. A change of the
      -- projection's shape takes a new table name (_v2 …), which is then filled from the current versions.
      CREATE TABLE IF NOT EXISTS agreement_chain_v1 (
        id TEXT PRIMARY KEY, live INTEGER NOT NULL, doc TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS agreement_edges (
        dep_id TEXT NOT NULL, sla_id TEXT NOT NULL, PRIMARY KEY (dep_id, sla_id)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS agreement_edges_by_sla ON agreement_edges (sla_id);
    `);
    // Databases made before parties were indexed: index the parties of every current agreement once.
    // (Whether the table is empty, not its size: a count reads every row at every start.)
    if (!db.prepare('SELECT 1 FROM agreement_parties LIMIT 1').get()) {
      const insert = db.prepare('INSERT OR IGNORE INTO agreement_parties (unit, id) VALUES (?, ?)');
      const rows = db
        .prepare(
          'SELECT v.doc FROM agreements a JOIN agreement_versions v ON v.id = a.id AND v.version = a.version',
        )
        .all() as { doc: string }[];
      db.transaction(() => {
        for (const r of rows) {
          const a = JSON.parse(r.doc) as AgreementVersion;
          for (const unit of partyUnitsOf(a.parties)) insert.run(unit, a.id);
        }
      })();
    }
    // Databases made before the chain's projection (or before this shape of it): project the current agreements
    // that have none, once.
    const unprojected = db
      .prepare(
        // Driven by the narrow current rows (CROSS JOIN fixes the order): SQLite otherwise walked every version's
        // row, documents included, at every start.
        `SELECT v.doc FROM agreements a CROSS JOIN agreement_versions v ON v.id = a.id AND v.version = a.version
         WHERE NOT EXISTS (SELECT 1 FROM agreement_chain_v1 c WHERE c.id = a.id)`,
      )
      .all() as { doc: string }[];
    if (unprojected.length) {
      const upsert = db.prepare('INSERT OR REPLACE INTO agreement_chain_v1 (id, live, doc) VALUES (?, ?, ?)');
      db.transaction(() => {
        for (const r of unprojected) {
          const a = JSON.parse(r.doc) as AgreementVersion;
          upsert.run(a.id, a.status === 'retired' ? 0 : 1, JSON.stringify(chainView(a)));
        }
      })();
    }
    this.s = {
      upsertChain: db.prepare('INSERT OR REPLACE INTO agreement_chain_v1 (id, live, doc) VALUES (?, ?, ?)'),
      chainViews: db.prepare('SELECT doc FROM agreement_chain_v1 WHERE live = 1 ORDER BY id'),
      current: db.prepare(
        `SELECT a.version, a.status, a.kind, a.business_unit, a.service_id, a.renewal_date, a.expiry_date, v.doc
         FROM agreements a JOIN agreement_versions v ON v.id = a.id AND v.version = a.version WHERE a.id = ?`,
      ),
      insertCurrent: db.prepare(
        `INSERT INTO agreements (id, version, status, kind, business_unit, service_id, renewal_date, expiry_date)
         VALUES (@id, @version, @status, @kind, @business_unit, @service_id, @renewal_date, @expiry_date)`,
      ),
      chainOf: db.prepare('SELECT live, doc FROM agreement_chain_v1 WHERE id = ?'),
      partiesOf: db.prepare('SELECT unit FROM agreement_parties WHERE id = ?'),
      edgesOf: db.prepare('SELECT dep_id FROM agreement_edges WHERE sla_id = ?'),
      exists: db.prepare('SELECT version FROM agreements WHERE id = ?'),
      insertVersion: db.prepare('INSERT INTO agreement_versions (id, version, doc) VALUES (?, ?, ?)'),
      version: db.prepare('SELECT doc FROM agreement_versions WHERE id = ? AND version = ?'),
      versions: db.prepare('SELECT doc FROM agreement_versions WHERE id = ? ORDER BY version'),
      deleteEdges: db.prepare('DELETE FROM agreement_edges WHERE sla_id = ?'),
      deleteParties: db.prepare('DELETE FROM agreement_parties WHERE id = ?'),
      insertParty: db.prepare('INSERT OR IGNORE INTO agreement_parties (unit, id) VALUES (?, ?)'),
      insertEdge: db.prepare('INSERT OR IGNORE INTO agreement_edges (dep_id, sla_id) VALUES (?, ?)'),
      dependants: db.prepare(
        `SELECT v.doc FROM agreement_edges e JOIN agreements a ON a.id = e.sla_id
         JOIN agreement_versions v ON v.id = a.id AND v.version = a.version
         WHERE e.dep_id = ? AND a.status != 'retired' ORDER BY a.id`,
      ),
      change: db.prepare(
        "INSERT INTO change_log (entity, entity_id, old_doc, new_doc, at) VALUES ('agreement', ?, ?, ?, ?)",
      ),
    };
    this.createTx = db.transaction((v: AgreementVersion): void => {
      if (this.s.exists.get(v.id)) throw new ConflictError(`agreement ${v.id} already exists`);
      this.write(v, undefined);
    }).immediate;
    this.appendTx = db.transaction((v: AgreementVersion): void => {
      const row = this.s.current.get(v.id) as CurrentRow | undefined;
      if (!row) throw new ConflictError(`agreement ${v.id} does not exist`);
      if (row.version !== v.version - 1) {
        throw new VersionConflictError(
          `stale write: version ${v.version - 1} was expected, the current version is ${row.version}`,
          JSON.parse(row.doc),
        );
      }
      this.write(v, row);
    }).immediate;
  }

  /**
   * Writes one version: the immutable version row, the current row, the chain's projection, the parties, the edges and
   * the change-log row. Each commit copies every page it dirtied into the WAL, so only what changed is written: the
   * current row's columns that differ (an UPDATE naming a column rewrites every index holding it, even to the same
   * value: nine indexes for a status change), and the projection, parties and edges only when they differ from what
   * is stored (a sign-off changes none of them).
   */
  private write = (v: AgreementVersion, old: CurrentRow | undefined): void => {
    const doc = JSON.stringify(v);
    this.s.insertVersion.run(v.id, v.version, doc);
    const cols: Record<CurrentColumn, string | number | null> = {
      version: v.version,
      status: v.status,
      kind: v.kind,
      business_unit: v.businessUnit,
      service_id: v.serviceId,
      renewal_date: v.renewal?.renewalDate ?? null,
      expiry_date: v.effectiveTo ?? null,
    };
    if (!old) this.s.insertCurrent.run({ id: v.id, ...cols });
    else {
      const changed = CURRENT_COLUMNS.filter((c) => old[c] !== cols[c]);
      this.updateCurrent(changed).run(...changed.map((c) => cols[c]), v.id);
    }
    const live = v.status === 'retired' ? 0 : 1;
    const chain = JSON.stringify(chainView(v));
    const stored = old ? (this.s.chainOf.get(v.id) as { live: number; doc: string } | undefined) : undefined;
    if (stored?.live !== live || stored.doc !== chain) this.s.upsertChain.run(v.id, live, chain);
    const units = [...new Set(partyUnitsOf(v.parties))];
    const storedUnits = old ? (this.s.partiesOf.all(v.id) as { unit: string }[]).map((r) => r.unit) : [];
    if (!sameSet(units, storedUnits)) {
      this.s.deleteParties.run(v.id);
      for (const unit of units) this.s.insertParty.run(unit, v.id);
    }
    const deps = [...new Set(v.underpinnedBy)];
    const storedDeps = old ? (this.s.edgesOf.all(v.id) as { dep_id: string }[]).map((r) => r.dep_id) : [];
    if (!sameSet(deps, storedDeps)) {
      this.s.deleteEdges.run(v.id);
      for (const dep of deps) this.s.insertEdge.run(dep, v.id);
    }
    this.s.change.run(v.id, old?.doc ?? null, doc, v.changedAt);
  };

  /** `UPDATE agreements SET <the changed columns> WHERE id = ?`, prepared once per set of columns. */
  private updateCurrent(changed: readonly CurrentColumn[]): Statement {
    const key = changed.join(',');
    let st = this.updates.get(key);
    if (!st) {
      st = this.db.prepare(`UPDATE agreements SET ${changed.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`);
      this.updates.set(key, st);
    }
    return st;
  }

  private readonly updates = new Map<string, Statement>();

  // Made once, in the constructor: better-sqlite3 builds a transaction function and its four variants on every
  // `db.transaction()` call.
  private readonly createTx: (v: AgreementVersion) => void;
  private readonly appendTx: (v: AgreementVersion) => void;

  async create(first: AgreementVersion): Promise<void> {
    this.createTx(first);
  }

  async append(next: AgreementVersion): Promise<void> {
    this.appendTx(next);
  }

  async get(id: string): Promise<AgreementVersion | undefined> {
    const row = this.s.current.get(id) as { doc: string } | undefined;
    return row ? JSON.parse(row.doc) : undefined;
  }

  async getVersion(id: string, version: number): Promise<AgreementVersion | undefined> {
    const row = this.s.version.get(id, version) as { doc: string } | undefined;
    return row ? JSON.parse(row.doc) : undefined;
  }

  async listVersions(id: string): Promise<AgreementVersion[]> {
    return (this.s.versions.all(id) as { doc: string }[]).map((r) => JSON.parse(r.doc));
  }

  async dependants(id: string): Promise<AgreementVersion[]> {
    return (this.s.dependants.all(id) as { doc: string }[]).map((r) => JSON.parse(r.doc));
  }

  /** One query over the projections written with each version (see the table's comment), one small parse each. */
  async chainViews(): Promise<ChainAgreement[]> {
    return (this.s.chainViews.all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as ChainAgreement);
  }

  private readonly pages: PageQuery;

  async list(q: AgreementListQuery): Promise<Page<AgreementVersion>> {
    const where = new Where()
      .eq('service_id', q.serviceId)
      .eq('business_unit', q.businessUnit)
      .eq('kind', q.kind)
      .range('renewal_date', q.renewalFrom, q.renewalTo)
      .range('expiry_date', q.expiryFrom, q.expiryTo);
    if (q.status !== undefined) where.eq('status', q.status);
    else where.add("status != 'retired'");
    // A business-unit filter inside the caller's scope already is the scope: saying it twice would stop
    // SQLite from reading the (business_unit, status, id) index in id order.
    if (!(q.businessUnit !== undefined && !q.scope.all && q.scope.businessUnits.includes(q.businessUnit))) {
      where.scope(
        q.scope,
        'business_unit',
        'service_id',
        (n) => `id IN (SELECT id FROM agreement_parties WHERE unit IN (${n}))`,
      );
    }
    if (q.after !== undefined) where.add('id > ?', q.after);
    // Filter and order on the narrow current rows, then read the documents of the page only.
    const sql = `SELECT a.id, v.doc FROM (SELECT id, version FROM agreements WHERE ${where} ORDER BY id LIMIT ?) a
      JOIN agreement_versions v ON v.id = a.id AND v.version = a.version ORDER BY a.id`;
    return this.pages.run<AgreementVersion>(sql, where.args, q.limit);
  }
}
