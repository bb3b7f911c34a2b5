import { z } from 'zod';

export const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(500).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;
