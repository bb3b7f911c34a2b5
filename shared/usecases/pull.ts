/**
 * Prometheus as a pull data source (issue 14 item 3, docs/backfill.md): on the schedule table's cadence
 * (`pull-data-sources`, every 5 minutes) Accord reads, for each active objective whose SLI names a configured data
 * source, the SLI's raw series over the last `lookbackMinutes` with `query_range`, and feeds them through the same
 * ingest as pushed telemetry (the data source's name is the vendor). An administrator can also pull an agreement's
 * history (draft or active) from a date back to 400 days ago: an audited import, like a file backfill.
 *
 * One SLI, one feed: while a data source pulls an SLI, pushed samples that map to it are stored raw but do not
 * feed its rollups (the rule `TelemetryDeps.pulledSlis` applies), unless the mapping policy's `sources` names the
 * SLI's sources, whose `authoritative` one then decides as for any two vendors.
 */
import { randomUUID } from 'node:crypto';
import { isAllowed, type Principal } from '../domain/access/policy.js';
import {
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../domain/errors.js';
import type { DecodedBatch } from '../domain/telemetry/model.js';
import {
  type PulledSeries,
  type PullPlan,
  pulledBatch,
  pullPlan,
  pullRange,
} from '../domain/telemetry/pull.js';
import type { AgreementStore } from '../ports/agreements.js';
import type { AuditStore } from '../ports/audit.js';
import type { Clock } from '../ports/clock.js';
import type { MetricSources, QueryRange } from '../ports/metric-source.js';
import type { ActiveObjectivesSource } from '../ports/objectives.js';
import type { IngestResponse } from '../schemas/telemetry.js';
import { BACKFILL_LIMITS } from './backfill.js';

export interface PullIngest {
  ingestBackfill(decoded: DecodedBatch, vendorId: string, oldestMs: number): Promise<IngestResponse>;
}

export interface PullDeps {
  sources: MetricSources;
  active: Pick<ActiveObjectivesSource, 'listActive'>;
  agreements: Pick<AgreementStore, 'get'>;
  ingest: () => PullIngest;
  audit: AuditStore;
  clock: Clock;
  /** How long the set of pulled SLIs is remembered by `pulledSlis` (default 60 s). */
  cacheTtlMs?: number;
}

/** What one pull did for one SLI. */
export interface SliPull {
  sliKey: string;
  dataSource: string;
  from: string;
  to: string;
  series: number;
  submitted: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** Why the pull failed (the source unreachable, the query refused); the other SLIs are still pulled. */
  error?: string;
}

export interface PullRun {
  pulled: SliPull[];
  /** SLIs of objectives that name a data source but cannot be pulled, and why. */
  skipped: { sliKey: string; reason: string }[];
}

export interface PullHistoryRequest {
  agreementId: string;
  from: string;
  to: string;
  reason: string;
}

export class PullUseCases {
  private pulledCache: { until: number; map: Promise<ReadonlyMap<string, string>> } | undefined;

  constructor(private readonly deps: PullDeps) {}

  /** The scheduled pull: every active objective's SLI that names a configured data source, over the lookback. */
  async pullScheduled(): Promise<PullRun> {
    const nowMs = this.deps.clock.now().getTime();
    const { plans, skipped } = await this.activePlans();
    const pulled: SliPull[] = [];
    for (const plan of plans) {
      const cfg = this.deps.sources.get(plan.dataSource)!.config;
      const range = pullRange(nowMs, cfg.lookbackMinutes, cfg.stepSeconds);
      // Points back to the range's start are accepted (a pull never reads further back than it asked).
      pulled.push(await this.pullOne(plan, range, range.startMs));
    }
    return { pulled, skipped };
  }

  /**
   * An administrator pulls an agreement's SLI history from its data sources over [from, to] (at most 400 days back):
   * the same ingest as the schedule, recorded in the audit trail (entity `telemetry-backfill`, id `pl_…`, one entry per pull).
   * @throws ForbiddenError (403) unless the principal may `telemetry.backfill`; NotFoundError (404) for an unknown
   *   agreement; ValidationError (400) for a bad range or an agreement with no SLI to pull
   */
  async pullHistory(principal: Principal, req: PullHistoryRequest): Promise<PullRun & { id: string }> {
    if (!isAllowed(principal, 'telemetry.backfill'))
      throw new ForbiddenError('pulling history is an explicit import by an administrator', [
        { path: 'role', problem: 'needs the telemetry.backfill action (admin)' },
      ]);
    const a = await this.deps.agreements.get(req.agreementId);
    if (!a)
      throw new NotFoundError(`there is no agreement ${req.agreementId}`, [
        { path: 'agreementId', problem: 'unknown agreement' },
      ]);
    const nowMs = this.deps.clock.now().getTime();
    const oldestMs = nowMs - BACKFILL_LIMITS.maxAgeDays * 86_400_000;
    const fromMs = Date.parse(req.from);
    const toMs = Date.parse(req.to);
    const problems: { path: string; problem: string }[] = [];
    if (fromMs < oldestMs)
      problems.push({ path: 'from', problem: `is more than ${BACKFILL_LIMITS.maxAgeDays} days ago` });
    if (toMs > nowMs) problems.push({ path: 'to', problem: 'is in the future' });
    if (!(fromMs < toMs)) problems.push({ path: 'to', problem: 'must be after from' });
    const { plans, skipped } = this.plansOf([{ serviceId: a.serviceId, objectives: a.objectives }]);
    if (plans.length === 0)
      problems.push({
        path: 'agreementId',
        problem: `no objective's SLI names a configured Prometheus data source (${skipped.map((s) => `${s.sliKey}: ${s.reason}`).join('; ') || 'none names one'})`,
      });
    if (problems.length) throw new ValidationError('the history cannot be pulled', problems);
    const pulled: SliPull[] = [];
    for (const plan of plans) {
      const cfg = this.deps.sources.get(plan.dataSource)!.config;
      const step = cfg.stepSeconds * 1000;
      const range = {
        startMs: Math.ceil(fromMs / step) * step,
        endMs: Math.floor(toMs / step) * step,
        stepS: cfg.stepSeconds,
      };
      pulled.push(await this.pullOne(plan, range, oldestMs));
    }
    const id = `pl_${randomUUID()}`;
    await this.deps.audit.record({
      entity: 'telemetry-backfill',
      entityId: id,
      version: 1,
      eventId: randomUUID(),
      at: new Date(nowMs).toISOString(),
      by: principal.subject,
      reason: req.reason,
      change: `history of ${a.id} pulled from ${req.from} to ${req.to}`,
      diff: [
        {
          path: 'pull',
          op: 'added',
          after: { agreementId: a.id, from: req.from, to: req.to, pulled, skipped },
        },
      ],
    });
    return { id, pulled, skipped };
  }

  /**
   * SLI key → the data source pulling it, for the active objectives (remembered for `cacheTtlMs`): pushed samples
   * for these SLIs do not feed their rollups.
   */
  async pulledSlis(): Promise<ReadonlyMap<string, string>> {
    const now = this.deps.clock.now().getTime();
    if (!this.pulledCache || this.pulledCache.until <= now) {
      const map = this.activePlans().then(({ plans }) => new Map(plans.map((p) => [p.sliKey, p.dataSource])));
      this.pulledCache = { until: now + (this.deps.cacheTtlMs ?? 60_000), map };
      map.catch(() => {
        this.pulledCache = undefined;
      });
    }
    return this.pulledCache.map;
  }

  private async activePlans() {
    if (this.deps.sources.list().length === 0) return { plans: [], skipped: [] };
    return this.plansOf(await this.deps.active.listActive());
  }

  /** One plan per SLI key (the first objective naming it wins), only for configured data sources. */
  private plansOf(
    agreements: readonly { serviceId: string; objectives: readonly Parameters<typeof pullPlan>[1][] }[],
  ) {
    const plans: Extract<PullPlan, { ok: true }>[] = [];
    const skipped: PullRun['skipped'] = [];
    const seen = new Set<string>();
    for (const a of agreements)
      for (const o of a.objectives) {
        const plan = pullPlan(a.serviceId, o);
        if (seen.has(plan.sliKey)) continue;
        if (!plan.ok) {
          if (o.sli.source?.dataSource) skipped.push({ sliKey: plan.sliKey, reason: plan.reason });
          continue;
        }
        if (!this.deps.sources.get(plan.dataSource)) {
          skipped.push({
            sliKey: plan.sliKey,
            reason: `data source ${plan.dataSource} is not configured here`,
          });
          continue;
        }
        seen.add(plan.sliKey);
        plans.push(plan);
      }
    return { plans, skipped };
  }

  private async pullOne(
    plan: Extract<PullPlan, { ok: true }>,
    range: QueryRange,
    oldestMs: number,
  ): Promise<SliPull> {
    const out: SliPull = {
      sliKey: plan.sliKey,
      dataSource: plan.dataSource,
      from: new Date(range.startMs).toISOString(),
      to: new Date(range.endMs).toISOString(),
      series: 0,
      submitted: 0,
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      rejectedByReason: {},
    };
    try {
      const { source } = this.deps.sources.get(plan.dataSource)!;
      const pulled: PulledSeries[] = [];
      for (const query of plan.queries)
        for (const s of await source.queryRange(query.selector, range))
          pulled.push({ query, labels: s.labels, points: s.points });
      out.series = pulled.length;
      // Sent in slices of whole series, under the per-request bound of a backfill chunk.
      let slice: PulledSeries[] = [];
      let n = 0;
      const flush = async () => {
        if (slice.length === 0) return;
        // No vendor scope: the data source is configuration, not a vendor record with bindings, and every point is
        // aimed at the one SLI this objective reads (pulledBatch), so no binding could narrow what it writes.
        const r = await this.deps
          .ingest()
          .ingestBackfill(pulledBatch(plan, slice), plan.dataSource, oldestMs);
        out.submitted += r.submitted;
        out.accepted += r.accepted;
        out.duplicates += r.duplicates;
        for (const x of r.rejected) {
          out.rejected++;
          out.rejectedByReason[x.reason] = (out.rejectedByReason[x.reason] ?? 0) + 1;
        }
        slice = [];
        n = 0;
      };
      for (const p of pulled) {
        if (n + p.points.length > BACKFILL_LIMITS.maxSamplesPerRequest) await flush();
        slice.push(p);
        n += p.points.length;
      }
      await flush();
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      out.error = `${e.message}${e.details.length ? `: ${e.details.map((d) => d.problem).join('; ')}` : ''}`;
    }
    return out;
  }
}

/** The pull use cases of a container; 503 where a composition root has not wired them. */
export function pullIn(container: { pull?: PullUseCases | undefined }): PullUseCases {
  if (!container.pull) throw new UnavailableError('pull data sources are not deployed here');
  return container.pull;
}
