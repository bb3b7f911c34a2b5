import { z } from 'zod';
import { VENDOR_TIERS } from '../policy/vendor-tiers.js';
import { IsoDateTime, Reason, ServiceId } from './common.js';

/** A monitoring vendor's id: a lower-case slug, such as `prometheus-main` or `datadog-eu`. */
export const VendorId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,62}$/, 'must be a lower-case slug of 2-63 characters');
/** A key's id (not the key): `key_` and a time-ordered body. */
export const VendorKeyId = z.string().regex(/^key_[0-9A-Za-z]{10,40}$/, 'must look like key_…');
const SliName = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a lower-case slug');

/**
 * What a vendor may write: a whole service (every SLI of it), or one SLI of a service. Samples for anything
 * else are rejected per sample with reason `not_your_service`.
 */
export const VendorBinding = z.strictObject({
  serviceId: ServiceId,
  /** Absent: every SLI of the service. */
  sli: SliName.optional(),
});
export type VendorBinding = z.infer<typeof VendorBinding>;

/** A key as the API shows it: never the key itself (shown once, at issue) nor its hash. */
export const VendorKeyInfo = z.strictObject({
  keyId: VendorKeyId,
  /** The key's last four characters, to tell keys apart in an agent's configuration. */
  hint: z.string(),
  createdAt: IsoDateTime,
  createdBy: z.string(),
  /** After this instant the key no longer authenticates (set by a rotation's overlap period). */
  notAfter: IsoDateTime.optional(),
  revokedAt: IsoDateTime.optional(),
  revokedBy: z.string().optional(),
});
export type VendorKeyInfo = z.infer<typeof VendorKeyInfo>;

export const Vendor = z.strictObject({
  id: VendorId,
  name: z.string(),
  /** The usage-plan tier (shared/policy/vendor-tiers.json) that sets its rate limit and quota. */
  tier: z.enum(VENDOR_TIERS),
  /** revoked: every key stopped at once; the record and its history stay. */
  status: z.enum(['active', 'revoked']),
  bindings: z.array(VendorBinding),
  keys: z.array(VendorKeyInfo),
  /** The API Gateway API key that meters this vendor against its tier's usage plan (AWS); not a credential. */
  usagePlanKeyId: z.string().optional(),
  version: z.number().int().min(1),
  createdAt: IsoDateTime,
  createdBy: z.string(),
  changedAt: IsoDateTime,
  changedBy: z.string(),
  change: z.string(),
  reason: z.string(),
});
export type Vendor = z.infer<typeof Vendor>;

const Bindings = z.array(VendorBinding).max(1000, 'at most 1,000 bindings per vendor');

export const CreateVendorBody = z.strictObject({
  id: VendorId,
  // The limit counts the name as sent, the minimum what is left once trimmed (as Reason: API Gateway's model agrees).
  name: z.string().max(200).trim().min(2),
  tier: z.enum(VENDOR_TIERS),
  bindings: Bindings.default([]),
  reason: Reason,
});
export type CreateVendorBody = z.infer<typeof CreateVendorBody>;

export const BindVendorBody = z.strictObject({
  /** The whole new set: it replaces the vendor's bindings. */
  bindings: Bindings,
  reason: Reason,
});
export type BindVendorBody = z.infer<typeof BindVendorBody>;

export const RotateVendorKeyBody = z.strictObject({
  /**
   * Until when the keys valid now keep working (the overlap period in which agents switch to the new key):
   * from now up to 30 days ahead; default 24 hours from now. Now ends them at once.
   */
  previousKeysValidUntil: IsoDateTime.optional(),
  reason: Reason,
});
export type RotateVendorKeyBody = z.infer<typeof RotateVendorKeyBody>;

export const RevokeBody = z.strictObject({ reason: Reason });
export type RevokeBody = z.infer<typeof RevokeBody>;

/** A newly issued key: shown in this response only; Accord keeps its SHA-256. */
export const IssuedKey = z.strictObject({
  vendor: Vendor,
  keyId: VendorKeyId,
  apiKey: z.string(),
});
export type IssuedKey = z.infer<typeof IssuedKey>;

export const ListVendorsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type ListVendorsQuery = z.infer<typeof ListVendorsQuery>;

/** `GET /api/v1/validate` as Datadog answers it: the Datadog Agent reads 200 as a valid key, 403 as invalid. */
export const DatadogValidateQuery = z.strictObject({
  /** The Agent sends its key here (`?api_key=`) rather than in a header. */
  api_key: z.string().max(256).optional(),
});
export const DatadogValidateResponse = z.strictObject({ valid: z.literal(true) });
