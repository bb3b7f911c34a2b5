import { describe, expect, it } from 'vitest';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  VersionConflictError,
} from '../../../shared/domain/errors.js';
import { loadTemplates } from '../../../shared/policy/templates.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import {
  admin,
  agreementWorld,
  colleague,
  manager,
  NOW,
  newId,
  outsider,
  owner,
  viewer,
} from '../../helpers/agreement-usecases.js';
import { agreementBody, principal } from '../../helpers/fixtures.js';

const vendor = { type: 'vendor' as const, vendorId: 'carrier', name: 'Carrier' };
const unit = (businessUnit: string) => ({ type: 'business-unit' as const, businessUnit });

describe('creating an agreement', () => {
  it('writes version 1 as a draft authored by the caller, with nothing the body did not say', async () => {
    const { uc, agreements } = await agreementWorld();
    const { reason: _r, ...content } = agreementBody();
    const made = await uc.create(manager, agreementBody());
    const expected = {
      ...content,
      id: newId(1),
      version: 1,
      status: 'draft',
      requiredSignOffs: [],
      signOffs: [],
      createdAt: NOW,
      createdBy: 'sam',
      changedAt: NOW,
      changedBy: 'sam',
      change: 'create',
      reason: 'initial draft',
    };
    expect(made).toStrictEqual(expected);
    expect(await agreements.listVersions(newId(1))).toStrictEqual([expected]);
  });

  it('records the template version a draft was made from', async () => {
    const { uc, agreements } = await agreementWorld();
    await uc.create(manager, agreementBody(), { template: { id: 'tier1-customer-api-sla', version: 1 } });
    expect((await agreements.get(newId(1)))?.template).toStrictEqual({
      id: 'tier1-customer-api-sla',
      version: 1,
    });
  });

  it('answers a service the caller cannot see exactly as one that does not exist', async () => {
    const { uc, agreements } = await agreementWorld();
    const hidden = await uc.create(outsider, agreementBody()).catch((e: unknown) => e);
    const missing = await uc
      .create(manager, agreementBody({ serviceId: 'svc_nowhere' }))
      .catch((e: unknown) => e);
    expect(hidden).toBeInstanceOf(BusinessRuleError);
    expect((hidden as BusinessRuleError).message).toBe('unknown service');
    expect((hidden as BusinessRuleError).details).toEqual([
      { path: 'serviceId', problem: 'names no service (svc_payments-gateway)' },
    ]);
    expect(missing).toBeInstanceOf(BusinessRuleError);
    expect((missing as BusinessRuleError).message).toBe('unknown service');
    expect((missing as BusinessRuleError).details).toEqual([
      { path: 'serviceId', problem: 'names no service (svc_nowhere)' },
    ]);
    expect(await agreements.get(newId(1))).toBeUndefined();
  });

  it('scopes by the unit owning the service, not by the unit the body names', async () => {
    const { uc } = await agreementWorld();
    const retail = principal({ subject: 'rita', roles: ['sla-manager'], businessUnits: ['retail-banking'] });
    const err = await uc
      .create(retail, agreementBody({ businessUnit: 'retail-banking' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).details).toEqual([
      { path: 'serviceId', problem: 'names no service (svc_payments-gateway)' },
    ]);
    // The payments manager drafts it, though the agreement is held by retail banking.
    const made = await uc.create(manager, agreementBody({ businessUnit: 'retail-banking' }));
    expect(made.businessUnit).toBe('retail-banking');
  });

  it('refuses the draft to a caller who may see the service but not draft for it', async () => {
    const { uc, agreements } = await agreementWorld();
    for (const who of [viewer, owner]) {
      const err = await uc.create(who, agreementBody()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ForbiddenError);
      expect((err as ForbiddenError).message).toBe(
        'agreement.create on this agreement needs the business unit of its service in your scope (or, for sign-off, the capacity or service it needs)',
      );
    }
    expect(await agreements.get(newId(1))).toBeUndefined();
  });

  it('makes no agreement for a decommissioned service', async () => {
    const { uc, agreements } = await agreementWorld({
      services: [{ id: 'svc_old-ledger', status: 'sunset' }],
    });
    const err = await uc
      .create(manager, agreementBody({ serviceId: 'svc_old-ledger' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).message).toBe(
      'service svc_old-ledger is decommissioned: no new agreement may be made for it',
    );
    expect((err as ConflictError).details).toEqual([
      { path: 'serviceId', problem: 'names a sunset service' },
    ]);
    expect(await agreements.get(newId(1))).toBeUndefined();
  });

  it('refuses a holding unit that is not a party, naming the parties’ units', async () => {
    const { uc, agreements } = await agreementWorld();
    const err = await uc
      .create(
        manager,
        agreementBody({
          kind: 'UC',
          businessUnit: 'retail-banking',
          parties: { provider: vendor, customer: unit('payments') },
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).message).toBe('the agreement breaks a rule');
    expect((err as BusinessRuleError).details).toEqual([
      { path: 'businessUnit', problem: "must be one of the parties' business units (payments)" },
    ]);
    const both = await uc
      .create(manager, agreementBody({ businessUnit: 'platform' }))
      .catch((e: unknown) => e);
    expect((both as BusinessRuleError).details).toEqual([
      {
        path: 'businessUnit',
        problem: "must be one of the parties' business units (payments, retail-banking)",
      },
    ]);
    expect(await agreements.get(newId(1))).toBeUndefined();
  });

  it('refuses parties that leave out the unit of the service, saying none when no unit is a party', async () => {
    const { uc } = await agreementWorld();
    const noUnit = await uc
      .create(admin, agreementBody({ kind: 'UC', parties: { provider: vendor, customer: vendor } }))
      .catch((e: unknown) => e);
    const parties =
      "the business unit of the agreement's service must be one of its parties (the provider of an SLA or OLA, the customer of a UC)";
    expect((noUnit as BusinessRuleError).details).toEqual([
      { path: 'businessUnit', problem: "must be one of the parties' business units (none)" },
      { path: 'parties', problem: parties },
    ]);
    const others = await uc
      .create(
        admin,
        agreementBody({
          businessUnit: 'retail-banking',
          parties: { provider: unit('platform'), customer: unit('retail-banking') },
        }),
      )
      .catch((e: unknown) => e);
    expect(others).toBeInstanceOf(BusinessRuleError);
    expect((others as BusinessRuleError).details).toEqual([{ path: 'parties', problem: parties }]);
  });

  it('keeps the data where the service keeps it, and where the deployment holds it', async () => {
    const { uc } = await agreementWorld();
    const elsewhere = await uc
      .create(manager, agreementBody({ dataResidency: { region: 'eu-central-1', processingRegions: [] } }))
      .catch((e: unknown) => e);
    expect((elsewhere as BusinessRuleError).details).toEqual([
      { path: 'dataResidency.region', problem: "must match the service's residency region (eu-west-1)" },
    ]);
    const us = await agreementWorld({ residencyRegion: 'us-east-1' });
    const foreign = await us.uc.create(manager, agreementBody()).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(BusinessRuleError);
    expect((foreign as BusinessRuleError).details).toEqual([
      { path: 'dataResidency.region', problem: 'this deployment holds data resident in us-east-1 only' },
    ]);
    const eu = await agreementWorld({ residencyRegion: 'eu-west-1' });
    expect((await eu.uc.create(manager, agreementBody())).version).toBe(1);
  });

  it('refuses a backdated start, judged in the agreement’s own zone', async () => {
    const { uc, agreements } = await agreementWorld();
    const err = await uc
      .create(manager, agreementBody({ effectiveFrom: '2026-11-30' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).details).toEqual([
      {
        path: 'effectiveFrom',
        problem: 'cannot be backdated: 2026-11-30 is before today (2026-12-01 in Europe/London)',
      },
    ]);
    expect(await agreements.get(newId(1))).toBeUndefined();
  });

  it('holds a master agreement to a master’s shape and a schedule to a master', async () => {
    const { uc } = await agreementWorld();
    const master = await uc
      .create(manager, agreementBody({ module: { role: 'master', caps: {} } }))
      .catch((e: unknown) => e);
    expect(master).toBeInstanceOf(BusinessRuleError);
    expect((master as BusinessRuleError).details).toEqual([
      { path: 'objectives', problem: 'belong to the schedules: a master agreement has none' },
    ]);
    const orphan = await uc
      .create(manager, agreementBody({ module: { role: 'schedule', masterId: 'agr_01NOMASTER0000000' } }))
      .catch((e: unknown) => e);
    expect((orphan as BusinessRuleError).details).toEqual([
      { path: 'module.masterId', problem: 'names no master agreement' },
    ]);
  });
});

describe('updating an agreement', () => {
  it('writes the next version with the fields given and keeps every other one', async () => {
    const { uc, agreements } = await agreementWorld();
    const v1 = await uc.create(manager, agreementBody());
    const v2 = await uc.update(colleague, v1.id, 1, {
      title: 'Card payments availability',
      reason: 'clearer',
    });
    const expected = {
      ...v1,
      title: 'Card payments availability',
      version: 2,
      changedAt: NOW,
      changedBy: 'tess',
      change: 'update',
      reason: 'clearer',
    };
    expect(v2).toStrictEqual(expected);
    expect(await agreements.listVersions(v1.id)).toStrictEqual([v1, expected]);
  });

  it('refuses a write based on a version that is no longer current, carrying the current one', async () => {
    const { uc, agreements } = await agreementWorld();
    const v1 = await uc.create(manager, agreementBody());
    const v2 = await uc.update(manager, v1.id, 1, { title: 'First edit', reason: 'edit' });
    const err = await uc
      .update(colleague, v1.id, 1, { title: 'Second edit', reason: 'edit' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VersionConflictError);
    const message = 'stale write: you sent version 1, the current version is 2';
    expect((err as VersionConflictError).message).toBe(message);
    expect((err as VersionConflictError).details).toEqual([{ path: 'If-Match', problem: message }]);
    expect((err as VersionConflictError).current).toStrictEqual(v2);
    expect(await agreements.listVersions(v1.id)).toHaveLength(2);
  });

  it('refuses any change to a retired agreement', async () => {
    const { uc, put, agreements } = await agreementWorld();
    const a = await put({ status: 'retired' });
    const err = await uc
      .update(manager, a.id, 1, { title: 'Revived', reason: 'edit' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).message).toBe(
      `agreement ${a.id} is retired; retired agreements are read-only`,
    );
    expect((err as ConflictError).details).toEqual([]);
    expect(await agreements.listVersions(a.id)).toHaveLength(1);
  });

  it('refuses a change of commitment outside draft, naming each material field', async () => {
    const { uc, put, agreements } = await agreementWorld();
    const a = await put({ status: 'active' });
    const err = await uc
      .update(manager, a.id, 1, {
        title: 'Also a new title',
        objectives: [{ ...a.objectives[0]!, target: 99.5 }],
        scope: { inclusions: ['everything'], exclusions: [] },
        reason: 'loosen',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).message).toBe(
      'fields objectives, scope change the commitment and may change only in draft; this agreement is active',
    );
    expect((err as ConflictError).details).toEqual([
      { path: 'objectives', problem: 'cannot change while active' },
      { path: 'scope', problem: 'cannot change while active' },
    ]);
    expect(await agreements.listVersions(a.id)).toHaveLength(1);
  });

  it('lets an administrative field change in any status but retired', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ status: 'active' });
    const v2 = await uc.update(manager, a.id, 1, {
      title: 'Renamed',
      objectives: undefined,
      reason: 'rename',
    } as never);
    expect(v2.status).toBe('active');
    expect(v2.title).toBe('Renamed');
    expect(v2.objectives).toStrictEqual(a.objectives);
  });

  it('takes a field sent as undefined for no change at all', async () => {
    const { uc, put } = await agreementWorld();
    // An old draft: its start is in the past now, which is fine as long as nobody changes it.
    const a = await put({ effectiveFrom: '2026-10-01' });
    const v2 = await uc.update(manager, a.id, 1, {
      title: 'Renamed',
      effectiveFrom: undefined,
      reason: 'rename',
    } as never);
    expect(v2.effectiveFrom).toBe('2026-10-01');
    expect(Object.hasOwn(v2, 'effectiveFrom')).toBe(true);
  });

  it('judges the links only when they change', async () => {
    const { uc, put } = await agreementWorld();
    const gone = await put({ kind: 'OLA', status: 'retired' });
    const sla = await put({ underpinnedBy: [gone.id] });
    const v2 = await uc.update(manager, sla.id, 1, { title: 'Renamed', reason: 'rename' });
    expect(v2.version).toBe(2);
    const ola = await put({ kind: 'OLA', status: 'active' });
    const linked = await put({ underpinnedBy: [ola.id] });
    const err = await uc
      .update(manager, linked.id, 1, {
        underpinning: [
          {
            objectiveId: 'availability',
            agreementId: ola.id,
            dependencyObjectiveId: 'uptime',
            mode: 'serial',
          },
        ],
        reason: 'say how',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).message).toBe('the change breaks a rule');
    expect((err as BusinessRuleError).details).toEqual([
      {
        path: 'underpinning[0].dependencyObjectiveId',
        problem: `names no objective of ${ola.id} ("uptime")`,
      },
    ]);
  });

  it('keeps the unit of the service among the parties of a draft', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ businessUnit: 'retail-banking' });
    const err = await uc
      .update(manager, a.id, 1, {
        parties: { provider: unit('platform'), customer: unit('retail-banking') },
        reason: 'hand over',
      })
      .catch((e: unknown) => e);
    expect((err as BusinessRuleError).details).toEqual([
      {
        path: 'parties',
        problem:
          "the business unit of the agreement's service must be one of its parties (the provider of an SLA or OLA, the customer of a UC)",
      },
    ]);
  });

  it('keeps what the template fixes fixed on every later edit', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ template: { id: 'tier1-customer-api-sla', version: 1 } });
    const err = await uc
      .update(manager, a.id, 1, {
        supportedHours: {
          kind: 'calendar',
          windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }],
        },
        reason: 'office hours',
      } as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).details).toEqual([
      {
        path: 'supportedHours',
        problem: 'is fixed by template tier1-customer-api-sla v1 (the agreement was drafted from it)',
      },
    ]);
  });
});

describe('the template an agreement is bound by', () => {
  it('is the very id and version it was drafted from, fixing nothing when the catalogue has lost it', async () => {
    const shipped = loadTemplates().templates[0]!;
    const templates = {
      ...loadTemplates(),
      templates: [
        { ...shipped, id: 'other', version: 2, fixed: ['complianceTags'] },
        { ...shipped, id: 'std', version: 1, fixed: ['escalation'] },
        { ...shipped, id: 'std', version: 2, fixed: ['objectives'] },
      ],
    };
    const { uc } = await agreementWorld({ templates });
    expect(uc.templateBinding({ template: { id: 'std', version: 2 } })).toStrictEqual({
      id: 'std',
      version: 2,
      fixed: ['objectives'],
    });
    expect(uc.templateBinding({ template: { id: 'std', version: 3 } })).toStrictEqual({
      id: 'std',
      version: 3,
      fixed: [],
    });
    expect(uc.templateBinding({})).toBeUndefined();
  });
});

describe('a schedule under a master agreement', () => {
  const masterOf = (over: Partial<AgreementVersion> = {}): Partial<AgreementVersion> => ({
    status: 'active',
    title: 'Retail banking master agreement',
    objectives: [],
    module: { role: 'master', caps: {} },
    ...over,
  });

  it('refuses a master-ruled term that differs from the master’s, and only when the change states it', async () => {
    const { uc, put } = await agreementWorld();
    const master = await put(masterOf());
    const scotland = { governingLaw: 'Scotland', country: 'GB' };
    const schedule = await put({ module: { role: 'schedule', masterId: master.id } });
    const err = await uc
      .update(manager, schedule.id, 1, { jurisdiction: scotland, reason: 'Scots law' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusinessRuleError);
    expect((err as BusinessRuleError).details).toEqual([
      {
        path: 'jurisdiction',
        problem: `differs from master agreement ${master.id} v1, whose term governs (policy: master)`,
      },
    ]);
    // Written before the master's term was settled: a change that leaves the term alone still goes through.
    const older = await put({ module: { role: 'schedule', masterId: master.id }, jurisdiction: scotland });
    const v2 = await uc.update(manager, older.id, 1, {
      title: 'Renamed',
      jurisdiction: undefined,
      reason: 'rename',
    } as never);
    expect(v2.jurisdiction).toStrictEqual(scotland);
  });

  it('still takes edits once its master has ended: the master was judged when the schedule was made', async () => {
    const { uc, put } = await agreementWorld();
    const master = await put(masterOf({ status: 'expired' }));
    const schedule = await put({ module: { role: 'schedule', masterId: master.id } });
    const v2 = await uc.update(manager, schedule.id, 1, { title: 'Renamed', reason: 'rename' });
    expect(v2.version).toBe(2);
    const made = await uc
      .create(manager, agreementBody({ module: { role: 'schedule', masterId: master.id } }))
      .catch((e: unknown) => e);
    expect((made as BusinessRuleError).details).toEqual([
      { path: 'module.masterId', problem: 'names a master agreement that is expired' },
    ]);
  });
});
