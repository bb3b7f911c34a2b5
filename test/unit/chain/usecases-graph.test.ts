import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { NotFoundError, UnavailableError } from '../../../shared/domain/errors.js';
import { loadChainPolicy } from '../../../shared/policy/chain.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { ChainUseCases, chainIn } from '../../../shared/usecases/chain/index.js';
import { agreementBody, agreementVersion, principal } from '../../helpers/fixtures.js';

const HIDDEN = 'an agreement outside your scope';
const admin = principal({ subject: 'ada@bank.example', roles: ['admin'] });
const payments = principal({
  subject: 'sam@bank.example',
  roles: ['sla-manager'],
  businessUnits: ['payments'],
});
const base = agreementBody().objectives[0]!;
const PLATFORM = {
  serviceId: 'svc_platform',
  businessUnit: 'platform',
  parties: {
    provider: { type: 'business-unit' as const, businessUnit: 'platform' },
    customer: { type: 'business-unit' as const, businessUnit: 'platform' },
  },
};

describe('the chain use cases: graph and gaps', () => {
  let agreements: MemoryAgreementStore;
  let chain: ChainUseCases;
  let put: (over: Partial<AgreementVersion>) => Promise<AgreementVersion>;

  beforeEach(() => {
    agreements = new MemoryAgreementStore();
    chain = new ChainUseCases({
      agreements,
      clock: { now: () => new Date('2026-12-01T10:00:00.000Z') },
      policy: loadChainPolicy(),
    });
    put = async (over) => {
      const a = agreementVersion({ status: 'active', ...over });
      await agreements.create(a);
      return a;
    };
  });

  it('places an agreement reached twice below the root at its nearest level, and shows each node’s objectives', async () => {
    const c = await put({
      kind: 'OLA',
      title: 'Database',
      objectives: [
        { ...base, id: 'latency', sli: { type: 'response-time', thresholdMs: 300 }, target: 99 },
        { ...base, target: 99.95 },
      ],
    });
    const a = await put({ kind: 'OLA', title: 'Network', underpinnedBy: [c.id] });
    const sla = await put({ underpinnedBy: [a.id, c.id] });
    const g = await chain.graph(payments, sla.id);
    const node = (x: AgreementVersion, level: number) => ({
      id: x.id,
      kind: x.kind,
      title: x.title,
      status: 'active',
      serviceId: 'svc_payments-gateway',
      businessUnit: 'payments',
      level,
      objectives: [{ id: 'availability', sliType: 'availability', target: 99.9 }],
    });
    expect(g.agreementId).toBe(sla.id);
    expect(g.nodes).toEqual([
      node(sla, 0),
      node(a, 1),
      {
        ...node(c, 1),
        objectives: [
          { id: 'latency', sliType: 'response-time', target: 99, thresholdMs: 300 },
          { id: 'availability', sliType: 'availability', target: 99.95 },
        ],
      },
    ]);
    expect(g.nodes[0]!.objectives[0]).not.toHaveProperty('thresholdMs');
    expect(g.edges.map((e) => [e.from, e.to])).toEqual([
      [sla.id, a.id],
      [sla.id, c.id],
      [a.id, c.id],
    ]);
    expect(g.outsideScope).toEqual({ agreements: 0, edges: 0 });
  });

  it('walks up through every dependant once, with the edge that names each agreement it rests on', async () => {
    const root = await put({ kind: 'OLA' });
    const u1 = await put({ kind: 'OLA', underpinnedBy: [root.id] });
    // u2 rests on u1 first and on the root second: the edge to the root is its second.
    const u2 = await put({ underpinnedBy: [u1.id, root.id] });
    const g = await chain.graph(payments, root.id);
    expect(g.nodes.map((n) => [n.id, n.level])).toEqual([
      [root.id, 0],
      [u1.id, -1],
      [u2.id, -1],
    ]);
    expect(g.edges).toEqual([
      { from: u1.id, to: root.id, supports: [] },
      { from: u2.id, to: root.id, supports: [] },
      { from: u2.id, to: u1.id, supports: [] },
    ]);
  });

  it('lists each edge once when stored links close a cycle', async () => {
    const r = agreementVersion({ kind: 'OLA', status: 'active' });
    const d = await put({ kind: 'OLA', underpinnedBy: [r.id] });
    await agreements.create({ ...r, underpinnedBy: [d.id] });
    const g = await chain.graph(admin, r.id);
    expect(g.nodes.map((n) => [n.id, n.level])).toEqual([
      [r.id, 0],
      [d.id, 1],
    ]);
    expect(g.edges.map((e) => [e.from, e.to])).toEqual([
      [r.id, d.id],
      [d.id, r.id],
    ]);
  });

  it('answers an unknown agreement with a NotFoundError naming the id and the field', async () => {
    const e = await chain.gaps(payments, 'agr_01NOPE').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).message).toBe('no agreement agr_01NOPE');
    expect((e as NotFoundError).details).toEqual([{ path: 'agreementId', problem: 'names no agreement' }]);
  });

  it('hides only the dependencies outside the caller’s scope in a finding, naming the others', async () => {
    const mine = await put({ kind: 'OLA', objectives: [{ ...base, target: 99.9 }] });
    const theirs = await put({ kind: 'OLA', ...PLATFORM, objectives: [{ ...base, target: 99.9 }] });
    const sla = await put({
      underpinnedBy: [mine.id, theirs.id],
      underpinning: [
        { objectiveId: 'availability', agreementId: mine.id, mode: 'serial' },
        { objectiveId: 'availability', agreementId: theirs.id, mode: 'serial' },
      ],
    });
    const seen = await chain.gaps(payments, sla.id);
    expect(seen.findings.map((f) => [f.rule, f.agreementId, f.dependencyIds])).toEqual([
      ['availability-composition', sla.id, [mine.id, HIDDEN]],
    ]);
    expect(JSON.stringify(seen)).not.toContain(theirs.id);
    expect(seen).toMatchObject({ asOf: '2026-12-01T10:00:00.000Z', outsideScope: 0 });
    const all = await chain.gaps(admin, sla.id);
    expect(all.findings.map((f) => f.dependencyIds)).toEqual([[mine.id, theirs.id]]);
  });

  it('leaves a finding with no hidden dependency as the analysis made it', async () => {
    const ola = await put({ kind: 'OLA', objectives: [{ ...base, target: 99.5 }] });
    const sla = await put({
      underpinnedBy: [ola.id],
      underpinning: [{ objectiveId: 'availability', agreementId: ola.id, mode: 'serial' }],
    });
    await put({ kind: 'OLA', ...PLATFORM }); // outside the scope: the caller is not unscoped
    const seen = await chain.gaps(payments, sla.id);
    const all = await chain.gaps(admin, sla.id);
    expect(seen.findings).toEqual(all.findings);
    expect(seen.findings).toHaveLength(1);
  });

  it('analyses a chain whose stored links close a cycle, reading each agreement once', async () => {
    const r = agreementVersion({ kind: 'OLA', status: 'active' });
    const d = await put({ kind: 'OLA', underpinnedBy: [r.id] });
    await agreements.create({ ...r, underpinnedBy: [d.id] });
    const report = await chain.gaps(admin, r.id);
    expect(report.analysed).toBe(2);
    expect(await chain.findingsFor({ ...r, underpinnedBy: [d.id] })).toEqual(report.findings);
  });

  it('answers 503 where the chain is not wired, and the chain where it is', () => {
    expect(() => chainIn({})).toThrow(
      new UnavailableError('the underpinning chain is not wired in this function'),
    );
    expect(() => chainIn({})).toThrow(UnavailableError);
    expect(chainIn({ chain })).toBe(chain);
  });
});
