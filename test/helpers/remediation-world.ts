import { createHash } from 'node:crypto';
import { vi } from 'vitest';
import type { Principal } from '../../shared/domain/access/policy.js';
import type { ViolationRecord } from '../../shared/ports/objectives.js';
import type { AgreementVersion } from '../../shared/schemas/agreement.js';
import type { NotifyRequest } from '../../shared/usecases/workflows/notifications.js';
import { agreementVersion } from './fixtures.js';
import type { WorkflowWorld } from './workflow-world.js';

/**
 * Violations for the remediation workflow in a workflow world (test/helpers/workflow-world.ts): an active agreement
 * with a two-level escalation matrix, a violation of its objective as the evaluation run records it, and the
 * remediation started the way ObjectiveUseCases' hook starts it.
 */
export const OWNER = { name: 'Owen Service', email: 'owen@example.com' };
export const DEE = { name: 'Dee Duty', email: 'dee@example.com' };
export const HAL = { name: 'Hal Head', email: 'hal@example.com' };
export const PIA = { name: 'Pia Prevent', email: 'pia@example.com' };
export const HOUR = 3_600_000;

/** An active SLA of `svc_payments-gateway` (unit payments) owned by OWNER, escalating to Dee (1) then Hal (2). */
export async function activeAgreement(w: WorkflowWorld, over: Partial<AgreementVersion> = {}) {
  const base = agreementVersion();
  const a = agreementVersion({
    status: 'active',
    effectiveFrom: '2026-01-01',
    objectives: [{ ...base.objectives[0]!, owner: OWNER }],
    escalation: [
      { level: 1, afterMinutes: 30, role: 'duty manager', contact: DEE },
      { level: 2, afterMinutes: 240, role: 'head of service', contact: HAL },
    ],
    ...over,
  });
  await w.agreements.create(a);
  return a;
}

/** A violation of the agreement's first objective, detected now, escalating along Dee (1) and Hal (2). */
export function violation(w: WorkflowWorld, a: AgreementVersion, over: Partial<ViolationRecord> = {}) {
  const now = w.clock.now().toISOString();
  return {
    id: 'vio_01WF000000000000000001',
    key: `${a.id}/availability/2026-03`,
    agreementId: a.id,
    agreementVersion: a.version,
    objectiveId: a.objectives[0]!.id,
    serviceId: a.serviceId,
    businessUnit: a.businessUnit,
    tier: 2,
    status: 'open',
    severity: 'critical',
    severityReason: 'twice the error budget spent',
    detectedAt: now,
    lastEvaluatedAt: now,
    evidence: {} as ViolationRecord['evidence'],
    escalation: [
      { level: 1, role: 'duty manager', who: DEE, by: now, source: 'agreement' },
      { level: 2, role: 'head of service', who: HAL, by: now, source: 'agreement' },
    ],
    disputes: [],
    ...over,
  } satisfies ViolationRecord as ViolationRecord;
}

/** Records the violation and starts its remediation, then lets the workflow run until it waits. */
export async function openRemediation(w: WorkflowWorld, v: ViolationRecord): Promise<ViolationRecord> {
  await w.violations.record(v);
  await w.wf.remediation.opened(v);
  await w.settle();
  return v;
}

/** The person who owns the violated objective, as a principal (a service owner of the service). */
export const owen = {
  subject: 'owen@example.com',
  email: 'owen@example.com',
  roles: ['service-owner'],
  businessUnits: [],
  services: ['svc_payments-gateway'],
  signOffCapacities: [],
} as Principal;

/** Ids and references as the remediation derives them (the first hex digits of a SHA-256). */
export const hash = (s: string, n = 24) => createHash('sha256').update(s).digest('hex').slice(0, n);
export const rcaTask = (violationId: string) => `tsk_${hash(`rca|${violationId}`)}`;
export const capaTask = (violationId: string, capaId: string) =>
  `tsk_${hash(`capa|${violationId}|${capaId}`)}`;

/** An RCA that fixes the cause with a corrective action due on a date and a preventive one due by policy. */
export const fixRca = {
  timeline: [{ at: '2026-03-01T10:00:00Z', event: 'errors rise after release 4.2' }],
  rootCause: 'release 4.2 exhausted the connection pool',
  contributing: { agreements: [], vendor: 'Acme DB' },
  evidence: ['grafana snapshot 123'],
  conclusion: 'fix' as const,
  actions: [
    {
      kind: 'corrective' as const,
      description: 'size the pool from load tests',
      owner: OWNER,
      dueDate: '2026-03-04',
    },
    { kind: 'preventive' as const, description: 'pool saturation alert', owner: PIA },
  ],
};

/** The notification requests the use cases made, in order (a spy on the world's Notifications). */
export function notifySpy(w: WorkflowWorld) {
  const spy = vi.spyOn(w.notifications.notifications, 'notify');
  return () => spy.mock.calls.map(([n]) => n as NotifyRequest);
}
