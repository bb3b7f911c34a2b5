import { beforeEach, describe, expect, it } from 'vitest';
import { StaticObjectivesSource } from '../../../shared/adapters/agreement-objectives-source.js';
import { MemoryEvaluationStore } from '../../../shared/adapters/memory/objectives.js';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import type { Principal } from '../../../shared/domain/access/policy.js';
import { NotFoundError, UnavailableError, ValidationError } from '../../../shared/domain/errors.js';
import { proposeBaseline } from '../../../shared/domain/objectives/baseline.js';
import type { EngineSettings } from '../../../shared/domain/objectives/evaluate.js';
import type { ObjectiveAgreement } from '../../../shared/ports/objectives.js';
import { encodeCursor } from '../../../shared/usecases/cursor.js';
import {
  dueNow,
  type ObjectiveDeps,
  ObjectiveUseCases,
  objectivesIn,
} from '../../../shared/usecases/objectives/index.js';
import { D, H, KEY, party, principal, START } from '../../helpers/objectives-usecases.js';
import { availabilityObjective, fill, objectiveAgreement, objectiveDeps, SETTINGS } from './helpers.js';

const A = 'agr_0000000001';
const B = 'agr_0000000002';

/** Held by retail, consumed by wealth: `avail` at 99.9% (breached at 99.5%) and `relaxed` at 99% (healthy). */
const held = (): ObjectiveAgreement =>
  objectiveAgreement({
    agreementId: A,
    partyUnits: ['retail', 'wealth'],
    objectives: [
      availabilityObjective({ id: 'avail' }),
      availabilityObjective({ id: 'relaxed', name: 'Relaxed', target: 99 }),
    ],
  });

/** Another agreement of retail, on `svc_card`, with no telemetry. */
const card = (): ObjectiveAgreement =>
  objectiveAgreement({ agreementId: B, serviceId: 'svc_card' }, { id: 'avail' });

const viewer = principal(['viewer']);
const outsider: Principal = { ...viewer, subject: 'hr@example.com', businessUnits: ['hr'] };

describe('status reads of the objectives use cases', () => {
  let now: number;
  let rollups: MemoryRollupStore;
  let evaluations: MemoryEvaluationStore;
  let uc: ObjectiveUseCases;
  const over = (agreements: ObjectiveAgreement[], more: Partial<ObjectiveDeps> = {}) =>
    new ObjectiveUseCases(
      objectiveDeps(new StaticObjectivesSource(agreements), () => now, { rollups, evaluations, ...more }),
    );

  beforeEach(async () => {
    now = START + 7 * D;
    rollups = new MemoryRollupStore();
    evaluations = new MemoryEvaluationStore();
    await fill(rollups, KEY, START, now, () => [995, 1000]);
    uc = over([held(), card()]);
    await uc.evaluateAll();
  });

  describe('of an agreement', () => {
    it('answers its objectives only, at the worst status, with the reasons of the objectives at that status', async () => {
      const results = await evaluations.latest({ agreementId: A });
      expect(results.map((r) => [r.objectiveId, r.status])).toEqual([
        ['avail', 'breached'],
        ['relaxed', 'healthy'],
      ]);
      expect(results[1]!.reasons.length).toBeGreaterThan(0);
      expect(await uc.statusOfAgreement(viewer, A)).toEqual({
        status: 'breached',
        reasons: results[0]!.reasons.map((x) => `avail: ${x}`),
        objectives: results,
      });
    });

    it('answers a party to the agreement in force, whom the stored results do not name', async () => {
      expect((await uc.statusOfAgreement(party(['wealth']), A)).status).toBe('breached');
    });

    it('answers an agreement in force that was never evaluated as unknown', async () => {
      const fresh = objectiveAgreement({ agreementId: 'agr_0000000003' }, { id: 'avail' });
      expect(await over([fresh]).statusOfAgreement(viewer, fresh.agreementId)).toEqual({
        status: 'unknown',
        reasons: ['not evaluated yet'],
        objectives: [],
      });
    });

    it('answers an agreement neither in force nor evaluated as absent', async () => {
      const e = await uc.statusOfAgreement(viewer, 'agr_nope').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NotFoundError);
      expect((e as Error).message).toBe('no evaluated or active agreement agr_nope');
    });
  });

  describe('of a service', () => {
    it('answers a party to an agreement in force on the service its objectives', async () => {
      const view = await uc.statusOfService(party(['wealth']), 'svc_pay');
      expect(view.objectives.map((r) => `${r.agreementId}/${r.objectiveId}`)).toEqual([
        `${A}/avail`,
        `${A}/relaxed`,
      ]);
    });

    it('answers a known service with no results as unknown to whoever reads it, and an unknown one as absent', async () => {
      const services = {
        get: async (id: string) => (id === 'svc_new' ? { id, businessUnit: 'retail' } : undefined),
      };
      const withServices = over([held(), card()], { services });
      expect(await withServices.statusOfService(viewer, 'svc_new')).toEqual({
        status: 'unknown',
        reasons: ['not evaluated yet'],
        objectives: [],
      });
      for (const [p, id] of [
        [viewer, 'svc_gone'],
        [outsider, 'svc_new'],
      ] as const) {
        const e = await withServices.statusOfService(p, id).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(NotFoundError);
        expect((e as NotFoundError).message).toBe(`no service ${id}`);
        expect((e as NotFoundError).details).toEqual([{ path: 'serviceId', problem: 'names no service' }]);
      }
    });
  });

  describe('of an objective', () => {
    it('answers the latest result of the objective asked for', async () => {
      const [relaxed] = await evaluations.latest({ agreementId: A, objectiveId: 'relaxed' });
      expect(await uc.statusOfObjective(viewer, A, 'relaxed')).toEqual(relaxed);
    });

    it('answers an objective never evaluated as absent', async () => {
      const e = await uc.statusOfObjective(viewer, A, 'nope').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NotFoundError);
      expect((e as Error).message).toBe(`objective nope of ${A} has not been evaluated`);
    });
  });

  describe('the portfolio', () => {
    it('answers a caller that reads nothing an empty, unknown portfolio, counting what is out of its scope', async () => {
      expect(await uc.portfolioStatus(outsider, { limit: 10 })).toEqual({
        status: 'unknown',
        counts: { healthy: 0, 'at-risk': 0, breached: 0, unknown: 0 },
        total: 0,
        outOfScope: { agreements: 2, objectives: 3 },
        items: [],
      });
    });

    it('pages with its own cursors', async () => {
      const first = await uc.portfolioStatus(viewer, { limit: 2 });
      expect(first.items).toHaveLength(2);
      const second = await uc.portfolioStatus(viewer, { limit: 2, cursor: first.nextCursor! });
      expect(second.items).toHaveLength(1);
      expect(second.nextCursor).toBeUndefined();
    });

    it('refuses a cursor issued for another query', async () => {
      const key = JSON.stringify([0, A, 'avail']);
      for (const filter of [{}, { view: '' }]) {
        const e = await uc
          .portfolioStatus(viewer, { limit: 2, cursor: encodeCursor(key, filter) })
          .catch((x: unknown) => x);
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as Error).message).toBe('cursor from another query');
      }
    });

    it.each([
      ['not JSON', 'nope'],
      ['not an array', '{"a":1}'],
      ['two elements', '[0,"a"]'],
      ['four elements', '[0,"a","b","c"]'],
      ['a rank that is no number', '["0","a","b"]'],
      ['an agreement that is no string', '[0,1,"b"]'],
      ['an objective that is no string', '[0,"a",2]'],
    ])('refuses a portfolio cursor whose key is %s', async (_, key) => {
      const e = await uc
        .portfolioStatus(viewer, { limit: 2, cursor: encodeCursor(key, { view: 'portfolio' }) })
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).message).toBe('bad cursor');
      expect((e as ValidationError).details).toEqual([
        { path: 'query.cursor', problem: 'is not a cursor issued by this API' },
      ]);
    });
  });

  describe('the baseline of a service', () => {
    const body = {
      sliName: 'availability',
      from: new Date(START).toISOString(),
      to: new Date(START + D).toISOString(),
      sliceMinutes: 60,
      percentile: 10,
      exclude: [],
    };

    it('proposes a target from the service history to a reader of one of its agreements', async () => {
      const expected = proposeBaseline(await rollups.read(KEY, START, START + D), {
        from: START,
        to: START + D,
        sliceMinutes: 60,
        percentile: 10,
        exclude: [],
      });
      // hr reads only the second agreement on the service: one readable agreement is enough.
      const hrAgreement = objectiveAgreement(
        { agreementId: 'agr_0000000009', businessUnit: 'hr' },
        { id: 'avail' },
      );
      expect(await over([held(), hrAgreement]).baseline(outsider, 'svc_pay', body)).toEqual(expected);
      // The owner of the service reads it without any agreement.
      const owner: Principal = {
        ...outsider,
        roles: ['service-owner'],
        businessUnits: [],
        services: ['svc_pay'],
      };
      expect(await over([]).baseline(owner, 'svc_pay', body)).toEqual(expected);
    });

    it('answers a service the caller reads no agreement of as absent', async () => {
      // hr holds an agreement on another service only.
      const hrCard = objectiveAgreement({
        agreementId: 'agr_0000000009',
        businessUnit: 'hr',
        serviceId: 'svc_card',
      });
      const e = await over([held(), hrCard])
        .baseline(outsider, 'svc_pay', body)
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NotFoundError);
      expect((e as Error).message).toBe('no service svc_pay you may read');
    });
  });

  describe('history retention, deployment and the schedule', () => {
    it('drops history points older than the retention, answering how many and before when', async () => {
      now = START + 43 * D;
      await uc.evaluateAll();
      expect(await uc.pruneHistory()).toEqual({
        removed: 3,
        before: new Date(START + 8 * D).toISOString(),
      });
      expect(await uc.pruneHistory({ historyDays: 1 })).toEqual({
        removed: 0,
        before: new Date(START + 42 * D).toISOString(),
      });
    });

    it('answers the engine of a container, and a clear error where it is not deployed', () => {
      expect(objectivesIn({ objectives: uc })).toBe(uc);
      expect(() => objectivesIn({})).toThrow(
        new UnavailableError('the objectives engine is not deployed here'),
      );
    });

    it('evaluates a tier every 5 minutes when the settings give it no frequency', () => {
      const settings = { ...SETTINGS, tiers: {} } as unknown as EngineSettings;
      expect(dueNow(settings, 4, START + 7 * 60_000)).toBe(true);
      expect(dueNow(SETTINGS, 4, START + 7 * 60_000)).toBe(false);
      expect(dueNow(SETTINGS, 4, START + H)).toBe(true);
    });
  });
});
