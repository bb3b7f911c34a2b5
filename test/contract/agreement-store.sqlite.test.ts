import { describe, expect, it } from 'vitest';
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { chainView } from '../../shared/domain/chain/graph.js';
import { agreementVersion } from '../helpers/fixtures.js';
import { fullScans, recordingDb } from '../helpers/query-plans.js';
import { agreementStoreContract } from './agreement-store.contract.js';

agreementStoreContract('SQLite', () => new SqliteAgreementStore(openDatabase(':memory:')));

describe('SqliteAgreementStore on a database made before the chain projection', () => {
  it("projects the agreements already stored when it opens, so the portfolio's analysis sees them", async () => {
    const db = openDatabase(':memory:');
    const first = new SqliteAgreementStore(db);
    const uc = agreementVersion({ kind: 'UC' });
    const ola = agreementVersion({ kind: 'OLA', underpinnedBy: [uc.id] });
    await first.create(uc);
    await first.create(ola);
    db.exec('DELETE FROM agreement_chain_v1'); // as a database written by an earlier release holds it
    const reopened = new SqliteAgreementStore(db);
    expect(await reopened.chainViews()).toEqual(
      [chainView(uc), chainView(ola)].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
  });
});

describe('SqliteAgreementStore statements on the request path', () => {
  it('reads and writes an agreement through indexes only, so a write costs the same at 100 or 100,000 agreements', async () => {
    const real = openDatabase(':memory:');
    const { db, ran, clear } = recordingDb(real);
    const store = new SqliteAgreementStore(db);
    const uc = agreementVersion({ kind: 'UC' });
    await store.create(uc);
    for (let i = 0; i < 50; i++) await store.create(agreementVersion());
    clear(); // the migrations run when the store opens read whole tables once, on purpose
    const ola = agreementVersion({ kind: 'OLA', underpinnedBy: [uc.id] });
    await store.create(ola);
    await store.append({ ...ola, version: 2, status: 'submitted' });
    await store.append({ ...ola, version: 3, status: 'approved', underpinnedBy: [] });
    await store.get(ola.id);
    await store.getVersion(ola.id, 2);
    await store.listVersions(ola.id);
    await store.dependants(uc.id);
    expect(ran.size).toBeGreaterThanOrEqual(10); // the write's statements were all seen
    // Before the parties and edges were indexed by agreement, each write's "DELETE … WHERE id = ?" scanned them.
    expect(fullScans(real, ran.values())).toEqual([]);
  });
});
