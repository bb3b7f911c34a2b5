import { describe, expect, it } from 'vitest';
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { chainView } from '../../shared/domain/chain/graph.js';
import { agreementVersion } from '../helpers/fixtures.js';
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
