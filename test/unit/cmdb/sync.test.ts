import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCmdbExport, planCmdbSync, slugOf } from '../../../shared/domain/cmdb/sync.js';
import { CMDB_POLICY, loadCmdbPolicy } from '../../../shared/policy/cmdb.js';
import type { Service } from '../../../shared/schemas/service.js';
import { CMDB_CSV_EXPORT, CMDB_JSON_EXPORT } from '../../helpers/cmdb.js';
import { service } from '../../helpers/fixtures.js';

/** Accord's side: one service matching exactly, one of each mismatch kind, one the CMDB does not name. */
function accordServices(): Service[] {
  const owner = (name: string, email: string) => ({ name, email });
  return [
    service({
      id: 'svc_card-authorisation',
      name: 'Card Authorisation',
      tier: 1,
      businessUnit: 'payments',
      cmdbCi: '0b1f0d3a1b2c4d5e6f70819a2b3c4d5e',
      owner: owner('Owen Service', 'owen.service@accord.local'),
      description: 'Authorises card payments at the point of sale',
    }),
    service({
      id: 'svc_fraud-scoring',
      name: 'Fraud Scoring',
      tier: 2,
      businessUnit: 'payments',
      cmdbCi: undefined,
      owner: owner('Fay Fraud', 'fay@old.example'),
      description: 'Scores transactions for fraud',
    }),
    service({
      id: 'svc_statement-printing',
      name: 'Statement printing',
      tier: 2,
      businessUnit: 'payments',
      cmdbCi: '2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a',
      owner: owner('Petra Print', 'petra.print@accord.local'),
      description: undefined,
    }),
    service({
      id: 'svc_payment-gateway',
      name: 'Payment Gateway',
      tier: 4,
      businessUnit: 'retail',
      cmdbCi: '3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b',
      owner: owner('Gail Gateway', 'gail.gateway@accord.local'),
      description: undefined,
    }),
    service({
      id: 'svc_branch-kiosk',
      name: 'Branch Kiosk',
      tier: 3,
      businessUnit: 'payments',
      cmdbCi: undefined,
      owner: owner('Kim Kiosk', 'kim@accord.local'),
    }),
  ];
}

describe('reading a ServiceNow cmdb_ci_service export', () => {
  it('reads the Table API JSON shape, taking criticality labels, dot-walked owner columns and the default region', () => {
    const { records } = parseCmdbExport(CMDB_JSON_EXPORT, 'json', CMDB_POLICY);
    expect(records.map((r) => [r.path, r.id, r.tier])).toEqual([
      ['result[0]', 'svc_card-authorisation', 1],
      ['result[1]', 'svc_fraud-scoring', 2],
      ['result[2]', 'svc_statement-printing', 3],
      ['result[3]', 'svc_payment-gateway', 4],
      ['result[4]', 'svc_mobile-wallet', 2],
    ]);
    expect(records[0]).toMatchObject({
      cmdbCi: '0b1f0d3a1b2c4d5e6f70819a2b3c4d5e',
      owner: { name: 'Owen Service', email: 'owen.service@accord.local' },
      businessUnit: 'payments',
      residencyRegion: 'eu-west-1',
    });
  });

  it('reports a bad JSON row by its path and column and keeps the good rows', () => {
    const { records, problems } = parseCmdbExport(CMDB_JSON_EXPORT, 'json', CMDB_POLICY);
    expect(records).toHaveLength(5);
    expect(problems).toEqual([
      {
        path: 'result[5].busines_criticality',
        problem: expect.stringContaining('"5 - trivial" is not a known criticality'),
      },
      { path: 'result[5].owned_by.email', problem: '"not-an-address" is not an e-mail address' },
    ]);
  });

  it('reads a CSV list export and names a bad row by its line number (the header is line 1)', () => {
    const { records, problems } = parseCmdbExport(CMDB_CSV_EXPORT, 'csv', CMDB_POLICY);
    expect(records.map((r) => r.id)).toEqual([
      'svc_card-authorisation',
      'svc_fraud-scoring',
      'svc_statement-printing',
      'svc_payment-gateway',
      'svc_mobile-wallet',
    ]);
    expect(records[1]!.owner).toEqual({ name: 'Fay Fraud', email: 'fay.fraud@accord.local' });
    expect(problems).toEqual([{ path: 'line 7.sys_id', problem: 'is empty: cmdbCi is required' }]);
  });

  it('prefers u_tier over busines_criticality when the row has both', () => {
    const row = {
      sys_id: 'abc',
      name: 'Tiered',
      u_tier: '3',
      busines_criticality: '1 - most critical',
      'owned_by.name': 'T',
      'owned_by.email': 't@x.example',
      u_business_unit: 'payments',
    };
    expect(parseCmdbExport(JSON.stringify({ result: [row] }), 'json', CMDB_POLICY).records[0]!.tier).toBe(3);
  });

  it('reads a reference object by its display value when the export was taken with sysparm_display_value', () => {
    const row = {
      sys_id: 'abc',
      name: 'Ref',
      busines_criticality: '1 - most critical',
      owned_by: { display_value: 'Rae Ref', link: 'https://x' },
      'owned_by.email': 'rae@x.example',
      u_business_unit: 'payments',
    };
    expect(
      parseCmdbExport(JSON.stringify({ result: [row] }), 'json', CMDB_POLICY).records[0]!.owner.name,
    ).toBe('Rae Ref');
  });

  it('refuses a second row naming the same CI, by the second row', () => {
    const row = {
      sys_id: 'abc',
      name: 'Twice',
      busines_criticality: '2',
      'owned_by.name': 'T',
      'owned_by.email': 't@x.example',
      u_business_unit: 'payments',
    };
    const { records, problems } = parseCmdbExport(
      JSON.stringify({ result: [row, row] }),
      'json',
      CMDB_POLICY,
    );
    expect(records).toHaveLength(1);
    expect(problems).toEqual([{ path: 'result[1]', problem: 'names the same CI or service as result[0]' }]);
  });

  it('answers a document that is not the Table API shape with one problem at result', () => {
    expect(parseCmdbExport('{"records": []}', 'json', CMDB_POLICY).problems).toEqual([
      { path: 'result', problem: 'must be an array of cmdb_ci_service records' },
    ]);
    expect(parseCmdbExport('{', 'json', CMDB_POLICY).problems[0]!.path).toBe('(file)');
  });

  it('walks a dotted column through reference objects only: through a text value it reads nothing, not the text’s own properties', () => {
    // An export taken without display values holds a reference as its sys_id text; a policy column
    // `short_description.length` must not read that text's length.
    const policy = {
      ...CMDB_POLICY,
      fields: { ...CMDB_POLICY.fields, description: ['short_description.length'] },
    };
    const row = {
      sys_id: 'abc',
      name: 'Walked',
      busines_criticality: '2',
      short_description: 'a text, not a reference',
      'owned_by.name': 'T',
      'owned_by.email': 't@x.example',
      u_business_unit: 'payments',
    };
    const record = parseCmdbExport(JSON.stringify({ result: [row] }), 'json', policy).records[0]!;
    expect(record.name).toBe('Walked');
    expect(record).not.toHaveProperty('description');
  });

  it('slugs display names into service ids', () => {
    expect(slugOf('  Café Payments / EU ')).toBe('cafe-payments-eu');
  });
});

describe('planning a CMDB sync against Accord', () => {
  for (const [format, text] of [
    ['json', CMDB_JSON_EXPORT],
    ['csv', CMDB_CSV_EXPORT],
  ] as const) {
    it(`reports one drift of each kind for the ${format} export and plans only CMDB-owned writes`, () => {
      const { records } = parseCmdbExport(text, format, CMDB_POLICY);
      const plan = planCmdbSync(records, accordServices(), CMDB_POLICY);
      expect(plan.create.map((r) => r.id)).toEqual(['svc_mobile-wallet']);
      expect(plan.drift.map((d) => [d.kind, d.serviceId, d.cmdb, d.accord])).toEqual([
        [
          'owner',
          'svc_fraud-scoring',
          { name: 'Fay Fraud', email: 'fay.fraud@accord.local' },
          { name: 'Fay Fraud', email: 'fay@old.example' },
        ],
        ['tier', 'svc_statement-printing', 3, 2],
        ['businessUnit', 'svc_payment-gateway', 'payments', 'retail'],
        ['in-cmdb-not-accord', 'svc_mobile-wallet', undefined, undefined],
        ['in-accord-not-cmdb', 'svc_branch-kiosk', undefined, undefined],
      ]);
      // Name and CI are CMDB-owned: written. Tier, owner and business unit never are.
      expect(plan.update).toEqual([
        {
          serviceId: 'svc_fraud-scoring',
          expectedVersion: 1,
          path: format === 'json' ? 'result[1]' : 'line 3',
          changes: { cmdbCi: '1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f' },
        },
        {
          serviceId: 'svc_statement-printing',
          expectedVersion: 1,
          path: format === 'json' ? 'result[2]' : 'line 4',
          changes: { name: 'Statement Printing' },
        },
      ]);
      expect(plan.unchanged).toEqual(
        ['svc_card-authorisation', 'svc_payment-gateway'].filter((id) => id !== 'svc_payment-gateway'),
      );
    });
  }

  it('writes nothing the policy does not mark CMDB-owned', () => {
    const policy = { ...CMDB_POLICY, cmdbOwned: [] };
    const { records } = parseCmdbExport(CMDB_JSON_EXPORT, 'json', policy);
    expect(planCmdbSync(records, accordServices(), policy).update).toEqual([]);
  });

  it('does not report a sunset service as missing from the CMDB', () => {
    const services = [service({ id: 'svc_old', status: 'sunset' })];
    expect(planCmdbSync([], services, CMDB_POLICY).drift).toEqual([]);
  });
});

describe('the CMDB policy file', () => {
  it('is refused on load when a field names a column that is not a column, or marks a governed field CMDB-owned', () => {
    const doc = JSON.parse(readFileSync('shared/policy/cmdb.json', 'utf8'));
    expect(() => loadCmdbPolicy({ ...doc, cmdbOwned: ['tier'] })).toThrow(/cmdbOwned\.0/);
    expect(() => loadCmdbPolicy({ ...doc, fields: { ...doc.fields, name: ['bad column!'] } })).toThrow(
      /fields\.name\.0: must be a column name/,
    );
  });
});

describe('two rows of an export matching one service', () => {
  it('plans the first and names the second as a problem, instead of two updates racing on one version', () => {
    const csv = [
      'sys_id,name,busines_criticality,u_business_unit,owned_by.name,owned_by.email',
      // Matches svc_card-authorisation by its CI, under a new name.
      '0b1f0d3a1b2c4d5e6f70819a2b3c4d5e,Card Auth,1 - most critical,payments,Owen Service,owen.service@accord.local',
      // Another CI whose name gives the same service id: it would set the service's CI to its own.
      'ffff0d3a1b2c4d5e6f70819a2b3c4d5e,Card Authorisation,1 - most critical,payments,Owen Service,owen.service@accord.local',
    ].join('\n');
    const parsed = parseCmdbExport(csv, 'csv', CMDB_POLICY);
    expect(parsed.problems).toEqual([]);
    const plan = planCmdbSync(parsed.records, accordServices(), CMDB_POLICY);
    expect(plan.update).toEqual([
      expect.objectContaining({
        serviceId: 'svc_card-authorisation',
        path: 'line 2',
        changes: { name: 'Card Auth' },
      }),
    ]);
    expect(plan.problems).toEqual([
      {
        path: 'line 3',
        problem:
          'matches service svc_card-authorisation, which line 2 already matches (by its CI): one service, one row',
      },
    ]);
  });
});

describe("an export over the policy's row limit (red team, wave 32)", () => {
  // 5 MB of one-character CSV rows is 2.5 million rows: read into 15 million problems, the server out of memory.
  const policy = { ...CMDB_POLICY, maxRows: 3 };
  const csv = (rows: number) => `sys_id,name\n${'x,y\n'.repeat(rows)}`;

  it('reads a CSV export of exactly maxRows rows, each row judged on its own', () => {
    const r = parseCmdbExport(csv(3), 'csv', policy);
    expect(r.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['line 2.name', 'line 4.name']));
    expect(r.problems.some((p) => p.path === '(file)')).toBe(false);
  });

  it('refuses a CSV export of one row more with one problem naming the file and the limit, reading no row', () => {
    expect(parseCmdbExport(csv(4), 'csv', policy)).toEqual({
      records: [],
      problems: [
        { path: '(file)', problem: 'holds more than 3 rows; an export holds at most 3: split the file' },
      ],
    });
  });

  it('reads a JSON export of exactly maxRows records and refuses one more with one problem naming result', () => {
    expect(parseCmdbExport(JSON.stringify({ result: [0, 0, 0] }), 'json', policy).problems).toEqual([
      { path: 'result[0]', problem: 'must be an object' },
      { path: 'result[1]', problem: 'must be an object' },
      { path: 'result[2]', problem: 'must be an object' },
    ]);
    expect(parseCmdbExport(JSON.stringify({ result: [0, 0, 0, 0] }), 'json', policy)).toEqual({
      records: [],
      problems: [{ path: 'result', problem: 'holds 4 rows; an export holds at most 3: split the file' }],
    });
  });

  it('is policy data, checked on load: a whole number from 1 to 1,000,000, 100,000 as shipped', () => {
    const doc = JSON.parse(readFileSync('shared/policy/cmdb.json', 'utf8'));
    expect(CMDB_POLICY.maxRows).toBe(100_000);
    expect(() => loadCmdbPolicy({ ...doc, maxRows: 0 })).toThrow(/maxRows/);
    expect(() => loadCmdbPolicy({ ...doc, maxRows: 1.5 })).toThrow(/maxRows/);
    expect(() => loadCmdbPolicy({ ...doc, maxRows: 1_000_001 })).toThrow(/maxRows/);
  });
});
