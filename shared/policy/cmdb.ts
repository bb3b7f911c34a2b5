/**
 * CMDB sync policy as data (cmdb.json): which export columns feed which service field, how the CMDB's
 * criticality labels map to Accord's tiers, and which fields the CMDB owns (a sync may write them); every other
 * field is governed and a mismatch is drift for a person to decide. Validated on load.
 */
import { z } from 'zod';
import cmdbJson from './cmdb.json' with { type: 'json' };

const Columns = z
  .array(z.string().regex(/^[A-Za-z0-9_.]{1,80}$/, 'must be a column name'))
  .min(1)
  .max(8);

export const CMDB_FIELDS = [
  'cmdbCi',
  'name',
  'description',
  'tier',
  'businessUnit',
  'ownerName',
  'ownerEmail',
  'residencyRegion',
] as const;
export type CmdbField = (typeof CMDB_FIELDS)[number];

/** Fields a sync may write on an existing service (the rest are governed). `cmdbCi` is how rows match. */
export const CMDB_WRITABLE = ['name', 'description', 'cmdbCi'] as const;

export const CmdbPolicy = z.strictObject({
  version: z.literal(1),
  description: z.string().optional(),
  fields: z.strictObject({
    cmdbCi: Columns,
    name: Columns,
    description: Columns.optional(),
    tier: Columns,
    businessUnit: Columns,
    ownerName: Columns,
    ownerEmail: Columns,
    residencyRegion: Columns.optional(),
  }),
  /** CMDB criticality label (compared trimmed, case-insensitive) → Accord tier 1–4. */
  tierValues: z.record(z.string().min(1), z.number().int().min(1).max(4)),
  /** Region for a service the CMDB creates when its row names none. */
  defaultResidencyRegion: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/),
  cmdbOwned: z.array(z.enum(CMDB_WRITABLE)).max(CMDB_WRITABLE.length),
  /**
   * At most this many rows in one export; a file over it is one problem and is not read further. A 5 MB export of
   * real `cmdb_ci_service` rows holds about 60,000; 5 MB of one-character rows held 2.5 million, read into 15 million
   * problems over 71 s, and the report ran the server out of memory (red team, wave 32).
   */
  maxRows: z.number().int().min(1).max(1_000_000),
});
export type CmdbPolicy = z.infer<typeof CmdbPolicy>;

/**
 * Validates a CMDB policy document.
 * @throws Error naming each problem with its path in the document
 */
export function loadCmdbPolicy(doc: unknown): CmdbPolicy {
  const r = CmdbPolicy.safeParse(doc);
  if (!r.success)
    throw new Error(
      `shared/policy/cmdb.json: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}

/** The deployment's CMDB policy (shared/policy/cmdb.json), validated when this module loads. */
export const CMDB_POLICY: CmdbPolicy = loadCmdbPolicy(cmdbJson);
