import { MemoryAgreementStore } from '../../shared/adapters/memory/agreements.js';
import {
  MemoryArchiveAccessLog,
  MemoryArchiveHeadStore,
  MemoryArchiveStore,
} from '../../shared/adapters/memory/archive.js';
import {
  MemoryEvaluationStore,
  MemoryExceptionWindowStore,
  MemoryViolationStore,
} from '../../shared/adapters/memory/objectives.js';
import { MemoryCommentaryWindow, MemoryReportDelivery } from '../../shared/adapters/memory/reports.js';
import { MemoryRollupStore } from '../../shared/adapters/memory/rollups.js';
import { MemoryServiceStore } from '../../shared/adapters/memory/services.js';
import { loadArchivePolicy } from '../../shared/policy/archive.js';
import {
  DEFAULT_BURN_WINDOWS,
  DEFAULT_FORECAST,
  DEFAULT_TIER_DEFAULTS,
} from '../../shared/policy/objectives.js';
import { loadReportsPolicy, type ReportsPolicy } from '../../shared/policy/reports.js';
import type { ViolationRecord } from '../../shared/ports/objectives.js';
import type { CommentaryState } from '../../shared/ports/reports.js';
import { BUCKET_MS, type RollupDelta } from '../../shared/ports/rollups.js';
import type { AgreementVersion } from '../../shared/schemas/agreement.js';
import { ArchiveUseCases } from '../../shared/usecases/reports/archive.js';
import { monthSpan } from '../../shared/usecases/reports/engine.js';
import { ReportUseCases } from '../../shared/usecases/reports/index.js';
import { TestClock } from './clock.js';
import { agreementVersion, service } from './fixtures.js';

/**
 * A commentary window whose state a test sets (how many were asked and still wait) and which records what the
 * use cases did with it (closed, reminded).
 */
export class ScriptedCommentaryWindow extends MemoryCommentaryWindow {
  readonly states = new Map<string, Partial<CommentaryState>>();
  readonly closed: string[] = [];
  reminders = 0;
  readonly remindedWith: unknown[] = [];
  override async state(publicationId: string): Promise<CommentaryState> {
    const base = await super.state(publicationId);
    return { ...base, ...this.states.get(publicationId) };
  }
  override async close(publicationId: string): Promise<number> {
    this.closed.push(publicationId);
    return 1;
  }
  override async remind(policy?: unknown): Promise<number> {
    this.remindedWith.push(policy);
    return this.reminders;
  }
}

/**
 * ReportUseCases over memory adapters (with an ArchiveUseCases on a memory archive unless `archive: false`), a
 * settable clock, counted ids, memory delivery and a scripted commentary window. The policy is the shipped one
 * with the fields given replaced.
 */
export function reportWorld(o: { now?: string; policy?: Partial<ReportsPolicy>; archive?: boolean } = {}) {
  const clock = new TestClock(o.now ?? '2026-05-05T06:00:00.000Z');
  let n = 0;
  const newId = (p: string) => `${p}_${String(++n).padStart(4, '0')}`;
  const agreements = new MemoryAgreementStore();
  const services = new MemoryServiceStore();
  const evaluations = new MemoryEvaluationStore();
  const violations = new MemoryViolationStore();
  const exceptions = new MemoryExceptionWindowStore();
  const rollups = new MemoryRollupStore();
  const archiveStore = new MemoryArchiveStore(clock);
  const accessLog = new MemoryArchiveAccessLog();
  const archive =
    o.archive === false
      ? undefined
      : new ArchiveUseCases({
          store: archiveStore,
          accessLog,
          heads: new MemoryArchiveHeadStore(),
          clock,
          policy: loadArchivePolicy(),
          newId,
        });
  const delivery = new MemoryReportDelivery();
  const commentary = new ScriptedCommentaryWindow();
  const policy: ReportsPolicy = { ...loadReportsPolicy(), ...o.policy };
  const reports = new ReportUseCases({
    agreements,
    services,
    evaluations,
    violations,
    exceptions,
    rollups,
    settings: { burnWindows: DEFAULT_BURN_WINDOWS, forecast: DEFAULT_FORECAST, tiers: DEFAULT_TIER_DEFAULTS },
    policy,
    clock,
    newId,
    // Only PDF rendering reads the fonts: tests render JSON, CSV and HTML.
    fonts: undefined as never,
    archive,
    delivery,
    commentary,
  });
  return {
    reports,
    clock,
    agreements,
    services,
    evaluations,
    violations,
    exceptions,
    rollups,
    archive,
    archiveStore,
    accessLog,
    delivery,
    commentary,
    policy,
  };
}
export type ReportWorld = ReturnType<typeof reportWorld>;

/**
 * An active agreement (UTC, one availability objective) and its service, stored. The service id and business
 * unit follow the agreement's.
 */
export async function seedAgreement(
  w: ReportWorld,
  over: Partial<AgreementVersion> = {},
): Promise<AgreementVersion> {
  const a = agreementVersion({
    status: 'active',
    timeZone: 'UTC',
    effectiveFrom: '2026-01-01',
    effectiveTo: '2027-12-31',
    ...over,
  });
  if (!(await w.services.get(a.serviceId)))
    await w.services.create(
      service({ id: a.serviceId, businessUnit: a.businessUnit, name: `${a.serviceId} name` }),
    );
  await w.agreements.create(a);
  return a;
}

/** Availability telemetry for a service over a UTC month: `bad` of every 1000 events failed, in every bucket. */
export async function seedMonth(
  w: ReportWorld,
  serviceId: string,
  month: string,
  bad: number,
): Promise<void> {
  const span = monthSpan(month, 'UTC');
  await seedSpan(w, serviceId, span.start, span.end, () => bad);
}

/**
 * Availability telemetry for a service in [from, to) (epoch ms), one 5-minute bucket of 1000 events at a time:
 * `bad(t)` of the bucket starting at t failed.
 */
export async function seedSpan(
  w: ReportWorld,
  serviceId: string,
  from: number,
  to: number,
  bad: (bucketStart: number) => number,
): Promise<void> {
  const deltas: RollupDelta[] = [];
  for (let t = from; t < to; t += BUCKET_MS) {
    const b = bad(t);
    deltas.push({
      sliKey: `${serviceId}/availability`,
      bucketStart: t,
      good: 1000 - b,
      total: 1000,
      count: 0,
      sum: 0,
      min: 0,
      max: 0,
    });
  }
  await w.rollups.add(deltas);
}

/** A stored violation as the engine records it (evidence left out: the reports never read it). */
export function violationRecord(a: AgreementVersion, over: Partial<ViolationRecord> = {}): ViolationRecord {
  return {
    id: 'vio_0001',
    key: `${a.id}/availability/${over.detectedAt ?? '2026-04-10'}`,
    agreementId: a.id,
    agreementVersion: a.version,
    objectiveId: 'availability',
    serviceId: a.serviceId,
    businessUnit: a.businessUnit,
    tier: 1,
    status: 'resolved',
    severity: 'major',
    severityReason: 'tier 1',
    detectedAt: '2026-04-10T10:00:00.000Z',
    lastEvaluatedAt: '2026-04-10T11:00:00.000Z',
    resolvedAt: '2026-04-10T12:00:00.000Z',
    evidence: {} as never,
    escalation: [],
    disputes: [],
    ...over,
  };
}

/**
 * An approved planned-maintenance exception window of an agreement over [start, end) (ISO instants), as the exception
 * store holds it once approved (version 2, requested by sam, approved by ann in February 2026). `id` defaults to
 * `exc_1`; `changeReason` is the approver's reason.
 */
export function approvedMaintenance(o: {
  agreementId: string;
  start: string;
  end: string;
  id?: string;
  changeReason?: string;
}) {
  return {
    id: o.id ?? 'exc_1',
    agreementId: o.agreementId,
    kind: 'planned-maintenance' as const,
    start: o.start,
    end: o.end,
    status: 'approved' as const,
    version: 2,
    requestedBy: 'sam@example.com',
    reason: 'database upgrade',
    createdBy: 'sam@example.com',
    createdAt: '2026-02-01T00:00:00.000Z',
    changedBy: 'ann@example.com',
    changedAt: '2026-02-02T00:00:00.000Z',
    change: 'approve' as const,
    changeReason: o.changeReason ?? 'the upgrade needs the service offline',
  };
}
