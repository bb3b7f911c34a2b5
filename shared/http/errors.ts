import type { APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import {
  BusinessRuleError,
  ConflictError,
  DomainError,
  type FieldProblem,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionRequiredError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
  VersionConflictError,
} from '../domain/errors.js';

/** `objectives.0.target` → `objectives[0].target`. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

/** zod issues as field problems, unknown keys named one by one. */
export function zodProblems(error: z.ZodError, prefix = ''): FieldProblem[] {
  return error.issues.flatMap((i) => {
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => ({
        path: formatPath([...i.path, k], prefix),
        problem: 'is not a known field',
      }));
    }
    return [{ path: formatPath(i.path, prefix), problem: i.message }];
  });
}

const STATUS: [new (...args: never[]) => DomainError, number][] = [
  [VersionConflictError, 409],
  [ValidationError, 400],
  [BusinessRuleError, 422],
  [UnauthenticatedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [PreconditionRequiredError, 428],
  [PayloadTooLargeError, 413],
  [RateLimitedError, 429],
  [UnsupportedMediaTypeError, 415],
  [UnavailableError, 503],
];

/**
 * The one place where errors become HTTP. Domain errors keep their message and field problems;
 * anything else is a 500 that leaks nothing but the request id.
 */
export function errorResponse(
  err: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult & { unexpected: boolean } {
  if (err instanceof DomainError) {
    const status = STATUS.find(([cls]) => err instanceof cls)?.[1] ?? 400;
    const extra: Record<string, unknown> = {};
    const h: Record<string, string> = { ...headers };
    if (err instanceof VersionConflictError) {
      extra.current = err.current;
      const v = (err.current as { version?: number } | undefined)?.version;
      if (v !== undefined) h.ETag = `"${v}"`;
    } else if (err instanceof ConflictError && Object.keys(err.context).length) {
      Object.assign(extra, err.context);
    }
    if (err instanceof RateLimitedError) h['Retry-After'] = String(err.retryAfterSeconds);
    if (err instanceof UnauthenticatedError) h['WWW-Authenticate'] = 'Bearer';
    return {
      statusCode: status,
      headers: { 'Content-Type': 'application/json', ...h },
      body: JSON.stringify({
        error: { code: err.code, message: err.message, details: err.details, ...extra },
        requestId,
      }),
      unexpected: false,
    };
  }
  return {
    statusCode: 500,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({
      error: { code: 'internal', message: 'internal error; quote the request id', details: [] },
      requestId,
    }),
    unexpected: true,
  };
}
