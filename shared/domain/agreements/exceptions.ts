import type { Principal, Role } from '../access/policy.js';
import type { FieldProblem } from '../errors.js';
import { samePerson } from '../people.js';

/** Who may approve exception windows, how long one may last, and how much time may be excluded: data. */
export interface ExceptionRules {
  /** Hours after its start that an emergency may still be requested. */
  emergencyBackdateHours: number;
  /** Minutes after its start that planned maintenance may still be requested (clock skew; it is planned). */
  plannedBackdateMinutes: number;
  /** The longest window of each kind, in hours. */
  maxHours: { 'planned-maintenance': number; emergency: number };
  /** The most time that requested and approved windows of one agreement may exclude within any period of periodDays. */
  maxExcludedHoursPerPeriod: number;
  periodDays: number;
  /**
   * Who may approve, besides being another person than the requester and outside the provider's unit: any
   * principal matching one entry. `customer-unit`: a holder of the role whose business units include the
   * agreement's customer unit. `capacity`: a holder of the role with one of the sign-off capacities.
   */
  approvers: (
    | { kind: 'customer-unit'; role: Role }
    | { kind: 'capacity'; role: Role; capacities: string[] }
  )[];
}

/** A window as these rules see it: times in ms since the epoch. */
export interface WindowSpan {
  id: string;
  objectiveId?: string | undefined;
  start: number;
  end: number;
}

/** What an approval decision is judged against: the agreement's parties and service, and who asked. */
export interface ApprovalContext {
  providerUnit?: string | undefined;
  customerUnit?: string | undefined;
  serviceId: string;
  requestedBy: string;
}

/** Whether two windows cover the same objective: a whole-agreement window covers all of them. */
function sameScope(a: WindowSpan, b: WindowSpan): boolean {
  return a.objectiveId === undefined || b.objectiveId === undefined || a.objectiveId === b.objectiveId;
}

/** The live windows (requested or approved) a new one overlaps in time and scope: exclusions must not stack. */
export function overlapping(candidate: WindowSpan, live: readonly WindowSpan[]): WindowSpan[] {
  return live.filter(
    (w) =>
      w.id !== candidate.id && sameScope(w, candidate) && w.start < candidate.end && candidate.start < w.end,
  );
}

/**
 * The most time, in ms, that a set of windows excludes within any period of `periodMs` (a sliding period:
 * the maximum is reached with the period starting at some window's start or ending at some window's end).
 */
export function maxExcludedInAnyPeriod(windows: readonly WindowSpan[], periodMs: number): number {
  const starts = [...windows.map((w) => w.start), ...windows.map((w) => w.end - periodMs)];
  let most = 0;
  for (const from of starts) {
    const to = from + periodMs;
    let total = 0;
    for (const w of windows) total += Math.max(0, Math.min(w.end, to) - Math.max(w.start, from));
    most = Math.max(most, total);
  }
  return most;
}

/** The problems of a requested window against the rules: length, stacking on another, and the period cap. */
export function windowProblems(
  rules: ExceptionRules,
  candidate: WindowSpan & { kind: keyof ExceptionRules['maxHours'] },
  live: readonly WindowSpan[],
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const hours = (candidate.end - candidate.start) / 3_600_000;
  if (hours > rules.maxHours[candidate.kind]) {
    problems.push({
      path: 'end',
      problem: `a ${candidate.kind} window may last at most ${rules.maxHours[candidate.kind]} h; this one lasts ${round(hours)} h`,
    });
  }
  const clash = overlapping(candidate, live);
  for (const w of clash) {
    problems.push({
      path: 'start',
      problem: `overlaps exception window ${w.id}, which covers the same objectives`,
    });
  }
  const periodMs = rules.periodDays * 86_400_000;
  const most = maxExcludedInAnyPeriod([...live, candidate], periodMs) / 3_600_000;
  if (most > rules.maxExcludedHoursPerPeriod) {
    problems.push({
      path: 'end',
      problem: `with this window, ${round(most)} h of this agreement would be excluded within ${rules.periodDays} days; at most ${rules.maxExcludedHoursPerPeriod} h may be`,
    });
  }
  return problems;
}

/**
 * Why a principal may not approve (or reject) a requested window, or undefined when it may: never the
 * requester, never anyone of the provider's unit or owning its service, and only someone the rules name. The
 * refusal is a 403's detail: `path` is what about the caller refused it (`subject`, `businessUnits`, `services`,
 * `roles`), `problem` the reason in words.
 */
export function approvalRefusal(
  rules: ExceptionRules,
  principal: Principal,
  ctx: ApprovalContext,
): FieldProblem | undefined {
  if (samePerson(principal, ctx.requestedBy))
    return { path: 'subject', problem: 'the requester of an exception window cannot decide it' };
  if (ctx.providerUnit !== undefined && principal.businessUnits.includes(ctx.providerUnit)) {
    return {
      path: 'businessUnits',
      problem: "an exception window is decided outside the provider's business unit",
    };
  }
  if (principal.services.includes(ctx.serviceId)) {
    return {
      path: 'services',
      problem: "an exception window is decided outside the provider's business unit (you own its service)",
    };
  }
  const qualifies = rules.approvers.some((a) =>
    a.kind === 'customer-unit'
      ? principal.roles.includes(a.role) &&
        ctx.customerUnit !== undefined &&
        principal.businessUnits.includes(ctx.customerUnit)
      : principal.roles.includes(a.role) && a.capacities.some((c) => principal.signOffCapacities.includes(c)),
  );
  return qualifies
    ? undefined
    : {
        path: 'roles',
        problem:
          'exception windows are decided by the customer side or by an approver the rules name (shared/policy/exceptions.ts)',
      };
}

const round = (x: number) => Math.round(x * 100) / 100;
