import type { Rejection } from '../../schemas/telemetry.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';

/**
 * What one vendor may write, from its bindings: whole services, and single SLIs (`<serviceId>/<sli>`).
 * Built from data (the vendor's record), never from the mapping rules or the payload.
 */
export interface VendorScope {
  vendorId: string;
  services: ReadonlySet<string>;
  slis: ReadonlySet<string>;
}

/** A vendor's scope from its bindings (`{serviceId}` for a whole service, `{serviceId, sli}` for one SLI). */
export function vendorScope(
  vendorId: string,
  bindings: readonly { serviceId: string; sli?: string | undefined }[],
): VendorScope {
  const services = new Set<string>();
  const slis = new Set<string>();
  for (const b of bindings) {
    if (b.sli === undefined) services.add(b.serviceId);
    else slis.add(`${b.serviceId}/${b.sli}`);
  }
  return { vendorId, services, slis };
}

/** Whether an SLI (`<serviceId>/<sli>`) is inside a vendor's scope. */
export function inScope(scope: VendorScope, sliKey: string): boolean {
  if (scope.slis.has(sliKey)) return true;
  const slash = sliKey.indexOf('/');
  return slash > 0 && scope.services.has(sliKey.slice(0, slash));
}

/** An accepted sample as the scope step needs it: its SLI and where it was in the request. */
export interface ScopedSample {
  sliKey: string;
  index?: number;
  path?: string;
}

/** How the caller's batch names a sample's place in the request, and keeps its own counts when one is refused. */
export interface ScopeHooks<T> {
  /** The body path of the sample at an index (default: the sample's own `path`). */
  pathOf?: (index: number) => string;
  /** Told of each refused sample (the caller takes it off its per-series counts). */
  onRefused?: (sample: T) => void;
}

/**
 * The vendor-scope step of ingestion, after mapping, validation and normalisation: every accepted sample whose
 * SLI is outside the vendor's bindings is rejected with reason `not_your_service` (whichever rule mapped it, the
 * default naming convention included), so accepted + rejected = submitted still holds. A request sample that
 * became several stored samples (a native histogram feeds two counters) is rejected once. Rejections stay in
 * request order.
 */
export function applyVendorScope<T extends ScopedSample, B extends { accepted: T[]; rejected: Rejection[] }>(
  batch: B,
  scope: VendorScope,
  hooks: ScopeHooks<T> = {},
): B {
  const accepted: T[] = [];
  const refused: Rejection[] = [];
  const named = new Set<number>();
  // A request's samples name few SLIs: each is looked up once.
  const decided = new Map<string, boolean>();
  for (const s of batch.accepted) {
    let ok = decided.get(s.sliKey);
    // Stryker disable next-line ConditionalExpression: always deciding again (`true`) gives the same answer, inScope is pure; the map only saves the work
    if (ok === undefined) {
      ok = inScope(scope, s.sliKey);
      decided.set(s.sliKey, ok);
    }
    if (ok) {
      accepted.push(s);
      continue;
    }
    hooks.onRefused?.(s);
    const index = s.index ?? -1;
    if (index >= 0 && named.has(index)) continue;
    named.add(index);
    const slash = s.sliKey.indexOf('/');
    const service = slash > 0 ? s.sliKey.slice(0, slash) : s.sliKey;
    refused.push({
      index,
      path: (index >= 0 ? hooks.pathOf?.(index) : undefined) ?? s.path ?? '(sample)',
      reason: 'not_your_service',
      message: `vendor ${scope.vendorId} is not bound to ${service} or to its SLI ${s.sliKey}: an admin binds it (PUT /v1/vendors/${scope.vendorId}/bindings)`,
    });
  }
  // Nothing refused is nothing taken off (a sample is left out of `refused` only after its index was refused).
  if (refused.length === 0) return batch;
  const rejected = [...batch.rejected, ...refused].sort((a, b) => a.index - b.index);
  return { ...batch, accepted, rejected };
}

/**
 * The Datadog paths' answer to a key that no longer authenticates (revoked, or past its overlap, while the
 * authorizer still remembers it): 403 naming `DD-API-KEY`, as those paths answer an unknown key and as Datadog does.
 * The Agent drops a batch answered 403 and retries one answered 401. Any other error is returned as it is.
 */
export function datadogKeyRefusal(e: unknown): unknown {
  if (!(e instanceof UnauthenticatedError)) return e;
  return new ForbiddenError('the API key is not valid', [
    { path: 'DD-API-KEY', problem: 'is not a valid API key' },
  ]);
}
