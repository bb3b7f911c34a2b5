/**
 * The objectives use cases on memory adapters, as the unit tests of shared/usecases/objectives build them: one
 * agreement (`agr_0000000001`, version 3, service `svc_pay` of retail) with one availability objective (`avail`) at
 * 99.9% over 7 rolling days and credit terms of 1,000 EUR a month; callers of retail or of other units.
 */

import { MemoryViolationStore } from '../../shared/adapters/memory/objectives.js';
import { MemoryRollupStore } from '../../shared/adapters/memory/rollups.js';
import type { Principal } from '../../shared/domain/access/policy.js';
import type { ActiveObjectivesSource } from '../../shared/ports/objectives.js';
import { ObjectiveUseCases } from '../../shared/usecases/objectives/index.js';
import { creditTerms, fill, objectiveAgreement, objectiveDeps } from '../unit/objectives/helpers.js';

/** The SLI key of the availability objective of `svc_pay`. */
export const KEY = 'svc_pay/availability';
export const H = 3_600_000;
export const D = 24 * H;
/** 1 April 2026, 00:00 UTC: where the telemetry of these tests starts. */
export const START = Date.UTC(2026, 3, 1);

/** A caller of retail (the unit holding `agreement`) in `roles`. */
export const principal = (roles: Principal['roles'], subject = 'manager@example.com'): Principal => ({
  subject,
  roles,
  businessUnits: ['retail'],
  services: [],
  signOffCapacities: [],
});

/** A viewer of these business units, such as a party to the agreement that does not hold it. */
export const party = (units: string[]): Principal => ({
  subject: 'cara@example.com',
  roles: ['viewer'],
  businessUnits: units,
  services: [],
  signOffCapacities: [],
});

/** One availability objective (`avail`) at 99.9% over 7 rolling days; 1,000 EUR a month, 10% back below 99.9%. */
export const agreement = objectiveAgreement(
  { agreementId: 'agr_0000000001', version: 3, credits: creditTerms(1000) },
  { id: 'avail' },
);

/** The use cases after a week at 0.5% errors against a 0.1% budget, evaluated once: its violation, as stored. */
export async function breachedOver(source: ActiveObjectivesSource) {
  const rollups = new MemoryRollupStore();
  const violations = new MemoryViolationStore();
  const now = START + 7 * D;
  const uc = new ObjectiveUseCases(objectiveDeps(source, () => now, { rollups, violations }));
  await fill(rollups, KEY, START, now, () => [995, 1000]);
  await uc.evaluateAll();
  const [v] = (await uc.listViolations(principal(['viewer']), { limit: 100 })).items;
  return { uc, violations, rollups, v: v! };
}
