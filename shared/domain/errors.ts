/** A problem with one input field: where (a path such as `objectives[0].target`) and what. */
export interface FieldProblem {
  path: string;
  problem: string;
}

/** At least one problem (first or last fixed): what a 403 or a 404 must say. */
export type SomeProblems = [FieldProblem, ...FieldProblem[]] | [...FieldProblem[], FieldProblem];

/** Base of every error the domain or an adapter raises on purpose; mapped to HTTP in one place. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly details: FieldProblem[];
  constructor(message: string, details: FieldProblem[] = []) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Input that does not match the schema (400). */
export class ValidationError extends DomainError {
  readonly code = 'validation_failed';
}

/** Input that is well formed but breaks a business rule (422), e.g. a backdated effective date. */
export class BusinessRuleError extends DomainError {
  readonly code = 'rule_violated';
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthenticated';
}

/**
 * The caller may not do this (403). `details` is required and never empty: each entry says what the caller lacks and
 * where it was looked for: `roles` (the role matrix), `businessUnits` or `services` (the caller's scope), `subject`
 * (separation of duties: who the caller is), `capacity`, or the header or field that carried a credential.
 */
export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
  constructor(message: string, details: SomeProblems) {
    super(message, details);
  }
}

/**
 * No such thing, or one the caller may not know of (404, answered alike). `details` is required and never empty: the
 * input that named it (a path parameter by its name in the route, such as `violationId`; `query.<name>`; a body
 * field's path) and what it names.
 */
export class NotFoundError extends DomainError {
  readonly code = 'not_found';
  constructor(message: string, details: SomeProblems) {
    super(message, details);
  }
}

/** The request conflicts with the current state (409): a lifecycle step not allowed from here, a dependant. */
export class ConflictError extends DomainError {
  readonly code: string = 'conflict';
  constructor(
    message: string,
    details: FieldProblem[] = [],
    readonly context: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

/** A write based on a stale version (409, optimistic locking). Carries the current version. */
export class VersionConflictError extends ConflictError {
  override readonly code = 'version_conflict';
  constructor(
    message: string,
    readonly current: unknown,
  ) {
    super(message, [{ path: 'If-Match', problem: message }]);
  }
}

/** An If-Match header was required and not given (428). */
export class PreconditionRequiredError extends DomainError {
  readonly code = 'precondition_required';
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
}

/** Too many requests (429); `retryAfterSeconds` becomes the Retry-After header. */
export class RateLimitedError extends DomainError {
  readonly code: string = 'rate_limited';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A usage plan's quota for its period is used up (429): Retry-After says when the period resets. */
export class QuotaExceededError extends RateLimitedError {
  override readonly code = 'quota_exceeded';
}

/** A capability this deployment does not run (503): a configuration fact, not a fault of the request. */
export class UnavailableError extends DomainError {
  readonly code = 'unavailable';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported_media_type';
}
