/**
 * Speaking the SLO ecosystem: OpenSLO v1 in and out of an agreement's objectives, Prometheus rules out
 * (docs/openslo.md). Import writes through the agreement use cases (a new draft version, audited like any edit).
 */
import { canAccess, type Principal } from '../domain/access/policy.js';
import {
  BusinessRuleError,
  ConflictError,
  type FieldProblem,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
  VersionConflictError,
} from '../domain/errors.js';
import type { EvaluationResult } from '../domain/objectives/types.js';
import { exportOpenSlo, importOpenSlo, type ObjectiveInput } from '../domain/openslo/convert.js';
import {
  prometheusRulesFile,
  type RulesResult,
  type RuleTarget,
  rulesFileText,
} from '../domain/openslo/rules.js';
import { parseOpenSlo, writeOpenSlo } from '../domain/openslo/yaml.js';
import type { BurnWindowPolicy } from '../policy/objectives.js';
import type { EvaluationStore } from '../ports/objectives.js';
import type { ServiceStore } from '../ports/services.js';
import type { AgreementVersion } from '../schemas/agreement.js';
import type { MappingRule } from '../schemas/telemetry.js';
import type { AgreementUseCases } from './agreements.js';
import type { BackfillUseCases } from './backfill.js';

/** Content types an OpenSLO stream may come as. */
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

export interface OpenSloImportRequest {
  agreementId: string;
  /** The version the caller read (If-Match). */
  expected: number;
  contentType: string;
  body: Buffer;
  reason: string;
  /** Validate and report without writing. */
  dryRun: boolean;
}

export interface OpenSloImportReport {
  dryRun: boolean;
  /** The agreement after the import (the version before it on a dry run). */
  agreement: AgreementVersion;
  added: string[];
  replaced: string[];
  /** Objectives of the agreement the stream does not name: kept as they are. */
  kept: string[];
  /** Mapping rules proposed for Prometheus SLIs: rules are policy (shared/policy/telemetry-mapping.json). */
  mappingRules: { vendor: string; sliName: string; rule: MappingRule }[];
  /** What was read and not taken, or taken with a stated approximation. */
  notes: FieldProblem[];
}

/** Agreement fields with no place in OpenSLO, reported on export when the agreement has them. */
const AGREEMENT_ONLY: [keyof AgreementVersion, (a: AgreementVersion) => boolean][] = [
  ['credits', (a) => a.credits !== undefined],
  ['supportedHours', (a) => a.supportedHours.kind !== 'always'],
  ['signOffs', (a) => a.signOffs.length > 0],
  ['escalation', (a) => a.escalation.length > 0],
  ['parties', () => true],
  ['scope', (a) => a.scope.inclusions.length + a.scope.exclusions.length > 0],
  ['customerResponsibilities', (a) => a.customerResponsibilities.length > 0],
  ['reviewCycle', () => true],
  ['renewal', (a) => a.renewal !== undefined],
  ['jurisdiction', () => true],
  ['dataResidency', () => true],
  ['complianceTags', (a) => a.complianceTags.length > 0],
  ['underpinnedBy', (a) => a.underpinnedBy.length > 0],
];

export interface EcosystemDeps {
  agreements: AgreementUseCases;
  services: ServiceStore;
  burnWindows: BurnWindowPolicy;
  /** The objectives engine's latest results, for GET /metrics. */
  evaluations: Pick<EvaluationStore, 'latest'>;
  /** Backfill imports (docs/backfill.md); absent where telemetry is not composed (the routes then answer 503). */
  backfill?: BackfillUseCases | undefined;
}

export class EcosystemUseCases {
  constructor(private readonly deps: EcosystemDeps) {}

  /**
   * The backfill import use cases.
   * @throws UnavailableError (503) where the composition root wired none (AWS: not built yet, docs/backfill.md)
   */
  get backfill(): BackfillUseCases {
    if (!this.deps.backfill)
      throw new UnavailableError('backfill imports run on the embedded default; they are not deployed here');
    return this.deps.backfill;
  }

  /**
   * Imports an OpenSLO v1 stream into a draft agreement's objectives: objectives with the same id are replaced,
   * new ones added, the others kept.
   * @throws NotFoundError/ForbiddenError by scope; VersionConflictError (409) on a stale If-Match;
   *   UnsupportedMediaTypeError (415) unless the body is YAML; ConflictError (409) unless the agreement is a draft;
   *   ValidationError (400) naming every problem of the stream with its path and line; BusinessRuleError (422)
   *   when the resulting agreement breaks a rule.
   */
  async importOpenSlo(principal: Principal, req: OpenSloImportRequest): Promise<OpenSloImportReport> {
    const current = await this.deps.agreements.load(principal, 'agreement.update', req.agreementId);
    if (current.version !== req.expected)
      throw new VersionConflictError(
        `stale write: you sent version ${req.expected}, the current version is ${current.version}`,
        current,
      );
    const type = req.contentType.split(';')[0]!.trim().toLowerCase();
    if (!YAML_TYPES.includes(type))
      throw new UnsupportedMediaTypeError('an OpenSLO import is YAML', [
        { path: 'Content-Type', problem: `"${type || '(none)'}" is not one of ${YAML_TYPES.join(', ')}` },
      ]);
    if (current.status !== 'draft')
      throw new ConflictError(
        `objectives are imported into draft agreements; this one is ${current.status}`,
        [{ path: 'status', problem: `is ${current.status}` }],
      );
    const text = req.body.toString('utf8');
    const parsed = parseOpenSlo(text);
    const service = await this.deps.services.get(current.serviceId);
    const first = current.objectives[0];
    const owner = first?.owner ??
      service?.owner ?? { name: principal.subject, email: principal.email ?? 'unknown@invalid' };
    const r = importOpenSlo(parsed.docs, {
      serviceId: current.serviceId,
      timeZone: current.timeZone,
      defaultOwner: owner,
      defaultCustomerContact: first?.customerContact ?? owner,
    });
    const problems = [...parsed.problems, ...r.problems];
    if (problems.length) throw new ValidationError('the OpenSLO documents cannot be imported', problems);
    if (!r.objectives.length)
      throw new ValidationError('the OpenSLO documents hold no SLO', [
        { path: 'documents', problem: 'no SLO to import' },
      ]);
    const incoming = new Map(r.objectives.map((o) => [o.id, o]));
    const merged: ObjectiveInput[] = current.objectives.map((o) => incoming.get(o.id) ?? o);
    const had = new Set(current.objectives.map((o) => o.id));
    for (const o of r.objectives) if (!had.has(o.id)) merged.push(o);
    if (merged.length > 50)
      throw new BusinessRuleError('an agreement holds at most 50 objectives', [
        { path: 'documents', problem: `the import would leave ${merged.length} objectives` },
      ]);
    const report = {
      added: r.objectives.filter((o) => !had.has(o.id)).map((o) => o.id),
      replaced: r.objectives.filter((o) => had.has(o.id)).map((o) => o.id),
      kept: current.objectives.filter((o) => !incoming.has(o.id)).map((o) => o.id),
      mappingRules: r.mappingRules,
      notes: r.notes,
    };
    if (req.dryRun) return { dryRun: true, agreement: current, ...report };
    const agreement = await this.deps.agreements.update(principal, req.agreementId, req.expected, {
      objectives: merged as AgreementVersion['objectives'],
      reason: req.reason,
    });
    return { dryRun: false, agreement, ...report };
  }

  /** The agreement's objectives as an OpenSLO v1 YAML stream, with what it cannot carry listed at its head. */
  async exportOpenSlo(
    principal: Principal,
    agreementId: string,
  ): Promise<{ yaml: string; notExpressed: FieldProblem[] }> {
    const a = await this.deps.agreements.get(principal, agreementId);
    const service = await this.deps.services.get(a.serviceId);
    const out = exportOpenSlo({
      agreementId: a.id,
      serviceId: a.serviceId,
      ...(service ? { serviceName: service.name } : {}),
      timeZone: a.timeZone,
      objectives: a.objectives,
      burnWindows: this.deps.burnWindows,
      agreementOnly: AGREEMENT_ONLY.filter(([, has]) => has(a)).map(([k]) => k),
    });
    // The list is never empty (no branch for that): every agreement has parties, a review cycle, a jurisdiction and
    // a residency, which OpenSLO cannot carry (AGREEMENT_ONLY).
    const comment = [
      `OpenSLO v1 export of Accord agreement ${a.id} version ${a.version} (${a.status}): ${a.title}`,
      'Not expressed in OpenSLO:',
      ...out.notExpressed.map((n) => `- ${n.path}: ${n.problem}`),
    ].join('\n');
    return { yaml: writeOpenSlo(out.docs, comment), notExpressed: out.notExpressed };
  }

  /**
   * Every objective's latest evaluation the caller may scrape (`metrics.read`, on the objective's business unit
   * and service), for the gauges of GET /metrics.
   */
  async metricsResults(principal: Principal): Promise<EvaluationResult[]> {
    const all = await this.deps.evaluations.latest({});
    return all.filter((r) =>
      canAccess(principal, 'metrics.read', { businessUnit: r.businessUnit, serviceId: r.serviceId }),
    );
  }

  /** Prometheus recording and alerting rules for the agreement's objectives that come from Prometheus. */
  async prometheusRules(
    principal: Principal,
    agreementId: string,
  ): Promise<{ yaml: string; groups: number; skipped: RulesResult['skipped'] }> {
    const a = await this.deps.agreements.get(principal, agreementId);
    const targets: RuleTarget[] = a.objectives.map((objective) => ({
      agreementId: a.id,
      serviceId: a.serviceId,
      objective,
    }));
    const file = prometheusRulesFile(targets, this.deps.burnWindows);
    return { yaml: skippedHead(file.skipped) + file.text, groups: file.groups, skipped: file.skipped };
  }
}

/** A rule file as promtool reads it, the objectives without rules listed in a comment at its head. */
export function rulesYaml(result: RulesResult): string {
  return skippedHead(result.skipped) + rulesFileText(result.groups);
}

/** The leading comment naming the objectives without rules and why ('' when none). */
export function skippedHead(skipped: RulesResult['skipped']): string {
  return skipped.length
    ? `# No rules for:\n${skipped.map((s) => `# - ${s.agreementId}/${s.objectiveId}: ${s.reason}`).join('\n')}\n`
    : '';
}

/** The ecosystem use cases of a container; 503 where a composition root has not wired them. */
export function ecosystemIn(container: { ecosystem?: EcosystemUseCases | undefined }): EcosystemUseCases {
  if (!container.ecosystem) throw new UnavailableError('OpenSLO and Prometheus rules are not deployed here');
  return container.ecosystem;
}
