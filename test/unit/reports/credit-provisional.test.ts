import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../shared/domain/reports/build.js';
import type { CreditFigure, ViolationFigure } from '../../../shared/domain/reports/figures.js';
import { creditFigure, inputs, rowsOf, tableOf, violationFigure } from '../../helpers/report-build.js';

const credit = (violationId: string, final: boolean): CreditFigure => creditFigure({ violationId, final });
const violation = (c: CreditFigure): ViolationFigure =>
  violationFigure({ id: c.violationId, agreementId: c.agreementId, objectiveId: c.objectiveId, credit: c });

/** A credit of a month still running is provisional, and the statement says so where the reader looks. */
describe('a credit statement with a provisional credit', () => {
  // Built inside each test, not while the file loads (Stryker switches a mutant on only around a test).
  const statement = () =>
    buildReport(
      inputs({
        type: 'credit-statement',
        violations: [violation(credit('vio_final', true)), violation(credit('vio_running', false))],
      }),
    );

  it('marks each credit final or provisional in the owed table', () => {
    const rows = rowsOf(tableOf(statement(), 'owed'));
    if (rows === 'no table') throw new Error('the statement has no owed table');
    expect(rows.map((r) => [r[0], r[5]])).toEqual([
      ['vio_final', 'final'],
      ['vio_running', 'provisional'],
    ]);
  });

  it("says in a provisional credit's steps that its month is still running, and nothing of the kind for a final one", () => {
    const m = statement();
    const paragraphs = (id: string) => m.sections.find((s) => s.id === `steps-${id}`)?.paragraphs;
    expect(paragraphs('vio_running')).toEqual([
      'Payments SLA, objective availability: every step as stored with the violation (provisional: the month is still running).',
    ]);
    expect(paragraphs('vio_final')).toEqual([
      'Payments SLA, objective availability: every step as stored with the violation.',
    ]);
  });
});
