import { describe, expect, it } from 'vitest';
import { applyVendorScope, inScope, vendorScope } from '../../../shared/domain/telemetry/scope.js';
import type { Rejection } from '../../../shared/schemas/telemetry.js';

// The edges of the vendor-scope step that test/unit/vendors/scope.test.ts leaves open (found by mutation testing,
// docs/mutation.md "Measured in wave 6").

// Built inside each test: code a test file runs while it loads is not attributed to any test, so a mutant there
// would go unseen.
const none = (): Rejection[] => [];
const acme = () =>
  vendorScope('acme', [
    { serviceId: 'svc_payments-gateway' },
    { serviceId: 'svc_core-ledger', sli: 'latency' },
  ]);

describe('a vendor scope from its bindings, at its edges', () => {
  it('keeps whole services and single SLIs apart: a service bound by one SLI is not bound whole', () => {
    const scope = acme();
    expect([...scope.services]).toEqual(['svc_payments-gateway']);
    expect([...scope.slis]).toEqual(['svc_core-ledger/latency']);
    expect(scope.vendorId).toBe('acme');
  });

  it('puts a key with nothing before its slash in no service, even for a vendor bound to an empty service id', () => {
    const odd = vendorScope('odd', [{ serviceId: '' }]);
    expect(inScope(odd, '/availability')).toBe(false);
  });

  it('puts a key without a slash in no service, even one named like a bound service or extending its id', () => {
    expect(inScope(acme(), 'svc_payments-gateway')).toBe(false);
    expect(inScope(acme(), 'svc_payments-gatewayX')).toBe(false);
  });
});

describe('the vendor-scope step of ingestion, at its edges', () => {
  it('rejects a request sample that became two stored samples (a native histogram) once, at index 0 as at any other', () => {
    const batch = {
      accepted: [
        { index: 0, sliKey: 'svc_other/latency', path: 'a' },
        { index: 0, sliKey: 'svc_other/latency', path: 'a' },
        { index: 3, sliKey: 'svc_other/latency', path: 'b' },
        { index: 3, sliKey: 'svc_other/latency', path: 'b' },
      ],
      rejected: none(),
    };
    const out = applyVendorScope(batch, acme());
    expect(out.accepted).toEqual([]);
    expect(out.rejected.map((r) => [r.index, r.path])).toEqual([
      [0, 'a'],
      [3, 'b'],
    ]);
  });

  it('rejects every refused sample that has no index (each is its own), named by its own path or "(sample)"', () => {
    const batch = {
      accepted: [{ sliKey: 'svc_other/a', path: 'x.points[0]' }, { sliKey: 'svc_other/b' }],
      rejected: none(),
    };
    const out = applyVendorScope(batch, acme(), {
      pathOf: () => 'never asked for a sample without an index',
    });
    expect(out.rejected.map((r) => [r.index, r.path, r.reason])).toEqual([
      [-1, 'x.points[0]', 'not_your_service'],
      [-1, '(sample)', 'not_your_service'],
    ]);
  });

  it("names a refused sample by the caller's path for its index when given one, else by its own", () => {
    const batch = { accepted: [{ index: 7, sliKey: 'svc_other/a', path: 'own' }], rejected: none() };
    expect(applyVendorScope(batch, acme(), { pathOf: (i) => `samples[${i}].value` }).rejected[0]!.path).toBe(
      'samples[7].value',
    );
    expect(
      applyVendorScope(batch, acme(), { pathOf: () => undefined as unknown as string }).rejected[0]!.path,
    ).toBe('own');
    expect(applyVendorScope(batch, acme()).rejected[0]!.path).toBe('own');
    const first = { accepted: [{ index: 0, sliKey: 'svc_other/a', path: 'own' }], rejected: none() };
    expect(applyVendorScope(first, acme(), { pathOf: (i) => `samples[${i}]` }).rejected[0]!.path).toBe(
      'samples[0]',
    );
  });

  it('tells the caller of every refused stored sample, the second of a histogram pair included, and of no kept one', () => {
    const refused: string[] = [];
    applyVendorScope(
      {
        accepted: [
          { index: 0, sliKey: 'svc_other/latency', path: 'good' },
          { index: 0, sliKey: 'svc_other/latency', path: 'total' },
          { index: 1, sliKey: 'svc_payments-gateway/latency', path: 'kept' },
        ],
        rejected: none(),
      },
      acme(),
      { onRefused: (s) => refused.push(s.path ?? '') },
    );
    expect(refused).toEqual(['good', 'total']);
  });

  it('says which vendor is not bound to which service and SLI, and how an admin binds it', () => {
    const out = applyVendorScope(
      { accepted: [{ index: 0, sliKey: 'svc_card-auth/availability' }], rejected: none() },
      acme(),
    );
    expect(out.rejected[0]!.message).toBe(
      'vendor acme is not bound to svc_card-auth or to its SLI svc_card-auth/availability: an admin binds it (PUT /v1/vendors/acme/bindings)',
    );
    const bare = applyVendorScope({ accepted: [{ index: 0, sliKey: 'nosvc' }], rejected: none() }, acme());
    expect(bare.rejected[0]!.message).toBe(
      'vendor acme is not bound to nosvc or to its SLI nosvc: an admin binds it (PUT /v1/vendors/acme/bindings)',
    );
    const slashFirst = applyVendorScope(
      { accepted: [{ index: 0, sliKey: '/availability' }], rejected: none() },
      acme(),
    );
    expect(slashFirst.rejected[0]!.message).toBe(
      'vendor acme is not bound to /availability or to its SLI /availability: an admin binds it (PUT /v1/vendors/acme/bindings)',
    );
  });

  it('puts the refusals among the earlier rejections in request order, even before them', () => {
    const batch = {
      accepted: [
        { index: 1, sliKey: 'svc_other/a', path: 's1' },
        { index: 4, sliKey: 'svc_payments-gateway/a', path: 's4' },
        { index: 2, sliKey: 'svc_other/a', path: 's2' },
      ],
      rejected: [
        { index: 5, path: 's5', reason: 'value_nan', message: 'the value is NaN' },
        { index: 0, path: 's0', reason: 'value_nan', message: 'the value is NaN' },
      ],
    };
    const out = applyVendorScope(batch, acme());
    expect(out.rejected.map((r) => r.index)).toEqual([0, 1, 2, 5]);
    expect(out.accepted.map((s) => s.index)).toEqual([4]);
  });

  it('decides each SLI once per request and gives every sample of it the same answer', () => {
    const batch = {
      accepted: [
        { index: 0, sliKey: 'svc_payments-gateway/a' },
        { index: 1, sliKey: 'svc_other/a' },
        { index: 2, sliKey: 'svc_payments-gateway/a' },
        { index: 3, sliKey: 'svc_other/a' },
      ],
      rejected: none(),
    };
    const out = applyVendorScope(batch, acme());
    expect(out.accepted.map((s) => s.index)).toEqual([0, 2]);
    expect(out.rejected.map((r) => r.index)).toEqual([1, 3]);
  });
});
