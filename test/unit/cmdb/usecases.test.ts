import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import {
  type DomainError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import { CMDB_POLICY } from '../../../shared/policy/cmdb.js';
import { CMDB_MAX_LISTED_PROBLEMS, CmdbSyncUseCases, cmdbIn } from '../../../shared/usecases/cmdb.js';
import { ServiceUseCases } from '../../../shared/usecases/services.js';
import {
  CMDB_CLEAN_CSV,
  CMDB_CSV_EXPORT,
  CMDB_JSON_EXPORT,
  servicesBeforeCmdbSync,
} from '../../helpers/cmdb.js';
import { principal, serviceBody } from '../../helpers/fixtures.js';

// The CMDB sync use case on the in-memory store, with the scenarios test/e2e/cmdb-sync.test.ts and
// cmdb-hostile.test.ts run over HTTP (where a mutation test cannot see them).

const JSON_EXPORT = Buffer.from(CMDB_JSON_EXPORT);
const admin = principal({ subject: 'ada', roles: ['admin'] });
const payments = principal({ subject: 'sam', roles: ['sla-manager'], businessUnits: ['payments'] });
const retail = principal({ subject: 'rita', roles: ['sla-manager'], businessUnits: ['retail-banking'] });
const HEADER =
  'sys_id,name,short_description,busines_criticality,u_business_unit,owned_by.name,owned_by.email';

async function setup(store = new MemoryServiceStore()) {
  const services = new ServiceUseCases({
    services: store,
    clock: { now: () => new Date('2026-12-01T10:00:00Z') },
  });
  for (const body of servicesBeforeCmdbSync()) {
    await services.register(admin, body);
  }
  const cmdb = new CmdbSyncUseCases({ services, policy: CMDB_POLICY });
  return { store, services, cmdb };
}

const failure = async (f: () => Promise<unknown>): Promise<DomainError> => {
  const e = await f().then(
    () => undefined,
    (err: unknown) => err,
  );
  if (e === undefined) throw new Error('expected a failure');
  return e as DomainError;
};
const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

describe('a CMDB sync request', () => {
  it('takes JSON and CSV in any case and with parameters, and refuses anything else with 415 on Content-Type', async () => {
    const { cmdb } = await setup();
    const csv = await cmdb.sync(payments, {
      contentType: 'Text/CSV; charset=utf-8',
      body: Buffer.from(CMDB_CLEAN_CSV),
      apply: false,
    });
    expect(csv.rows).toBe(5);
    const json = await cmdb.sync(payments, {
      contentType: ' APPLICATION/JSON',
      body: JSON_EXPORT,
      apply: false,
    });
    expect(json.create).toEqual([{ serviceId: 'svc_mobile-wallet', path: 'result[4]' }]);
    for (const [t, shown] of [
      ['text/plain', 'text/plain'],
      ['application/yaml; charset=utf-8', 'application/yaml'],
      ['', '(none)'],
    ] as const) {
      const e = await failure(() =>
        cmdb.sync(payments, { contentType: t, body: Buffer.from(CMDB_CLEAN_CSV), apply: false }),
      );
      expect(e, t).toBeInstanceOf(UnsupportedMediaTypeError);
      expect(e.message).toBe('a CMDB export is JSON (Table API) or CSV');
      expect(e.details).toEqual([
        { path: 'Content-Type', problem: `"${shown}" is not application/json or text/csv` },
      ]);
    }
  });

  it('gives every write the reason naming the file (upload when unnamed, cut at 200 characters) and the first 16 hex of its SHA-256', async () => {
    const { cmdb } = await setup();
    const body = Buffer.from(CMDB_CLEAN_CSV);
    const h = sha(body);
    const named = await cmdb.sync(payments, {
      contentType: 'text/csv',
      body,
      file: 'cmdb.csv',
      apply: false,
    });
    expect(named.sha256).toBe(h);
    expect(named.reason).toBe(`CMDB sync cmdb.csv sha256:${h.slice(0, 16)}`);
    const unnamed = await cmdb.sync(payments, { contentType: 'text/csv', body, apply: false });
    expect(unnamed.reason).toBe(`CMDB sync upload sha256:${h.slice(0, 16)}`);
    const long = await cmdb.sync(payments, {
      contentType: 'text/csv',
      body,
      file: 'f'.repeat(250),
      apply: false,
    });
    expect(long.reason).toBe(`CMDB sync ${'f'.repeat(200)} sha256:${h.slice(0, 16)}`);
  });

  it('counts a bad row once however many problems it has: the JSON export is six rows, one with two problems', async () => {
    const { cmdb } = await setup();
    const r = await cmdb.sync(payments, { contentType: 'application/json', body: JSON_EXPORT, apply: false });
    expect(r.problems.map((p) => p.path)).toEqual([
      'result[5].busines_criticality',
      'result[5].owned_by.email',
    ]);
    expect(r.rows).toBe(6);
    const csv = await cmdb.sync(payments, {
      contentType: 'text/csv',
      body: Buffer.from(CMDB_CSV_EXPORT),
      apply: false,
    });
    expect(csv.rows).toBe(6);
    // Two bad rows (lines 7 and 8) are two rows: five good and two bad.
    const twoBad = `${CMDB_CSV_EXPORT.trimEnd()}\n,Second Bad,,2 - somewhat critical,,Bo,bo@accord.local,Ops,payments\n`;
    const two = await cmdb.sync(payments, {
      contentType: 'text/csv',
      body: Buffer.from(twoBad),
      apply: false,
    });
    expect(two.problems.map((p) => p.path)).toEqual(['line 7.sys_id', 'line 8.sys_id']);
    expect(two.rows).toBe(7);
  });

  it('reports drift of each kind and the new service on a dry run, writing nothing', async () => {
    const { cmdb, store } = await setup();
    const r = await cmdb.sync(admin, { contentType: 'application/json', body: JSON_EXPORT, apply: false });
    expect(r.dryRun).toBe(true);
    expect(r.applied).toBeUndefined();
    expect(r.drift.map((d) => `${d.kind} ${d.serviceId}`)).toEqual([
      'owner svc_fraud-scoring',
      'tier svc_statement-printing',
      'businessUnit svc_payment-gateway',
      'in-cmdb-not-accord svc_mobile-wallet',
      'in-accord-not-cmdb svc_branch-kiosk',
    ]);
    expect(r.create).toEqual([{ serviceId: 'svc_mobile-wallet', path: 'result[4]' }]);
    expect(r.update.map((u) => u.serviceId)).toEqual(['svc_fraud-scoring', 'svc_statement-printing']);
    expect(r.outOfScope).toEqual([]);
    expect(await store.get('svc_mobile-wallet')).toBeUndefined();
    expect((await store.get('svc_statement-printing'))?.version).toBe(1);
  });

  it('refuses an apply of a file with a bad row with 400 naming each problem, writing nothing', async () => {
    const { cmdb, store } = await setup();
    const e = await failure(() =>
      cmdb.sync(payments, { contentType: 'text/csv', body: Buffer.from(CMDB_CSV_EXPORT), apply: true }),
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('the CMDB export has rows that cannot be taken; nothing was written');
    expect(e.details).toEqual([{ path: 'line 7.sys_id', problem: 'is empty: cmdbCi is required' }]);
    expect(await store.get('svc_mobile-wallet')).toBeUndefined();
  });

  it('applies a clean file: creates the new service, writes CMDB-owned fields with the reason, and the second time writes nothing', async () => {
    const { cmdb, store } = await setup();
    const r = await cmdb.sync(payments, {
      contentType: 'text/csv',
      body: Buffer.from(CMDB_CLEAN_CSV),
      file: 'c.csv',
      apply: true,
    });
    expect(r.dryRun).toBe(false);
    expect(r.applied).toEqual({
      created: ['svc_mobile-wallet'],
      updated: ['svc_fraud-scoring', 'svc_statement-printing'],
    });
    expect(r).not.toHaveProperty('remaining');
    expect(await store.get('svc_mobile-wallet')).toMatchObject({
      tier: 2,
      businessUnit: 'payments',
      cmdbCi: '5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d',
      reason: r.reason,
      createdBy: 'sam',
    });
    expect(await store.get('svc_statement-printing')).toMatchObject({
      name: 'Statement Printing',
      tier: 2,
      version: 2,
      reason: r.reason,
    });
    expect(await store.get('svc_fraud-scoring')).toMatchObject({
      cmdbCi: '1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f',
      owner: { email: 'fay@old.example' },
      version: 2,
    });
    const again = await cmdb.sync(payments, {
      contentType: 'text/csv',
      body: Buffer.from(CMDB_CLEAN_CSV),
      apply: true,
    });
    expect(again.applied).toEqual({ created: [], updated: [] });
    // Owner and tier drift are governed: those two stay drift, never unchanged.
    expect(again.unchanged).toEqual(['svc_card-authorisation', 'svc_mobile-wallet']);
  });

  it("lists another unit's rows apart, without a reason, never writes them, and drops their in-CMDB drift", async () => {
    const { cmdb, store } = await setup();
    const r = await cmdb.sync(retail, {
      contentType: 'text/csv',
      body: Buffer.from(CMDB_CLEAN_CSV),
      apply: true,
    });
    expect(r.applied).toEqual({ created: [], updated: [] });
    expect(r.problems).toEqual([]);
    expect(r.outOfScope.map((o) => o.path)).toEqual(['line 2', 'line 3', 'line 4', 'line 6']);
    expect(r.outOfScope.find((o) => o.path === 'line 6')).toEqual({
      serviceId: 'svc_mobile-wallet',
      path: 'line 6',
      businessUnit: 'payments',
    });
    expect(r.drift.map((d) => `${d.kind} ${d.serviceId}`)).toEqual(['businessUnit svc_payment-gateway']);
    expect(r.create).toEqual([]);
    expect(await store.get('svc_mobile-wallet')).toBeUndefined();
  });
});

/** Payments' svc_card-authorisation holding CI1002, and retail's svc_branch-queue, synced under `policy`. */
async function hostile(policy = CMDB_POLICY) {
  const store = new MemoryServiceStore();
  const services = new ServiceUseCases({
    services: store,
    clock: { now: () => new Date('2026-12-01T10:00:00Z') },
  });
  await services.register(
    admin,
    serviceBody({ id: 'svc_card-authorisation', name: 'Card authorisation', cmdbCi: 'CI1002' }),
  );
  await services.register(
    admin,
    serviceBody({ id: 'svc_branch-queue', name: 'Branch queue', businessUnit: 'retail-banking', tier: 3 }),
  );
  return { store, services, cmdb: new CmdbSyncUseCases({ services, policy }) };
}

describe("a CMDB sync and another unit's configuration items", () => {
  const csv = (row: string) => Buffer.from(`${HEADER}\n${row}\n`);

  it("does not create a second service holding a CI another unit's service holds, and lists the row apart with the reason", async () => {
    const { cmdb, store } = await hostile();
    const body = csv('CI1002,Card auth retail copy,d,3 - less critical,retail-banking,Ann,ann@example.com');
    const r = await cmdb.sync(retail, { contentType: 'text/csv', body, apply: true });
    expect(r.create).toEqual([]);
    // The row is not reported as a service missing from Accord: it is another unit's.
    expect(r.drift).toEqual([{ kind: 'in-accord-not-cmdb', serviceId: 'svc_branch-queue' }]);
    expect(r.outOfScope).toEqual([
      {
        serviceId: 'svc_card-auth-retail-copy',
        path: 'line 2',
        businessUnit: 'retail-banking',
        reason: 'its CI is held by a service outside your scope',
      },
    ]);
    expect(r.applied).toEqual({ created: [], updated: [] });
    expect(await store.get('svc_card-auth-retail-copy')).toBeUndefined();
  });

  it("refuses to give an in-scope service a CI another unit's service holds, naming the row's CI column", async () => {
    const { cmdb } = await hostile();
    const body = csv('CI1002,Branch queue,d,3 - less critical,retail-banking,Owen Service,owen@example.com');
    const r = await cmdb.sync(retail, { contentType: 'text/csv', body, apply: false });
    expect(r.update).toEqual([]);
    expect(r.problems).toEqual([
      { path: 'line 2.sys_id', problem: '"CI1002" is held by another service: a CI names one service' },
    ]);
    await expect(cmdb.sync(retail, { contentType: 'text/csv', body, apply: true })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('still matches and updates a service of the caller holding the CI, and an update that leaves the CI alone', async () => {
    const { cmdb, store } = await hostile();
    const own = csv(
      'CI1002,Card authorisation,New words,1 - most critical,payments,Owen Service,owen@example.com',
    );
    const r = await cmdb.sync(payments, { contentType: 'text/csv', body: own, apply: true });
    expect(r.applied).toEqual({ created: [], updated: ['svc_card-authorisation'] });
    expect(r.outOfScope).toEqual([]);
    expect(r.problems).toEqual([]);
    expect((await store.get('svc_card-authorisation'))?.description).toBe('New words');
  });

  it('turns a write the service use cases refuse into that row’s problem, and lets any other fault surface', async () => {
    const { cmdb, store } = await hostile();
    // A retail row whose id is a payments service's: invisible to the retail manager, so planned as a create that
    // the store refuses (the id is taken).
    const taken = csv('CI2000,Card authorisation,d,3 - less critical,retail-banking,Ann,ann@example.com');
    const r = await cmdb.sync(retail, { contentType: 'text/csv', body: taken, apply: true });
    expect(r.applied).toEqual({ created: [], updated: [] });
    expect(r.problems).toEqual([{ path: 'line 2', problem: expect.stringMatching(/^not written: /) }]);
    expect((await store.get('svc_card-authorisation'))?.businessUnit).toBe('payments');
    const broken = new MemoryServiceStore();
    const { cmdb: failing } = await setup(broken);
    broken.create = async () => {
      throw new Error('disk full');
    };
    await expect(
      failing.sync(payments, { contentType: 'text/csv', body: Buffer.from(CMDB_CLEAN_CSV), apply: true }),
    ).rejects.toThrow('disk full');
  });
});

describe('where CMDB sync is not deployed', () => {
  it('answers 503, and gives the use cases where wired', async () => {
    const e = await failure(async () => cmdbIn({}));
    expect(e).toBeInstanceOf(UnavailableError);
    expect(e.message).toBe('CMDB sync is not deployed here');
    const { cmdb } = await setup();
    expect(cmdbIn({ cmdb })).toBe(cmdb);
  });
});

describe('a CMDB sync over a big catalogue and in pages', () => {
  const row = (ci: string, name: string, unit = 'payments') =>
    `${ci},${name},d,2 - somewhat critical,${unit},Owen,owen@example.com`;

  it("matches a row to the caller's 201st service: the services it may manage are read past the first page of 200", async () => {
    const store = new MemoryServiceStore();
    const services = new ServiceUseCases({
      services: store,
      clock: { now: () => new Date('2026-12-01T10:00:00Z') },
    });
    for (let i = 0; i < 201; i++) {
      const id = `svc_s${String(i).padStart(3, '0')}`;
      await services.register(admin, serviceBody({ id, name: `S ${i}`, cmdbCi: `CI${i}` }));
    }
    const cmdb = new CmdbSyncUseCases({ services, policy: CMDB_POLICY });
    const r = await cmdb.sync(payments, {
      contentType: 'text/csv',
      body: Buffer.from(`${HEADER}\n${row('CI200', 'Renamed 200')}\n`),
      apply: false,
    });
    expect(r.create).toEqual([]);
    expect(r.update).toEqual([
      { serviceId: 'svc_s200', path: 'line 2', changes: { name: 'Renamed 200', description: 'd' } },
    ]);
    // The 200 others are in the catalogue and not in the file.
    expect(r.drift.filter((d) => d.kind === 'in-accord-not-cmdb')).toHaveLength(200);
  });

  it("leaves a viewer's units' services out of what it may manage: their rows are new services it may not create", async () => {
    const { cmdb } = await setup();
    const viewer = principal({ subject: 'vic', roles: ['viewer'], businessUnits: ['payments'] });
    const r = await cmdb.sync(viewer, {
      contentType: 'text/csv',
      body: Buffer.from(CMDB_CLEAN_CSV),
      apply: false,
    });
    expect(r.update).toEqual([]);
    expect(r.outOfScope.map((o) => o.serviceId)).toContain('svc_fraud-scoring');
  });

  it('spends a page of maxWrites on creates first, then updates, and counts what remains', async () => {
    const { cmdb, store } = await setup();
    const body = Buffer.from(
      [
        HEADER,
        row('CI9001', 'New one'),
        row('CI9002', 'New two'),
        row('0b1f0d3a1b2c4d5e6f70819a2b3c4d5e', 'Card Auth Renamed'),
        row('2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a', 'Statement Printing'),
      ].join('\n'),
    );
    const first = await cmdb.sync(payments, { contentType: 'text/csv', body, apply: true, maxWrites: 3 });
    expect(first.applied).toEqual({
      created: ['svc_new-one', 'svc_new-two'],
      updated: ['svc_card-authorisation'],
    });
    expect(first.remaining).toBe(1);
    const second = await cmdb.sync(payments, { contentType: 'text/csv', body, apply: true, maxWrites: 3 });
    expect(second.applied).toEqual({ created: [], updated: ['svc_statement-printing'] });
    expect(second.remaining).toBe(0);
    expect((await store.get('svc_card-authorisation'))?.name).toBe('Card Auth Renamed');
  });

  it('names the problem of a held CI by the column the policy reads CIs from', async () => {
    const { cmdb } = await hostile({
      ...CMDB_POLICY,
      fields: { ...CMDB_POLICY.fields, cmdbCi: ['u_ci', 'sys_id'] },
    });
    const csv = `u_ci,name,short_description,busines_criticality,u_business_unit,owned_by.name,owned_by.email\nCI1002,Branch queue,d,3 - less critical,retail-banking,Owen Service,owen@example.com\n`;
    const r = await cmdb.sync(retail, { contentType: 'text/csv', body: Buffer.from(csv), apply: false });
    expect(r.problems).toEqual([
      { path: 'line 2.u_ci', problem: '"CI1002" is held by another service: a CI names one service' },
    ]);
  });
});

describe('a CMDB sync of a file with very many bad rows (red team, wave 32)', () => {
  // A file of 100,000 bad rows has 600,000 problems, a 45 MB answer: the report lists 1,000 and counts the rest.
  const zeros = (n: number) => Buffer.from(JSON.stringify({ result: Array(n).fill(0) }));
  const problemAt = (i: number) => ({ path: `result[${i}]`, problem: 'must be an object' });

  it(`lists all ${CMDB_MAX_LISTED_PROBLEMS} problems of a dry run that has exactly that many`, async () => {
    const { cmdb } = await setup();
    const r = await cmdb.sync(payments, {
      contentType: 'application/json',
      body: zeros(CMDB_MAX_LISTED_PROBLEMS),
      apply: false,
    });
    expect(r.problems).toHaveLength(CMDB_MAX_LISTED_PROBLEMS);
    expect(r.problems.at(-1)).toEqual(problemAt(CMDB_MAX_LISTED_PROBLEMS - 1));
  });

  it('lists the first 1,000 problems of a dry run and one last entry counting the rest', async () => {
    const { cmdb } = await setup();
    const r = await cmdb.sync(payments, {
      contentType: 'application/json',
      body: zeros(CMDB_MAX_LISTED_PROBLEMS + 7),
      apply: false,
    });
    expect(r.problems).toHaveLength(CMDB_MAX_LISTED_PROBLEMS + 1);
    expect(r.problems[0]).toEqual(problemAt(0));
    expect(r.problems[CMDB_MAX_LISTED_PROBLEMS - 1]).toEqual(problemAt(CMDB_MAX_LISTED_PROBLEMS - 1));
    expect(r.problems.at(-1)).toEqual({
      path: '(file)',
      problem: `7 more problems are not listed (${CMDB_MAX_LISTED_PROBLEMS + 7} in all)`,
    });
  });

  it('refuses an apply of such a file with the same shortened list, writing nothing', async () => {
    const { cmdb, store } = await setup();
    const all = { limit: 500, scope: { all: true, businessUnits: [], serviceIds: [] } };
    const before = (await store.list(all)).items.map((s) => s.id);
    const e = await failure(() =>
      cmdb.sync(payments, {
        contentType: 'application/json',
        body: zeros(CMDB_MAX_LISTED_PROBLEMS + 2),
        apply: true,
      }),
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.details).toHaveLength(CMDB_MAX_LISTED_PROBLEMS + 1);
    expect(e.details?.at(-1)).toEqual({
      path: '(file)',
      problem: `2 more problems are not listed (${CMDB_MAX_LISTED_PROBLEMS + 2} in all)`,
    });
    expect((await store.list(all)).items.map((s) => s.id)).toEqual(before);
  });
});
