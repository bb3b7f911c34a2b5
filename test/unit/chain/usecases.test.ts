import { describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import { BusinessRuleError, ConflictError, NotFoundError } from '../../../shared/domain/errors.js';
import { loadChainPolicy } from '../../../shared/policy/chain.js';
import { loadSignOffRules } from '../../../shared/policy/index.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { AgreementUseCases } from '../../../shared/usecases/agreements.js';
import { ChainUseCases } from '../../../shared/usecases/chain/index.js';
import { agreementBody, agreementVersion, principal, service } from '../../helpers/fixtures.js';

const NOW = '2026-12-01T10:00:00.000Z';
const admin = principal({ subject: 'ada@bank.example', roles: ['admin'] });
const payments = principal({
  subject: 'sam@bank.example',
  roles: ['sla-manager'],
  businessUnits: ['payments'],
});
const base = agreementBody().objectives[0]!;

async function setup() {
  const agreements = new MemoryAgreementStore();
  const services = new MemoryServiceStore();
  await services.create(service());
  await services.create(service({ id: 'svc_platform', businessUnit: 'platform' }));
  const clock = { now: () => new Date(NOW) };
  const chain = new ChainUseCases({ agreements, clock, policy: loadChainPolicy() });
  let n = 0;
  const uc = new AgreementUseCases({
    agreements,
    services,
    clock,
    ids: { agreementId: () => `agr_01NEW${String(++n).padStart(17, '0')}` } as never,
    signOffRules: loadSignOffRules(),
    gaps: (a) => chain.findingsFor(a),
  });
  const put = async (over: Partial<AgreementVersion>) => {
    const a = agreementVersion({ status: 'active', ...over });
    await agreements.create(a);
    return a;
  };
  /** A platform-unit OLA: outside the payments manager's scope. */
  const platformOla = (over: Partial<AgreementVersion> = {}) =>
    put({
      kind: 'OLA',
      serviceId: 'svc_platform',
      businessUnit: 'platform',
      parties: {
        provider: { type: 'business-unit', businessUnit: 'platform' },
        customer: { type: 'business-unit', businessUnit: 'platform' },
      },
      ...over,
    });
  return { agreements, chain, uc, put, platformOla };
}

describe('linking the chain', () => {
  it('refuses a link that would close a cycle, naming the cycle as far as the caller may see it', async () => {
    const { uc, put } = await setup();
    const b = await put({ kind: 'OLA', status: 'draft' });
    const a = await put({ kind: 'OLA', underpinnedBy: [b.id] });
    const err = await uc
      .update(admin, b.id, 1, { underpinnedBy: [a.id], reason: 'b rests on a' } as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).details).toEqual([
      {
        path: 'underpinnedBy[0]',
        problem: `would close a cycle in the underpinning chain: ${b.id} → ${a.id} → ${b.id}`,
      },
    ]);
  });

  it('refuses an edge whose objective or dependency objective does not exist, or whose agreement is not linked', async () => {
    const { uc, put } = await setup();
    const ola = await put({ kind: 'OLA' });
    const other = await put({ kind: 'OLA' });
    const sla = await put({ status: 'draft' });
    const err = await uc
      .update(admin, sla.id, 1, {
        underpinnedBy: [ola.id],
        underpinning: [
          {
            objectiveId: 'availability',
            agreementId: ola.id,
            dependencyObjectiveId: 'uptime',
            mode: 'serial',
          },
          { objectiveId: 'latency', agreementId: other.id, mode: 'serial' },
        ],
        reason: 'say how',
      } as never)
      .catch((e: unknown) => e);
    expect((err as BusinessRuleError).details).toEqual([
      { path: 'underpinning[1].objectiveId', problem: 'names no objective of this agreement ("latency")' },
      { path: 'underpinning[1].agreementId', problem: `${other.id} is not listed in underpinnedBy` },
      {
        path: 'underpinning[0].dependencyObjectiveId',
        problem: `names no objective of ${ola.id} ("uptime")`,
      },
    ]);
    const err2 = await uc
      .update(admin, sla.id, 1, {
        underpinnedBy: [ola.id],
        underpinning: [
          {
            objectiveId: 'availability',
            agreementId: ola.id,
            dependencyObjectiveId: 'uptime',
            mode: 'serial',
          },
        ],
        reason: 'say how',
      } as never)
      .catch((e: unknown) => e);
    expect((err2 as BusinessRuleError).details).toEqual([
      {
        path: 'underpinning[0].dependencyObjectiveId',
        problem: `names no objective of ${ola.id} ("uptime")`,
      },
    ]);
  });

  it('lets an OLA rest on a UC but not a UC on anything', async () => {
    const { uc, put } = await setup();
    const vendor = { type: 'vendor' as const, vendorId: 'carrier', name: 'Carrier' };
    const u = await put({
      kind: 'UC',
      parties: { provider: vendor, customer: { type: 'business-unit', businessUnit: 'payments' } },
    });
    const ola = await put({ kind: 'OLA', status: 'draft' });
    expect(
      (await uc.update(admin, ola.id, 1, { underpinnedBy: [u.id], reason: 'ola on uc' } as never)).version,
    ).toBe(2);
    const draftUc = await put({ ...u, id: 'agr_01DRAFTUC00000000001', status: 'draft', underpinnedBy: [] });
    const err = await uc
      .update(admin, draftUc.id, 1, { underpinnedBy: [ola.id], reason: 'uc on ola' } as never)
      .catch((e: unknown) => e);
    expect((err as BusinessRuleError).details).toEqual([
      {
        path: 'underpinnedBy',
        problem: 'an SLA or an OLA is underpinned by OLAs and UCs; a UC rests on nothing of ours',
      },
    ]);
  });
});

describe('reading the graph', () => {
  it('shows the chain at any depth with each edge’s terms, and counts what lies outside the caller’s scope', async () => {
    const { chain, put, platformOla } = await setup();
    const deep = await put({ kind: 'OLA' });
    const hidden = await platformOla({ underpinnedBy: [deep.id] });
    const mid = await put({ kind: 'OLA' });
    const sla = await put({
      underpinnedBy: [mid.id, hidden.id],
      underpinning: [
        { objectiveId: 'availability', agreementId: mid.id, mode: 'serial', handoffMinutes: 15 },
      ],
    });
    const g = await chain.graph(payments, sla.id);
    expect(g.nodes.map((n) => [n.id, n.level])).toEqual([
      [sla.id, 0],
      [mid.id, 1],
      [deep.id, 2],
    ]);
    expect(g.edges).toEqual([
      {
        from: sla.id,
        to: mid.id,
        supports: [{ objectiveId: 'availability', mode: 'serial', handoffMinutes: 15 }],
      },
    ]);
    expect(g.outsideScope).toEqual({ agreements: 1, edges: 2 });
    expect(JSON.stringify(g)).not.toContain(hidden.id);

    const fromBelow = await chain.graph(payments, mid.id);
    expect(fromBelow.nodes.map((n) => [n.id, n.level])).toEqual([
      [mid.id, 0],
      [sla.id, -1],
    ]);
  });

  it('answers an agreement the caller may not read exactly as one that does not exist', async () => {
    const { chain, platformOla } = await setup();
    const hidden = await platformOla();
    await expect(chain.graph(payments, hidden.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(chain.gaps(payments, hidden.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('gaps on submission and activation', () => {
  it('records the findings on the submitted version and refuses activation while a blocking gap stands', async () => {
    const { agreements, uc, put } = await setup();
    const ola = await put({ kind: 'OLA', objectives: [{ ...base, target: 99.5 }] });
    const body = agreementBody({
      effectiveFrom: '2026-12-01',
      underpinnedBy: [ola.id],
      underpinning: [{ objectiveId: 'availability', agreementId: ola.id, mode: 'serial' }],
    });
    const sla = await uc.create(admin, body);
    const submitted = await uc.submit(admin, sla.id, 1, 'ready');
    expect(submitted.gapFindings).toEqual([
      expect.objectContaining({
        rule: 'availability-composition',
        agreementId: sla.id,
        figures: expect.objectContaining({ targetPercent: 99.9, composedPercent: 99.5 }),
      }),
    ]);
    // Signed off by everyone (stored directly: sign-off is not what this test is about).
    const signOffs = submitted.requiredSignOffs.map((r, i) => ({
      capacity: r.capacity,
      decision: 'approved' as const,
      by: `signer-${i}@bank.example`,
      at: NOW,
    }));
    await agreements.append({ ...submitted, version: 3, status: 'approved', signOffs });
    const err = await uc.activate(admin, sla.id, 3, 'go').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).message).toContain('availability-composition');
    expect((err as ConflictError).details[0]!.problem).toContain('composes to 99.5%');
  });

  it('scopes the portfolio: findings about agreements outside the caller’s scope are counted, not shown', async () => {
    const { chain, put, platformOla } = await setup();
    const uc = await platformOla({ kind: 'OLA', objectives: [{ ...base, target: 99.5 }] });
    const hidden = await platformOla({
      underpinnedBy: [uc.id],
      underpinning: [{ objectiveId: 'availability', agreementId: uc.id, mode: 'serial' }],
    });
    await put({
      underpinnedBy: [hidden.id],
      underpinning: [{ objectiveId: 'availability', agreementId: hidden.id, mode: 'serial' }],
    });
    await platformOla(); // active, underpins nothing, outside the caller's scope: not even counted
    const mine = await chain.portfolioGaps(payments);
    // Mine: the SLA carries only 99.5% through the platform OLA; the OLA's own gap is counted, not shown.
    expect(mine.findings.map((f) => [f.rule, f.figures.composedPercent, f.dependencyIds])).toEqual([
      ['availability-composition', 99.5, ['an agreement outside your scope']],
    ]);
    expect(JSON.stringify(mine)).not.toContain(hidden.id);
    expect(mine.outsideScope).toBe(1);
    const all = await chain.portfolioGaps(admin);
    expect(all.findings.map((f) => f.rule).sort()).toEqual([
      'availability-composition',
      'availability-composition',
      'underpins-nothing',
    ]);
  });
});
