import { z } from 'zod';
import { BusinessUnitId, Contact, IsoDateTime, Reason, Region, ServiceId, Tier } from './common.js';

/** The longest service name, in characters (a name is its identity in reports and on the console). */
export const SERVICE_NAME_MAX = 200;

export const ServiceFields = {
  name: z.string().max(SERVICE_NAME_MAX).trim().min(2),
  description: z.string().max(5000).optional(),
  /** 1 is the most critical; tier drives sign-off rules and evaluation defaults. */
  tier: Tier,
  businessUnit: BusinessUnitId,
  residencyRegion: Region,
  /** The configuration item in the CMDB, when the organisation has one. */
  cmdbCi: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1–64 letters, digits or . _ : -')
    .optional(),
  owner: Contact,
};

export const CreateServiceBody = z.strictObject({
  id: ServiceId,
  ...ServiceFields,
  reason: Reason,
});
export type CreateServiceBody = z.infer<typeof CreateServiceBody>;

export const UpdateServiceBody = z
  .strictObject({
    name: ServiceFields.name.optional(),
    description: ServiceFields.description,
    tier: Tier.optional(),
    residencyRegion: Region.optional(),
    cmdbCi: ServiceFields.cmdbCi,
    owner: Contact.optional(),
    reason: Reason,
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'reason'), { message: 'names no field to change' });
export type UpdateServiceBody = z.infer<typeof UpdateServiceBody>;

export const Service = z.strictObject({
  id: ServiceId,
  ...ServiceFields,
  version: z.number().int().min(1),
  createdAt: IsoDateTime,
  createdBy: z.string(),
  changedAt: IsoDateTime,
  changedBy: z.string(),
  change: z.string(),
  reason: z.string(),
  /** `sunset` once decommissioned (POST /v1/services/{id}/sunset); absent means in service. */
  status: z.enum(['active', 'sunset']).optional(),
  sunsetAt: IsoDateTime.optional(),
});
export type Service = z.infer<typeof Service>;

export const ListServicesQuery = z.strictObject({
  businessUnit: BusinessUnitId.optional(),
  tier: z.coerce.number().int().min(1).max(4).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type ListServicesQuery = z.infer<typeof ListServicesQuery>;
