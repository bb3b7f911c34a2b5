import { describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { SqliteAgreementStore } from '../../../shared/adapters/sqlite/agreements.js';
import { openDatabase } from '../../../shared/adapters/sqlite/db.js';
import { loadChainPolicy } from '../../../shared/policy/chain.js';
import type { AgreementStore } from '../../../shared/ports/agreements.js';
import type { GapReport } from '../../../shared/schemas/chain.js';
import { ChainUseCases } from '../../../shared/usecases/chain/index.js';
import { portfolio } from '../../bench/chain.js';
import { principal } from '../../helpers/fixtures.js';

const admin = principal({ subject: 'ada@bank.example', roles: ['admin'] });
const paymentsViewer = principal({
  subject: 'vic@bank.example',
  roles: ['viewer'],
  businessUnits: ['payments'],
});
/** The benchmark's shape, small: SLAs over two levels of OLAs over UCs, redundant pairs, business-hours UCs. */
const SMALL = { slas: 30, ola1: 48, ola2: 24, ucs: 48 };
type GapFinding = GapReport['findings'][number];
const key = (f: GapFinding) => JSON.stringify(f);

async function portfolioIn(store: AgreementStore) {
  const all = portfolio(SMALL);
  for (const a of all) await store.create(a);
  const chain = new ChainUseCases({
    agreements: store,
    clock: { now: () => new Date('2027-03-01T10:00:00Z') },
    policy: loadChainPolicy(),
  });
  return { all, chain };
}

describe.each([
  ['memory', () => new MemoryAgreementStore()],
  ['SQLite', () => new SqliteAgreementStore(openDatabase(':memory:'))],
])('the portfolio analysis (%s)', (_name, make) => {
  it('finds exactly what the per-agreement analyses of its SLAs and OLAs find, each once', async () => {
    const { all, chain } = await portfolioIn(make());
    const whole = await chain.portfolioGaps(admin);
    const each = new Map<string, GapFinding>();
    for (const a of all.filter((x) => x.kind !== 'UC'))
      for (const f of (await chain.gaps(admin, a.id)).findings) each.set(key(f), f);
    const found = whole.findings.filter((f) => f.rule !== 'underpins-nothing');
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found.map((f) => f.rule))).toEqual(
      new Set(['availability-composition', 'time-path', 'hours-coverage']),
    );
    expect(found.map(key).sort()).toEqual([...each.keys()].sort());
    expect(whole.analysed).toBe(all.length);
  });

  it('shows a unit’s viewer what the per-agreement analyses show it, hiding the same agreements', async () => {
    const { all, chain } = await portfolioIn(make());
    const mine = await chain.portfolioGaps(paymentsViewer);
    const each = new Map<string, GapFinding>();
    for (const a of all.filter((x) => x.kind !== 'UC' && x.businessUnit === 'payments'))
      for (const f of (await chain.gaps(paymentsViewer, a.id)).findings) each.set(key(f), f);
    expect(mine.findings.length).toBeGreaterThan(0);
    expect(mine.findings.map(key).sort()).toEqual([...each.keys()].sort());
    expect(
      mine.findings.every((f) => all.find((a) => a.id === f.agreementId)?.businessUnit === 'payments'),
    ).toBe(true);
    expect(mine.findings.some((f) => f.dependencyIds.includes('an agreement outside your scope'))).toBe(true);
    expect(mine.outsideScope).toBeGreaterThan(0);
  });
});
