import { CompiledPolicy, validateRules } from '../domain/telemetry/mapping.js';
import { TelemetryPolicy } from '../schemas/telemetry.js';
import telemetryJson from './telemetry-mapping.json' with { type: 'json' };

/**
 * The telemetry policy (limits, accepted lateness, mapping rules per vendor, two-source SLIs), validated
 * when loaded: a bad file stops the process at start naming each field that is wrong, and so does a mapping rule
 * that can never match (a selector that does not parse, contradictory matchers, a type that cannot feed its
 * measure, a histogram threshold that is not a bucket bound, a rule shadowed by an earlier one).
 * @throws Error listing every problem with its path in the file
 */
export function loadTelemetryPolicy(raw: unknown = telemetryJson): CompiledPolicy {
  const r = TelemetryPolicy.safeParse(raw);
  if (!r.success) {
    throw new Error(
      `shared/policy/telemetry-mapping.json is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const problems = validateRules(r.data);
  if (problems.length) {
    throw new Error(
      `shared/policy/telemetry-mapping.json has mapping rules that are wrong: ${problems.map((p) => `${p.path}: ${p.problem}`).join('; ')}`,
    );
  }
  return new CompiledPolicy(r.data);
}

export { TELEMETRY_LIMITS } from './telemetry-limits.js';
