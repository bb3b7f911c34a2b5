import { describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../shared/adapters/memory/agreements.js';
import { MemoryServiceStore } from '../../shared/adapters/memory/services.js';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  VersionConflictError,
} from '../../shared/domain/errors.js';
import { ServiceUseCases } from '../../shared/usecases/services.js';
import { agreementVersion, principal, service, serviceBody } from '../helpers/fixtures.js';

const NOW = '2026-12-01T10:00:00.000Z';
const manager = principal({
  subject: 'sam@bank.example',
  roles: ['sla-manager'],
  businessUnits: ['payments'],
});
const otherManager = principal({
  subject: 'rita@bank.example',
  roles: ['sla-manager'],
  businessUnits: ['retail'],
});
const owner = principal({
  subject: 'owen@bank.example',
  roles: ['service-owner'],
  services: ['svc_payments-gateway'],
});
const viewer = principal({ subject: 'vic@bank.example', roles: ['viewer'], businessUnits: ['payments'] });

function setup(residencyRegion?: string) {
  const services = new MemoryServiceStore();
  const agreements = new MemoryAgreementStore();
  const uc = new ServiceUseCases({
    services,
    agreements,
    clock: { now: () => new Date(NOW) },
    residencyRegion,
  });
  return { services, agreements, uc };
}

describe('registering a service', () => {
  it('stores version 1 with who registered it, when and why, and returns it', async () => {
    const { services, uc } = setup();
    const s = await uc.register(manager, serviceBody());
    const expected = {
      id: 'svc_payments-gateway',
      businessUnit: 'payments',
      tier: 1,
      version: 1,
      createdAt: NOW,
      createdBy: 'sam@bank.example',
      changedAt: NOW,
      changedBy: 'sam@bank.example',
      change: 'register',
      reason: 'onboarding the service',
    };
    expect(s).toMatchObject(expected);
    expect(await services.get('svc_payments-gateway')).toEqual(s);
  });

  it('refuses an SLA manager of another business unit with 403, naming the unit', async () => {
    const { services, uc } = setup();
    const refused = await uc.register(otherManager, serviceBody()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect((refused as ForbiddenError).message).toBe(
      'registering services in business unit payments is outside your scope',
    );
    expect((refused as ForbiddenError).details).toEqual([
      {
        path: 'businessUnit',
        problem: expect.stringMatching(
          /^this object is outside your scope for service\.create \(your business units: /,
        ),
      },
    ]);
    expect(await services.get('svc_payments-gateway')).toBeUndefined();
  });

  it('refuses a service id that is taken with 409 on the id', async () => {
    const { uc } = setup();
    await uc.register(manager, serviceBody());
    const err = await uc.register(manager, serviceBody({ name: 'Another' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({
      message: 'service svc_payments-gateway already exists',
      details: [{ path: 'id', problem: 'is taken' }],
    });
  });

  it('refuses a residency other than the deployment’s with 422 on residencyRegion', async () => {
    const { services, uc } = setup('eu-west-1');
    const err = await uc
      .register(manager, serviceBody({ residencyRegion: 'us-east-1' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).message).toBe("residency region us-east-1 is not this deployment's");
    expect((err as BusinessRuleError).details).toEqual([
      { path: 'residencyRegion', problem: 'this deployment holds data resident in eu-west-1 only' },
    ]);
    expect(await services.get('svc_payments-gateway')).toBeUndefined();
  });

  it('accepts the deployment’s own residency, and any residency when the deployment names none', async () => {
    await expect(setup('eu-west-1').uc.register(manager, serviceBody())).resolves.toMatchObject({
      version: 1,
    });
    await expect(
      setup().uc.register(manager, serviceBody({ residencyRegion: 'us-east-1' })),
    ).resolves.toMatchObject({ residencyRegion: 'us-east-1' });
  });
});

describe('reading a service', () => {
  it('answers 404 naming the path for an unknown id', async () => {
    const err = await setup()
      .uc.get(manager, 'svc_none')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({
      message: 'no service svc_none',
      details: [{ path: 'serviceId', problem: 'names no service' }],
    });
  });

  it('answers the service inside the caller’s scope and, outside it, exactly what a missing service gets (404)', async () => {
    const { services, uc } = setup();
    await services.create(service());
    await expect(uc.get(viewer, 'svc_payments-gateway')).resolves.toMatchObject({
      id: 'svc_payments-gateway',
    });
    await expect(uc.get(owner, 'svc_payments-gateway')).resolves.toMatchObject({ version: 1 });
    await expect(uc.get(otherManager, 'svc_payments-gateway')).rejects.toMatchObject({
      code: 'not_found',
      message: 'no service svc_payments-gateway',
      details: [{ path: 'serviceId', problem: 'names no service' }],
    });
  });

  it('checks the action asked for, not only reading: a viewer may read a service but not its audit trail', async () => {
    const { services, uc } = setup();
    await services.create(service());
    const e = await uc.get(viewer, 'svc_payments-gateway', 'audit.read').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).message).toBe('your scope does not allow audit.read here');
    await expect(uc.get(manager, 'svc_payments-gateway', 'audit.read')).resolves.toMatchObject({
      version: 1,
    });
  });
});

describe('updating a service', () => {
  it('writes the next version with the changed fields, who, when and why, keeping the rest', async () => {
    const { services, uc } = setup();
    await services.create(service());
    const next = await uc.update(owner, 'svc_payments-gateway', 1, {
      name: 'Payments gateway (EU)',
      description: undefined,
      reason: 'renamed',
    });
    expect(next).toMatchObject({
      name: 'Payments gateway (EU)',
      tier: 1,
      businessUnit: 'payments',
      version: 2,
      createdAt: '2026-11-01T09:00:00.000Z',
      changedAt: NOW,
      changedBy: 'owen@bank.example',
      change: 'update',
      reason: 'renamed',
    });
    // A field sent as undefined is not a change: it does not blank the stored value.
    expect(Object.hasOwn(next, 'description')).toBe(false);
    expect(await services.get('svc_payments-gateway')).toEqual(next);
  });

  it('answers 404 for an unknown service and for one outside the caller’s scope, 403 to a role that may only read it, writing nothing', async () => {
    const { services, uc } = setup();
    await expect(uc.update(manager, 'svc_none', 1, { name: 'x', reason: 'r' })).rejects.toMatchObject({
      message: 'no service svc_none',
      details: [{ path: 'serviceId', problem: 'names no service' }],
    });
    await services.create(service());
    await expect(
      uc.update(otherManager, 'svc_payments-gateway', 1, { name: 'x', reason: 'r' }),
    ).rejects.toMatchObject({ code: 'not_found', message: 'no service svc_payments-gateway' });
    await expect(
      uc.update(viewer, 'svc_payments-gateway', 1, { name: 'x', reason: 'r' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await services.get('svc_payments-gateway'))?.version).toBe(1);
  });

  it('refuses a stale version with 409 carrying the current service', async () => {
    const { services, uc } = setup();
    await services.create(service({ version: 3 }));
    const err = await uc
      .update(manager, 'svc_payments-gateway', 2, { name: 'x', reason: 'r' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VersionConflictError);
    expect((err as VersionConflictError).message).toBe(
      'stale write: you sent version 2, the current version is 3',
    );
    expect((err as VersionConflictError).current).toMatchObject({ version: 3 });
  });

  it('lets only an SLA manager change the tier or the residency: a service owner gets 403 naming both fields', async () => {
    const { services, uc } = setup();
    await services.create(service());
    const err = await uc
      .update(owner, 'svc_payments-gateway', 1, { tier: 2, residencyRegion: 'eu-central-1', reason: 'r' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err).toMatchObject({
      message: "only an SLA manager of the service's business unit may change tier and residencyRegion",
      details: [
        { path: 'tier', problem: 'is governed: sign-offs and residency depend on it' },
        { path: 'residencyRegion', problem: 'is governed: sign-offs and residency depend on it' },
        {
          path: 'roles',
          problem: 'service-owner: none allows service.create (roles that do: admin, sla-manager)',
        },
      ],
    });
    await expect(
      uc.update(manager, 'svc_payments-gateway', 1, { tier: 2, reason: 'reclassified' }),
    ).resolves.toMatchObject({ tier: 2, version: 2 });
  });

  it('lets a service owner send the governed fields unchanged', async () => {
    const { services, uc } = setup();
    await services.create(service());
    await expect(
      uc.update(owner, 'svc_payments-gateway', 1, {
        tier: 1,
        residencyRegion: 'eu-west-1',
        name: 'Renamed',
        reason: 'r',
      }),
    ).resolves.toMatchObject({ name: 'Renamed', version: 2 });
  });

  it('refuses to move the residency of a service whose agreements live in the current region, naming them', async () => {
    const { services, agreements, uc } = setup();
    await services.create(service());
    const held = agreementVersion({ serviceId: 'svc_payments-gateway' });
    await agreements.create(held);
    const err = await uc
      .update(manager, 'svc_payments-gateway', 1, { residencyRegion: 'eu-central-1', reason: 'move' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({
      message: `service svc_payments-gateway has agreements resident in eu-west-1: ${held.id}`,
      details: [
        {
          path: 'residencyRegion',
          problem: 'agreements of this service are resident in the current region; retire or move them first',
        },
      ],
    });
  });

  it('says there are more agreements than it names when they fill more than a page', async () => {
    const { services, agreements, uc } = setup();
    await services.create(service());
    for (let i = 0; i < 6; i++)
      await agreements.create(agreementVersion({ serviceId: 'svc_payments-gateway' }));
    const err = await uc
      .update(manager, 'svc_payments-gateway', 1, { residencyRegion: 'eu-central-1', reason: 'move' })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^service svc_payments-gateway has agreements resident in eu-west-1: (agr_\w+, ){4}agr_\w+, …$/,
    );
  });

  it('moves the residency of a service with no agreements, within the deployment’s region rule', async () => {
    const { services, uc } = setup();
    await services.create(service());
    await expect(
      uc.update(manager, 'svc_payments-gateway', 1, { residencyRegion: 'eu-central-1', reason: 'move' }),
    ).resolves.toMatchObject({ residencyRegion: 'eu-central-1', version: 2 });
    const pinned = setup('eu-west-1');
    await pinned.services.create(service());
    await expect(
      pinned.uc.update(manager, 'svc_payments-gateway', 1, {
        residencyRegion: 'eu-central-1',
        reason: 'move',
      }),
    ).rejects.toBeInstanceOf(BusinessRuleError);
  });
});

describe('updating a service that has agreements', () => {
  it('accepts its current residency sent again: only a move is refused', async () => {
    const { services, agreements, uc } = setup('eu-west-1');
    await services.create(service());
    await agreements.create(agreementVersion({ serviceId: 'svc_payments-gateway' }));
    await expect(
      uc.update(manager, 'svc_payments-gateway', 1, {
        residencyRegion: 'eu-west-1',
        name: 'Renamed',
        reason: 'r',
      }),
    ).resolves.toMatchObject({ name: 'Renamed', residencyRegion: 'eu-west-1', version: 2 });
  });
});

describe('listing services', () => {
  async function three() {
    const s = setup();
    for (const [id, bu] of [
      ['svc_a', 'payments'],
      ['svc_b', 'retail'],
      ['svc_c', 'payments'],
    ] as const)
      await s.services.create(service({ id, businessUnit: bu }));
    return s;
  }

  it('lists only the caller’s scope, a page at a time, with a cursor for the next page and none after the last', async () => {
    const { uc } = await three();
    const first = await uc.list(manager, { limit: 1 });
    expect(first.items.map((s) => s.id)).toEqual(['svc_a']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await uc.list(manager, { limit: 1, cursor: first.nextCursor });
    expect(second.items.map((s) => s.id)).toEqual(['svc_c']);
    const rest = second.nextCursor
      ? await uc.list(manager, { limit: 1, cursor: second.nextCursor })
      : { items: [], nextCursor: undefined };
    expect(rest.items).toEqual([]);
    expect(Object.hasOwn(await uc.list(manager, { limit: 5 }), 'nextCursor')).toBe(false);
  });

  it('refuses a cursor issued for other filters with 400', async () => {
    const { uc } = await three();
    const first = await uc.list(manager, { limit: 1 });
    await expect(uc.list(manager, { limit: 1, tier: 1, cursor: first.nextCursor })).rejects.toMatchObject({
      code: 'validation_failed',
      details: [
        { path: 'query.cursor', problem: 'was issued for different filters; start again without a cursor' },
      ],
    });
  });
});

describe('a CMDB CI names one service', () => {
  const CI = '0b1f0d3a1b2c4d5e6f70819a2b3c4d5e';
  const retailManager = principal({
    subject: 'rita@bank.example',
    roles: ['sla-manager'],
    businessUnits: ['retail'],
  });

  it('refuses to register a second service with a CI another service holds: 409 on cmdbCi naming the holder', async () => {
    const { services, uc } = setup();
    await uc.register(manager, serviceBody({ cmdbCi: CI }));
    const err = await uc
      .register(manager, serviceBody({ id: 'svc_card-auth', name: 'Card Auth', cmdbCi: CI }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({
      message: `CMDB CI ${CI} is held by service svc_payments-gateway: a CI names one service`,
      details: [{ path: 'cmdbCi', problem: 'is held by service svc_payments-gateway' }],
    });
    expect(await services.get('svc_card-auth')).toBeUndefined();
  });

  it("does not name the holder to a caller who may not read it (another unit's service)", async () => {
    const { services, uc } = setup();
    await uc.register(manager, serviceBody({ cmdbCi: CI }));
    const err = await uc
      .register(
        retailManager,
        serviceBody({ id: 'svc_branch', name: 'Branch', businessUnit: 'retail', cmdbCi: CI }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(JSON.stringify(err)).not.toContain('svc_payments-gateway');
    expect((err as Error).message).not.toContain('svc_payments-gateway');
    expect(err).toMatchObject({
      message: `CMDB CI ${CI} is held by another service: a CI names one service`,
      details: [{ path: 'cmdbCi', problem: 'is held by a service outside what you may read' }],
    });
    expect(await services.get('svc_branch')).toBeUndefined();
  });

  it('refuses a taken id with 409 on the id, not on the CI, when the CI sent is the one that service holds', async () => {
    const { uc } = setup();
    await uc.register(manager, serviceBody({ cmdbCi: CI }));
    const err = await uc.register(manager, serviceBody({ cmdbCi: CI })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).details).toEqual([{ path: 'id', problem: 'is taken' }]);
  });

  it('refuses an update giving a service a CI another service holds, and keeps the version', async () => {
    const { services, uc } = setup();
    await uc.register(manager, serviceBody({ cmdbCi: CI }));
    await uc.register(manager, serviceBody({ id: 'svc_card-auth', name: 'Card Auth' }));
    const err = await uc
      .update(manager, 'svc_card-auth', 1, { cmdbCi: CI, reason: 'link to the CMDB' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({
      details: [{ path: 'cmdbCi', problem: 'is held by service svc_payments-gateway' }],
    });
    expect((await services.get('svc_card-auth'))?.version).toBe(1);
  });

  it('lets a service keep its own CI on an update and take a CI no one holds', async () => {
    const { uc } = setup();
    await uc.register(manager, serviceBody({ cmdbCi: CI }));
    const same = await uc.update(manager, 'svc_payments-gateway', 1, { cmdbCi: CI, reason: 'same CI' });
    expect(same.version).toBe(2);
    const moved = await uc.update(manager, 'svc_payments-gateway', 2, {
      cmdbCi: 'ffff0d3a1b2c4d5e6f70819a2b3c4d5e',
      reason: 'new CI',
    });
    expect(moved.cmdbCi).toBe('ffff0d3a1b2c4d5e6f70819a2b3c4d5e');
    // The CI it let go of is free again.
    const other = await uc.register(
      manager,
      serviceBody({ id: 'svc_card-auth', name: 'Card Auth', cmdbCi: CI }),
    );
    expect(other.cmdbCi).toBe(CI);
  });
});
