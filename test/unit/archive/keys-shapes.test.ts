import { describe, expect, it } from 'vitest';
import { archiveKey, isArchiveKey, keySegment, reportScope } from '../../../shared/domain/archive/keys.js';

describe('isArchiveKey: the keys the archive accepts', () => {
  it('accepts /-separated segments of letters, digits, dots, underscores and dashes', () => {
    expect(isArchiveKey('reports/monthly-compliance/2027-03/portfolio-customer/rep_01.pdf')).toBe(true);
    expect(isArchiveKey('A')).toBe(true);
    expect(isArchiveKey('9/x.y_z-w')).toBe(true);
  });

  it('refuses an empty key, an empty segment, and a segment starting with a dot, dash or underscore', () => {
    for (const key of ['', 'a//b', '/a', 'a/', '.hidden', 'a/-x', 'a/_x', 'a b', 'a/é', 'a\\b'])
      expect(isArchiveKey(key), key).toBe(false);
  });

  it('refuses . and .. and any segment holding two dots in a row', () => {
    for (const key of ['a/./b', 'a/../b', 'a/b..c', 'x..', 'a/b/..'])
      expect(isArchiveKey(key), key).toBe(false);
    expect(isArchiveKey('a/b.c.d')).toBe(true);
  });

  it('takes a segment of up to 128 characters and a key of up to 512', () => {
    expect(isArchiveKey('a'.repeat(128))).toBe(true);
    expect(isArchiveKey('a'.repeat(129))).toBe(false);
    // One segment of 128 and three of 127 with 3 slashes: 512 characters; one more segment of one: 514.
    const k512 = ['a'.repeat(128), 'b'.repeat(127), 'c'.repeat(127), 'd'.repeat(127)].join('/');
    expect(k512).toHaveLength(512);
    expect(isArchiveKey(k512)).toBe(true);
    expect(isArchiveKey(`${k512}/e`)).toBe(false);
    // Five segments of 127: 639 characters, each segment good, the key too long.
    expect(isArchiveKey(Array(5).fill('f'.repeat(127)).join('/'))).toBe(false);
  });
});

describe('reportScope: the scope segment of a published report', () => {
  it('names the portfolio or a unit, the audience and the party when there is one', () => {
    expect(reportScope(undefined, 'customer')).toBe('portfolio-customer');
    expect(reportScope(undefined, 'customer', 'acme')).toBe('portfolio-customer-acme');
    expect(reportScope('payments', 'internal')).toBe('unit.payments-internal');
    expect(reportScope('portfolio', 'internal', 'ops')).toBe('unit.portfolio-internal-ops');
    expect(reportScope('', 'internal', '')).toBe('portfolio-internal');
  });
});

describe('keySegment: a free-form value made safe for a key', () => {
  it('lower-cases, turns each run of other characters into one dash and drops a leading non-alphanumeric run', () => {
    expect(keySegment('Payments & Cards')).toBe('payments-cards');
    expect(keySegment('  --Über Team_2.0')).toBe('ber-team_2.0');
    expect(keySegment('EU/West')).toBe('eu-west');
    expect(keySegment('a..b')).toBe('a..b');
    expect(keySegment('...x')).toBe('x');
  });

  it('keeps a trailing dash and cuts to 100 characters', () => {
    expect(keySegment('team!')).toBe('team-');
    expect(keySegment(`${'x'.repeat(99)}yz`)).toBe(`${'x'.repeat(99)}y`);
  });

  it("says 'none' when nothing usable is left", () => {
    expect(keySegment('')).toBe('none');
    expect(keySegment('!!!')).toBe('none');
    expect(keySegment('._-')).toBe('none');
  });
});

describe('archiveKey: where each kind of record lives', () => {
  it('puts a report under its type, period and scope', () => {
    expect(
      archiveKey({
        type: 'report',
        reportType: 'Monthly-Compliance',
        period: '2027-03',
        scope: 'unit.payments-customer',
        id: 'RPT_01',
        extension: 'PDF',
      }),
    ).toBe('reports/monthly-compliance/2027-03/unit.payments-customer/rpt_01.pdf');
  });

  it('fills in report, undated and portfolio for a report that says none of them', () => {
    expect(archiveKey({ type: 'report', id: 'r1', extension: 'json' })).toBe(
      'reports/report/undated/portfolio/r1.json',
    );
  });

  it('puts a credit statement under its agreement and period, else the portfolio', () => {
    expect(
      archiveKey({
        type: 'credit-statement',
        agreementId: 'agr_01ABC',
        period: '2027-04',
        id: 'cs1',
        extension: 'csv',
      }),
    ).toBe('credit-statements/agr_01abc/2027-04/cs1.csv');
    expect(archiveKey({ type: 'credit-statement', id: 'cs2', extension: 'csv' })).toBe(
      'credit-statements/portfolio/undated/cs2.csv',
    );
  });

  it('puts a violation under its agreement and period, else unknown', () => {
    expect(
      archiveKey({
        type: 'violation',
        agreementId: 'agr_9',
        period: '2027-04-02',
        id: 'vio_1',
        extension: 'json',
      }),
    ).toBe('violations/agr_9/2027-04-02/vio_1.json');
    expect(archiveKey({ type: 'violation', id: 'vio_2', extension: 'json' })).toBe(
      'violations/unknown/undated/vio_2.json',
    );
  });
});
