import { beforeEach, describe, expect, it } from 'vitest';
import { StaticObjectivesSource } from '../../../shared/adapters/agreement-objectives-source.js';
import {
  MemoryEvaluationStore,
  MemoryExceptionWindowStore,
} from '../../../shared/adapters/memory/objectives.js';
import type { Principal } from '../../../shared/domain/access/policy.js';
import type { ExceptionRules } from '../../../shared/domain/agreements/exceptions.js';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  VersionConflictError,
} from '../../../shared/domain/errors.js';
import { DEFAULT_EXCEPTION_RULES } from '../../../shared/policy/exceptions.js';
import type { ExceptionWindowRecord, ObjectiveAgreement } from '../../../shared/ports/objectives.js';
import type { CreateExceptionWindowBody } from '../../../shared/schemas/objectives.js';
import { ObjectiveUseCases } from '../../../shared/usecases/objectives/index.js';
import { D, H, principal, START } from '../../helpers/objectives-usecases.js';
import { availabilityObjective, objectiveAgreement, objectiveDeps } from './helpers.js';

const M = 60_000;
const AGR = 'agr_0000000001';
const OTHER = 'agr_0000000002';
const iso = (t: number) => new Date(t).toISOString();

/** Held and provided by retail, consumed by wealth; two objectives, `avail` and `latency`. */
const held = (): ObjectiveAgreement =>
  objectiveAgreement(
    {
      agreementId: AGR,
      partyUnits: ['retail', 'wealth'],
      providerUnit: 'retail',
      customerUnit: 'wealth',
      objectives: [availabilityObjective({ id: 'avail' }), availabilityObjective({ id: 'latency' })],
    },
    {},
  );

/** Another agreement of retail, on another service, with no party. */
const other = (): ObjectiveAgreement =>
  objectiveAgreement({ agreementId: OTHER, serviceId: 'svc_card' }, { id: 'avail' });

/** The customer unit's SLA manager: the default rules name it to decide windows. */
const customer: Principal = {
  subject: 'cust@example.com',
  roles: ['sla-manager'],
  businessUnits: ['wealth'],
  services: [],
  signOffCapacities: [],
};
const mgr = principal(['sla-manager']);
const outsider: Principal = { ...mgr, subject: 'hr@example.com', businessUnits: ['hr'] };

/** Planned maintenance of 2 h starting `inDays` days after now, on `objectiveId` or the whole agreement. */
const planned = (now: number, inDays: number, objectiveId?: string): CreateExceptionWindowBody => ({
  kind: 'planned-maintenance',
  start: iso(now + inDays * D),
  end: iso(now + inDays * D + 2 * H),
  ...(objectiveId ? { objectiveId } : {}),
  reason: 'database upgrade',
});

/** A window as stored, written straight to the store (as another rule set or an older release left it). */
const stored = (
  over: Partial<ExceptionWindowRecord> & Pick<ExceptionWindowRecord, 'id'>,
): ExceptionWindowRecord => ({
  agreementId: AGR,
  kind: 'planned-maintenance',
  start: iso(START + 10 * D),
  end: iso(START + 10 * D + 2 * H),
  status: 'requested',
  version: 1,
  requestedBy: 'manager@example.com',
  reason: 'database upgrade',
  createdBy: 'manager@example.com',
  createdAt: iso(START),
  changedBy: 'manager@example.com',
  changedAt: iso(START),
  change: 'exception:request',
  changeReason: 'database upgrade',
  ...over,
});

describe('exception windows: requests, decisions, revocations and their listing', () => {
  let now: number;
  let exceptions: MemoryExceptionWindowStore;
  let evaluations: MemoryEvaluationStore;
  let uc: ObjectiveUseCases;
  const over = (rules?: ExceptionRules) =>
    new ObjectiveUseCases(
      objectiveDeps(new StaticObjectivesSource([held(), other()]), () => now, {
        exceptions,
        evaluations,
        ...(rules ? { exceptionRules: rules } : {}),
      }),
    );

  beforeEach(() => {
    now = START + 7 * D;
    exceptions = new MemoryExceptionWindowStore();
    evaluations = new MemoryEvaluationStore();
    uc = over();
  });

  describe('requesting', () => {
    it('stores a request as version 1, by the caller, for the objective it names', async () => {
      const body = { ...planned(now, 1, 'latency'), changeReference: 'CHG-7' };
      const x = await uc.requestException(mgr, AGR, body);
      const expected: ExceptionWindowRecord = {
        id: 'exc_1',
        agreementId: AGR,
        objectiveId: 'latency',
        kind: 'planned-maintenance',
        start: body.start,
        end: body.end,
        status: 'requested',
        version: 1,
        requestedBy: mgr.subject,
        changeReference: 'CHG-7',
        reason: 'database upgrade',
        createdBy: mgr.subject,
        createdAt: iso(now),
        changedBy: mgr.subject,
        changedAt: iso(now),
        change: 'exception:request',
        changeReason: 'database upgrade',
      };
      expect(x).toEqual(expected);
      expect(await exceptions.get('exc_1')).toEqual(expected);
    });

    it('stores a request for the whole agreement without an objective or a change reference', async () => {
      const x = await uc.requestException(mgr, AGR, planned(now, 1));
      expect(Object.keys(x)).not.toContain('objectiveId');
      expect(Object.keys(x)).not.toContain('changeReference');
    });

    it('accepts planned maintenance requested up to 5 minutes after it starts, not a millisecond later', async () => {
      const late = { ...planned(now, 0, 'avail'), start: iso(now - 5 * M), end: iso(now + H) };
      expect((await uc.requestException(mgr, AGR, late)).status).toBe('requested');
      const later = { ...late, objectiveId: 'latency', start: iso(now - 5 * M - 1) };
      const e = await uc.requestException(mgr, AGR, later).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BusinessRuleError);
      expect((e as BusinessRuleError).message).toBe('the exception window breaks a rule');
      expect((e as BusinessRuleError).details).toEqual([
        { path: 'start', problem: 'planned maintenance is requested before it starts' },
      ]);
    });

    it('accepts an emergency requested up to 72 hours after it starts, not a millisecond later', async () => {
      const body: CreateExceptionWindowBody = {
        kind: 'emergency',
        objectiveId: 'avail',
        start: iso(now - 72 * H),
        end: iso(now - 71 * H),
        reason: 'zero-day patch',
      };
      expect((await uc.requestException(mgr, AGR, body)).kind).toBe('emergency');
      const later = { ...body, objectiveId: 'latency', start: iso(now - 72 * H - 1) };
      const e = await uc.requestException(mgr, AGR, later).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BusinessRuleError);
      expect((e as BusinessRuleError).details).toEqual([
        { path: 'start', problem: 'an emergency may be requested at most 72 h after it starts' },
      ]);
    });

    it('refuses a window on an objective the agreement does not have, and one longer than its kind allows', async () => {
      const e = await uc
        .requestException(mgr, AGR, { ...planned(now, 1, 'throughput'), end: iso(now + D + 9 * H) })
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BusinessRuleError);
      expect((e as BusinessRuleError).details).toEqual([
        { path: 'objectiveId', problem: `names no objective of ${AGR}` },
        { path: 'end', problem: 'a planned-maintenance window may last at most 8 h; this one lasts 9 h' },
      ]);
      expect(await exceptions.list({})).toEqual([]);
    });

    it('refuses a window overlapping a requested or approved one on the same objectives, weeks ahead', async () => {
      await uc.requestException(mgr, AGR, planned(now, 20));
      await exceptions.create(
        stored({ id: 'exc_old', status: 'approved', start: iso(now + 30 * D), end: iso(now + 30 * D + H) }),
      );
      const e = await uc.requestException(mgr, AGR, planned(now, 20, 'avail')).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BusinessRuleError);
      expect((e as BusinessRuleError).details).toEqual([
        { path: 'start', problem: 'overlaps exception window exc_1, which covers the same objectives' },
      ]);
      const f = await uc.requestException(mgr, AGR, planned(now, 30)).catch((x: unknown) => x);
      expect((f as BusinessRuleError).details).toEqual([
        { path: 'start', problem: 'overlaps exception window exc_old, which covers the same objectives' },
      ]);
    });

    it('red team, wave 37: refuses a window overlapping one 800 days ahead or 800 days back, and approves only one of two stacked that far ahead (the rules read the windows around the window, not around now)', async () => {
      await uc.requestException(mgr, AGR, planned(now, 800));
      const e = await uc.requestException(mgr, AGR, planned(now, 800, 'avail')).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BusinessRuleError);
      expect((e as BusinessRuleError).details).toEqual([
        { path: 'start', problem: 'overlaps exception window exc_1, which covers the same objectives' },
      ]);
      await exceptions.create(
        stored({
          id: 'exc_past',
          status: 'approved',
          start: iso(now - 800 * D),
          end: iso(now - 800 * D + H),
        }),
      );
      const f = await uc
        .requestException(mgr, AGR, { ...planned(now, -800), kind: 'emergency' })
        .catch((x: unknown) => x);
      expect((f as BusinessRuleError).details).toContainEqual({
        path: 'start',
        problem: 'overlaps exception window exc_past, which covers the same objectives',
      });
      // Two requests stacked 900 days ahead (left by laxer rules): approving the second re-checks around it.
      const at = (d: number) => iso(now + 900 * D + d);
      await exceptions.create(stored({ id: 'exc_a', start: at(0), end: at(2 * H) }));
      await exceptions.create(stored({ id: 'exc_b', start: at(H), end: at(3 * H) }));
      await uc.decideException(customer, AGR, 'exc_a', 1, { decision: 'approved', reason: 'ok' });
      const g = await uc
        .decideException(customer, AGR, 'exc_b', 1, { decision: 'approved', reason: 'ok' })
        .catch((y: unknown) => y);
      expect((g as BusinessRuleError).details).toEqual([
        { path: 'start', problem: 'overlaps exception window exc_a, which covers the same objectives' },
      ]);
    });

    it('lets a window overlap a rejected or revoked one, and one of another agreement', async () => {
      await exceptions.create(
        stored({
          id: 'exc_no',
          status: 'rejected',
          start: iso(now + 20 * D),
          end: iso(now + 20 * D + 2 * H),
        }),
      );
      await exceptions.create(
        stored({
          id: 'exc_off',
          status: 'revoked',
          start: iso(now + 20 * D),
          end: iso(now + 20 * D + 2 * H),
        }),
      );
      await uc.requestException(mgr, OTHER, planned(now, 20));
      const x = await uc.requestException(mgr, AGR, planned(now, 20));
      expect(x).toMatchObject({ agreementId: AGR, status: 'requested' });
    });

    it("refuses the customer side: windows are requested by the provider's side", async () => {
      const e = await uc.requestException(customer, AGR, planned(now, 1)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ForbiddenError);
      expect((e as Error).message).toBe(
        "exception windows are requested by the provider's side of the agreement",
      );
    });

    it('answers an agreement not in force, or outside the caller’s scope, as absent', async () => {
      const e = await uc.requestException(mgr, 'agr_nope', planned(now, 1)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NotFoundError);
      expect((e as Error).message).toBe('no active agreement agr_nope');
      const f = await uc.requestException(outsider, AGR, planned(now, 1)).catch((x: unknown) => x);
      expect(f).toBeInstanceOf(NotFoundError);
      expect((f as Error).message).toBe(`no active agreement ${AGR}`);
    });
  });

  describe('deciding', () => {
    it('stores an approval as the next version, naming the approver, the decision and why', async () => {
      const x = await uc.requestException(mgr, AGR, planned(now, 1));
      now += H;
      const approved = await uc.decideException(customer, AGR, x.id, 1, {
        decision: 'approved',
        reason: 'agreed with the customer',
      });
      const expected: ExceptionWindowRecord = {
        ...x,
        status: 'approved',
        version: 2,
        approver: customer.subject,
        decidedBy: customer.subject,
        decidedAt: iso(now),
        decisionReason: 'agreed with the customer',
        changedBy: customer.subject,
        changedAt: iso(now),
        change: 'exception:approve',
        changeReason: 'agreed with the customer',
      };
      expect(approved).toEqual(expected);
      expect(await exceptions.get(x.id)).toEqual(expected);
    });

    it('stores a rejection as the next version, with no approver', async () => {
      const x = await uc.requestException(mgr, AGR, planned(now, 1));
      now += H;
      const rejected = await uc.decideException(customer, AGR, x.id, 1, {
        decision: 'rejected',
        reason: 'not during the sales week',
      });
      const expected: ExceptionWindowRecord = {
        ...x,
        status: 'rejected',
        version: 2,
        decidedBy: customer.subject,
        decidedAt: iso(now),
        decisionReason: 'not during the sales week',
        changedBy: customer.subject,
        changedAt: iso(now),
        change: 'exception:reject',
        changeReason: 'not during the sales week',
      };
      expect(rejected).toEqual(expected);
      expect(await exceptions.get(x.id)).toEqual(expected);
    });

    it('decides a window once: a decided one is a conflict naming its status', async () => {
      const x = await uc.requestException(mgr, AGR, planned(now, 1));
      await uc.decideException(customer, AGR, x.id, 1, { decision: 'approved', reason: 'ok' });
      const e = await uc
        .decideException(customer, AGR, x.id, 2, { decision: 'rejected', reason: 'no' })
        .catch((y: unknown) => y);
      expect(e).toBeInstanceOf(ConflictError);
      expect((e as ConflictError).message).toBe(
        'exception window exc_1 is approved; only a requested window is decided',
      );
      expect((e as ConflictError).details).toEqual([{ path: 'status', problem: 'is approved' }]);
    });

    it('refuses a decision based on a stale version', async () => {
      const x = await uc.requestException(mgr, AGR, planned(now, 1));
      const e = await uc
        .decideException(customer, AGR, x.id, 2, { decision: 'approved', reason: 'ok' })
        .catch((y: unknown) => y);
      expect(e).toBeInstanceOf(VersionConflictError);
      expect((e as Error).message).toBe('stale write: you sent version 2, the current version is 1');
      expect((await exceptions.get(x.id))!.status).toBe('requested');
    });

    it('refuses the requester as decider', async () => {
      const x = await uc.requestException(mgr, AGR, planned(now, 1));
      const e = await uc
        .decideException(mgr, AGR, x.id, 1, { decision: 'approved', reason: 'ok' })
        .catch((y: unknown) => y);
      expect(e).toBeInstanceOf(ForbiddenError);
      expect((e as Error).message).toBe('the requester of an exception window cannot decide it');
    });

    it('answers a window that is unknown, of another agreement, or of an agreement outside scope as absent', async () => {
      const mine = await uc.requestException(mgr, OTHER, planned(now, 1));
      const decide = (p: Principal, agreementId: string, id: string) =>
        uc
          .decideException(p, agreementId, id, 1, { decision: 'approved', reason: 'ok' })
          .catch((y: unknown) => y);
      for (const [p, agreementId, id] of [
        [customer, AGR, 'exc_9'],
        [customer, AGR, mine.id],
        [outsider, AGR, mine.id],
      ] as const) {
        const e = await decide(p, agreementId, id);
        expect(e).toBeInstanceOf(NotFoundError);
        expect((e as Error).message).toBe(`no exception window ${id} on ${agreementId}`);
      }
      const x = await uc.requestException(mgr, AGR, planned(now, 3));
      const e = await decide({ ...customer, roles: ['viewer'] }, AGR, x.id);
      expect(e).toBeInstanceOf(ForbiddenError);
      expect((e as Error).message).toBe('your roles do not allow exception.approve');
    });

    it('re-checks an approval against the approved windows only', async () => {
      await exceptions.create(stored({ id: 'exc_a' }));
      await exceptions.create(stored({ id: 'exc_b', status: 'requested', start: iso(START + 10 * D + H) }));
      // Two requests that overlap (left by laxer rules): either may be approved while the other is only requested.
      const a = await uc.decideException(customer, AGR, 'exc_a', 1, { decision: 'approved', reason: 'ok' });
      expect(a.status).toBe('approved');
      const e = await uc
        .decideException(customer, AGR, 'exc_b', 1, { decision: 'approved', reason: 'ok' })
        .catch((y: unknown) => y);
      expect(e).toBeInstanceOf(BusinessRuleError);
      expect((e as Error).message).toBe('approving this window would break a rule');
      expect((e as BusinessRuleError).details).toEqual([
        { path: 'start', problem: 'overlaps exception window exc_a, which covers the same objectives' },
      ]);
      // Rejecting it breaks nothing.
      const b = await uc.decideException(customer, AGR, 'exc_b', 1, {
        decision: 'rejected',
        reason: 'stacked',
      });
      expect(b.status).toBe('rejected');
    });
  });

  describe('at the same instant (the rule and the write are one step of the store)', () => {
    it('approves exactly one of two overlapping requested windows approved at once; the other is refused as one at a time would be', async () => {
      await exceptions.create(stored({ id: 'exc_a' }));
      await exceptions.create(stored({ id: 'exc_b', start: iso(START + 10 * D + H) }));
      const results = await Promise.allSettled(
        ['exc_a', 'exc_b'].map((id) =>
          uc.decideException(customer, AGR, id, 1, { decision: 'approved', reason: 'ok' }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused).toHaveLength(1);
      const e = refused[0]!.reason as BusinessRuleError;
      expect(e).toBeInstanceOf(BusinessRuleError);
      expect(e.message).toBe('approving this window would break a rule');
      const won = (await exceptions.list({ agreementId: AGR })).filter((w) => w.status === 'approved');
      expect(won).toHaveLength(1);
      expect(e.details).toEqual([
        {
          path: 'start',
          problem: `overlaps exception window ${won[0]!.id}, which covers the same objectives`,
        },
      ]);
    });

    it('stores exactly one of four overlapping windows requested at once', async () => {
      const results = await Promise.allSettled(
        [0, 1, 2, 3].map(() => uc.requestException(mgr, AGR, planned(now, 5))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
        expect(r.reason).toBeInstanceOf(BusinessRuleError);
        expect((r.reason as Error).message).toBe('the exception window breaks a rule');
      }
      expect(await exceptions.list({ agreementId: AGR })).toHaveLength(1);
    });
  });

  describe('revoking', () => {
    it('lets the provider side revoke an approved window, stored as the next version with who, when and why', async () => {
      const x = await uc.requestException(mgr, AGR, planned(now, 1));
      const approved = await uc.decideException(customer, AGR, x.id, 1, {
        decision: 'approved',
        reason: 'ok',
      });
      now += H;
      const revoked = await uc.revokeException(mgr, AGR, x.id, 2, 'the upgrade was postponed');
      const expected: ExceptionWindowRecord = {
        ...approved,
        status: 'revoked',
        version: 3,
        revokedBy: mgr.subject,
        revokedAt: iso(now),
        revokeReason: 'the upgrade was postponed',
        changedBy: mgr.subject,
        changedAt: iso(now),
        change: 'exception:revoke',
        changeReason: 'the upgrade was postponed',
      };
      expect(revoked).toEqual(expected);
      expect(await exceptions.get(x.id)).toEqual(expected);
    });

    it('lets whoever may decide a window revoke a requested one', async () => {
      const x = await uc.requestException(mgr, AGR, planned(now, 1));
      const revoked = await uc.revokeException(customer, AGR, x.id, 1, 'not needed');
      expect(revoked).toMatchObject({ status: 'revoked', version: 2, revokedBy: customer.subject });
    });

    it('refuses a customer-side manager whom the rules do not name to decide', async () => {
      const strict = over({
        ...DEFAULT_EXCEPTION_RULES,
        approvers: [{ kind: 'capacity', role: 'approver', capacities: ['governance-board'] }],
      });
      const x = await strict.requestException(mgr, AGR, planned(now, 1));
      const e = await strict.revokeException(customer, AGR, x.id, 1, 'not needed').catch((y: unknown) => y);
      expect(e).toBeInstanceOf(ForbiddenError);
      expect((e as Error).message).toBe(
        'an exception window is revoked by the provider side or by whoever may decide it',
      );
      expect((await exceptions.get(x.id))!.status).toBe('requested');
    });

    it.each(['revoked', 'rejected'] as const)(
      'refuses to revoke a window already %s, naming its status',
      async (status) => {
        await exceptions.create(stored({ id: 'exc_x', status, version: 2 }));
        const e = await uc.revokeException(mgr, AGR, 'exc_x', 2, 'again').catch((y: unknown) => y);
        expect(e).toBeInstanceOf(ConflictError);
        expect((e as Error).message).toBe(`exception window exc_x is already ${status}`);
        expect((e as ConflictError).details).toEqual([{ path: 'status', problem: `is ${status}` }]);
      },
    );

    it('refuses a revocation based on a stale version', async () => {
      const x = await uc.requestException(mgr, AGR, planned(now, 1));
      const e = await uc.revokeException(mgr, AGR, x.id, 3, 'why').catch((y: unknown) => y);
      expect(e).toBeInstanceOf(VersionConflictError);
      expect((e as Error).message).toBe('stale write: you sent version 3, the current version is 1');
    });
  });

  describe('listing', () => {
    it('lists the windows of one agreement, an old record read as approved version 1 by its creator', async () => {
      const legacy = {
        id: 'exc_legacy',
        agreementId: AGR,
        kind: 'planned-maintenance',
        start: iso(START + D),
        end: iso(START + D + H),
        reason: 'old maintenance',
        createdBy: 'old@example.com',
        createdAt: iso(START),
      } as ExceptionWindowRecord;
      await exceptions.create(legacy);
      const mixed = stored({
        id: 'exc_mixed',
        start: iso(START + 2 * D),
        end: iso(START + 2 * D + H),
        status: 'approved',
        version: 4,
        requestedBy: 'req@example.com',
        changedBy: 'chg@example.com',
        changedAt: iso(START + H),
        change: 'exception:approve',
        changeReason: 'fine',
      });
      await exceptions.create(mixed);
      await uc.requestException(mgr, OTHER, planned(now, 1));
      const { items } = await uc.listExceptions(principal(['viewer']), AGR, {});
      expect(items).toEqual([
        {
          ...legacy,
          status: 'approved',
          version: 1,
          requestedBy: 'old@example.com',
          changedBy: 'old@example.com',
          changedAt: iso(START),
          change: 'exception:record',
          changeReason: 'old maintenance',
        },
        mixed,
      ]);
    });

    it('lists the windows of an agreement no longer in force that has results; none of one never evaluated', async () => {
      await uc.evaluateAll();
      await uc.requestException(mgr, AGR, planned(now, 1));
      const ended = new ObjectiveUseCases(
        objectiveDeps(new StaticObjectivesSource([]), () => now, { exceptions, evaluations }),
      );
      expect((await ended.listExceptions(mgr, AGR, {})).items.map((x) => x.id)).toEqual(['exc_1']);
      for (const [p, agreementId] of [
        [mgr, 'agr_nope'],
        [outsider, AGR],
      ] as const) {
        const e = await ended.listExceptions(p, agreementId, {}).catch((y: unknown) => y);
        expect(e).toBeInstanceOf(NotFoundError);
        expect((e as Error).message).toBe(`no agreement ${agreementId}`);
      }
    });
  });
});
