import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync, inflateSync } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { accessProblem, canAccess, listScope, type Principal } from '../../domain/access/policy.js';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../domain/errors.js';
import { sliActivityOf } from '../../domain/telemetry/activity.js';
import { decodeTelemetry, LabelSetCache } from '../../domain/telemetry/formats.js';
import type { CompiledPolicy } from '../../domain/telemetry/mapping.js';
import {
  countsAsSample,
  type DecodedBatch,
  outerSeries,
  type PreparedBatch,
  type Sample,
} from '../../domain/telemetry/model.js';
import { decodeOtlp, encodeOtlpResponse, otlpEncoding } from '../../domain/telemetry/otlp.js';
import { prepareBatch } from '../../domain/telemetry/prepare.js';
import { compareSources, sourceDeltas } from '../../domain/telemetry/rollup.js';
import { applyVendorScope, datadogKeyRefusal, type VendorScope } from '../../domain/telemetry/scope.js';
import { checkZstdFrames } from '../../domain/telemetry/zstd-frames.js';
import type { Clock } from '../../ports/clock.js';
import type { RollupStore } from '../../ports/rollups.js';
import type { ServiceStore } from '../../ports/services.js';
import type {
  DiscrepancyStore,
  IdempotencyStore,
  SampleSpool,
  SampleStore,
  SliActivityStore,
  SliReaders,
  SpooledBatch,
  StoreRejection,
  UnmappedSeriesStore,
} from '../../ports/telemetry.js';
import type {
  Discrepancy,
  IngestResponse,
  Rejection,
  SliActivity,
  SliFed,
  UnmappedSeries,
} from '../../schemas/telemetry.js';
import { decodeCursor, encodeCursor } from '../cursor.js';

export interface TelemetryDeps {
  policy: CompiledPolicy;
  samples: SampleStore;
  /** To reject samples for services that do not exist (a misspelled id must not vanish into the void). */
  services: Pick<ServiceStore, 'get'>;
  /** Which SLIs of a service get data, when, how much (the owner's view). */
  activity: SliActivityStore;
  /** Which objectives read a service's SLIs (an SLI nobody reads is flagged to the sender). */
  readers: SliReaders;
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
  /** How long a service known to exist, and the objectives reading its SLIs, are remembered (default 60 s). */
  cacheTtlMs?: number;
  /**
   * SLI key → the data source pulling it (PullUseCases.pulledSlis). One SLI, one feed: another vendor's samples for a
   * pulled SLI are stored raw but do not feed its rollups, unless the policy's `sources` names the SLI's sources.
   */
  pulledSlis?: () => Promise<ReadonlyMap<string, string>>;
  /**
   * Distinct SLIs with data per service past which a new SLI's samples are rejected (`too_many_slis`) unless an
   * objective reads it; default: the policy's `limits.maxSlisPerService`. For tests and operators to set a smaller one.
   */
  maxSlisPerService?: number;
}

export interface IngestInput {
  vendorId: string;
  /** The id of the key the vendor authenticated with (from the authorizer). */
  keyId?: string | undefined;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Uint8Array;
  /** The body is an OTLP/HTTP metrics export request (POST /v1/metrics), whatever its Content-Type. */
  otlp?: boolean;
  /** The request came on the Datadog Agent's path (POST /api/v2/series): a protobuf body is its MetricPayload. */
  datadog?: boolean;
}

export interface IngestResult {
  status: number;
  body: IngestResponse;
  /** The stored first answer to this Idempotency-Key, sent again. */
  replayed: boolean;
}

const KEY = /^[\x21-\x7e]{1,200}$/;

/** The largest (and default) page of `GET /v1/services/{serviceId}/slis`. */
export const MAX_SLIS_PAGE = 1000;

/**
 * Telemetry ingestion: decode the vendor's format, map, validate and normalise (domain), then store the
 * accepted samples once (raw + rollups) before answering. When the raw store fails, the accepted samples
 * go to the durable spool and the answer is 202; the spool is replayed into the store later.
 */
export class TelemetryIngest {
  private readonly inFlight = new Map<string, { requestHash: string; result: Promise<IngestResult> }>();
  private lastPurge = 0;
  /** Services known to exist, until an instant (a service is never deleted, only its agreements retire). */
  private readonly knownServices = new Map<string, number>();
  private readonly readSlis = new Map<string, { until: number; slis: Set<string> }>();
  /** Remote-write label sets decoded once per process (bounded): a series sent again is one Map lookup. */
  private readonly labelSets = new LabelSetCache();
  /**
   * Per service, the SLI names it has data for (this instance's view): loaded from the activity store at first sight
   * of the service, then grown as new SLIs are admitted (before their write, so two concurrent requests cannot both
   * take the last place). Bounded by the services that exist times the cap (plus the SLIs objectives read).
   */
  private readonly sliNames = new Map<string, Set<string>>();
  private readonly sliNamesLoading = new Map<string, Promise<Set<string>>>();

  constructor(private readonly deps: TelemetryDeps) {}

  /**
   * OTLP/HTTP metrics (POST /v1/metrics): the same ingestion, answered as OTLP answers: an
   * ExportMetricsServiceResponse encoded as the request was (protobuf or JSON), whose partial_success counts the
   * rejected data points and names the first reasons (and warns of SLIs no objective reads).
   * @throws UnsupportedMediaTypeError (415) for another Content-Type; the errors of `ingest` otherwise
   */
  async ingestOtlp(
    input: IngestInput,
  ): Promise<{ status: number; body: Uint8Array | string; contentType: string; replayed: boolean }> {
    const encoding = otlpEncoding(input.headers['content-type'] ?? '');
    const r = await this.ingest({ ...input, otlp: true });
    const out = encodeOtlpResponse(encoding, partialSuccessOf(r.body));
    return { status: r.status, ...out, replayed: r.replayed };
  }

  async ingest(input: IngestInput): Promise<IngestResult> {
    const scope = await this.deps.admit?.(input.vendorId, input.keyId).catch((e: unknown) => {
      throw input.datadog ? datadogKeyRefusal(e) : e;
    });
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
      // Another body under the same key is refused as the stored path refuses it: answering it with the first
      // request's report would drop its samples behind a 2xx.
      if (running.requestHash !== requestHash) throw keyReusedError();
      const first = await running.result;
      return { ...first, replayed: true };
    }
    const p = this.keyed(input, key, requestHash, scope);
    this.inFlight.set(slot, { requestHash, result: p });
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
      if (seen.requestHash !== requestHash) throw keyReusedError();
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
    const decoded = input.otlp
      ? decodeOtlpBody(input, policy.limits)
      : decodeTelemetry(
          inflateJson(checkSentSize(input, policy.limits), policy.limits.maxBodyBytes),
          policy.limits,
          { datadog: input.datadog, labelSets: this.labelSets },
        );
    return this.processDecoded(decoded, input.vendorId, scope, nowMs);
  }

  /**
   * An explicit backfill import (admin-only, audited by the caller): a decoded file's samples go through the same
   * mapping, semantics (counters become increases), storage and rollups as live ingest, accepted back to `oldestMs`
   * instead of the vendor's lateness limit. With `scope` (a backfill "as" a vendor: its bindings) every sample outside
   * it is rejected (`not_your_service`) and never stored, exactly as on the live path. Without it nothing is scoped:
   * the history pull (shared/usecases/pull.ts) names a data source, not a vendor, and aims each point at the one SLI
   * its objective reads, so there is nothing for a binding to limit.
   */
  async ingestBackfill(
    decoded: DecodedBatch,
    vendorId: string,
    oldestMs: number,
    scope?: VendorScope,
  ): Promise<IngestResponse> {
    const nowMs = this.deps.clock.now().getTime();
    return (await this.processDecoded(decoded, vendorId, scope, nowMs, oldestMs)).body;
  }

  private async processDecoded(
    decoded: DecodedBatch,
    vendorId: string,
    scope: VendorScope | undefined,
    nowMs: number,
    oldestMs?: number,
  ): Promise<IngestResult> {
    const { policy } = this.deps;
    const input = { vendorId };
    const mapped = prepareBatch(decoded, { vendorId, nowMs, policy, oldestMs });
    // A vendor writes only the services and SLIs bound to it (not_your_service), whatever rule mapped the sample.
    const prepared = scope
      ? applyVendorScope<Sample, PreparedBatch>(mapped, scope, {
          pathOf: (i) => mapped.pathOf(i),
          onRefused: (s) => {
            // Stryker disable next-line ConditionalExpression: every sample of a series maps to one SLI, so a refused series is refused whole and its count ends at 0 or below either way (`true` counts a native histogram's second counter too); only a count above 0 is read
            if (countsAsSample(s)) mapped.seriesOf.get(outerSeries(s))!.accepted--;
          },
        })
      : mapped;
    // The request's distinct SLI keys in first-sample order (the order new SLIs are admitted in), once for both checks.
    const slis = new Set<string>();
    for (const s of prepared.accepted) slis.add(s.sliKey);
    await this.rejectUnknownServices(prepared, slis);
    await this.rejectSlisOverCap(prepared, slis);
    const pulled = prepared.accepted.length ? await this.deps.pulledSlis?.() : undefined;
    if (pulled?.size)
      for (const s of prepared.accepted) {
        const by = pulled.get(s.sliKey);
        if (by !== undefined && by !== vendorId && !policy.sources.has(s.sliKey)) s.rollup = false;
      }
    await this.deps.unmapped.record(prepared.unmapped, nowMs);
    let durability: IngestResponse['durability'] = 'none';
    let duplicates = 0;
    let stored: Sample[] = prepared.accepted;
    if (prepared.accepted.length > 0) {
      try {
        const out = await this.deps.samples.write(prepared.accepted, {
          vendorId: input.vendorId,
          receivedAtMs: nowMs,
        });
        duplicates = out.duplicates;
        durability = 'stored';
        // Stryker disable next-line ConditionalExpression: taking back no refusals (`true`) keeps every sample and re-sorts rejections prepare already sorted by index
        if (out.rejected.length) stored = this.takeBack(prepared, out.rejected);
        await this.afterStore(out.fresh, nowMs);
        if (!out.activityRecorded) await this.recordActivity(out.fresh, input.vendorId, nowMs);
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
    const rejected = dedupeByIndex(prepared.rejected);
    // Every request sample is either in `stored` (once: see countsAsSample) or in `rejected`.
    let accepted = 0;
    for (const s of stored) if (countsAsSample(s)) accepted++;
    return {
      status: durability === 'spooled' ? 202 : 200,
      replayed: false,
      body: {
        submitted: prepared.submitted,
        accepted,
        duplicates,
        rejected,
        unmappedSeries: prepared.unmapped.length,
        series: seriesCounts(prepared),
        slis: await this.slisFed(stored),
        durability,
      },
    };
  }

  /**
   * Samples for a service that does not exist are rejected one by one (`unknown_service`): a misspelled service id
   * is answered in the same request rather than stored where nothing reads it. `slis`: the distinct SLI keys of
   * `prepared.accepted` (no string work per sample); those of unknown services are taken out of it too.
   */
  private async rejectUnknownServices(prepared: PreparedBatch, slis: Set<string>): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const missing = new Map<string, string>();
    const checked = new Map<string, boolean>();
    for (const sliKey of slis) {
      const id = sliKey.slice(0, sliKey.indexOf('/'));
      let known = checked.get(id);
      if (known === undefined) {
        known = (this.knownServices.get(id) ?? 0) > now || (await this.deps.services.get(id)) !== undefined;
        if (known) this.knownServices.set(id, now + (this.deps.cacheTtlMs ?? 60_000));
        checked.set(id, known);
      }
      if (!known) {
        missing.set(sliKey, id);
        slis.delete(sliKey);
      }
    }
    takeOut(
      prepared,
      missing,
      'unknown_service',
      (id) => `there is no service ${id}: register it (POST /v1/services) or correct the mapping`,
    );
  }

  /** The samples of the SLIs `overCap` refuses (`slis`: the batch's distinct SLI keys) are rejected, never stored. */
  private async rejectSlisOverCap(prepared: PreparedBatch, slis: ReadonlySet<string>): Promise<void> {
    const cap = this.sliCap();
    takeOut(
      prepared,
      await this.overCap(slis, false),
      'too_many_slis',
      (serviceId) =>
        `service ${serviceId} already has data for ${cap} SLIs (limits.maxSlisPerService): a new SLI is refused unless an objective reads it; correct the mapping or the SLI name`,
    );
  }

  private sliCap(): number {
    return this.deps.maxSlisPerService ?? this.deps.policy.limits.maxSlisPerService;
  }

  /**
   * Whether the cap admits every SLI key (`overCap`, all or nothing: nothing is counted unless all are admitted): for a
   * writer beside this use case (the backfill's columnar path) that takes a chunk whole or leaves it to
   * `ingestBackfill`, which rejects the SLIs over the cap one by one.
   */
  async admitsSlis(sliKeys: Iterable<string>): Promise<boolean> {
    return (await this.overCap(sliKeys, true)).size === 0;
  }

  /**
   * The cardinality cap, the one admission rule of both paths: a service has data for at most `maxSlisPerService`
   * distinct SLIs. An SLI with data, or admitted earlier in `sliKeys`, is admitted; a new one while its service has
   * fewer than the cap (this instance's view, `sliNames`, plus those admitted earlier in `sliKeys`), or whatever the
   * count when an objective reads it (a flood of invented names cannot lock out real data). Answers the refused SLI
   * keys → their service id. `whole` (all or nothing): stops at the first refusal, and counts the admitted SLIs only
   * when none was refused; otherwise each is counted as it is admitted.
   */
  private async overCap(sliKeys: Iterable<string>, whole: boolean): Promise<Map<string, string>> {
    const over = new Map<string, string>();
    // The views this call reads: one per service even when the store could not be read (not cached then).
    const views = new Map<string, { known: Set<string>; added: Set<string> }>();
    for (const sliKey of sliKeys) {
      const slash = sliKey.indexOf('/');
      const serviceId = sliKey.slice(0, slash);
      const name = sliKey.slice(slash + 1);
      let v = views.get(serviceId);
      if (!v) {
        v = { known: this.sliNames.get(serviceId) ?? (await this.sliNamesOf(serviceId)), added: new Set() };
        views.set(serviceId, v);
      }
      if (v.known.has(name) || v.added.has(name)) continue;
      if (v.known.size + v.added.size >= this.sliCap() && !(await this.readSlisOf(serviceId)).has(name)) {
        over.set(sliKey, serviceId);
        if (whole) return over;
        continue;
      }
      // Ingest counts it now, before the write, so a concurrent request sees it (a write that then fails leaves it
      // counted: the view errs towards refusing, never towards letting a flood through).
      (whole ? v.added : v.known).add(name);
    }
    for (const v of views.values()) for (const n of v.added) v.known.add(n);
    return over;
  }

  /** The service's SLI names with data, from the activity store (one load per service, shared by concurrent requests). */
  private async sliNamesOf(serviceId: string): Promise<Set<string>> {
    let loading = this.sliNamesLoading.get(serviceId);
    if (!loading) {
      loading = this.loadSliNames(serviceId);
      this.sliNamesLoading.set(serviceId, loading);
    }
    try {
      return await loading;
    } finally {
      this.sliNamesLoading.delete(serviceId);
    }
  }

  private async loadSliNames(serviceId: string): Promise<Set<string>> {
    const cached = this.sliNames.get(serviceId);
    if (cached) return cached;
    let rows: Awaited<ReturnType<SliActivityStore['listByService']>>;
    try {
      rows = await this.deps.activity.listByService(serviceId);
    } catch (err) {
      // Without the store's view this request is checked against an empty one (up to the cap new SLIs); the next
      // request asks the store again.
      this.deps.onBackgroundError?.('SLI activity (the cap on SLIs per service)', err);
      return new Set();
    }
    const names = new Set<string>();
    for (const r of rows) names.add(r.sliKey.slice(serviceId.length + 1));
    this.sliNames.set(serviceId, names);
    return names;
  }

  /**
   * The store refused some samples (conflicts, counters out of order): they become rejections. A native histogram
   * sample feeds two counters: when the store refuses either, the request sample is rejected as a whole.
   */
  private takeBack(prepared: PreparedBatch, refused: readonly StoreRejection[]): Sample[] {
    const out = new Set<Sample>();
    const native = new Set<number>();
    for (const r of refused) {
      out.add(r.sample);
      // Stryker disable next-line ConditionalExpression: a request sample's index is its own, only a native histogram's two counters share one, so remembering a refused float's index too (`true`) takes nothing else back
      if (r.sample.type === 'native-histogram') native.add(r.sample.index);
      prepared.rejected.push({
        index: r.sample.index,
        path: prepared.pathOf(r.sample.index),
        reason: r.reason,
        message: r.message,
      });
    }
    prepared.rejected.sort((a, b) => a.index - b.index);
    const kept: Sample[] = [];
    for (const s of prepared.accepted) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: `native.size > 0` only skips has() on an empty set (`true`, `>= 0`), and the type test only restates that no other sample shares a native histogram's index (`true`, `||`); the variants that change what is taken back (`false`, `<= 0`, `!==`) fail ingest-usecase-outcomes
      const gone = out.has(s) || (native.size > 0 && s.type === 'native-histogram' && native.has(s.index));
      if (!gone) kept.push(s);
      else if (countsAsSample(s)) prepared.seriesOf.get(outerSeries(s))!.accepted--;
    }
    return kept;
  }

  /** Records which SLIs got new samples, when, from whom (for the service owner's list). */
  private async recordActivity(fresh: readonly Sample[], vendorId: string, nowMs: number): Promise<void> {
    if (fresh.length === 0) return;
    try {
      await this.deps.activity.record(sliActivityOf(fresh, vendorId, nowMs));
    } catch (err) {
      // The samples are committed: a failed activity count must not turn their acknowledgement into an error.
      this.deps.onBackgroundError?.('SLI activity', err);
    }
  }

  /** Per SLI this request fed: how many samples, and whether any objective reads it. */
  private async slisFed(stored: readonly Sample[]): Promise<SliFed[]> {
    const counts = new Map<string, { n: number }>();
    for (const s of stored) {
      if (!countsAsSample(s)) continue;
      const c = counts.get(s.sliKey);
      if (c) c.n++;
      else counts.set(s.sliKey, { n: 1 });
    }
    const out: SliFed[] = [];
    const now = this.deps.clock.now().getTime();
    for (const [sliKey, { n: accepted }] of counts) {
      const slash = sliKey.indexOf('/');
      const serviceId = sliKey.slice(0, slash);
      // A cached answer is read without an await: one per SLI of the request (250 in the bench's batches) was a
      // promise and a microtask each, for a Map lookup.
      const hit = this.readSlis.get(serviceId);
      const read = hit !== undefined && hit.until > now ? hit.slis : await this.readSlisOf(serviceId);
      out.push({ sliKey, accepted, readByObjective: read.has(sliKey.slice(slash + 1)) });
    }
    // Stryker disable next-line EqualityOperator: the keys are a Map's, never equal, so `<=` sorts alike (`>=` reverses the order and fails ingest-usecase-outcomes)
    return out.sort((a, b) => (a.sliKey < b.sliKey ? -1 : 1));
  }

  private async readSlisOf(serviceId: string): Promise<Set<string>> {
    const now = this.deps.clock.now().getTime();
    const hit = this.readSlis.get(serviceId);
    if (hit && hit.until > now) return hit.slis;
    let slis: Set<string>;
    try {
      slis = new Set((await this.deps.readers.of(serviceId)).map((r) => r.sli));
    } catch (err) {
      this.deps.onBackgroundError?.('objective readers', err);
      return new Set();
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a memory bound on a cache: keeping (`false`, `>=`) or dropping the remembered readers answers alike, they are asked again
    if (this.readSlis.size > 10_000) this.readSlis.clear();
    this.readSlis.set(serviceId, { until: now + (this.deps.cacheTtlMs ?? 60_000), slis });
    return slis;
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
    // Stryker disable next-line ConditionalExpression,LogicalOperator: shortcuts only (`false`, `&&`): without sources or fresh samples sourceDeltas finds no delta and the guard below returns
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
      activity?: SliActivityStore;
      readers?: SliReaders;
      /** Rollup totals per SLI (the objectives' read side). */
      rollups?: Pick<RollupStore, 'cumulative'>;
    },
  ) {}

  /**
   * Every SLI of a service that has data, a page at a time in SLI key order: when it last had a sample, how many,
   * from which senders, its rollup totals, and the objectives that read it (none: its data judges nothing yet).
   * Only the page's SLIs are totalled and matched to readers. Scope: the service's owner unit and the service itself,
   * checked on the stored service.
   * @throws NotFoundError for an unknown service, or one the caller may not even read (answered alike);
   *   ForbiddenError when the caller reads the service but not its telemetry; ValidationError for a cursor this
   *   API did not issue for this service
   */
  async slisOf(
    principal: Principal,
    serviceId: string,
    page: { limit?: number | undefined; cursor?: string | undefined } = {},
  ): Promise<{ items: SliActivity[]; nextCursor?: string }> {
    const service = await this.deps.services?.get(serviceId);
    const missing = new NotFoundError(`there is no service ${serviceId}`, [
      { path: 'serviceId', problem: 'names no service you may read' },
    ]);
    if (!service) throw missing;
    const located = { businessUnit: service.businessUnit, serviceId };
    if (!canAccess(principal, 'telemetry.read', located)) {
      if (!canAccess(principal, 'service.read', located)) throw missing;
      throw new ForbiddenError('you may read this service but not its telemetry', [
        accessProblem(principal, 'telemetry.read'),
      ]);
    }
    const filter = { serviceId };
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, filter);
    const limit = page.limit ?? MAX_SLIS_PAGE;
    const rows = (await this.deps.activity?.listByService(serviceId)) ?? [];
    const bySli = new Map<string, SliActivity>();
    for (const r of rows) {
      if (after !== undefined && r.sliKey <= after) continue;
      let a = bySli.get(r.sliKey);
      if (!a) {
        a = {
          sliKey: r.sliKey,
          sli: r.sliKey.slice(serviceId.length + 1),
          lastSampleAt: new Date(r.lastSampleMs).toISOString(),
          firstSampleAt: new Date(r.firstSampleMs).toISOString(),
          lastReceivedAt: new Date(r.lastReceivedMs).toISOString(),
          samples: 0,
          vendors: [],
          good: 0,
          total: 0,
          count: 0,
          readBy: [],
        };
        bySli.set(r.sliKey, a);
      }
      a.samples += r.samples;
      a.vendors.push(r.vendorId);
      // Stryker disable next-line EqualityOperator: at equal times the field is set to the ISO string it already holds (both from the same whole millisecond)
      if (r.lastSampleMs > Date.parse(a.lastSampleAt))
        a.lastSampleAt = new Date(r.lastSampleMs).toISOString();
      // Stryker disable next-line EqualityOperator: at equal times the field is set to the ISO string it already holds (both from the same whole millisecond)
      if (r.firstSampleMs < Date.parse(a.firstSampleAt))
        a.firstSampleAt = new Date(r.firstSampleMs).toISOString();
      // Stryker disable next-line EqualityOperator: at equal times the field is set to the ISO string it already holds (both from the same whole millisecond)
      if (r.lastReceivedMs > Date.parse(a.lastReceivedAt))
        a.lastReceivedAt = new Date(r.lastReceivedMs).toISOString();
    }
    const keys = [...bySli.keys()].sort();
    const list = keys.slice(0, limit).map((k) => bySli.get(k)!);
    // Stryker disable next-line ConditionalExpression: a shortcut: an empty page has no SLI to give readers to, so reading them changes nothing in the answer
    if (list.length) {
      const readers = (await this.deps.readers?.of(serviceId)) ?? [];
      const readBy = new Map<string, SliActivity['readBy']>();
      for (const x of readers) {
        const of = readBy.get(x.sli) ?? [];
        of.push({ agreementId: x.agreementId, objectiveId: x.objectiveId, status: x.status });
        readBy.set(x.sli, of);
      }
      for (const a of list) a.readBy = readBy.get(a.sli) ?? [];
    }
    if (this.deps.rollups && list.length) {
      const totals = await this.deps.rollups.cumulative(
        list.map((a) => ({ sliKey: a.sliKey, instants: [Number.MAX_SAFE_INTEGER] })),
      );
      list.forEach((a, i) => {
        const t = totals[i]![0]!;
        a.good = t.good;
        a.total = t.total;
        a.count = t.count;
      });
    }
    return {
      items: list,
      ...(keys.length > limit ? { nextCursor: encodeCursor(list[list.length - 1]!.sliKey, filter) } : {}),
    };
  }

  /** Unmapped series belong to no service yet, so only portfolio-wide roles (admin, auditor) read them. */
  async unmapped(
    principal: Principal,
    q: { vendorId?: string | undefined; limit: number },
  ): Promise<UnmappedSeries[]> {
    if (!listScope(principal, 'telemetry.mapping.read').all) {
      throw new ForbiddenError(
        'unmapped series belong to no service yet: portfolio-wide roles (admin, auditor) read them',
        [
          {
            path: 'roles',
            problem: `${principal.roles.join(', ') || 'no role'}: none reads telemetry.mapping.read portfolio-wide`,
          },
        ],
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
/**
 * An OTLP body: a binary (protobuf, or compressed) body at most `maxCompressedBodyBytes` as sent (it reaches Lambda
 * base64-encoded), inflated (gzip, deflate) to at most `maxBodyBytes`, then decoded.
 */
function decodeOtlpBody(input: IngestInput, limits: CompiledPolicy['limits']): DecodedBatch {
  const encoding = otlpEncoding(input.headers['content-type'] ?? '');
  const compressed = (input.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (compressed && compressed !== 'identity' && compressed !== 'gzip' && compressed !== 'deflate') {
    throw new UnsupportedMediaTypeError('OTLP/HTTP bodies may be gzip or deflate compressed', [
      { path: 'Content-Encoding', problem: `"${compressed}" is not gzip or deflate` },
    ]);
  }
  if ((encoding === 'protobuf' || compressed) && input.body.length > limits.maxCompressedBodyBytes) {
    throw new PayloadTooLargeError(
      `the body is ${input.body.length} bytes as sent; the limit for binary bodies is ${limits.maxCompressedBodyBytes}`,
      [{ path: '(body)', problem: `exceeds ${limits.maxCompressedBodyBytes} bytes as sent` }],
    );
  }
  return decodeOtlp(inflateJson(input, limits.maxBodyBytes).body, encoding, limits);
}

/** The OTLP partial success of an ingest report: rejected data points with the first reasons, or warnings. */
function partialSuccessOf(
  body: IngestResponse,
): { rejectedDataPoints: number; errorMessage: string } | undefined {
  const unread = body.slis.filter((s) => !s.readByObjective).map((s) => s.sliKey);
  const warning = unread.length
    ? ` No objective reads ${unread.slice(0, 5).join(', ')}${unread.length > 5 ? ` and ${unread.length - 5} more` : ''} yet.`
    : '';
  if (body.rejected.length === 0)
    return warning ? { rejectedDataPoints: 0, errorMessage: warning.trim() } : undefined;
  const first = body.rejected
    .slice(0, 5)
    .map((r) => `${r.path}: ${r.reason} (${r.message})`)
    .join('; ');
  const more = body.rejected.length > 5 ? `; and ${body.rejected.length - 5} more` : '';
  return {
    rejectedDataPoints: body.rejected.length,
    errorMessage: `${body.rejected.length} of ${body.submitted} data points rejected: ${first}${more}.${warning}`,
  };
}

/**
 * A compressed body, or the Datadog Agent's protobuf, as sent is at most `maxCompressedBodyBytes`: binary bodies reach
 * Lambda base64-encoded (remote write checks its own).
 */
function checkSentSize(input: IngestInput, limits: CompiledPolicy['limits']): IngestInput {
  // Stryker disable next-line StringLiteral: a missing header read as any text other than gzip, deflate or zstd is, like '', not a binary body
  const encoding = (input.headers['content-encoding'] ?? '').trim().toLowerCase();
  const binary = encoding === 'gzip' || encoding === 'deflate' || encoding === 'zstd';
  if (binary && input.body.length > limits.maxCompressedBodyBytes) {
    throw new PayloadTooLargeError(
      `the body is ${input.body.length} bytes as sent; the limit for compressed bodies is ${limits.maxCompressedBodyBytes}`,
      [{ path: '(body)', problem: `exceeds ${limits.maxCompressedBodyBytes} bytes as sent` }],
    );
  }
  return input;
}

/** 409 for an Idempotency-Key sent again with another body (stored, or still being processed). */
function keyReusedError(): ConflictError {
  return new ConflictError('this Idempotency-Key was used with a different body', [
    { path: 'Idempotency-Key', problem: 'was first used with another request body: use a new key' },
  ]);
}

/** Inflates zstd (fzstd, pure JavaScript) chunk by chunk, stopping past `maxBytes` (a bomb gets 413). */
function unzstd(body: Uint8Array, maxBytes: number): Buffer {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const stream = new ZstdDecompress((chunk) => {
    size += chunk.length;
    // Stryker disable next-line StringLiteral: only the code is read (inflateJson answers 413 with its own message)
    if (size > maxBytes) throw Object.assign(new Error('too large'), { code: 'ERR_BUFFER_TOO_LARGE' });
    chunks.push(chunk);
  });
  stream.push(body, true);
  return Buffer.concat(chunks);
}

function inflateJson(
  input: IngestInput,
  maxBytes: number,
): { headers: Record<string, string>; body: Uint8Array } {
  // Stryker disable next-line StringLiteral: a missing header read as any text other than gzip, deflate or zstd is, like '', nothing to inflate
  const encoding = (input.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== 'gzip' && encoding !== 'deflate' && encoding !== 'zstd') return input;
  let body: Buffer;
  if (encoding === 'zstd') checkZstdFrames(input.body, maxBytes);
  try {
    if (encoding === 'zstd') body = unzstd(input.body, maxBytes);
    else body = (encoding === 'gzip' ? gunzipSync : inflateSync)(input.body, { maxOutputLength: maxBytes });
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

/** One rejection per sample: the first reason found for an index (a native histogram feeds two counters). */
function dedupeByIndex(rejected: readonly Rejection[]): Rejection[] {
  const out: Rejection[] = [];
  let last = -1;
  for (const r of rejected) {
    if (r.index === last) continue;
    out.push(r);
    last = r.index;
  }
  return out;
}

/**
 * Takes the accepted samples of the SLIs in `refused` (SLI key → the service named in the message) out of the batch,
 * as rejections with `reason` and `messageOf(serviceId)`, kept in request order among the other rejections; each
 * sample taken lowers its series' accepted count.
 */
function takeOut(
  prepared: PreparedBatch,
  refused: ReadonlyMap<string, string>,
  reason: 'unknown_service' | 'too_many_slis',
  messageOf: (serviceId: string) => string,
): void {
  // Stryker disable next-line ConditionalExpression: a shortcut: with nothing refused the loop below keeps every sample and the sort finds the rejections already in index order
  if (refused.size === 0) return;
  const kept: Sample[] = [];
  for (const s of prepared.accepted) {
    const serviceId = refused.get(s.sliKey);
    if (serviceId === undefined) {
      kept.push(s);
      continue;
    }
    // Stryker disable next-line ConditionalExpression: every sample of a series maps to one SLI, hence one service, so its series is refused whole and its count ends at 0 or below either way (`true` counts a native histogram's second counter too); only a count above 0 is read
    if (countsAsSample(s)) prepared.seriesOf.get(outerSeries(s))!.accepted--;
    prepared.rejected.push({
      index: s.index,
      path: prepared.pathOf(s.index),
      reason,
      message: messageOf(serviceId),
    });
  }
  prepared.accepted = kept;
  prepared.rejected.sort((a, b) => a.index - b.index);
}

/** Every series of the request by outcome: accepted (a sample of it accepted), rejected, or unmapped. */
function seriesCounts(prepared: PreparedBatch): IngestResponse['series'] {
  let unmapped = 0;
  let ok = 0;
  for (const e of prepared.seriesOf.values()) {
    if (e.unmapped) unmapped++;
    else if (e.accepted > 0) ok++;
  }
  const submitted = prepared.seriesOf.size + prepared.malformedSeries;
  return { submitted, accepted: ok, rejected: submitted - ok - unmapped, unmapped };
}
