import { describe, expect, it } from 'vitest';
import {
  AUDIENCES,
  FORMATS,
  REPORT_SCHEMA,
  REPORT_TYPES,
  SENSITIVE_CLASSES,
  tablesOf,
} from '../../../shared/domain/reports/model.js';

describe("the reports' vocabulary", () => {
  it('names the six report types, four audiences, four formats and six sensitive classes the policy and API use', () => {
    expect(REPORT_TYPES).toEqual([
      'monthly-compliance',
      'credit-statement',
      'violation-trends',
      'ola-uc-performance',
      'error-budget',
      'sla-audit',
    ]);
    expect(AUDIENCES).toEqual(['internal', 'customer', 'vendor', 'auditor']);
    expect(FORMATS).toEqual(['html', 'pdf', 'csv', 'json']);
    expect(SENSITIVE_CLASSES).toEqual([
      'internal-contact',
      'cost',
      'indemnity',
      'customer-name',
      'vendor-name',
      'business-unit',
    ]);
    expect(REPORT_SCHEMA).toBe('accord.report/v1');
  });

  it('walks every table of every section in order', () => {
    const t = (id: string) => ({ id, title: id, columns: [], rows: [], empty: '' });
    const s = (id: string, tables: ReturnType<typeof t>[]) => ({
      id,
      title: id,
      paragraphs: [],
      tables,
      charts: [],
    });
    expect(
      tablesOf({ sections: [s('a', [t('1'), t('2')]), s('b', []), s('c', [t('3')])] }).map((x) => x.id),
    ).toEqual(['1', '2', '3']);
  });
});
