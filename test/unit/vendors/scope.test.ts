import { describe, expect, it } from 'vitest';
import { applyVendorScope, inScope, vendorScope } from '../../../shared/domain/telemetry/scope.js';

const scope = vendorScope('acme', [
  { serviceId: 'svc_payments-gateway' },
  { serviceId: 'svc_core-ledger', sli: 'latency' },
]);

describe('a vendor scope from its bindings', () => {
  it('covers every SLI of a bound service and exactly the bound SLI of another', () => {
    expect(inScope(scope, 'svc_payments-gateway/availability')).toBe(true);
    expect(inScope(scope, 'svc_payments-gateway/latency')).toBe(true);
    expect(inScope(scope, 'svc_core-ledger/latency')).toBe(true);
    expect(inScope(scope, 'svc_core-ledger/availability')).toBe(false);
    expect(inScope(scope, 'svc_card-authorisation/availability')).toBe(false);
  });

  it('does not mistake a service whose id begins like a bound one', () => {
    expect(inScope(scope, 'svc_payments-gateway-eu/availability')).toBe(false);
  });

  it('covers nothing when the vendor is bound to nothing', () => {
    expect(inScope(vendorScope('none', []), 'svc_payments-gateway/availability')).toBe(false);
  });
});

describe('the vendor-scope step of ingestion', () => {
  const sample = (index: number, sliKey: string) => ({
    index,
    path: `samples[${index}]`,
    sliKey,
    value: index,
  });

  it('rejects every sample outside the scope with not_your_service, keeps the rest, and keeps rejections in order', () => {
    const batch = {
      submitted: 5,
      accepted: [
        sample(0, 'svc_payments-gateway/availability'),
        sample(2, 'svc_card-authorisation/availability'),
        sample(3, 'svc_core-ledger/latency'),
        sample(4, 'svc_core-ledger/availability'),
      ],
      rejected: [{ index: 1, path: 'samples[1].value', reason: 'value_nan', message: 'the value is NaN' }],
    };
    const out = applyVendorScope(batch, scope);
    expect(out.accepted.map((s) => s.index)).toEqual([0, 3]);
    expect(out.rejected.map((r) => [r.index, r.path, r.reason])).toEqual([
      [1, 'samples[1].value', 'value_nan'],
      [2, 'samples[2]', 'not_your_service'],
      [4, 'samples[4]', 'not_your_service'],
    ]);
    expect(out.rejected[1]!.message).toContain('vendor acme is not bound to svc_card-authorisation');
    // accepted + rejected = submitted still holds.
    expect(out.accepted.length + out.rejected.length).toBe(out.submitted);
  });

  it('leaves a batch entirely in scope untouched', () => {
    const batch = { accepted: [sample(0, 'svc_payments-gateway/availability')], rejected: [] };
    expect(applyVendorScope(batch, scope)).toBe(batch);
  });
});
