/** Remediation of a violation: the RCA, the CAPA items, escalations and every step, as one record per violation. */

export interface Person {
  name: string;
  email: string;
}

/** A root-cause analysis, as its owner submits it. */
export interface RcaRecord {
  timeline: { at: string; event: string }[];
  rootCause: string;
  /** OLAs/UCs that contributed (agreement ids) and the vendor, when one did. */
  contributing: { agreements: string[]; vendor?: string | undefined };
  evidence: string[];
  /** `fix`: corrective and preventive actions follow; `target-unrealistic`: a change request to the agreement. */
  conclusion: 'fix' | 'target-unrealistic';
  /** `target-unrealistic`: what the RCA proposes (a target for the objective, other terms). */
  proposal?: { target?: number | undefined; terms?: Record<string, unknown> | undefined } | undefined;
  submittedBy: string;
  submittedAt: string;
}

export interface CapaItem {
  id: string;
  kind: 'corrective' | 'preventive';
  description: string;
  owner: Person;
  dueAt: string;
  status: 'open' | 'closed';
  /** The reference a ticketing tool holds (inbound webhooks name it). */
  externalRef: string;
  closedAt?: string | undefined;
  closedBy?: string | undefined;
  resolution?: string | undefined;
}

export interface RemediationStep {
  at: string;
  step: string;
  by: string;
  detail: string;
  /** `<tool>:<webhook-id>` of the signed inbound message that added this step (a team tool's note), when one did. */
  delivery?: string;
}

export interface RemediationRecord {
  violationId: string;
  agreementId: string;
  objectiveId: string;
  serviceId: string;
  businessUnit: string;
  severity: string;
  status: 'rca-due' | 'capa' | 'change-requested' | 'credit' | 'closed';
  owner: Person;
  rcaDueAt: string;
  rcaExternalRef: string;
  rca?: RcaRecord | undefined;
  /** Actions the RCA proposed, before they become CAPA items. */
  proposedActions?: {
    kind: 'corrective' | 'preventive';
    description: string;
    owner: Person;
    dueDate?: string | undefined;
  }[];
  capa: CapaItem[];
  changeRequestTaskId?: string | undefined;
  /** The change request (`chg_…`) an RCA finding the target unrealistic opened, through the change-request use case. */
  changeRequestId?: string | undefined;
  credit?:
    | { final: boolean; creditPercent?: number | undefined; amount?: number | undefined; period?: string }
    | undefined;
  escalations: { level: number; at: string; step: string }[];
  /** Every step, oldest first. */
  history: RemediationStep[];
  createdAt: string;
  closedAt?: string | undefined;
  revision: number;
}

export interface RemediationStore {
  get(violationId: string): Promise<RemediationRecord | undefined>;
  /** Creates (expected 0) or replaces the record at revision `expected`; false when someone wrote first. */
  put(r: RemediationRecord, expected: number): Promise<boolean>;
}
