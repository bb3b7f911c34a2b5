import { z } from 'zod';
import { ARCHIVE_TYPES } from '../domain/archive/chain.js';
import { isArchiveKey } from '../domain/archive/keys.js';
import { AgreementId, IsoDateTime } from './common.js';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits (SHA-256)');
export const ArchiveTypeSchema = z.enum(ARCHIVE_TYPES);
/** A month (`2026-04`) or a day (`2026-04-30`). */
export const Period = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/, 'must be YYYY-MM or YYYY-MM-DD');
export const ArchiveKey = z
  .string()
  .refine(isArchiveKey, 'must be an archive key: /-separated letters, digits, . _ -');

/** One manifest entry: an archived object's SHA-256, chained to the entry before it. */
export const ManifestEntrySchema = z.strictObject({
  seq: z.number().int().min(1),
  key: ArchiveKey,
  type: ArchiveTypeSchema,
  sha256: Hex64,
  size: z.number().int().min(0),
  contentType: z.string().min(1).max(200),
  agreementId: z.string().optional(),
  period: z.string().optional(),
  title: z.string().max(500),
  archivedAt: IsoDateTime,
  archivedBy: z.string().max(200),
  retainUntil: IsoDateTime,
  prevHash: Hex64,
  hash: Hex64,
});

export const ArchiveListQuery = z.strictObject({
  type: ArchiveTypeSchema.optional(),
  agreementId: AgreementId.optional(),
  period: Period.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** The sequence number after which the page starts (from `nextCursor`). */
  cursor: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a cursor this API issued')
    .optional(),
});
export type ArchiveListQuery = z.infer<typeof ArchiveListQuery>;

export const ArchiveListResponse = z.object({
  items: z.array(ManifestEntrySchema),
  nextCursor: z.string().optional(),
});

export const ArchiveDownloadQuery = z.strictObject({ key: ArchiveKey });
export type ArchiveDownloadQuery = z.infer<typeof ArchiveDownloadQuery>;

export const ArchiveDownloadLink = z.object({
  key: z.string(),
  url: z.url(),
  expiresAt: IsoDateTime,
  sha256: Hex64,
});

export const ArchiveVerifyQuery = z.strictObject({
  /** Check only this object's bytes (the whole chain is always checked). */
  key: ArchiveKey.optional(),
});
export type ArchiveVerifyQuery = z.infer<typeof ArchiveVerifyQuery>;

export const Finding = z.object({
  kind: z.enum(['invalid', 'missing', 'gap', 'unlisted', 'truncated']),
  key: z.string(),
  seq: z.number().int().optional(),
  problem: z.string(),
});

export const ArchiveVerification = z.object({
  ok: z.boolean(),
  verifiedAt: IsoDateTime,
  entries: z.number().int(),
  objects: z.number().int(),
  findings: z.array(Finding),
  firstBreak: Finding.nullable(),
  head: z.object({ seq: z.number().int(), hash: Hex64 }).nullable(),
  /** The head recorded outside the archive (the embedded database, DynamoDB): a chain ending before it was truncated. */
  recordedHead: z.object({ seq: z.number().int(), hash: Hex64 }).nullable(),
});

export const AccessLogQuery = z
  .strictObject({
    from: IsoDateTime.optional(),
    to: IsoDateTime.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    path: ['to'],
    message: 'must be after from',
  });
export type AccessLogQuery = z.infer<typeof AccessLogQuery>;

export const ArchiveAccessSchema = z.object({
  id: z.string(),
  at: IsoDateTime,
  subject: z.string(),
  action: z.enum(['list', 'download', 'verify']),
  target: z.string(),
  requestId: z.string(),
});
