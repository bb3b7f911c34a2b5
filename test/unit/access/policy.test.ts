import { describe, expect, it } from 'vitest';
import { canAccess, isAllowed, listScope } from '../../../shared/domain/access/policy.js';
import { listClaim, principalFrom } from '../../../shared/http/principal.js';
import { principal } from '../../helpers/fixtures.js';

describe('access policy', () => {
  it('keeps the auditor read-only', () => {
    const auditor = principal({ roles: ['auditor'] });
    expect(isAllowed(auditor, 'agreement.read')).toBe(true);
    expect(isAllowed(auditor, 'audit.read')).toBe(true);
    expect(isAllowed(auditor, 'agreement.update')).toBe(false);
    expect(isAllowed(auditor, 'service.create')).toBe(false);
  });

  it('scopes an SLA manager to its business units', () => {
    const m = principal({ roles: ['sla-manager'], businessUnits: ['payments'] });
    expect(canAccess(m, 'agreement.update', { businessUnit: 'payments', serviceId: 'svc_a' })).toBe(true);
    expect(canAccess(m, 'agreement.update', { businessUnit: 'retail', serviceId: 'svc_a' })).toBe(false);
  });

  it('scopes a service owner to its services', () => {
    const o = principal({ roles: ['service-owner'], services: ['svc_a'] });
    expect(canAccess(o, 'agreement.read', { businessUnit: 'any', serviceId: 'svc_a' })).toBe(true);
    expect(canAccess(o, 'agreement.read', { businessUnit: 'any', serviceId: 'svc_b' })).toBe(false);
  });

  it('merges the scopes of several roles for lists', () => {
    const p = principal({
      roles: ['viewer', 'service-owner'],
      businessUnits: ['retail'],
      services: ['svc_a'],
    });
    expect(listScope(p, 'agreement.read')).toEqual({
      all: false,
      businessUnits: ['retail'],
      serviceIds: ['svc_a'],
      // Agreements its unit is a party to (a customer's SLA) are listed too.
      partyUnits: ['retail'],
    });
    expect(listScope(p, 'service.read')).toEqual({
      all: false,
      businessUnits: ['retail'],
      serviceIds: ['svc_a'],
    });
    expect(listScope(principal({ roles: ['viewer', 'auditor'] }), 'agreement.read')).toEqual({ all: true });
  });

  it('gives a vendor telemetry ingestion only', () => {
    const v = principal({ roles: ['vendor'], vendorId: 'dd' });
    expect(isAllowed(v, 'telemetry.ingest')).toBe(true);
    expect(isAllowed(v, 'agreement.read')).toBe(false);
  });
});

describe('reading identities from API Gateway authorizer output', () => {
  it('reads Cognito list claims in each of their shapes', () => {
    expect(listClaim('a,b')).toEqual(['a', 'b']);
    expect(listClaim('[a b]')).toEqual(['a', 'b']);
    expect(listClaim('["a","b"]')).toEqual(['a', 'b']);
    expect(listClaim(undefined)).toEqual([]);
  });

  it('never gives a principal an empty business unit or service, whatever shape the claim has', () => {
    expect(listClaim(['', ' ops ', null, 'pay'])).toEqual(['ops', 'pay']);
    expect(listClaim('["", " ops", "pay"]')).toEqual(['ops', 'pay']);
    expect(listClaim('a,,b, ')).toEqual(['a', 'b']);
    const p = principalFrom({
      requestContext: {
        authorizer: { claims: { sub: 'u1', 'cognito:groups': 'viewer', 'custom:business_units': '[""]' } },
      },
    } as never);
    expect(p?.businessUnits).toEqual([]);
  });

  it('ignores unknown groups and never grants the vendor role from a token', () => {
    const p = principalFrom({
      requestContext: {
        authorizer: { claims: { sub: 'u1', email: 'u@x.org', 'cognito:groups': 'viewer,vendor,superuser' } },
      },
    } as never);
    expect(p?.roles).toEqual(['viewer']);
  });

  it('has no principal without claims', () => {
    expect(principalFrom({ requestContext: { authorizer: null } } as never)).toBeUndefined();
    expect(principalFrom({ requestContext: { authorizer: { claims: {} } } } as never)).toBeUndefined();
  });
});
