import type { ViolationRecord } from '../../shared/ports/objectives.js';

/**
 * A stored violation as the chain use cases read it (breach analysis, the vendor scorecard, pass-through claims):
 * `id` of `agreementId`'s objective (availability unless overridden), its window, compliance and target, in the
 * payments unit on the fixture service. Detected at the window's end.
 */
export function chainViolation(
  id: string,
  agreementId: string,
  window: { start: string; end: string },
  over: Partial<ViolationRecord> & { compliance?: number } = {},
): ViolationRecord {
  const { compliance = 99, ...rest } = over;
  return {
    id,
    key: id,
    agreementId,
    agreementVersion: 1,
    objectiveId: 'availability',
    serviceId: 'svc_payments-gateway',
    businessUnit: 'payments',
    tier: 1,
    status: 'resolved',
    severity: 'major',
    severityReason: 'test',
    detectedAt: window.end,
    lastEvaluatedAt: window.end,
    evidence: { target: 99.9, compliance, window } as unknown as ViolationRecord['evidence'],
    escalation: [],
    disputes: [],
    ...rest,
  };
}
