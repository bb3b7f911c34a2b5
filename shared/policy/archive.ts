import { z } from 'zod';
import { ARCHIVE_TYPES } from '../domain/archive/chain.js';
import archiveJson from './archive.json' with { type: 'json' };

/**
 * How long the archive keeps what (days), in which Object Lock mode, and how long a download link lives.
 * 2,557 days is 7 years (with two leap days). The CDK bucket's default retention and every upload's own
 * retain-until date both come from here.
 */
export const ArchivePolicy = z.strictObject({
  mode: z.literal('COMPLIANCE'),
  defaultRetentionDays: z.number().int().min(1).max(36_500),
  retentionDays: z.strictObject(
    Object.fromEntries(ARCHIVE_TYPES.map((t) => [t, z.number().int().min(1).max(36_500)])) as Record<
      (typeof ARCHIVE_TYPES)[number],
      z.ZodNumber
    >,
  ),
  downloadLinkSeconds: z.number().int().min(30).max(3600),
});
export type ArchivePolicy = z.infer<typeof ArchivePolicy>;

/** The archive policy, validated: a bad file stops the process at start with the field that is wrong. */
export function loadArchivePolicy(raw: unknown = archiveJson): ArchivePolicy {
  const r = ArchivePolicy.safeParse(raw);
  if (!r.success) {
    throw new Error(
      `shared/policy/archive.json is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  for (const [type, days] of Object.entries(r.data.retentionDays)) {
    if (days < r.data.defaultRetentionDays)
      throw new Error(
        `shared/policy/archive.json is invalid: retentionDays.${type}: ${days} is shorter than the bucket's default retention (${r.data.defaultRetentionDays})`,
      );
  }
  return r.data;
}
