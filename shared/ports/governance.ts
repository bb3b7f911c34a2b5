/**
 * Governance requests of issue 11: change requests to an active agreement (item 4) and exceptions to a change
 * freeze (item 7). One record per request, replaced under a revision; listed by the subject it is about (the
 * agreement of a change request, the service of a freeze exception).
 */

import { type Person, samePerson } from '../domain/people.js';

/** One step in a request's history (who did what, when, and why). */
export interface RequestStep {
  at: string;
  step: string;
  by: string;
  detail: string;
}

/** A sign-off of a change request, in one capacity. */
export interface ChangeSignOffRecord {
  capacity: string;
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  reason: string;
}

export const CHANGE_REQUEST_STATUSES = [
  /** The provider's SLA managers assess it. */
  'assessing',
  /** Accepted; the sign-offs the change control path asks for are collected. */
  'signing',
  /** Applied: the agreement has a new version carrying the change (`appliedVersion`). */
  'applied',
  /** The provider declined it, or a sign-off rejected it. */
  'rejected',
  /** The agreement moved on (ended, or the terms it changes were changed since): nothing applied. */
  'superseded',
  /** An automated update the guard refused: it would have overridden approved terms. */
  'refused',
  /** Taken back by whoever asked (or an admin) before it was decided: its workflow ended, nothing applied. */
  'withdrawn',
] as const;
export type ChangeRequestStatus = (typeof CHANGE_REQUEST_STATUSES)[number];

/** The statuses of a change request still in its workflow; every other status is final. */
export const OPEN_CHANGE_REQUEST_STATUSES: readonly ChangeRequestStatus[] = ['assessing', 'signing'];

/**
 * Whether a record counts toward person `who`'s cap on its subject (the requester matched by `samePerson`, the rule
 * separation of duties uses):
 * - a change request that person asked for (source `api`), still open, toward `changeRequest.maxOpenPerRequester` on
 *   its agreement (RCA and automated requests are not people's and never count);
 * - a freeze exception that person asked for, still pending, toward `freezeExceptions.maxPendingPerRequester` on its
 *   service.
 * One rule for both kinds, so one atomic count (`recordIfUnder`) serves both; a subject is an agreement or a service,
 * never both, so the two caps never count each other's records.
 */
export function countsTowardCap(r: GovernanceRequest, who: Person): boolean {
  if (!samePerson(who, r.requestedBy)) return false;
  if (r.kind === 'freeze-exception') return r.status === 'pending';
  return r.source === 'api' && OPEN_CHANGE_REQUEST_STATUSES.includes(r.status);
}

/**
 * Whether a record counts toward person `who`'s cap on requests *asked* since `since` (an ISO instant, exclusive):
 * a change request that person asked for (source `api`, `samePerson`) at an instant after `since`, whatever its status
 * (`changeRequest.maxPerRequesterPerDay`, with `since` 24 h before now). Freeze exceptions, RCA and automated requests
 * never count.
 */
export function countsTowardRecentCap(r: GovernanceRequest, who: Person, since: string): boolean {
  return (
    r.kind === 'change-request' &&
    r.source === 'api' &&
    r.requestedAt > since &&
    samePerson(who, r.requestedBy)
  );
}

/**
 * A second cap for `recordIfUnder`, on requests asked recently: at most `limit` requests of the subject that
 * `countsTowardRecentCap(r, who, since)`, `since` an ISO instant (exclusive; the use case passes now − 24 h).
 */
export interface RecentCap {
  limit: number;
  since: string;
}

/** One request counted by the recent cap: its id and when it was asked (ISO). */
export interface AskedRequest {
  id: string;
  requestedAt: string;
}

/**
 * What `recordIfUnder` did: `recorded` (the request is stored at revision 1); `over-limit` with the ids of the
 * requester's open requests on the agreement, oldest first (nothing stored); `over-recent-limit` with the requests the
 * recent cap counted, oldest first (by `requestedAt`, then id; nothing stored); `exists` when a record with that id is
 * already stored (nothing stored). The open cap is looked at first.
 */
export type CappedRecordResult =
  | { status: 'recorded' }
  | { status: 'over-limit'; openIds: string[] }
  | { status: 'over-recent-limit'; asked: AskedRequest[] }
  | { status: 'exists' };

/** A change request to an active agreement: what, why, the proposed terms, the assessment and the sign-offs. */
export interface ChangeRequestRecord {
  kind: 'change-request';
  /** `chg_…` */
  id: string;
  agreementId: string;
  serviceId: string;
  /** The provider's unit (the service's): it assesses the request. */
  businessUnit: string;
  /** The agreement version the request was made against. */
  baseVersion: number;
  /** A person's subject, or `system:<source>` for an automated update. */
  requestedBy: string;
  requestedAt: string;
  /** Where it came from: `api` (a person) or the automated source (`import:cmdb`, `schedule:renewal`, …). */
  source: string;
  summary: string;
  why: string;
  /** The proposed terms: top-level agreement fields and their new values. */
  proposed: Record<string, unknown>;
  /** The guard's verdict: fields that change without re-approval, and those that need a new version and sign-off. */
  classification: { administrative: string[]; material: string[] };
  status: ChangeRequestStatus;
  assessment?: { decision: 'accepted' | 'rejected'; by: string; at: string; reason: string } | undefined;
  /** Capacities the change control path asks for, with the rules that asked (empty for an administrative change). */
  requiredSignOffs: { capacity: string; rules: string[] }[];
  signOffs: ChangeSignOffRecord[];
  /** The agreement version that carries the change, once applied. */
  appliedVersion?: number | undefined;
  executionId?: string | undefined;
  history: RequestStep[];
  revision: number;
}

/** `lapsed`: its window ended while it waited for a decision (it can no longer open the gate, nor be decided). */
export const FREEZE_EXCEPTION_STATUSES = ['pending', 'approved', 'rejected', 'lapsed'] as const;
export type FreezeExceptionStatus = (typeof FREEZE_EXCEPTION_STATUSES)[number];

/** An exception to a change freeze: changes to the service may proceed from `from` to `to` once approved. */
export interface FreezeExceptionRecord {
  kind: 'freeze-exception';
  /** `frx_…` */
  id: string;
  serviceId: string;
  businessUnit: string;
  /** ISO instants; `to` is exclusive. */
  from: string;
  to: string;
  reason: string;
  /** The change the exception is for (a release, a fix), as the requester names it. */
  change: string;
  requestedBy: string;
  requestedAt: string;
  status: FreezeExceptionStatus;
  decision?: { by: string; at: string; reason: string } | undefined;
  /** The approval task (kind `freeze-exception`). */
  taskId: string;
  history: RequestStep[];
  revision: number;
}

export type GovernanceRequest = ChangeRequestRecord | FreezeExceptionRecord;

export interface GovernanceRequestStore {
  get(id: string): Promise<GovernanceRequest | undefined>;
  /** Creates (expected 0) or replaces the record at revision `expected`; false when someone wrote first. */
  put(r: GovernanceRequest, expected: number): Promise<boolean>;
  /** The requests about one subject (an agreement id, a service id), oldest first. */
  listBySubject(subjectId: string): Promise<GovernanceRequest[]>;
  /**
   * Creates request `r` (at revision 1) only while fewer than `limit` requests of its subject (`subjectOf`: the
   * agreement of a change request, the service of a freeze exception) count toward the cap for person `who`
   * (`countsTowardCap`), the count and the write being one atomic step, so requests made at the same instant cannot
   * all pass. `r.requestedBy` must be `who`'s (`samePerson`).
   *
   * With `recent`, the same atomic step also refuses while `recent.limit` requests of the subject count toward
   * `countsTowardRecentCap(·, who, recent.since)` (`over-recent-limit`): the count over the sliding window and the
   * write cannot be split by another request either. A person's api change request is always recorded through this
   * method with `recent` (the DynamoDB adapter keeps its record of recent asks only here).
   */
  recordIfUnder(
    r: GovernanceRequest,
    limit: number,
    who: Person,
    recent?: RecentCap,
  ): Promise<CappedRecordResult>;
  /**
   * Change requests still open (`assessing`, `signing`) whose workflow has not started (no `executionId`), oldest
   * first, at most `limit`: a start that failed after the request was recorded, which the reconciliation retries.
   */
  unstarted(limit: number): Promise<ChangeRequestRecord[]>;
}

/** The sources whose change requests go through the change-request workflow (automated updates never do). */
export const WORKFLOW_CHANGE_REQUEST_SOURCES: readonly string[] = ['api', 'rca'];

/**
 * Whether a record is a change request waiting for its workflow to start (see GovernanceRequestStore.unstarted): a
 * person's or an RCA's request, still open, with no execution recorded. An automated update's record never starts one.
 */
export const awaitsStart = (r: GovernanceRequest): r is ChangeRequestRecord =>
  r.kind === 'change-request' &&
  !r.executionId &&
  WORKFLOW_CHANGE_REQUEST_SOURCES.includes(r.source) &&
  OPEN_CHANGE_REQUEST_STATUSES.includes(r.status);

/** The subject a request is listed under. */
export const subjectOf = (r: GovernanceRequest): string =>
  r.kind === 'change-request' ? r.agreementId : r.serviceId;

/** When the request was made (the list order). */
export const requestedAtOf = (r: GovernanceRequest): string => r.requestedAt;
