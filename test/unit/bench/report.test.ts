import { describe, expect, it } from 'vitest';
import {
  type BenchEntry,
  exitCode,
  formatTable,
  type Latest,
  meets,
  mergeSuite,
  withoutSuite,
} from '../../bench/report.js';

const AT = '2026-11-30T17:00:00.000Z';
const BEFORE = '2026-11-29T09:00:00.000Z';

const stale = (suite: string | undefined, name: string, value = 1): Latest['results'][number] =>
  ({ name, value, unit: 'ms', measuredAt: BEFORE, ...(suite ? { suite } : {}) }) as Latest['results'][number];

describe('a benchmark target', () => {
  it('is met at its limit by <= and >=, and not by < and >', () => {
    expect(meets(200, { op: '<=', limit: 200 })).toBe(true);
    expect(meets(200, { op: '>=', limit: 200 })).toBe(true);
    expect(meets(512, { op: '<', limit: 512 })).toBe(false);
    expect(meets(150, { op: '>', limit: 150 })).toBe(false);
  });

  it('is missed just beyond its limit in the direction the comparator forbids', () => {
    expect(meets(200.01, { op: '<=', limit: 200 })).toBe(false);
    expect(meets(511.9, { op: '<', limit: 512 })).toBe(true);
    expect(meets(149_999, { op: '>=', limit: 150_000 })).toBe(false);
    expect(meets(150_001, { op: '>', limit: 150_000 })).toBe(true);
  });

  it('is never met by a figure that is not a number (an empty run gives NaN)', () => {
    expect(meets(Number.NaN, { op: '<=', limit: 200 })).toBe(false);
    expect(meets(Number.NaN, { op: '>=', limit: 0 })).toBe(false);
    expect(meets(Number.POSITIVE_INFINITY, { op: '>=', limit: 0 })).toBe(false);
  });
});

describe('the printed table', () => {
  const { stored } = mergeSuite(
    { results: [], suites: {} },
    'reports',
    [
      {
        name: 'reports.agreement_pdf.ms',
        value: 210.4,
        unit: 'ms (one agreement)',
        target: { op: '<=', limit: 200 },
      },
      { name: 'reports.peak_rss_mb', value: 300, unit: 'MB', target: { op: '<', limit: 512 } },
      { name: 'reports.load.s', value: 12.345, unit: 's' },
    ],
    AT,
  );
  const lines = formatTable(stored).split('\n');
  const cells = (l: string) => l.split(/\s{2,}/);

  it('has a column each for value, target, met and unit, in that order after the name', () => {
    expect(cells(lines[0]!)).toEqual(['name', 'value', 'target', 'met', 'unit']);
  });

  it('shows a missed target as MISSED beside its value and target, with the unit alone in its column', () => {
    expect(cells(lines[1]!)).toEqual([
      'reports.agreement_pdf.ms',
      '210',
      '<= 200',
      'MISSED',
      'ms (one agreement)',
    ]);
  });

  it('shows a met target as met', () => {
    expect(cells(lines[2]!)).toEqual(['reports.peak_rss_mb', '300', '< 512', 'met', 'MB']);
  });

  it('leaves target and met blank for a figure without a target', () => {
    expect(lines[3]).toMatch(/^reports\.load\.s\s+12\.35\s+s$/);
  });
});

describe('recording a suite in latest.json', () => {
  const entries: BenchEntry[] = [
    { name: 'reports.agreement_pdf.ms', value: 250, unit: 'ms', target: { op: '<=', limit: 200 } },
    { name: 'reports.portfolio_1k.s', value: 3, unit: 's', target: { op: '<=', limit: 10 } },
  ];
  const before: Latest = {
    results: [
      stale('reports', 'reports.agreement_pdf.ms', 90),
      stale('reports', 'reports.gone.s'),
      stale('api', 'api.get_agreement.p99_ms', 4),
      stale(undefined, 'reports.portfolio_1k.s', 2),
      stale(undefined, 'evaluate.warm.s', 7),
    ],
    suites: { api: { status: 'ok', at: BEFORE } },
  };
  const { latest, missed } = mergeSuite(before, 'reports', entries, AT);

  it('replaces every figure the suite wrote before, including one it no longer measures', () => {
    const mine = latest.results.filter((r) => r.name.startsWith('reports.'));
    expect(mine.map((r) => [r.name, r.value, r.measuredAt])).toEqual([
      ['reports.agreement_pdf.ms', 250, AT],
      ['reports.portfolio_1k.s', 3, AT],
    ]);
  });

  it("keeps other suites' figures and statuses as they were", () => {
    expect(latest.results.find((r) => r.name === 'api.get_agreement.p99_ms')?.value).toBe(4);
    expect(latest.results.find((r) => r.name === 'evaluate.warm.s')?.value).toBe(7);
    expect(latest.suites.api).toEqual({ status: 'ok', at: BEFORE });
  });

  it('stores whether each target was met and names the missed ones in the status and the returned list', () => {
    expect(latest.results.find((r) => r.name === 'reports.agreement_pdf.ms')?.met).toBe(false);
    expect(latest.results.find((r) => r.name === 'reports.portfolio_1k.s')?.met).toBe(true);
    expect(missed).toEqual(['reports.agreement_pdf.ms 250 ms, target <= 200']);
    expect(latest.suites.reports).toEqual({ status: 'missed', at: AT, missed });
  });

  it('says ok when every target is met', () => {
    const ok = mergeSuite(before, 'reports', [entries[1]!], AT);
    expect(ok.missed).toEqual([]);
    expect(ok.latest.suites.reports).toEqual({ status: 'ok', at: AT });
  });

  it('does not change the record it was given', () => {
    expect(before.results).toHaveLength(5);
    expect(before.suites.reports).toBeUndefined();
  });
});

describe('a suite that failed or was skipped', () => {
  const before: Latest = {
    results: [
      stale('reports', 'reports.agreement_pdf.ms', 90),
      stale(undefined, 'reports.portfolio_1k.s', 2),
      stale('api', 'api.get_agreement.p99_ms', 4),
    ],
    suites: { reports: { status: 'ok', at: BEFORE } },
  };

  it('leaves none of its figures behind, even those written before suites were recorded, and says why it failed', () => {
    const after = withoutSuite(
      before,
      'reports',
      'failed',
      new Error('reports child failed: out of memory'),
      AT,
    );
    expect(after.results.map((r) => r.name)).toEqual(['api.get_agreement.p99_ms']);
    expect(after.suites.reports).toEqual({
      status: 'failed',
      at: AT,
      error: 'reports child failed: out of memory',
    });
  });

  it('is marked skipped with the reason when it did not run', () => {
    const after = withoutSuite(before, 'reports', 'skipped', 'not present (./reports.ts)', AT);
    expect(after.results.map((r) => r.name)).toEqual(['api.get_agreement.p99_ms']);
    expect(after.suites.reports).toEqual({ status: 'skipped', at: AT, error: 'not present (./reports.ts)' });
  });
});

describe('the exit code of npm run bench', () => {
  it('is 0 when every target was met, 3 when one was missed and 1 when a suite failed, whatever was missed', () => {
    expect(exitCode(0, 0)).toBe(0);
    expect(exitCode(0, 2)).toBe(3);
    expect(exitCode(1, 0)).toBe(1);
    expect(exitCode(1, 2)).toBe(1);
  });
});
