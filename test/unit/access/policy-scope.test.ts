// Scope decisions of the access policy that a one-line slip would open up (issue 16, mutation testing).
import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  canAccess,
  grantsFor,
  isAllowed,
  listScope,
  PARTY_ACTIONS,
  partyUnitsOf,
  ROLES,
} from '../../../shared/domain/access/policy.js';
import { principal } from '../../helpers/fixtures.js';

describe('who may sign, ingest and back-fill', () => {
  it('lets only approvers and service owners sign an agreement: never an SLA manager, its author', () => {
    expect(ROLES.filter((r) => isAllowed(principal({ roles: [r] }), 'agreement.signoff'))).toEqual([
      'admin',
      'approver',
      'service-owner',
    ]);
  });

  it('lets only a vendor key ingest telemetry, and only an admin back-fill it', () => {
    expect(ROLES.filter((r) => isAllowed(principal({ roles: [r] }), 'telemetry.ingest'))).toEqual(['vendor']);
    expect(ROLES.filter((r) => isAllowed(principal({ roles: [r] }), 'telemetry.backfill'))).toEqual([
      'admin',
    ]);
  });

  it('gives an admin every action but ingestion, and a principal without roles none', () => {
    const admin = principal({ roles: ['admin'] });
    expect(ACTIONS.filter((a) => !isAllowed(admin, a))).toEqual(['telemetry.ingest']);
    expect(ACTIONS.filter((a) => isAllowed(principal(), a))).toEqual([]);
  });

  it('names each grant a principal acts through', () => {
    const p = principal({ roles: ['viewer', 'auditor', 'vendor'] });
    expect(grantsFor(p, 'agreement.read').map((g) => g.scope)).toEqual(['business-units', 'all']);
    expect(grantsFor(p, 'service.create')).toEqual([]);
  });
});

describe('scope on one thing', () => {
  const agreement = { businessUnit: 'payments', serviceId: 'svc_pay', partyUnits: ['payments', 'retail'] };

  it('lets a customer unit read an agreement it is a party to, but not change it', () => {
    const m = principal({ roles: ['sla-manager'], businessUnits: ['retail'] });
    expect(PARTY_ACTIONS).toEqual([
      'agreement.read',
      'objective.read',
      'violation.read',
      'report.read',
      'exception.approve',
      'change.request',
      'change.withdraw',
    ]);
    for (const a of PARTY_ACTIONS) expect([a, canAccess(m, a, agreement)]).toEqual([a, true]);
    expect(canAccess(m, 'agreement.update', agreement)).toBe(false);
    expect(canAccess(m, 'agreement.read', { businessUnit: 'payments', serviceId: 'svc_pay' })).toBe(false);
  });

  it('does not let a unit that is no party read the agreement', () => {
    const v = principal({ roles: ['viewer'], businessUnits: ['treasury'] });
    expect(canAccess(v, 'agreement.read', agreement)).toBe(false);
  });

  it('does not let a service owner reach a thing that names no service', () => {
    const o = principal({ roles: ['service-owner'], services: ['svc_pay'] });
    expect(canAccess(o, 'agreement.read', { businessUnit: 'payments' })).toBe(false);
  });

  it('never lets a vendor key reach a located thing, even one of its own unit', () => {
    const v = principal({
      roles: ['vendor'],
      vendorId: 'dd',
      businessUnits: ['payments'],
      services: ['svc_pay'],
    });
    expect(canAccess(v, 'telemetry.ingest', agreement)).toBe(false);
  });

  it('lets a role scoped to all reach any unit', () => {
    expect(canAccess(principal({ roles: ['auditor'] }), 'audit.read', { businessUnit: 'anything' })).toBe(
      true,
    );
  });

  it('lets a principal through when any one of its grants covers the thing, not only when all do', () => {
    // A viewer of retail who also owns svc_pay (a payments service) reads svc_pay's agreement through the
    // service-owner grant, though the viewer grant (retail only) does not reach it.
    const p = principal({
      roles: ['viewer', 'service-owner'],
      businessUnits: ['retail'],
      services: ['svc_pay'],
    });
    expect(canAccess(p, 'agreement.read', { businessUnit: 'payments', serviceId: 'svc_pay' })).toBe(true);
    expect(canAccess(p, 'agreement.read', { businessUnit: 'payments', serviceId: 'svc_other' })).toBe(false);
  });

  it('decides by the grant that carries the action, not by another role’s wider scope', () => {
    // An auditor (all units) who is also an SLA manager of retail may update retail's agreements only.
    const p = principal({ roles: ['auditor', 'sla-manager'], businessUnits: ['retail'] });
    expect(canAccess(p, 'agreement.update', { businessUnit: 'payments' })).toBe(false);
    expect(canAccess(p, 'agreement.update', { businessUnit: 'retail' })).toBe(true);
  });
});

describe('scope of a list', () => {
  it('lists a service owner’s services only, without business units or parties', () => {
    const o = principal({ roles: ['service-owner'], businessUnits: ['payments'], services: ['svc_pay'] });
    expect(listScope(o, 'agreement.read')).toEqual({
      all: false,
      businessUnits: [],
      serviceIds: ['svc_pay'],
    });
  });

  it('adds the units a manager is party to for party actions only', () => {
    const m = principal({ roles: ['sla-manager'], businessUnits: ['retail'] });
    expect(listScope(m, 'agreement.update')).toEqual({
      all: false,
      businessUnits: ['retail'],
      serviceIds: [],
    });
    expect(listScope(m, 'violation.read')).toEqual({
      all: false,
      businessUnits: ['retail'],
      serviceIds: [],
      partyUnits: ['retail'],
    });
  });

  it('lists no service of a manager’s token claims: only a service-owner grant lists by service', () => {
    // The SLA manager's grant is by business unit; the svc_pay claim on its token must not widen its list.
    const m = principal({ roles: ['sla-manager'], businessUnits: ['retail'], services: ['svc_pay'] });
    expect(listScope(m, 'agreement.update')).toEqual({
      all: false,
      businessUnits: ['retail'],
      serviceIds: [],
    });
  });

  it('lists nothing for an action no role of the principal carries', () => {
    expect(listScope(principal({ roles: ['viewer'], businessUnits: ['x'] }), 'audit.read')).toEqual({
      all: false,
      businessUnits: [],
      serviceIds: [],
    });
  });
});

describe('the parties of an agreement', () => {
  it('gives the provider’s then the customer’s business unit, once, and no external party', () => {
    const bu = (businessUnit: string) => ({ type: 'business-unit', businessUnit });
    expect(partyUnitsOf({ provider: bu('payments'), customer: bu('retail') })).toEqual([
      'payments',
      'retail',
    ]);
    expect(partyUnitsOf({ provider: bu('payments'), customer: bu('payments') })).toEqual(['payments']);
    expect(partyUnitsOf({ provider: { type: 'vendor', businessUnit: 'x' }, customer: bu('retail') })).toEqual(
      ['retail'],
    );
    expect(partyUnitsOf({ provider: { type: 'business-unit' }, customer: { type: 'external' } })).toEqual([]);
  });
});
