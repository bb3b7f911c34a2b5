import { describe, expect, it } from 'vitest';
import {
  type CmdbRecord,
  parseCmdbExport,
  planCmdbSync,
  readRow,
  slugOf,
} from '../../../shared/domain/cmdb/sync.js';
import { CMDB_POLICY, type CmdbPolicy } from '../../../shared/policy/cmdb.js';
import { service } from '../../helpers/fixtures.js';

/**
 * The rules of a CMDB sync, one at a time: how a row's columns are read, what keeps a row out (each problem's path
 * and words), how an export is split into rows, and the plan a set of records gives against Accord's services.
 * (sync.test.ts reads the fixture exports end to end.)
 */

const TIERS = '1, 2, 3, 4, 1 - most critical, 2 - somewhat critical, 3 - less critical, 4 - not critical';

/** A row every rule accepts, as the Table API exports it with dot-walked owner columns. */
const row = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  sys_id: 'ci-001',
  name: 'Card Authorisation',
  short_description: 'Authorises cards',
  busines_criticality: '1 - most critical',
  u_business_unit: 'payments',
  'owned_by.name': 'Owen Service',
  'owned_by.email': 'owen@example.com',
  u_residency_region: 'eu-central-1',
  ...over,
});

/** The problems of a row, or its record. */
const read = (over: Record<string, unknown>, policy: CmdbPolicy = CMDB_POLICY) =>
  readRow(row(over), 'r', policy);

describe('reading a CMDB row', () => {
  it('takes each field from its column into a service record named svc_<slug of the name>', () => {
    expect(read({})).toStrictEqual({
      path: 'r',
      id: 'svc_card-authorisation',
      cmdbCi: 'ci-001',
      name: 'Card Authorisation',
      description: 'Authorises cards',
      tier: 1,
      businessUnit: 'payments',
      owner: { name: 'Owen Service', email: 'owen@example.com' },
      residencyRegion: 'eu-central-1',
    });
  });

  it('leaves out a description the row lacks and takes the default region when it names none', () => {
    expect(read({ short_description: '  ', u_residency_region: undefined })).toStrictEqual({
      path: 'r',
      id: 'svc_card-authorisation',
      cmdbCi: 'ci-001',
      name: 'Card Authorisation',
      tier: 1,
      businessUnit: 'payments',
      owner: { name: 'Owen Service', email: 'owen@example.com' },
      residencyRegion: 'eu-west-1',
    });
  });

  it('trims every value, lower-cases the business unit and the e-mail, and matches criticality in any case', () => {
    expect(
      read({
        sys_id: ' ci-001 ',
        name: ' Card Authorisation ',
        busines_criticality: ' 2 - SOMEWHAT Critical ',
        u_business_unit: ' Payments ',
        'owned_by.name': ' Owen Service ',
        'owned_by.email': ' Owen@Example.COM ',
      }),
    ).toMatchObject({
      cmdbCi: 'ci-001',
      name: 'Card Authorisation',
      tier: 2,
      businessUnit: 'payments',
      owner: { name: 'Owen Service', email: 'owen@example.com' },
    });
  });

  it('reads a number as its text (a tier exported as 3)', () => {
    expect(read({ u_tier: 3 })).toMatchObject({ tier: 3 });
  });

  it('cuts a description to 5,000 characters and an owner name to 120', () => {
    const r = read({ short_description: 'd'.repeat(5001), 'owned_by.name': 'n'.repeat(121) }) as CmdbRecord;
    expect([r.description, r.owner.name]).toEqual(['d'.repeat(5000), 'n'.repeat(120)]);
  });

  it('reads a dotted column as a path into a reference object when the row has no such column', () => {
    const r = read({
      'owned_by.name': undefined,
      'owned_by.email': undefined,
      owned_by: { name: 'Rae Ref', email: { display_value: 'Rae@Ref.example', value: 'x' } },
    });
    expect(r).toMatchObject({ owner: { name: 'Rae Ref', email: 'rae@ref.example' } });
  });

  it('prefers the dot-walked column to the reference object', () => {
    const r = read({ owned_by: { name: 'Other', email: 'other@x.example' } });
    expect(r).toMatchObject({ owner: { name: 'Owen Service', email: 'owen@example.com' } });
  });

  it('reads a reference object by its value when it has no display value', () => {
    const r = read({ 'owned_by.name': undefined, owned_by: { value: 'Val Only', link: 'https://x' } });
    expect(r).toMatchObject({ owner: { name: 'Val Only' } });
  });

  it('names each required field that is empty, by its first column', () => {
    const empty = Object.fromEntries(Object.keys(row()).map((k) => [k, ' ']));
    expect(readRow({ ...empty, owned_by: null }, 'result[3]', CMDB_POLICY)).toEqual([
      { path: 'result[3].sys_id', problem: 'is empty: cmdbCi is required' },
      { path: 'result[3].name', problem: 'is empty: name is required' },
      { path: 'result[3].u_tier', problem: 'is empty: tier is required' },
      { path: 'result[3].u_business_unit', problem: 'is empty: businessUnit is required' },
      { path: 'result[3].owned_by.name', problem: 'is empty: ownerName is required' },
      { path: 'result[3].owned_by.email', problem: 'is empty: ownerEmail is required' },
    ]);
  });

  it('refuses a CI id of other characters or over 64 of them', () => {
    expect(read({ sys_id: 'ci 001' })).toEqual([
      { path: 'r.sys_id', problem: '"ci 001" is not a CI id (1–64 letters, digits, . _ : -)' },
    ]);
    expect(read({ sys_id: `${'a'.repeat(64)}b` })).toEqual([
      { path: 'r.sys_id', problem: `"${'a'.repeat(64)}b" is not a CI id (1–64 letters, digits, . _ : -)` },
    ]);
    expect(read({ sys_id: `A.b_c:d-${'e'.repeat(56)}` })).toMatchObject({
      cmdbCi: `A.b_c:d-${'e'.repeat(56)}`,
    });
    expect(read({ sys_id: 'x' })).toMatchObject({ cmdbCi: 'x' });
  });

  it('refuses a name that gives no service id of two characters or more', () => {
    expect(read({ name: '!!' })).toEqual([
      { path: 'r.name', problem: '"!!" gives no service id (svc_<slug>)' },
    ]);
    expect(read({ name: 'A' })).toEqual([
      { path: 'r.name', problem: '"A" gives no service id (svc_<slug>)' },
    ]);
    expect(read({ name: 'Ab' })).toMatchObject({ id: 'svc_ab' });
    expect(read({ name: 'x'.repeat(70) })).toMatchObject({ id: `svc_${'x'.repeat(62)}` });
  });

  it('refuses a name over the 200 characters a service name holds, rather than cut it', () => {
    expect(read({ name: 'x'.repeat(201) })).toEqual([
      { path: 'r.name', problem: 'is 201 characters: a service name holds at most 200' },
    ]);
    expect(read({ name: 'x'.repeat(200) })).toMatchObject({ name: 'x'.repeat(200) });
  });

  it('refuses an unknown criticality, naming the column that holds it and the labels known', () => {
    expect(read({ busines_criticality: '5 - trivial' })).toEqual([
      { path: 'r.busines_criticality', problem: `"5 - trivial" is not a known criticality (${TIERS})` },
    ]);
    expect(read({ u_tier: 'five' })).toEqual([
      { path: 'r.u_tier', problem: `"five" is not a known criticality (${TIERS})` },
    ]);
  });

  it('refuses a business unit that is not a lower-case slug of 2 to 41 characters', () => {
    for (const unit of ['9lives', 'p', 'pay ments', `p${'a'.repeat(41)}`])
      expect(read({ u_business_unit: unit })).toEqual([
        { path: 'r.u_business_unit', problem: `"${unit}" is not a business unit id` },
      ]);
    expect(read({ u_business_unit: `p${'a'.repeat(40)}` })).toMatchObject({
      businessUnit: `p${'a'.repeat(40)}`,
    });
    expect(read({ u_business_unit: 'p9-x' })).toMatchObject({ businessUnit: 'p9-x' });
  });

  it('refuses an owner e-mail that is not one address with a dotted domain', () => {
    for (const email of ['a@b', 'a b@c.de', 'a@b@c.de', '@c.de', 'a@.de', 'a@c.', 'a@c.d e'])
      expect(read({ 'owned_by.email': email })).toEqual([
        { path: 'r.owned_by.email', problem: `"${email}" is not an e-mail address` },
      ]);
  });

  it('refuses a region that is not a lower-case region name', () => {
    for (const region of [
      'EU-west-1',
      'eu-west-12',
      'euw-west-1',
      'eu-west',
      'eu-west-x',
      'xeu-west-1',
      'eu-1',
    ])
      expect(read({ u_residency_region: region })).toEqual([
        { path: 'r.u_residency_region', problem: `"${region}" is not a region` },
      ]);
    expect(read({ u_residency_region: 'us-gov-west-1' })).toMatchObject({ residencyRegion: 'us-gov-west-1' });
  });

  it('names the region "region" when the policy reads it from no column, and reads no description without a column', () => {
    const policy: CmdbPolicy = {
      ...CMDB_POLICY,
      fields: { ...CMDB_POLICY.fields, residencyRegion: undefined, description: undefined },
      defaultResidencyRegion: 'moon-base',
    };
    // A field without columns reads none, whatever the row holds.
    const odd = { 'Stryker was here': 'eu-west-2', '': 'eu-west-3' };
    expect(read(odd, policy)).toEqual([{ path: 'r.region', problem: '"moon-base" is not a region' }]);
    const r = read(odd, { ...policy, defaultResidencyRegion: 'eu-north-1' });
    expect(r).toMatchObject({ residencyRegion: 'eu-north-1' });
    expect(r).not.toHaveProperty('description');
  });

  it('names every problem of a row at once', () => {
    expect(
      read({ sys_id: 'c i', name: '-', u_tier: 'x', 'owned_by.email': 'y', u_residency_region: 'z' }),
    ).toEqual([
      { path: 'r.sys_id', problem: '"c i" is not a CI id (1–64 letters, digits, . _ : -)' },
      { path: 'r.name', problem: '"-" gives no service id (svc_<slug>)' },
      { path: 'r.u_tier', problem: `"x" is not a known criticality (${TIERS})` },
      { path: 'r.owned_by.email', problem: '"y" is not an e-mail address' },
      { path: 'r.u_residency_region', problem: '"z" is not a region' },
    ]);
  });
});

describe('slugs', () => {
  it('drop accents, join words with one hyphen, trim hyphens and keep 62 characters', () => {
    expect(slugOf('--Zürich  Café__Ops--')).toBe('zurich-cafe-ops');
    expect(slugOf(`${'a'.repeat(70)}`)).toBe('a'.repeat(62));
  });
});

describe('reading an export', () => {
  const text = (rows: unknown[]) => JSON.stringify({ result: rows });

  it('takes a bare JSON array as the rows', () => {
    const { records, problems } = parseCmdbExport(JSON.stringify([row()]), 'json', CMDB_POLICY);
    expect([records.map((r) => r.path), problems]).toEqual([['result[0]'], []]);
  });

  it('refuses each row that is not an object, by its index', () => {
    const { records, problems } = parseCmdbExport(text([1, [row()], null, 'x', row()]), 'json', CMDB_POLICY);
    expect(records.map((r) => r.path)).toEqual(['result[4]']);
    expect(problems).toEqual([
      { path: 'result[0]', problem: 'must be an object' },
      { path: 'result[1]', problem: 'must be an object' },
      { path: 'result[2]', problem: 'must be an object' },
      { path: 'result[3]', problem: 'must be an object' },
    ]);
  });

  it('refuses a document without a result array, null included', () => {
    const problem = [{ path: 'result', problem: 'must be an array of cmdb_ci_service records' }];
    expect(parseCmdbExport('null', 'json', CMDB_POLICY)).toEqual({ records: [], problems: problem });
    expect(parseCmdbExport('{"result": {}}', 'json', CMDB_POLICY)).toEqual({
      records: [],
      problems: problem,
    });
  });

  it('refuses text that is not JSON with the parser’s words', () => {
    const words = (() => {
      try {
        JSON.parse('{"result": [');
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(parseCmdbExport('{"result": [', 'json', CMDB_POLICY)).toEqual({
      records: [],
      problems: [{ path: '(file)', problem: `is not JSON: ${words}` }],
    });
  });

  it('reads a CSV export with a byte-order mark, padded headers and blank lines, numbering lines from the header', () => {
    const csv = [
      '\ufeffsys_id, name ,busines_criticality,u_business_unit,owned_by.name,owned_by.email',
      '',
      'ci-1,Card Authorisation,1,payments,Owen,owen@example.com',
      'ci-2,Fraud Scoring,2,payments,Fay,fay@example.com',
    ].join('\n');
    const { records, problems } = parseCmdbExport(csv, 'csv', CMDB_POLICY);
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.path, r.cmdbCi, r.id])).toEqual([
      ['line 2', 'ci-1', 'svc_card-authorisation'],
      ['line 3', 'ci-2', 'svc_fraud-scoring'],
    ]);
  });

  it('refuses a CSV export the parser cannot read, with its words', () => {
    expect(parseCmdbExport('sys_id,name\n"ci-1,x', 'csv', CMDB_POLICY)).toEqual({
      records: [],
      problems: [
        {
          path: '(file)',
          problem: 'Quote Not Closed: the parsing is finished with an opening quote at line 2',
        },
      ],
    });
  });

  it('refuses a later row naming the same CI, or a name giving the same service id, after the first', () => {
    const { records, problems } = parseCmdbExport(
      text([
        row({ sys_id: 'bad id' }),
        row(),
        row({ name: 'Other' }),
        row({ sys_id: 'ci-002' }),
        row({ sys_id: 'ci-003', name: 'Third' }),
      ]),
      'json',
      CMDB_POLICY,
    );
    expect(records.map((r) => r.path)).toEqual(['result[1]', 'result[4]']);
    expect(problems).toEqual([
      { path: 'result[0].sys_id', problem: '"bad id" is not a CI id (1–64 letters, digits, . _ : -)' },
      { path: 'result[2]', problem: 'names the same CI or service as result[1]' },
      { path: 'result[3]', problem: 'names the same CI or service as result[1]' },
    ]);
  });
});

/** A record as readRow gives it. */
const record = (over: Partial<CmdbRecord> = {}): CmdbRecord => ({
  path: 'result[0]',
  id: 'svc_card-authorisation',
  cmdbCi: 'ci-001',
  name: 'Card Authorisation',
  description: 'Authorises cards',
  tier: 1,
  businessUnit: 'payments',
  owner: { name: 'Owen Service', email: 'owen@example.com' },
  residencyRegion: 'eu-west-1',
  ...over,
});

/** The service a record describes, as Accord holds it. */
const svc = (r: CmdbRecord, over: Parameters<typeof service>[0] = {}) =>
  service({
    id: r.id,
    name: r.name,
    description: r.description,
    cmdbCi: r.cmdbCi,
    tier: r.tier,
    businessUnit: r.businessUnit,
    owner: { ...r.owner },
    residencyRegion: r.residencyRegion,
    ...over,
  });

describe('planning a sync', () => {
  it('leaves a service alike in both unchanged, its owner e-mail compared in any case', () => {
    const r = record();
    expect(
      planCmdbSync(
        [r],
        [svc(r, { owner: { name: 'Owen Service', email: 'Owen@Example.com' } })],
        CMDB_POLICY,
      ),
    ).toEqual({ create: [], update: [], drift: [], unchanged: ['svc_card-authorisation'], problems: [] });
  });

  it('plans the creation of a record no service matches, as drift in the CMDB and not in Accord', () => {
    const r = record({ path: 'line 2' });
    expect(planCmdbSync([r], [], CMDB_POLICY)).toEqual({
      create: [r],
      update: [],
      drift: [
        { kind: 'in-cmdb-not-accord', serviceId: 'svc_card-authorisation', cmdbCi: 'ci-001', path: 'line 2' },
      ],
      unchanged: [],
      problems: [],
    });
  });

  it('plans the CMDB-owned fields that differ, and reports each governed field that differs as drift', () => {
    const r = record({ path: 'result[1]' });
    const s = svc(r, {
      name: 'Card Auth',
      description: 'Old words',
      cmdbCi: undefined,
      tier: 2,
      businessUnit: 'retail',
      owner: { name: 'Owen Other', email: 'owen@example.com' },
      residencyRegion: 'us-east-1',
      version: 7,
    });
    const at = { serviceId: 'svc_card-authorisation', cmdbCi: 'ci-001', path: 'result[1]' };
    expect(planCmdbSync([r], [s], CMDB_POLICY)).toEqual({
      create: [],
      update: [
        {
          serviceId: 'svc_card-authorisation',
          expectedVersion: 7,
          path: 'result[1]',
          changes: { name: 'Card Authorisation', description: 'Authorises cards', cmdbCi: 'ci-001' },
        },
      ],
      drift: [
        { kind: 'tier', ...at, cmdb: 1, accord: 2 },
        {
          kind: 'owner',
          ...at,
          cmdb: { name: 'Owen Service', email: 'owen@example.com' },
          accord: { name: 'Owen Other', email: 'owen@example.com' },
        },
        { kind: 'businessUnit', ...at, cmdb: 'payments', accord: 'retail' },
        { kind: 'residencyRegion', ...at, cmdb: 'eu-west-1', accord: 'us-east-1' },
      ],
      unchanged: [],
      problems: [],
    });
  });

  it('reports an owner e-mail that differs as drift', () => {
    const r = record();
    const plan = planCmdbSync(
      [r],
      [svc(r, { owner: { name: 'Owen Service', email: 'owen@old.example' } })],
      CMDB_POLICY,
    );
    expect(plan.drift.map((d) => [d.kind, d.accord])).toEqual([
      ['owner', { name: 'Owen Service', email: 'owen@old.example' }],
    ]);
    expect(plan.unchanged).toEqual([]);
  });

  it('writes only the fields the policy marks CMDB-owned, and a governed difference alone leaves the service not unchanged', () => {
    const r = record();
    const s = svc(r, { name: 'Card Auth', tier: 3 });
    const plan = planCmdbSync([r], [s], { ...CMDB_POLICY, cmdbOwned: ['description'] });
    expect([plan.update, plan.unchanged, plan.drift.map((d) => d.kind)]).toEqual([[], [], ['tier']]);
  });

  it('keeps the description Accord has when the CMDB row has none', () => {
    const r = record({ description: undefined });
    const plan = planCmdbSync([r], [svc(r, { description: 'Accord words' })], CMDB_POLICY);
    expect([plan.update, plan.unchanged]).toEqual([[], ['svc_card-authorisation']]);
  });

  it('ignores residency when the policy reads it from no column', () => {
    const r = record();
    const policy = { ...CMDB_POLICY, fields: { ...CMDB_POLICY.fields, residencyRegion: undefined } };
    const plan = planCmdbSync([r], [svc(r, { residencyRegion: 'us-east-1' })], policy);
    expect([plan.drift, plan.unchanged]).toEqual([[], ['svc_card-authorisation']]);
  });

  it('matches a record to the service holding its CI before the service named like it', () => {
    const r = record({ name: 'Fraud Scoring', id: 'svc_fraud-scoring' });
    const byCi = svc(record(), { version: 3 });
    const byName = svc(record({ id: 'svc_fraud-scoring', name: 'Fraud Scoring', cmdbCi: 'ci-999' }));
    const plan = planCmdbSync([r], [byCi, byName], CMDB_POLICY);
    expect(plan.update).toEqual([
      {
        serviceId: 'svc_card-authorisation',
        expectedVersion: 3,
        path: 'result[0]',
        changes: { name: 'Fraud Scoring' },
      },
    ]);
    expect(plan.drift).toEqual([
      { kind: 'in-accord-not-cmdb', serviceId: 'svc_fraud-scoring', cmdbCi: 'ci-999' },
    ]);
  });

  it('names a second record matching a service an earlier one matched by its name', () => {
    const s = svc(record(), { cmdbCi: undefined });
    const first = record({ cmdbCi: 'ci-A', path: 'line 2' });
    const second = record({ cmdbCi: 'ci-B', path: 'line 3' });
    expect(planCmdbSync([first, second], [s], CMDB_POLICY).problems).toEqual([
      {
        path: 'line 3',
        problem:
          'matches service svc_card-authorisation, which line 2 already matches (by its name): one service, one row',
      },
    ]);
  });

  it('reports each service the export does not name, with its CI when it has one, sunset ones aside', () => {
    const services = [
      service({ id: 'svc_a', cmdbCi: 'ci-a' }),
      service({ id: 'svc_b', cmdbCi: undefined }),
      service({ id: 'svc_c', status: 'active' }),
      service({ id: 'svc_d', status: 'sunset' }),
    ];
    const plan = planCmdbSync([], services, CMDB_POLICY);
    expect(plan.drift).toStrictEqual([
      { kind: 'in-accord-not-cmdb', serviceId: 'svc_a', cmdbCi: 'ci-a' },
      { kind: 'in-accord-not-cmdb', serviceId: 'svc_b' },
      { kind: 'in-accord-not-cmdb', serviceId: 'svc_c' },
    ]);
  });
});
