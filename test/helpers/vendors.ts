import type { VendorBinding } from '../../shared/schemas/vendor.js';
import type { TestApp } from './local-app.js';

/**
 * Registers a vendor over HTTP as the admin (POST /v1/vendors), bound to `bindings` (the payments gateway by default):
 * a backfill names the vendor whose mapping rules read the file, and that vendor must exist and be bound to what the
 * file feeds (docs/backfill.md, "Vendor scope"). Answers the vendor's first API key.
 * @throws Error when the server does not answer 201
 */
export async function createVendor(
  app: Pick<TestApp, 'call'>,
  id: string,
  bindings: VendorBinding[] = [{ serviceId: 'svc_payments-gateway' }],
): Promise<string> {
  const r = await app.call('POST', '/v1/vendors', {
    as: 'admin',
    body: {
      id,
      name: `Vendor ${id}`,
      tier: 'standard',
      bindings,
      reason: 'history is imported as this vendor',
    },
  });
  if (r.status !== 201) throw new Error(`vendor ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.apiKey as string;
}
