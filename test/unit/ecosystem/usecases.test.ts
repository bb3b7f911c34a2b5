import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UlidGenerator } from '../../../shared/adapters/ids.js';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryEvaluationStore } from '../../../shared/adapters/memory/objectives.js';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import {
  BusinessRuleError,
  ConflictError,
  type DomainError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
  VersionConflictError,
} from '../../../shared/domain/errors.js';
import type { EvaluationResult } from '../../../shared/domain/objectives/types.js';
import { loadSignOffRules } from '../../../shared/policy/index.js';
import { DEFAULT_BURN_WINDOWS } from '../../../shared/policy/objectives.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { AgreementUseCases } from '../../../shared/usecases/agreements.js';
import type { BackfillUseCases } from '../../../shared/usecases/backfill.js';
import {
  EcosystemUseCases,
  ecosystemIn,
  rulesYaml,
  skippedHead,
  YAML_TYPES,
} from '../../../shared/usecases/ecosystem.js';
import { agreementVersion, principal, service } from '../../helpers/fixtures.js';

// The ecosystem use cases (OpenSLO in and out, Prometheus rules, the metrics scrape) straight on the in-memory
// stores: the e2e tests (test/e2e/openslo.test.ts, promtool-*.test.ts) run them over HTTP in a server, where a
// mutation test cannot see them.

const EVERY_KIND = readFileSync(new URL('../../fixtures/openslo/every-kind.yaml', import.meta.url));
/** The ids every-kind.yaml's seven SLO objectives import as, in stream order. */
const EVERY_KIND_IDS = [
  'requests-rolling-28d',
  'requests-monthly',
  'logins-weekly',
  'availability-quarter',
  'availability-2w',
  'latency-1',
  'latency-2',
];
const manager = principal({ subject: 'sam', roles: ['sla-manager'], businessUnits: ['payments'] });
const OLGA = { name: 'Olga Owner', email: 'olga@example.com' };
const CARL = { name: 'Carl Customer', email: 'carl@example.com' };

async function setup(options: { service?: boolean } = {}) {
  const clock = { now: () => new Date('2026-11-15T10:00:00Z') };
  const agreements = new MemoryAgreementStore();
  const services = new MemoryServiceStore();
  if (options.service !== false)
    await services.create(service({ owner: { name: 'Sue Service', email: 'sue@example.com' } }));
  const uc = new AgreementUseCases({
    agreements,
    services,
    clock,
    ids: new UlidGenerator(clock),
    signOffRules: loadSignOffRules(),
  });
  const evaluations = new MemoryEvaluationStore();
  const eco = new EcosystemUseCases({
    agreements: uc,
    services,
    burnWindows: DEFAULT_BURN_WINDOWS,
    evaluations,
  });
  return { agreements, evaluations, eco };
}

const importReq = (
  agreementId: string,
  over: Partial<Parameters<EcosystemUseCases['importOpenSlo']>[1]> = {},
) => ({
  agreementId,
  expected: 1,
  contentType: 'application/yaml',
  body: EVERY_KIND,
  reason: 'import from OpenSLO',
  dryRun: false,
  ...over,
});

const failure = async (f: () => Promise<unknown>): Promise<DomainError> => {
  const e = await f().then(
    () => undefined,
    (err: unknown) => err,
  );
  if (e === undefined) throw new Error('expected a failure');
  return e as DomainError;
};

describe('importing OpenSLO into a draft agreement', () => {
  it('refuses a stale If-Match with 409 naming both versions, before reading the body', async () => {
    const { agreements, eco } = await setup();
    const a = agreementVersion();
    await agreements.create(a);
    const e = await failure(() =>
      eco.importOpenSlo(manager, importReq(a.id, { expected: 3, contentType: 'application/json' })),
    );
    expect(e).toBeInstanceOf(VersionConflictError);
    expect(e.message).toBe('stale write: you sent version 3, the current version is 1');
    expect((e as VersionConflictError).current).toMatchObject({ id: a.id, version: 1 });
  });

  it('takes every YAML media type, in any case and with parameters, and refuses anything else with 415 on Content-Type', async () => {
    const { agreements, eco } = await setup();
    const a = agreementVersion();
    await agreements.create(a);
    for (const t of [...YAML_TYPES, 'Text/YAML; charset=utf-8', ' application/x-yaml ;q=1']) {
      const r = await eco.importOpenSlo(manager, importReq(a.id, { contentType: t, dryRun: true }));
      expect(r.added, t).toEqual(EVERY_KIND_IDS);
    }
    const list = 'application/yaml, application/x-yaml, text/yaml, text/x-yaml';
    for (const [t, shown] of [
      ['application/json', 'application/json'],
      ['Application/JSON; charset=utf-8', 'application/json'],
      ['', '(none)'],
      ['; charset=utf-8', '(none)'],
    ] as const) {
      const e = await failure(() => eco.importOpenSlo(manager, importReq(a.id, { contentType: t })));
      expect(e, t).toBeInstanceOf(UnsupportedMediaTypeError);
      expect(e.message).toBe('an OpenSLO import is YAML');
      expect(e.details).toEqual([{ path: 'Content-Type', problem: `"${shown}" is not one of ${list}` }]);
    }
  });

  it('refuses an agreement that is not a draft with 409 on its status', async () => {
    const { agreements, eco } = await setup();
    const a = agreementVersion({ status: 'active' });
    await agreements.create(a);
    const e = await failure(() => eco.importOpenSlo(manager, importReq(a.id)));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe('objectives are imported into draft agreements; this one is active');
    expect(e.details).toEqual([{ path: 'status', problem: 'is active' }]);
  });

  it('refuses a stream with problems with 400 naming each, and one without an SLO with 400 on documents', async () => {
    const { agreements, eco } = await setup();
    const a = agreementVersion();
    await agreements.create(a);
    const bad = Buffer.from(
      EVERY_KIND.toString('utf8').replace('budgetingMethod: RatioTimeslices', 'budgetingMethod: Ratio'),
    );
    const e = await failure(() => eco.importOpenSlo(manager, importReq(a.id, { body: bad })));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('the OpenSLO documents cannot be imported');
    expect(e.details.map((d) => d.path)).toEqual(['documents[8].spec.budgetingMethod']);
    const broken = await failure(() =>
      eco.importOpenSlo(manager, importReq(a.id, { body: Buffer.from('kind: [unclosed') })),
    );
    expect(broken).toBeInstanceOf(ValidationError);
    expect(broken.message).toBe('the OpenSLO documents cannot be imported');
    const serviceOnly = Buffer.from(
      'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: payments-gateway\nspec: {}\n',
    );
    const none = await failure(() => eco.importOpenSlo(manager, importReq(a.id, { body: serviceOnly })));
    expect(none).toBeInstanceOf(ValidationError);
    expect(none.message).toBe('the OpenSLO documents hold no SLO');
    expect(none.details).toEqual([{ path: 'documents', problem: 'no SLO to import' }]);
    expect((await agreements.get(a.id))?.version).toBe(1);
  });

  it('replaces objectives with the same id in place, keeps the others, and adds the new ones after them in stream order', async () => {
    const { agreements, eco } = await setup();
    const base = agreementVersion();
    const availability = base.objectives[0]!;
    const old = { ...availability, id: 'requests-monthly', name: 'Old monthly requests', target: 90 };
    const a = agreementVersion({ objectives: [old, availability] });
    await agreements.create(a);
    const r = await eco.importOpenSlo(manager, importReq(a.id));
    expect(r.dryRun).toBe(false);
    expect(r.replaced).toEqual(['requests-monthly']);
    expect(r.kept).toEqual(['availability']);
    expect(r.added).toEqual(EVERY_KIND_IDS.filter((id) => id !== 'requests-monthly'));
    expect(r.agreement.objectives.map((o) => o.id)).toEqual([
      'requests-monthly',
      'availability',
      ...EVERY_KIND_IDS.filter((id) => id !== 'requests-monthly'),
    ]);
    // The stream's objective took the old one's place: 0.995 in OpenSLO is 99.5 %.
    expect(r.agreement.objectives[0]).toMatchObject({ id: 'requests-monthly', target: 99.5 });
    expect(r.agreement.objectives[1]).toEqual(availability);
    expect(r.agreement).toMatchObject({ version: 2, change: 'update', reason: 'import from OpenSLO' });
    expect(await agreements.get(a.id)).toMatchObject({ version: 2 });
    expect(r.mappingRules.map((m) => `${m.sliName}:${m.rule.measure}`)).toContain('requests:good');
  });

  it('on a dry run reports the same and writes nothing: the agreement it returns is the current version', async () => {
    const { agreements, eco } = await setup();
    const a = agreementVersion();
    await agreements.create(a);
    const r = await eco.importOpenSlo(manager, importReq(a.id, { dryRun: true }));
    expect(r).toMatchObject({ dryRun: true, added: EVERY_KIND_IDS, replaced: [], kept: ['availability'] });
    expect(r.agreement).toEqual(a);
    expect(await agreements.listVersions(a.id)).toHaveLength(1);
  });

  it('lets an import leave 50 objectives but not 51, with 422 saying how many it would leave', async () => {
    const { agreements, eco } = await setup();
    const one = agreementVersion().objectives[0]!;
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ ...one, id: `kept-${i}` }));
    const fits = agreementVersion({ objectives: many(43) });
    const over = agreementVersion({ objectives: many(44) });
    await agreements.create(fits);
    await agreements.create(over);
    const r = await eco.importOpenSlo(manager, importReq(fits.id, { dryRun: true }));
    expect(r.added).toHaveLength(7);
    expect(r.kept).toHaveLength(43);
    const e = await failure(() => eco.importOpenSlo(manager, importReq(over.id, { dryRun: true })));
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect(e.message).toBe('an agreement holds at most 50 objectives');
    expect(e.details).toEqual([{ path: 'documents', problem: 'the import would leave 51 objectives' }]);
  });

  it("gives imported objectives the first objective's owner and customer contact, else the service owner, else the caller", async () => {
    const owners = async (o: {
      service?: boolean;
      objectives?: AgreementVersion['objectives'];
      email?: string;
    }) => {
      const { agreements, eco } = await setup({ service: o.service ?? true });
      const a = agreementVersion({ ...(o.objectives ? { objectives: o.objectives } : {}) });
      await agreements.create(a);
      const who = principal({
        subject: 'sam-subject',
        roles: ['sla-manager'],
        businessUnits: ['payments'],
        ...(o.email ? { email: o.email } : {}),
      });
      const r = await eco.importOpenSlo(who, importReq(a.id));
      const imported = r.agreement.objectives.find((x) => x.id === 'latency-2')!;
      return { owner: imported.owner, customerContact: imported.customerContact };
    };
    const first = { ...agreementVersion().objectives[0]!, owner: OLGA, customerContact: CARL };
    expect(await owners({ objectives: [first] })).toEqual({ owner: OLGA, customerContact: CARL });
    const sue = { name: 'Sue Service', email: 'sue@example.com' };
    expect(await owners({ objectives: [] })).toEqual({ owner: sue, customerContact: sue });
    const caller = { name: 'sam-subject', email: 'sam@example.com' };
    expect(await owners({ objectives: [], service: false, email: 'sam@example.com' })).toEqual({
      owner: caller,
      customerContact: caller,
    });
    const unknown = { name: 'sam-subject', email: 'unknown@invalid' };
    expect(await owners({ objectives: [], service: false })).toEqual({
      owner: unknown,
      customerContact: unknown,
    });
  });
});

describe('exporting an agreement as OpenSLO', () => {
  const NO_FIELD = 'OpenSLO has no field for it: not exported';

  it('heads the YAML with the agreement, its version and status, and lists the agreement fields OpenSLO cannot carry', async () => {
    const { agreements, eco } = await setup();
    const a = agreementVersion({ title: 'Gateway SLA' });
    await agreements.create(a);
    const r = await eco.exportOpenSlo(manager, a.id);
    // The fixture has parties, scope, responsibilities, a review cycle, a jurisdiction and a residency, and no
    // credits, supported hours, sign-offs, escalation, renewal, compliance tags or underpinning contracts.
    const agreementOnly = [
      'parties',
      'scope',
      'customerResponsibilities',
      'reviewCycle',
      'jurisdiction',
      'dataResidency',
    ];
    expect(r.notExpressed.filter((n) => n.problem === NO_FIELD).map((n) => n.path)).toEqual(agreementOnly);
    const lines = r.yaml.split('\n');
    expect(lines[0]).toBe(`# OpenSLO v1 export of Accord agreement ${a.id} version 1 (draft): Gateway SLA`);
    expect(lines[1]).toBe('# Not expressed in OpenSLO:');
    expect(lines[2]).toBe(`# - parties: ${NO_FIELD}`);
    expect(r.yaml).toContain(`# - dataResidency: ${NO_FIELD}\n`);
    // The service's name becomes the OpenSLO Service's display name.
    expect(r.yaml).toMatch(
      /kind: Service\nmetadata:\n {2}name: payments-gateway\n {2}displayName: Payments gateway\n/,
    );
  });

  it('lists each optional agreement field exactly when the agreement has it, and scope when it has only exclusions', async () => {
    const { agreements, eco } = await setup({ service: false });
    const base = agreementVersion();
    const a = agreementVersion({
      credits: { currency: 'EUR', tiers: [] } as unknown as AgreementVersion['credits'],
      supportedHours: { kind: 'business' } as unknown as AgreementVersion['supportedHours'],
      signOffs: [{ capacity: 'legal', decision: 'approved', by: 'l', at: '2026-11-01T00:00:00Z' }],
      escalation: [{}] as unknown as AgreementVersion['escalation'],
      scope: { inclusions: [], exclusions: ['sandbox'] },
      customerResponsibilities: [],
      renewal: {} as unknown as AgreementVersion['renewal'],
      complianceTags: ['SOX'] as unknown as AgreementVersion['complianceTags'],
      underpinnedBy: ['agr_01J000000000999'],
      objectives: base.objectives,
    });
    await agreements.create(a);
    const r = await eco.exportOpenSlo(manager, a.id);
    expect(r.notExpressed.filter((n) => n.problem === NO_FIELD).map((n) => n.path)).toEqual([
      'credits',
      'supportedHours',
      'signOffs',
      'escalation',
      'parties',
      'scope',
      'reviewCycle',
      'renewal',
      'jurisdiction',
      'dataResidency',
      'complianceTags',
      'underpinnedBy',
    ]);
    // No service record: the OpenSLO Service has no display name.
    expect(r.yaml).not.toContain('displayName: Payments gateway');
    const empty = agreementVersion({ scope: { inclusions: [], exclusions: [] } });
    await agreements.create(empty);
    const paths = (await eco.exportOpenSlo(manager, empty.id)).notExpressed.map((n) => n.path);
    expect(paths).not.toContain('scope');
  });
});

describe('the metrics scrape and the Prometheus rules', () => {
  const result = (agreementId: string, businessUnit: string, serviceId: string) =>
    ({
      agreementId,
      objectiveId: 'availability',
      businessUnit,
      serviceId,
      evaluatedAt: '2026-11-15T10:00:00.000Z',
      burnRates: [],
      budget: null,
      data: { coverage: 1 },
    }) as unknown as EvaluationResult;

  it('gives a caller only the evaluations of the business units and services it may scrape', async () => {
    const { evaluations, eco } = await setup();
    await evaluations.save([
      result('agr_a', 'payments', 'svc_pay'),
      result('agr_b', 'retail', 'svc_shop'),
      result('agr_c', 'retail', 'svc_pay'),
    ]);
    const ids = async (p: Parameters<EcosystemUseCases['metricsResults']>[0]) =>
      (await eco.metricsResults(p)).map((r) => r.agreementId);
    expect(await ids(principal({ roles: ['auditor'] }))).toEqual(['agr_a', 'agr_b', 'agr_c']);
    expect(await ids(principal({ roles: ['admin'] }))).toEqual(['agr_a', 'agr_b', 'agr_c']);
    // An SLA manager has no metrics.read: its units do not open the scrape.
    expect(await ids(manager)).toEqual([]);
    expect(await ids(principal({ roles: ['viewer'], businessUnits: ['retail'] }))).toEqual([]);
  });

  it('writes rules for the objectives that come from Prometheus and names the others at the head of the file', async () => {
    const { agreements, eco } = await setup();
    const a = agreementVersion();
    await agreements.create(a);
    const imported = await eco.importOpenSlo(manager, importReq(a.id));
    const r = await eco.prometheusRules(manager, a.id);
    expect(r.skipped.map((s) => s.objectiveId)).toContain('availability');
    const head = r.skipped.map((s) => `# - ${s.agreementId}/${s.objectiveId}: ${s.reason}`).join('\n');
    expect(r.yaml.startsWith(`# No rules for:\n${head}\ngroups:`)).toBe(true);
    expect(r.groups).toBeGreaterThan(0);
    expect(r.yaml).toContain(`accord/${a.id}/requests-rolling-28d`);
    expect(imported.agreement.version).toBe(2);
  });

  it('writes no head when every objective has rules, and the same head for a rules file made elsewhere', () => {
    expect(skippedHead([])).toBe('');
    const skipped = [
      { agreementId: 'agr_1', objectiveId: 'a', reason: 'no Prometheus source' },
      { agreementId: 'agr_1', objectiveId: 'b', reason: 'a Datadog query' },
    ];
    expect(skippedHead(skipped)).toBe(
      '# No rules for:\n# - agr_1/a: no Prometheus source\n# - agr_1/b: a Datadog query\n',
    );
    expect(rulesYaml({ groups: [], skipped } as unknown as Parameters<typeof rulesYaml>[0])).toMatch(
      /^# No rules for:\n# - agr_1\/a: no Prometheus source\n# - agr_1\/b: a Datadog query\n/,
    );
    expect(rulesYaml({ groups: [], skipped: [] } as unknown as Parameters<typeof rulesYaml>[0])).not.toMatch(
      /^#/,
    );
  });
});

describe('where the ecosystem is not deployed', () => {
  it('answers 503 for the OpenSLO and rules routes and for backfill imports, and gives them where wired', async () => {
    const e = await failure(async () => ecosystemIn({}));
    expect(e).toBeInstanceOf(UnavailableError);
    expect(e.message).toBe('OpenSLO and Prometheus rules are not deployed here');
    const { eco } = await setup();
    expect(ecosystemIn({ ecosystem: eco })).toBe(eco);
    const b = await failure(async () => eco.backfill);
    expect(b).toBeInstanceOf(UnavailableError);
    expect(b.message).toBe('backfill imports run on the embedded default; they are not deployed here');
    const backfill = {} as BackfillUseCases;
    const wired = new EcosystemUseCases({
      agreements: {} as AgreementUseCases,
      services: new MemoryServiceStore(),
      burnWindows: DEFAULT_BURN_WINDOWS,
      evaluations: new MemoryEvaluationStore(),
      backfill,
    });
    expect(wired.backfill).toBe(backfill);
  });
});
