import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync, inflateSync } from 'node:zlib';
import { canAccess, listScope, type Principal } from '../../domain/access/policy.js';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  PayloadTooLargeError,
  ValidationError,
} from '../../domain/errors.js';
import { decodeTelemetry } from '../../domain/telemetry/formats.js';
import type { CompiledPolicy } from '../../domain/telemetry/mapping.js';
import type { Sample } from '../../domain/telemetry/model.js';
import { prepareBatch } from '../../domain/telemetry/prepare.js';
import { compareSources, sourceDeltas } from '../../domain/telemetry/rollup.js';
import { applyVendorScope, type VendorScope } from '../../domain/telemetry/scope.js';
import type { Clock } from '../../ports/clock.js';
import type { ServiceStore } from '../../ports/services.js';
import type {
  DiscrepancyStore,
  IdempotencyStore,
  SampleSpool,
  SampleStore,
  SpooledBatch,
  UnmappedSeriesStore,
} from '../../ports/telemetry.js';
import type { Discrepancy, IngestResponse, UnmappedSeries } from '../../schemas/telemetry.js';

export interface TelemetryDeps {
  policy: CompiledPolicy;
  samples: SampleStore;
  idempotency: IdempotencyStore;
  spool: SampleSpool;
  unmapped: UnmappedSeriesStore;
  discrepancies: DiscrepancyStore;
  clock: Clock;
  /** How long an Idempotency-Key is remembered (default 24 h). */
  idempotencyTtlMs?: number;
  /** Told about failures that do not fail the request (a discrepancy check after the samples committed). */
  onBackgroundError?: (what: string, err: unknown) => void;
  /**
   * Re-checks the vendor's key (revoked or past its overlap: UnauthenticatedError) and answers what the vendor may
   * write (its bindings). Both composition roots wire VendorUseCases.admit; without it nothing is scoped (unit tests).
   */
  admit?: (vendorId: string, keyId: string | undefined) => Promise<VendorScope>;
}

export interface IngestInput {
  vendorId: string;
  /** The id of the key the vendor authenticated with (from the authorizer). */
  keyId?: string | undefined;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface IngestResult {
  status: number;
  body: IngestResponse;
  /** The stored first answer to this Idempotency-Key, sent again. */
  replayed: boolean;
}

const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * Telemetry ingestion: decode the vendor's format, map, validate and normalise (domain), then store the
 * accepted samples once (raw + rollups) before answering. When the raw store fails, the accepted samples
 * go to the durable spool and the answer is 202; the spool is replayed into the store later.
 */
export class TelemetryIngest {
  private readonly inFlight = new Map<string, Promise<IngestResult>>();
  private lastPurge = 0;

  constructor(private readonly deps: TelemetryDeps) {}

  async ingest(input: IngestInput): Promise<IngestResult> {
    const scope = await this.deps.admit?.(input.vendorId, input.keyId);
    const key = input.headers['idempotency-key'];
    if (key === undefined) return this.process(input, scope);
    if (!KEY.test(key)) {
      throw new ValidationError('bad Idempotency-Key', [
        { path: 'Idempotency-Key', problem: 'must be 1 to 200 visible ASCII characters' },
      ]);
    }
    const requestHash = createHash('sha256').update(input.body).digest('hex');
    // A retry that races the first attempt in this process waits for it rather than racing the store.
    const slot = `${input.vendorId}\u0000${key}`;
    const running = this.inFlight.get(slot);
    if (running) {
      const first = await running;
      return { ...first, replayed: true };
    }
    const p = this.keyed(input, key, requestHash, scope);
    this.inFlight.set(slot, p);
    try {
      return await p;
    } finally {
      this.inFlight.delete(slot);
    }
  }

  private async keyed(
    input: IngestInput,
    key: string,
    requestHash: string,
    scope: VendorScope | undefined,
  ): Promise<IngestResult> {
    const { idempotency, clock } = this.deps;
    const seen = await idempotency.get(input.vendorId, key);
    if (seen) {
      if (seen.requestHash !== requestHash) {
        throw new ConflictError('this Idempotency-Key was used with a different body', [
          { path: 'Idempotency-Key', problem: 'was first used with another request body: use a new key' },
        ]);
      }
      return { status: seen.status, body: JSON.parse(seen.body) as IngestResponse, replayed: true };
    }
    const result = await this.process(input, scope);
    const now = clock.now().getTime();
    await idempotency.put(input.vendorId, key, {
      requestHash,
      status: result.status,
      body: JSON.stringify(result.body),
      createdAtMs: now,
    });
    if (now - this.lastPurge > 3_600_000) {
      this.lastPurge = now;
      await idempotency.purge(now - (this.deps.idempotencyTtlMs ?? 86_400_000));
    }
    return result;
  }

  private async process(input: IngestInput, scope: VendorScope | undefined): Promise<IngestResult> {
    const { policy, clock } = this.deps;
    const nowMs = clock.now().getTime();
    const decoded = decodeTelemetry(inflateJson(input, policy.limits.maxBodyBytes), policy.limits);
    const mapped = prepareBatch(decoded, { vendorId: input.vendorId, nowMs, policy });
    // A vendor writes only the services and SLIs bound to it (not_your_service), whatever rule mapped the sample.
    const prepared = scope ? applyVendorScope(mapped, scope) : mapped;
    await this.deps.unmapped.record(prepared.unmapped, nowMs);
    let durability: IngestResponse['durability'] = 'none';
    let duplicates = 0;
    if (prepared.accepted.length > 0) {
      try {
        const out = await this.deps.samples.write(prepared.accepted);
        duplicates = out.duplicates;
        durability = 'stored';
        await this.afterStore(out.fresh, nowMs);
      } catch (err) {
        if (err instanceof DomainError) throw err;
        // The raw store is down: the accepted samples are acknowledged once they are in the spool.
        await this.deps.spool.append({
          id: randomUUID(),
          vendorId: input.vendorId,
          receivedAtMs: nowMs,
          samples: prepared.accepted,
        });
        durability = 'spooled';
      }
    }
    return {
      status: durability === 'spooled' ? 202 : 200,
      replayed: false,
      body: {
        submitted: prepared.submitted,
        accepted: prepared.accepted.length,
        duplicates,
        rejected: prepared.rejected,
        unmappedSeries: prepared.unmapped.length,
        durability,
      },
    };
  }

  /** Replays spooled batches into the raw store; answers how many went through. */
  async replaySpool(): Promise<number> {
    return this.deps.spool.replay((batch) => this.storeSpooled(batch));
  }

  /** Stores one spooled batch (the raw store is idempotent, so a batch delivered twice is stored once). */
  async storeSpooled(batch: SpooledBatch): Promise<void> {
    const out = await this.deps.samples.write(batch.samples);
    await this.afterStore(out.fresh, this.deps.clock.now().getTime());
  }

  /** Two sources of one SLI: compare their buckets and record what differs beyond the tolerance. */
  private async afterStore(fresh: readonly Sample[], nowMs: number): Promise<void> {
    const { policy, discrepancies } = this.deps;
    if (policy.sources.size === 0 || fresh.length === 0) return;
    try {
      const deltas = sourceDeltas(fresh, policy.sources);
      if (deltas.length === 0) return;
      const totals = await discrepancies.addSourceDeltas(deltas);
      for (const t of totals) {
        const source = policy.sources.get(t.sliKey)!;
        const c = compareSources(source, t.byVendor[source.primary], t.byVendor[source.secondary]);
        if (!c) continue;
        if (c.beyondTolerance) {
          await discrepancies.upsert({
            sliKey: t.sliKey,
            bucketStart: new Date(t.bucketStart).toISOString(),
            primary: source.primary,
            secondary: source.secondary,
            primaryValue: c.primaryValue,
            secondaryValue: c.secondaryValue,
            difference: c.difference,
            tolerance: source.tolerance,
            authoritative: source[source.authoritative],
            detectedAt: new Date(nowMs).toISOString(),
          });
        } else await discrepancies.clear(t.sliKey, t.bucketStart);
      }
    } catch (err) {
      // The samples are committed; a failed comparison must not turn their acknowledgement into an error.
      this.deps.onBackgroundError?.('discrepancy check', err);
    }
  }
}

/** What people read about telemetry: series nothing maps, and disagreements between two sources. */
export class TelemetryQueries {
  constructor(
    private readonly deps: Pick<TelemetryDeps, 'unmapped' | 'discrepancies'> & {
      /** To place a discrepancy's service in the caller's scope. */
      services?: Pick<ServiceStore, 'get'>;
    },
  ) {}

  /** Unmapped series belong to no service yet, so only portfolio-wide roles (admin, auditor) read them. */
  async unmapped(
    principal: Principal,
    q: { vendorId?: string | undefined; limit: number },
  ): Promise<UnmappedSeries[]> {
    if (!listScope(principal, 'telemetry.mapping.read').all) {
      throw new ForbiddenError(
        'unmapped series belong to no service yet: portfolio-wide roles (admin, auditor) read them',
      );
    }
    return this.deps.unmapped.list({ limit: q.limit, ...(q.vendorId ? { vendorId: q.vendorId } : {}) });
  }

  /** Discrepancies of the SLIs whose service is in the caller's scope. */
  async discrepancies(
    principal: Principal,
    q: { sliKey?: string | undefined; limit: number },
  ): Promise<Discrepancy[]> {
    const all = await this.deps.discrepancies.list({
      limit: q.limit,
      ...(q.sliKey ? { sliKey: q.sliKey } : {}),
    });
    if (listScope(principal, 'telemetry.read').all) return all;
    const visible = new Map<string, boolean>();
    const out: Discrepancy[] = [];
    for (const d of all) {
      const serviceId = d.sliKey.split('/')[0]!;
      if (!visible.has(serviceId)) {
        const s = await this.deps.services?.get(serviceId);
        visible.set(
          serviceId,
          s !== undefined &&
            canAccess(principal, 'telemetry.read', { businessUnit: s.businessUnit, serviceId }),
        );
      }
      if (visible.get(serviceId)) out.push(d);
    }
    return out;
  }
}

/**
 * Datadog's agents compress JSON with gzip or deflate: inflate it here (Node's zlib, capped at the body
 * limit so a small bomb cannot fill memory) and hand the domain plain JSON. Snappy stays the domain's.
 */
function inflateJson(
  input: IngestInput,
  maxBytes: number,
): { headers: Record<string, string>; body: Uint8Array } {
  const encoding = (input.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== 'gzip' && encoding !== 'deflate') return input;
  const inflate = encoding === 'gzip' ? gunzipSync : inflateSync;
  let body: Buffer;
  try {
    body = inflate(input.body, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PayloadTooLargeError(`the inflated body exceeds ${maxBytes} bytes`, [
        { path: '(body)', problem: `inflates beyond ${maxBytes} bytes` },
      ]);
    }
    throw new ValidationError(`the body is not valid ${encoding} data`, [
      { path: 'Content-Encoding', problem: `${encoding}: ${(e as Error).message}` },
    ]);
  }
  const { 'content-encoding': _dropped, ...headers } = input.headers;
  return { headers, body };
}
