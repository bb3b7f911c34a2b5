import { z } from 'zod';

/** Settings read once at cold start; a missing or bad setting stops the process with a clear message. */
const ConfigSchema = z.object({
  /** When set, this deployment only holds data resident in this region. */
  ACCORD_RESIDENCY_REGION: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/)
    .optional(),
  ACCORD_VERSION: z.string().default('0.1.0'),
});

export type Config = z.infer<typeof ConfigSchema>;

export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  const r = ConfigSchema.safeParse(env);
  if (!r.success) {
    throw new Error(
      `bad configuration: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return r.data;
}
