import { SignOffRules } from '../domain/agreements/signoff.js';
import signOffRulesJson from './signoff-rules.json' with { type: 'json' };

/** Policy files are data, validated when loaded: a bad file stops the process at start with the field that is wrong. */
export function loadSignOffRules(raw: unknown = signOffRulesJson): SignOffRules {
  const r = SignOffRules.safeParse(raw);
  if (!r.success) {
    throw new Error(
      `shared/policy/signoff-rules.json is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return r.data;
}
