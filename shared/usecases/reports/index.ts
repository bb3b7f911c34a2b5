import { createHash } from 'node:crypto';
import {
  canAccess,
  isAllowed,
  listScope,
  type Principal,
  partyUnitsOf,
  roleProblem,
  scopeProblem,
} from '../../domain/access/policy.js';
import { archiveKey, reportScope } from '../../domain/archive/keys.js';
import { ForbiddenError, NotFoundError, UnavailableError, ValidationError } from '../../domain/errors.js';
import type { EngineSettings } from '../../domain/objectives/evaluate.js';
import { detectAnomalies } from '../../domain/reports/anomalies.js';
import { buildReport, type ReportInputs, type ReportPeriod } from '../../domain/reports/build.js';
import type { BurnPoint, ViolationFigure } from '../../domain/reports/figures.js';
import { sealReport } from '../../domain/reports/hash.js';
import {
  type Audience,
  type Commentary,
  REPORT_TYPES,
  type ReportFormat,
  type ReportModel,
  type ReportType,
} from '../../domain/reports/model.js';
import { maskColumns, requestableAudiences, visibleTo } from '../../domain/reports/redaction.js';
import type { ReportScheduleDef, ReportsPolicy } from '../../policy/reports.js';
import type { AgreementStore } from '../../ports/agreements.js';
import type { Clock } from '../../ports/clock.js';
import type {
  EvaluationStore,
  ExceptionWindowStore,
  ViolationRecord,
  ViolationStore,
} from '../../ports/objectives.js';
import type { CommentaryWindow, ReportDelivery } from '../../ports/reports.js';
import type { RollupStore } from '../../ports/rollups.js';
import type { ServiceStore } from '../../ports/services.js';
import { display } from '../../render/format.js';
import { type Rendered, renderReport } from '../../render/index.js';
import type { PdfEnv } from '../../render/pdf.js';
import { SCHEDULES } from '../../schedules.js';
import type { AgreementVersion } from '../../schemas/agreement.js';
import { type PublishBody, ReportDocumentV1, type ReportQuery } from '../../schemas/reports.js';
import type { Service } from '../../schemas/service.js';
import type { ArchiveUseCases } from './archive.js';
import {
  agreementInfo,
  budgetStatus,
  burnPoints,
  engineAgreement,
  monthlyFigures,
  monthSpan,
  recompute,
  violationFigure,
} from './engine.js';

const sha256 = (d: string | Uint8Array) => createHash('sha256').update(d).digest('hex');

export interface ReportDeps {
  agreements: AgreementStore;
  services: ServiceStore;
  evaluations: EvaluationStore;
  violations: ViolationStore;
  exceptions: ExceptionWindowStore;
  rollups: RollupStore;
  settings: EngineSettings;
  policy: ReportsPolicy;
  clock: Clock;
  newId: (prefix: string) => string;
  fonts: PdfEnv['fonts'];
  archive?: ArchiveUseCases | undefined;
  delivery: ReportDelivery;
  commentary: CommentaryWindow;
}

/** Where an agreement sits for a report: the unit holding it, its service, and the units party to it. */
const readAt = (a: AgreementVersion) => ({
  businessUnit: a.businessUnit,
  serviceId: a.serviceId,
  partyUnits: partyUnitsOf(a.parties),
});

/** What to report on, resolved: the period, the audience and party, the drill-down filters. */
export interface ReportRequest {
  type: ReportType;
  month: string;
  months: number;
  audience: Audience;
  party?: string | undefined;
  businessUnit?: string | undefined;
  serviceId?: string | undefined;
  region?: string | undefined;
  agreementId?: string | undefined;
  commentary?: Commentary[];
}

/** The principal scheduled publications run as: the whole portfolio, nobody's in particular. */
export const SYSTEM_REPORTER: Principal = {
  subject: 'system:reports',
  roles: ['admin'],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
};

const DAY = 86_400_000;

/** The day of the month scheduled publication runs (the day-of-month field of the `report-publish` row). */
const PUBLISH_DAY = Number(SCHEDULES.find((x) => x.id === 'report-publish')?.cron.split(' ')[2] ?? 5);

/** Months back from (and including) `month`, oldest first. */
export function monthsEnding(month: string, n: number): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    out.push(d.toISOString().slice(0, 7));
  }
  return out;
}

/** The calendar month before the one an instant falls in (UTC). */
export function previousMonth(ms: number): string {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

/**
 * Reports: on demand through the API (scoped exactly as the objectives and violations they are made of, and
 * redacted for the audience asked for) and published on schedule (archived in the WORM archive, then delivered).
 */
export class ReportUseCases {
  constructor(private readonly deps: ReportDeps) {}

  /** Parses the path's report type. */
  static reportType(raw: string | undefined): ReportType {
    if (!REPORT_TYPES.includes(raw as ReportType))
      throw new ValidationError('unknown report type', [
        { path: 'reportType', problem: `must be one of ${REPORT_TYPES.join(', ')}` },
      ]);
    return raw as ReportType;
  }

  /** One report in one format for the caller. */
  async onDemand(
    principal: Principal,
    type: ReportType,
    q: ReportQuery,
  ): Promise<{ model: ReportModel; rendered: Rendered }> {
    const req = this.resolve(principal, type, q);
    const model = await this.build(principal, req);
    return { model, rendered: await renderReport(model, q.format, { fonts: this.deps.fonts }) };
  }

  /** Who may ask for which audience (policy), and for which party. */
  private resolve(principal: Principal, type: ReportType, q: ReportQuery): ReportRequest {
    if (!isAllowed(principal, 'report.read')) {
      // Stryker disable next-line StringLiteral: vendor is the only role without report.read and a vendor holds no other (shared/http/principal.ts), so a refused caller has at most one role to list
      const roles = principal.roles.join(', ');
      throw new ForbiddenError(`your roles (${roles || 'none'}) do not allow report.read`, [
        roleProblem(principal, 'report.read'),
      ]);
    }
    const allowed = requestableAudiences(this.deps.policy.requestableBy, principal.roles);
    const audience = q.audience ?? allowed[0];
    if (!audience || !allowed.includes(audience))
      throw new ForbiddenError(
        `your roles (${principal.roles.join(', ')}) may ask for reports for ${allowed.join(', ') || 'no audience'}, not ${q.audience}`,
        [
          {
            path: 'query.audience',
            problem: `${q.audience ?? '(none)'} is not an audience your roles may ask for (${allowed.join(', ') || 'none'})`,
          },
        ],
      );
    let party = q.party;
    const rule = this.deps.policy.audiences[audience];
    if (rule.rows === 'own-customer') {
      // A business unit's own people see their own business unit's reports only.
      const own =
        principal.roles.includes('viewer') && !isAllowed(principal, 'agreement.create')
          ? principal.businessUnits
          : undefined;
      party ??= own?.length === 1 ? own[0] : undefined;
      if (!party)
        throw new ValidationError('a customer report names its customer', [
          { path: 'query.party', problem: 'is required for audience customer (a business unit)' },
        ]);
      if (own && !own.includes(party))
        throw new ForbiddenError(`you may ask for customer reports of ${own.join(', ')} only`, [
          { path: 'query.party', problem: `is not one of your business units (${own.join(', ')})` },
        ]);
    }
    if (rule.rows === 'own-vendor' && !party)
      throw new ValidationError('a vendor report names its vendor', [
        { path: 'query.party', problem: 'is required for audience vendor (a vendor id)' },
      ]);
    const month = q.period ?? previousMonth(this.deps.clock.now().getTime());
    if (monthSpan(month, 'UTC').start > this.deps.clock.now().getTime())
      throw new ValidationError('the period has not begun', [
        { path: 'query.period', problem: `${month} is in the future` },
      ]);
    return {
      type,
      month,
      // Stryker disable next-line ConditionalExpression: the query schema (ReportQuery) requires months >= 1 and the only caller parses it, so clamping every type would change no report
      months: type === 'violation-trends' ? Math.max(q.months, 1) : q.months,
      audience,
      party,
      businessUnit: q.businessUnit,
      serviceId: q.serviceId,
      region: q.region,
      agreementId: q.agreementId,
    };
  }

  /** The agreements the caller may read, in force, filtered as asked, with their services. */
  private async agreementsFor(
    principal: Principal,
    req: ReportRequest,
  ): Promise<{ versions: AgreementVersion[]; services: Map<string, Service> }> {
    const scope = listScope(principal, 'report.read');
    const versions: AgreementVersion[] = [];
    if (req.agreementId) {
      const a = await this.deps.agreements.get(req.agreementId);
      if (!a || !canAccess(principal, 'report.read', readAt(a)))
        throw new NotFoundError(`no agreement ${req.agreementId}`, [
          { path: 'query.agreementId', problem: 'names no agreement you may read' },
        ]);
      if (a.status === 'active') versions.push(a);
    } else {
      let after: string | undefined;
      for (;;) {
        const page = await this.deps.agreements.list({
          status: 'active',
          scope,
          limit: 200,
          // Stryker disable next-line ObjectLiteral: narrows the store's query only; the filter below keeps the same business unit
          ...(req.businessUnit ? { businessUnit: req.businessUnit } : {}),
          // Stryker disable next-line ObjectLiteral: narrows the store's query only; the filter below keeps the same service
          ...(req.serviceId ? { serviceId: req.serviceId } : {}),
          ...(after ? { after } : {}),
        });
        versions.push(...page.items);
        if (!page.lastKey) break;
        // Stryker disable next-line ConditionalExpression: a page's lastKey is its last id (Page), so a page with one is never empty; the test only guards against a store that breaks that
        if (page.items.length === 0) break;
        after = page.lastKey;
      }
    }
    const inScope = versions.filter(
      (a) =>
        canAccess(principal, 'report.read', readAt(a)) &&
        (!req.region || a.dataResidency.region === req.region) &&
        (!req.serviceId || a.serviceId === req.serviceId) &&
        (!req.businessUnit || a.businessUnit === req.businessUnit),
    );
    const services = new Map<string, Service>();
    for (const id of new Set(inScope.map((a) => a.serviceId))) {
      const s = await this.deps.services.get(id);
      if (s) services.set(id, s);
    }
    return { versions: inScope, services };
  }

  /** Builds, redacts and seals a report for a principal. */
  async build(principal: Principal, req: ReportRequest): Promise<ReportModel> {
    const { deps } = this;
    const now = deps.clock.now().getTime();
    const rule = deps.policy.audiences[req.audience];
    const { versions, services } = await this.agreementsFor(principal, req);
    const infos = versions.map((a) => agreementInfo(a, services.get(a.serviceId)));
    const visible = infos.filter((a) => visibleTo(rule, req.party, a));
    const ids = new Set(visible.map((a) => a.id));
    const versionsVisible = versions.filter((a) => ids.has(a.id));
    const months = monthsEnding(req.month, req.months);
    const first = months[0]!;
    const spanStart = Math.min(
      ...versionsVisible.map((a) => monthSpan(first, a.timeZone).start),
      monthSpan(first, 'UTC').start,
    );
    const spanEnd = Math.max(
      ...versionsVisible.map((a) => monthSpan(req.month, a.timeZone).end),
      monthSpan(req.month, 'UTC').end,
    );
    const period: ReportPeriod = {
      label: months.length === 1 ? req.month : `${first} to ${req.month}`,
      start: new Date(spanStart).toISOString(),
      end: new Date(spanEnd).toISOString(),
      months,
    };
    const engine = versionsVisible.map((a) => engineAgreement(a, services.get(a.serviceId)?.tier ?? 3));
    // Stryker disable next-line ConditionalExpression: trends and credit statements are built from violations only; computing figures for them anyway only costs reads
    const needsFigures = req.type !== 'violation-trends' && req.type !== 'credit-statement';
    const exceptions = needsFigures
      ? // Stryker disable next-line ObjectLiteral: narrows the read only; a window ending over 31 days before the report's earliest month, or starting after its end, touches no figure of it
        await deps.exceptions.list({
          from: new Date(spanStart - 31 * DAY).toISOString(),
          to: new Date(spanEnd).toISOString(),
        })
      : [];
    const objectives = needsFigures
      ? (
          await Promise.all(
            months.map((m) => monthlyFigures(deps.rollups, deps.settings, engine, exceptions, m, now)),
          )
        ).flat()
      : [];
    const sliOf = new Map(
      versionsVisible.flatMap((a) => a.objectives.map((o) => [`${a.id}/${o.id}`, o.sli.type] as const)),
    );
    const violations: ViolationFigure[] = [];
    // Stryker disable next-line ConditionalExpression: only trends, credit statements and audits show violations; reading them for other reports only costs reads
    if (req.type === 'violation-trends' || req.type === 'credit-statement' || req.type === 'sla-audit') {
      const stored = await this.violationsIn(
        spanStart - (req.type === 'violation-trends' ? 0 : 31 * DAY),
        spanEnd,
      );
      for (const v of stored) {
        // Stryker disable next-line ConditionalExpression: every builder reading violations keeps only those of the report's agreements (the same set), so this only saves work
        if (!ids.has(v.agreementId)) continue;
        const f = violationFigure(v, sliOf.get(`${v.agreementId}/${v.objectiveId}`) ?? 'unknown');
        if (
          req.type !== 'violation-trends' &&
          !(f.credit && f.credit.periodEnd > period.start && f.credit.periodStart < period.end)
        )
          continue;
        violations.push(f);
      }
    }
    const budgets =
      // Stryker disable next-line ConditionalExpression: only the error-budget report shows budgets; reading them for others only costs reads
      req.type === 'error-budget'
        ? (await Promise.all(versionsVisible.map((a) => deps.evaluations.latest({ agreementId: a.id }))))
            .flat()
            .map(budgetStatus)
        : [];
    const burn = new Map<string, BurnPoint[]>();
    // Stryker disable next-line ConditionalExpression: only monthly compliance and error budgets draw burn-down charts; reading the history for others only costs reads
    if (req.type === 'monthly-compliance' || req.type === 'error-budget') {
      const from = req.type === 'error-budget' ? new Date(now - 28 * DAY).toISOString() : period.start;
      const to = req.type === 'error-budget' ? new Date(now + 1).toISOString() : period.end;
      for (const a of versionsVisible)
        for (const o of a.objectives)
          burn.set(`${a.id}/${o.id}`, burnPoints(await deps.evaluations.history(a.id, o.id, from, to)));
    }
    let audit: ReportInputs['audit'];
    // Stryker disable next-line ConditionalExpression: only the audit's builder reads the recomputation; making it for other reports only costs reads
    if (req.type === 'sla-audit') {
      const recomputed = [];
      for (const a of versionsVisible)
        for (const o of a.objectives)
          recomputed.push(await recompute(deps.rollups, a, o.id, exceptions, req.month, now));
      audit = { recomputed, ...(await this.publishedFigures(req.month)) };
    }
    const inputs: ReportInputs = {
      id: deps.newId('rpt'),
      type: req.type,
      audience: req.audience,
      party: req.party,
      scopeLabel: scopeLabel(req),
      generatedAt: new Date(now).toISOString(),
      generatedBy: principal.subject,
      period,
      agreements: visible,
      objectives,
      budgets,
      violations,
      burn,
      commentary: (req.commentary ?? []).filter((c) => ids.has(c.agreementId)),
      ...(audit ? { audit } : {}),
      settings: {
        repeatOffenderThreshold: deps.policy.repeatOffenderThreshold,
        auditTolerancePoints: deps.policy.auditTolerancePoints,
        maxCharts: deps.policy.maxCharts,
      },
    };
    return sealReport(maskColumns(buildReport(inputs), rule.hide), sha256);
  }

  private async violationsIn(fromMs: number, toMs: number): Promise<ViolationRecord[]> {
    return this.deps.violations.list({
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      limit: 1_000_000,
    });
  }

  /** The figures of the portfolio's published monthly compliance report for a month, from the archive. */
  private async publishedFigures(
    month: string,
  ): Promise<Pick<NonNullable<ReportInputs['audit']>, 'reported'>> {
    const archive = this.deps.archive;
    if (!archive) return {};
    const found = await archive.findReport('monthly-compliance', month, 'json');
    if (!found) return {};
    const parsed = ReportDocumentV1.safeParse(JSON.parse(new TextDecoder().decode(found.body)));
    if (!parsed.success) return {};
    const table = parsed.data.sections.flatMap((s) => s.tables).find((t) => t.id === 'objectives');
    if (!table) return {};
    const col = (k: string) => table.columns.findIndex((c) => c.key === k);
    const [ia, io, ic] = [col('agreement'), col('objective'), col('compliance')];
    const figures = table.rows.map((r) => {
      const agreementId = (r[ia] as { v: string }).v;
      const name = (r[io] as { v: string }).v;
      return { agreementId, objectiveName: name, compliance: (r[ic] as { v: number | null }).v };
    });
    // The published table names objectives; map them back to ids through the agreements.
    const out = [];
    for (const f of figures) {
      const a = await this.deps.agreements.get(f.agreementId);
      const o = a?.objectives.find((x) => x.name === f.objectiveName || x.id === f.objectiveName);
      if (o) out.push({ agreementId: f.agreementId, objectiveId: o.id, compliance: f.compliance });
    }
    return { reported: { source: found.key, figures: out } };
  }

  /**
   * Publishes a report now: built for the audience, rendered in each format, archived (write once, chained in
   * the manifest), then handed to delivery with the archive keys. Scheduled runs publish as the system.
   */
  async publish(
    principal: Principal,
    type: ReportType,
    body: PublishBody,
    options: {
      scheduleId?: string;
      recipients?: ReportScheduleDef['recipients'];
      commentary?: Commentary[];
    } = {},
  ): Promise<{
    reportId: string;
    hash: string;
    archived: { key: string; seq: number; sha256: string }[];
    deliveryId: string;
  }> {
    if (!isAllowed(principal, 'report.publish'))
      throw new ForbiddenError(
        `your roles (${principal.roles.join(', ') || 'none'}) do not allow report.publish`,
        [roleProblem(principal, 'report.publish')],
      );
    const scope = listScope(principal, 'report.publish');
    if (!scope.all && !(body.businessUnit && scope.businessUnits.includes(body.businessUnit)))
      throw new ForbiddenError(
        'you may publish reports for your own business units only: name one in businessUnit',
        [
          body.businessUnit
            ? { path: 'businessUnit', problem: scopeProblem(principal, 'report.publish').problem }
            : { path: 'businessUnit', problem: 'is required: name one of your business units' },
        ],
      );
    const archive = this.deps.archive;
    if (!archive) throw new UnavailableError('the archive is not deployed here: reports cannot be published');
    const month = body.period ?? previousMonth(this.deps.clock.now().getTime());
    const model = await this.build(principal, {
      type,
      month,
      months: body.months,
      audience: body.audience,
      party: body.party,
      businessUnit: body.businessUnit,
      commentary: options.commentary ?? [],
    });
    ReportDocumentV1.parse(model);
    const archived: { key: string; seq: number; sha256: string }[] = [];
    const attachments = [];
    for (const format of body.formats as ReportFormat[]) {
      const r = await renderReport(model, format, { fonts: this.deps.fonts });
      const entry = await archive.archive({
        type: 'report',
        reportType: type,
        period: month,
        scope: reportScope(body.businessUnit, body.audience, body.party),
        id: `${model.id}`,
        extension: r.extension,
        contentType: r.contentType,
        body: r.body,
        title: `${model.title}, ${model.scopeLabel}, ${model.period.label} (${model.audience})`,
        archivedBy: principal.subject,
      });
      archived.push({ key: entry.key, seq: entry.seq, sha256: entry.sha256 });
      attachments.push({
        // A name a reader recognises (the archive key keeps the report id); the e-mail lists both.
        fileName: `${type}-${month}-${body.businessUnit ?? 'portfolio'}-${body.audience}${body.party ? `-${body.party}` : ''}.${r.extension}`,
        contentType: r.contentType,
        body: r.body,
        sha256: entry.sha256,
        archiveKey: entry.key,
      });
    }
    const deliveryId = this.deps.newId('dlv');
    const recipients = options.recipients ?? body.deliverTo;
    await this.deps.delivery.deliver({
      id: deliveryId,
      kind: 'report',
      scheduleId: options.scheduleId,
      recipients: {
        roles: recipients?.roles ?? [],
        capacities: recipients?.capacities ?? [],
        audience: body.audience,
        party: body.party,
        businessUnit: body.businessUnit,
        people: [],
      },
      subject: `${model.title}: ${model.scopeLabel}${model.party ? ` for ${model.party}` : ''}, ${model.period.label}`,
      text: deliveryText(model),
      figures: model.summary.map((f) => ({ label: f.label, value: display(f.cell) })),
      attachments,
      archiveKeys: archived.map((a) => a.key),
      reportId: model.id,
      reportHash: model.hash,
    });
    return { reportId: model.id, hash: model.hash, archived, deliveryId };
  }

  /** The schedules of the reports policy whose commentary window opens now: asks owners of missed objectives. */
  async openCommentaryWindows(): Promise<{ opened: number; requests: number }> {
    const now = this.deps.clock.now().getTime();
    const month = previousMonth(now);
    let opened = 0;
    let requests = 0;
    for (const s of this.deps.policy.schedules.filter((x) => x.commentaryWindowHours > 0)) {
      const model = await this.build(SYSTEM_REPORTER, {
        type: 'monthly-compliance',
        month,
        months: 1,
        audience: 'internal',
        businessUnit: s.scope.kind === 'business-unit' ? s.scope.businessUnit : undefined,
      });
      const missed = await this.missedObjectives(model);
      await this.deps.commentary.open({
        publicationId: `${s.id}-${month}`,
        scheduleId: s.id,
        period: month,
        closesAt: new Date(now + s.commentaryWindowHours * 3_600_000).toISOString(),
        objectives: missed,
      });
      opened++;
      requests += missed.length;
    }
    return { opened, requests };
  }

  private async missedObjectives(model: ReportModel) {
    const table = model.sections.flatMap((s) => s.tables).find((t) => t.id === 'objectives');
    if (!table) return [];
    const idx = (k: string) => table.columns.findIndex((c) => c.key === k);
    const out = [];
    for (const r of table.rows) {
      if ((r[idx('met')] as { v: string }).v !== 'missed') continue;
      const agreementId = (r[idx('agreement')] as { v: string }).v;
      const a = await this.deps.agreements.get(agreementId);
      const o = a?.objectives.find((x) => x.name === (r[idx('objective')] as { v: string }).v);
      if (a && o)
        out.push({
          agreementId,
          objectiveId: o.id,
          owner: { name: o.owner.name, email: o.owner.email },
          compliance: (r[idx('compliance')] as { v: number | null }).v,
          target: o.target,
        });
    }
    return out;
  }

  /**
   * The monthly publication (shared/schedules.ts): every scheduled report of the policy for the month that
   * ended, with the commentary its window collected; the month's final violations and credit statements
   * archived; anomalies between this month and the one before delivered as alerts.
   */
  async publishScheduled(): Promise<{
    published: number;
    held: number;
    archivedRecords: number;
    alerts: number;
  }> {
    const now = this.deps.clock.now().getTime();
    const month = previousMonth(now);
    let published = 0;
    let held = 0;
    for (const s of this.deps.policy.schedules) {
      const outcome = await this.publishSchedule(s, month);
      if (outcome === 'published') published++;
      if (outcome === 'held') held++;
    }
    const archivedRecords = await this.archiveFinalRecords(month);
    const alerts = await this.alertAnomalies(month);
    return { published, held, archivedRecords, alerts };
  }

  /**
   * One scheduled report for a month, its commentary window closed per policy: with commentary still missing, a
   * `publish` schedule expires the open requests and publishes with what was given; a `hold` schedule publishes
   * nothing yet (the SLA managers are told; the hourly follow-up publishes once every owner has answered). A
   * publication already made for this window is not made again.
   */
  private async publishSchedule(
    s: ReportScheduleDef,
    month: string,
  ): Promise<'published' | 'held' | 'already published'> {
    const publicationId = `${s.id}-${month}`;
    const { commentary } = this.deps;
    if (s.commentaryWindowHours > 0) {
      const state = await commentary.state(publicationId);
      if (state.publishedReportId) return 'already published';
      if (state.pending > 0 && s.onCommentaryMissing === 'hold') {
        await this.deps.delivery.deliver({
          id: `held-${publicationId}`,
          kind: 'report-held',
          scheduleId: s.id,
          recipients: {
            roles: ['sla-manager'],
            capacities: [],
            audience: 'internal',
            businessUnit: s.scope.kind === 'business-unit' ? s.scope.businessUnit : undefined,
            people: [],
          },
          subject: `Held for commentary: ${s.type} for ${month}`,
          text: `The ${s.type} report for ${month} (schedule ${s.id}) is held: ${state.pending} of ${state.asked} owners of objectives that missed have not explained the deviation yet. It is published as soon as every one has answered.`,
          attachments: [],
          archiveKeys: [],
        });
        return 'held';
      }
      if (state.pending > 0) await commentary.close(publicationId);
    }
    const given = s.commentaryWindowHours > 0 ? await commentary.collect(publicationId) : [];
    const r = await this.publish(
      SYSTEM_REPORTER,
      s.type,
      {
        period: month,
        months: 1,
        audience: s.audience,
        formats: s.formats,
        ...(s.scope.kind === 'business-unit' ? { businessUnit: s.scope.businessUnit } : {}),
      },
      { scheduleId: s.id, recipients: s.recipients, commentary: given },
    );
    if (s.commentaryWindowHours > 0) await commentary.published(publicationId, r.reportId);
    return 'published';
  }

  /**
   * The hourly follow-up of commentary windows (shared/schedules.ts): reminders before a window closes, overdue
   * reminders while a report is held, and the publication of a held report once every owner has answered.
   */
  async followUpCommentary(): Promise<{ reminders: number; published: number }> {
    const reminders = await this.deps.commentary.remind(this.deps.policy.commentary);
    const now = this.deps.clock.now().getTime();
    const month = previousMonth(now);
    let published = 0;
    for (const s of this.deps.policy.schedules) {
      if (s.commentaryWindowHours === 0 || s.onCommentaryMissing !== 'hold') continue;
      // Only from the scheduled publication's day on (the `report-publish` row): before it the window is open.
      if (new Date(now).getUTCDate() < PUBLISH_DAY) continue;
      const state = await this.deps.commentary.state(`${s.id}-${month}`);
      if (state.asked === 0 || state.pending > 0 || state.publishedReportId) continue;
      if ((await this.publishSchedule(s, month)) === 'published') published++;
    }
    return { reminders, published };
  }

  /** Resolved violations (with their evidence) and final credit statements of a month, archived once each. */
  async archiveFinalRecords(month: string): Promise<number> {
    const archive = this.deps.archive;
    if (!archive) return 0;
    const span = monthSpan(month, 'UTC');
    const vs = await this.violationsIn(span.start - 31 * DAY, span.end + 31 * DAY);
    let n = 0;
    const enc = (x: unknown) => new TextEncoder().encode(`${JSON.stringify(x, null, 2)}\n`);
    for (const v of vs) {
      const vMonth = v.detectedAt.slice(0, 7);
      if (v.status === 'resolved' && vMonth === month) {
        // The key the archive stores it under (ids are lower-cased there): checked before archiving once.
        const key = archiveKey({
          type: 'violation',
          agreementId: v.agreementId,
          period: month,
          id: v.id,
          extension: 'json',
        });
        if (!(await archive.exists(key))) {
          await archive.archive({
            type: 'violation',
            agreementId: v.agreementId,
            period: month,
            id: v.id,
            extension: 'json',
            contentType: 'application/json',
            body: enc(v),
            title: `Violation ${v.id} (${v.severity}) of ${v.agreementId}/${v.objectiveId}`,
            archivedBy: SYSTEM_REPORTER.subject,
          });
          n++;
        }
      }
      if (
        v.credit?.period.final &&
        v.credit.period.start.slice(0, 7) <= month &&
        // Stryker disable next-line MethodExpression: an ISO instant compares with a 7-character month as its first 7 characters do (a longer string with the same start is greater)
        v.credit.period.end.slice(0, 7) >= month
      ) {
        const key = archiveKey({
          type: 'credit-statement',
          agreementId: v.agreementId,
          period: month,
          id: v.id,
          extension: 'json',
        });
        if (!(await archive.exists(key))) {
          await archive.archive({
            type: 'credit-statement',
            agreementId: v.agreementId,
            period: month,
            id: v.id,
            extension: 'json',
            contentType: 'application/json',
            body: enc({
              violationId: v.id,
              agreementId: v.agreementId,
              credit: v.credit,
              disputes: v.disputes,
            }),
            title: `Credit statement for ${v.agreementId}/${v.objectiveId}, ${month}`,
            archivedBy: SYSTEM_REPORTER.subject,
          });
          n++;
        }
      }
    }
    return n;
  }

  /** Anomalies between a month and the one before (thresholds in the policy), delivered to owners and the board. */
  async alertAnomalies(month: string): Promise<number> {
    const prev = monthsEnding(month, 2)[0]!;
    const { versions, services } = await this.agreementsFor(SYSTEM_REPORTER, {
      type: 'monthly-compliance',
      month,
      months: 2,
      audience: 'internal',
    });
    const engine = versions.map((a) => engineAgreement(a, services.get(a.serviceId)?.tier ?? 3));
    const now = this.deps.clock.now().getTime();
    // Stryker disable next-line ObjectLiteral: narrows the read only; a window that ends over 31 days before the previous month touches neither month's figures
    const exceptions = await this.deps.exceptions.list({
      from: new Date(monthSpan(prev, 'UTC').start - 31 * DAY).toISOString(),
    });
    const [before, after] = await Promise.all(
      [prev, month].map((m) =>
        monthlyFigures(this.deps.rollups, this.deps.settings, engine, exceptions, m, now),
      ),
    );
    const vs = await this.violationsIn(monthSpan(prev, 'UTC').start, monthSpan(month, 'UTC').end);
    const infos = new Map(versions.map((a) => [a.id, agreementInfo(a, services.get(a.serviceId))] as const));
    const alerts = detectAnomalies(
      {
        month,
        previous: prev,
        figures: after!,
        previousFigures: before!,
        violations: vs.map((v) => ({
          serviceId: v.serviceId,
          businessUnit: v.businessUnit,
          month: v.detectedAt.slice(0, 7),
        })),
      },
      this.deps.policy.anomalies,
    );
    for (const a of alerts) {
      const info = a.agreementId ? infos.get(a.agreementId) : undefined;
      const owner = info?.objectives.find((o) => o.id === a.objectiveId)?.owner;
      await this.deps.delivery.deliver({
        id: this.deps.newId('dlv'),
        kind: 'anomaly-alert',
        recipients: {
          roles: this.deps.policy.anomalies.notify.includes('governance-board') ? ['approver'] : [],
          capacities: this.deps.policy.anomalies.notify.includes('governance-board')
            ? ['governance-board']
            : [],
          audience: 'internal',
          people: owner && this.deps.policy.anomalies.notify.includes('objective-owners') ? [owner] : [],
        },
        subject: a.title,
        text: a.detail,
        attachments: [],
        archiveKeys: [],
      });
    }
    return alerts.length;
  }
}

/**
 * The words of a report's e-mail, from the sealed (so already redacted) model only: what it is, the commentary's
 * count, and the hash that ties every file to the archived JSON (the key figures travel beside, as a table).
 */
export function deliveryText(model: ReportModel): string {
  const audience = model.party ? `${model.audience} (${model.party})` : model.audience;
  return [
    `${model.title} for ${model.period.label} (${model.scopeLabel}), prepared for the ${audience} audience, is published and archived.`,
    ...(model.commentary.length
      ? [
          `It carries ${model.commentary.length} commentar${model.commentary.length === 1 ? 'y' : 'ies'} from the owners of objectives that missed.`,
        ]
      : []),
    `Report ${model.id}, SHA-256 ${model.hash} (the hash of its JSON; printed on every page of the PDF).`,
  ].join('\n\n');
}

function scopeLabel(req: ReportRequest): string {
  const parts = [];
  if (req.agreementId) parts.push(`agreement ${req.agreementId}`);
  if (req.businessUnit) parts.push(`business unit ${req.businessUnit}`);
  if (req.serviceId) parts.push(`service ${req.serviceId}`);
  if (req.region) parts.push(`region ${req.region}`);
  return parts.length ? parts.join(', ') : 'Portfolio';
}

/** The reports from a container, or a clear error where this deployment has not wired them. */
export function reportsIn(container: { reports?: ReportUseCases | undefined }): ReportUseCases {
  if (!container.reports) throw new UnavailableError('reports are not deployed here');
  return container.reports;
}
