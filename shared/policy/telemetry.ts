import { CompiledPolicy } from '../domain/telemetry/mapping.js';
import { TelemetryPolicy } from '../schemas/telemetry.js';
import telemetryJson from './telemetry-mapping.json' with { type: 'json' };

/**
 * The telemetry policy (limits, accepted lateness, mapping rules per vendor, two-source SLIs), validated
 * when loaded: a bad file stops the process at start with the field that is wrong.
 */
export function loadTelemetryPolicy(raw: unknown = telemetryJson): CompiledPolicy {
  const r = TelemetryPolicy.safeParse(raw);
  if (!r.success) {
    throw new Error(
      `shared/policy/telemetry-mapping.json is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  for (const [i, rule] of [
    ...r.data.defaultRules,
    ...Object.values(r.data.vendors).flatMap((v) => v.rules),
  ].entries()) {
    if (rule.metricRegex) {
      try {
        new RegExp(rule.metricRegex);
      } catch (e) {
        throw new Error(
          `telemetry mapping rule ${i}: metricRegex is not a regular expression: ${(e as Error).message}`,
        );
      }
    }
  }
  return new CompiledPolicy(r.data);
}

/** The limits, for the route table (body size) without compiling the rules. */
export const TELEMETRY_LIMITS = TelemetryPolicy.shape.limits.parse(telemetryJson.limits);
