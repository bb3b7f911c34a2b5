import { describe, expect, it } from 'vitest';
import { MemoryGovernanceRequestStore } from '../../../shared/adapters/memory/governance.js';
import type { Principal } from '../../../shared/domain/access/policy.js';
import type { EvaluationResult } from '../../../shared/domain/objectives/types.js';
import {
  changedSince,
  changeSignOffs,
  classifyChange,
} from '../../../shared/domain/workflows/change-control.js';
import { loadWorkflowPolicy } from '../../../shared/policy/workflows.js';
import type { FreezeExceptionRecord } from '../../../shared/ports/governance.js';
import type { ObjectiveUseCases } from '../../../shared/usecases/objectives/index.js';
import type { ServiceUseCases } from '../../../shared/usecases/services.js';
import { ChangeGateUseCases } from '../../../shared/usecases/workflows/change-gate.js';
import {
  type FreezeExceptionDeps,
  FreezeExceptionUseCases,
} from '../../../shared/usecases/workflows/freeze-exceptions.js';

const policy = loadWorkflowPolicy();
const current = {
  title: 'Cards API SLA',
  description: 'the card authorisation API',
  objectives: [{ id: 'availability', target: 99.9 }],
  reviewCycle: { everyMonths: 12, nextReviewDate: '2026-12-01' },
  renewal: { renewalDate: '2027-01-01', noticeDays: 90, autoRenew: true },
  jurisdiction: { governingLaw: 'English law', country: 'GB' },
};

describe('the change guard: what changes in force and what needs a new version and sign-off', () => {
  it.each([
    ['a new title is administrative', { title: 'Cards SLA' }, ['title'], [], []],
    [
      'a new target is material',
      { objectives: [{ id: 'availability', target: 99.5 }] },
      [],
      ['objectives'],
      [],
    ],
    [
      'a moved renewal date alone is administrative',
      { renewal: { ...current.renewal, renewalDate: '2027-02-01' } },
      ['renewal'],
      [],
      [],
    ],
    [
      'ending auto-renewal is a material renewal term',
      { renewal: { ...current.renewal, autoRenew: false } },
      [],
      ['renewal.autoRenew'],
      [],
    ],
    [
      'a field proposed with its current value changes nothing',
      { title: 'Cards API SLA', reviewCycle: { everyMonths: 6, nextReviewDate: '2026-09-01' } },
      ['reviewCycle'],
      [],
      ['title'],
    ],
  ])('%s', (_name, proposed, administrative, material, unchanged) => {
    expect(classifyChange(current, proposed)).toEqual({ administrative, material, unchanged });
  });

  it('names the terms a request changes that were changed in the agreement since its base version', () => {
    const moved = { ...current, title: 'Renamed meanwhile' };
    expect(changedSince(current, moved, { title: 'Theirs', description: 'x' })).toEqual(['title']);
    expect(changedSince(current, moved, { description: 'x' })).toEqual([]);
  });
});

describe('the change control path (shared/policy/workflows.json changeRequest.rules)', () => {
  const caps = (material: string[], tier: number, kind: 'SLA' | 'OLA' | 'UC' = 'SLA') =>
    changeSignOffs(policy.changeRequest, material, tier, kind).map((s) => s.capacity);

  it.each([
    [
      'a tier-2 SLA target: the service owner and the business owner',
      ['objectives'],
      2,
      'SLA',
      ['service-owner', 'business-owner'],
    ],
    [
      'a tier-1 SLA target: and the governance board',
      ['objectives'],
      1,
      'SLA',
      ['service-owner', 'business-owner', 'governance-board'],
    ],
    ['tier-3 credits: and finance', ['credits'], 3, 'SLA', ['service-owner', 'business-owner', 'finance']],
    [
      'a renewal term: finance (renewal.autoRenew matches renewal)',
      ['renewal.autoRenew'],
      4,
      'SLA',
      ['service-owner', 'business-owner', 'finance'],
    ],
    [
      "a UC's jurisdiction: legal and procurement",
      ['jurisdiction'],
      2,
      'UC',
      ['service-owner', 'business-owner', 'legal', 'procurement'],
    ],
    ['an administrative change: nobody', [], 1, 'SLA', []],
  ] as const)('%s', (_name, material, tier, kind, want) => {
    expect(caps([...material], tier, kind)).toEqual(want);
  });

  it('says which rules asked for each capacity', () => {
    expect(changeSignOffs(policy.changeRequest, ['objectives'], 1, 'SLA')).toContainEqual({
      capacity: 'governance-board',
      rules: ['tier-1-targets'],
    });
  });
});

describe('the change gate with exceptions to a freeze (item 7)', () => {
  const frozen = {
    agreementId: 'agr_01J000000000001',
    objectiveId: 'availability',
    status: 'breached',
    budget: { remainingRatio: -0.1 },
  };
  const exception = (over: Partial<FreezeExceptionRecord> = {}): FreezeExceptionRecord => ({
    kind: 'freeze-exception',
    id: 'frx_1',
    serviceId: 'svc_cards',
    businessUnit: 'payments',
    from: '2026-05-01T10:00:00.000Z',
    to: '2026-05-01T14:00:00.000Z',
    reason: 'CVE',
    change: 'release 4.2.1',
    requestedBy: 'olga',
    requestedAt: '2026-05-01T09:00:00.000Z',
    status: 'approved',
    decision: { by: 'abe', at: '2026-05-01T09:30:00.000Z', reason: 'patch it' },
    taskId: 'tsk_1',
    history: [],
    revision: 0,
    ...over,
  });
  const gateAt = async (iso: string, records: FreezeExceptionRecord[]) => {
    const requests = new MemoryGovernanceRequestStore();
    for (const r of records) await requests.put(r, 0);
    // The real lookup over a real store; the other dependencies are not reached by it.
    const exceptions = new FreezeExceptionUseCases({
      requests,
      policy: policy.freezeExceptions,
    } as unknown as FreezeExceptionDeps);
    const uc = new ChangeGateUseCases(policy.errorBudget, {
      clock: { now: () => new Date(iso) },
      inForce: (id, now) => exceptions.inForce(id, now),
    });
    const objectives = {
      statusOfService: async () => ({
        objectives: [{ ...frozen, evaluatedAt: '2026-05-01T08:00:00.000Z' }] as unknown as EvaluationResult[],
      }),
    } as unknown as ObjectiveUseCases;
    const services = { get: async () => ({ id: 'svc_cards', tier: 1 }) } as unknown as ServiceUseCases;
    return uc.gate({} as Principal, 'svc_cards', objectives, services);
  };

  it('opens a frozen gate while an approved exception is in force, naming it beside the freeze', async () => {
    const g = await gateAt('2026-05-01T12:00:00.000Z', [exception()]);
    expect(g).toMatchObject({
      allowed: true,
      consequences: expect.arrayContaining(['change-freeze']),
      exception: { id: 'frx_1', to: '2026-05-01T14:00:00.000Z', approvedBy: 'abe', change: 'release 4.2.1' },
    });
    expect(g.reasons.at(-1)).toBe(
      'freeze exception frx_1 for "release 4.2.1" approved by abe, in force until 2026-05-01T14:00:00.000Z',
    );
  });

  it.each([
    ['before it begins', '2026-05-01T09:59:59.000Z', exception()],
    ['at its end (exclusive)', '2026-05-01T14:00:00.000Z', exception()],
    [
      'while it waits for a decision',
      '2026-05-01T12:00:00.000Z',
      exception({ status: 'pending', decision: undefined }),
    ],
    ['when it was rejected', '2026-05-01T12:00:00.000Z', exception({ status: 'rejected' })],
  ])('keeps the gate shut %s', async (_name, at, ex) => {
    const g = await gateAt(at, [ex]);
    expect(g.allowed).toBe(false);
    expect(g.exception).toBeUndefined();
  });
});
