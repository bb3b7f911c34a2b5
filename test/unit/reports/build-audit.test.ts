import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../shared/domain/reports/build.js';
import type { CreditFigure, ViolationFigure } from '../../../shared/domain/reports/figures.js';
import {
  AGR_A,
  columnsOf,
  creditFigure,
  figure,
  inputs,
  LONDON_APRIL,
  rowsOf,
  summaryOf,
  tableOf,
  UTC_APRIL,
  violationFigure,
} from '../../helpers/report-build.js';

const rec = (
  agreementId: string,
  objectiveId: string,
  compliance: number | null,
  totalEvents: number,
  creditPercent: number | null = null,
  creditAmount: number | null = null,
  note?: string,
) => ({
  agreementId,
  objectiveId,
  compliance,
  goodEvents: 0,
  totalEvents,
  creditPercent,
  creditAmount,
  note,
});

const credit = (over: Partial<CreditFigure>): CreditFigure =>
  creditFigure({ objectiveId: 'latency', ...LONDON_APRIL, compliancePercent: 98.5, amount: 100.5, ...over });
const violation = (agreementId: string, objectiveId: string, c?: CreditFigure): ViolationFigure =>
  violationFigure({
    id: `vio_${agreementId}_${objectiveId}`,
    agreementId,
    objectiveId,
    serviceId: 'svc',
    status: 'open',
    credit: c,
  });

// Tolerance 0.25 points. Engine figures of April (and one of March, not compared).
const audit = buildReport(
  inputs({
    type: 'sla-audit',
    settings: { repeatOffenderThreshold: 3, auditTolerancePoints: 0.25, maxCharts: 50 },
    objectives: [
      figure('agr_A', 'availability', '2026-04', { compliance: 99.75, totalEvents: 100_000 }),
      figure('agr_A', 'availability', '2026-03', { compliance: 1, totalEvents: 1 }),
      figure('agr_A', 'latency', '2026-04', { compliance: 98, totalEvents: 5001 }),
      figure('agr_O', 'login', '2026-04', { compliance: 99.5, totalEvents: 7 }),
      figure('agr_U', 'auth', '2026-04', { compliance: null, totalEvents: 1000 }),
    ],
    violations: [
      violation('agr_A', 'latency', credit({})),
      // A credit of February–March: not April's, not compared.
      violation(
        'agr_B',
        'availability',
        credit({
          agreementId: 'agr_B',
          periodStart: '2026-02-01T00:00:00.000Z',
          periodEnd: '2026-03-01T00:00:00.000Z',
        }),
      ),
      violation('agr_O', 'login'),
    ],
    audit: {
      recomputed: [
        rec('agr_U', 'auth', 97, 1000, 5, 25),
        rec('agr_GONE', 'x', 50, 10),
        rec('agr_B', 'availability', 99, 300, null, null, 'bucket rollups incomplete'),
        rec('agr_A', 'latency', 98.5, 5000, 10, 100.5),
        rec('agr_O', 'login', null, 0),
        rec('agr_A', 'availability', 99.5, 100_000),
      ],
      reported: {
        source: 'archive/reports/2026-04/monthly.json',
        figures: [
          { agreementId: 'agr_A', objectiveId: 'availability', compliance: 99.5 },
          { agreementId: 'agr_A', objectiveId: 'latency', compliance: 97 },
        ],
      },
    },
  }),
);

describe('the periodic SLA audit', () => {
  it('checks each recomputed objective in scope against the engine, the published report and the stored credit, row by row', () => {
    const t = tableOf(audit, 'checks');
    expect(t?.title).toBe('Checks for 2026-04');
    expect(t?.empty).toBe('nothing to audit in scope');
    expect(columnsOf(t)).toEqual([
      'agreement:Agreement',
      'objective:Objective',
      'check:Check',
      'expected:Recomputed',
      'found:Stored or reported',
      'difference:Difference',
      'result:Result',
    ]);
    const E = 'compliance: engine vs raw evidence';
    const N = 'events counted: engine vs raw evidence';
    const P = 'compliance: published report vs raw evidence';
    const C = 'credit compliance: stored vs raw evidence';
    const K = 'credit %: stored vs recomputed';
    const M = 'credit amount: stored vs recomputed';
    expect(rowsOf(t)).toEqual([
      // 99.75 − 99.5 = 0.25: exactly the tolerance, a match.
      ['agr_A', 'availability', E, '%99.5/4', '%99.75/4', '#0.25/4', '[match]'],
      ['agr_A', 'availability', N, '#100000/0', '#100000/0', '#0/4', '[match]'],
      ['agr_A', 'availability', P, '%99.5/4', '%99.5/4', '#0/4', '[match]'],
      ['agr_A', 'latency', E, '%98.5/4', '%98/4', '#-0.5/4', '[difference]'],
      // Events must match exactly: one more is a difference.
      ['agr_A', 'latency', N, '#5000/0', '#5001/0', '#1/4', '[difference]'],
      ['agr_A', 'latency', P, '%98.5/4', '%97/4', '#-1.5/4', '[difference]'],
      ['agr_A', 'latency', C, '%98.5/4', '%98.5/4', '#0/4', '[match]'],
      ['agr_A', 'latency', K, '%10/0', '%10/0', '#0/4', '[match]'],
      ['agr_A', 'latency', M, 'EUR 100.5', 'EUR 100.5', '#0/4', '[match]'],
      // No engine figure, no published figure: not checked, not a difference.
      ['agr_B', 'availability', E, '%99/4', '—', '—', '[not-checked]'],
      ['agr_B', 'availability', N, '#300/0', '—', '—', '[not-checked]'],
      ['agr_B', 'availability', P, '%99/4', '—', '—', '[not-checked]'],
      // Nothing recomputed: not checked.
      ['agr_O', 'login', E, '%null/4', '%99.5/4', '—', '[not-checked]'],
      ['agr_O', 'login', N, '#0/0', '#7/0', '#7/4', '[difference]'],
      ['agr_O', 'login', P, '%null/4', '—', '—', '[not-checked]'],
      // The engine has no figure where the evidence has one; a credit is due and none was stored.
      ['agr_U', 'auth', E, '%97/4', '%null/4', '—', '[difference]'],
      ['agr_U', 'auth', N, '#1000/0', '#1000/0', '#0/4', '[match]'],
      ['agr_U', 'auth', P, '%97/4', '—', '—', '[not-checked]'],
      ['agr_U', 'auth', C, '%97/4', '%null/4', '—', '[difference]'],
      ['agr_U', 'auth', K, '%5/0', '%null/0', '—', '[difference]'],
      ['agr_U', 'auth', M, 'USD 25', 'USD null', '—', '[difference]'],
    ]);
  });

  it('counts 5 objectives audited, 21 checks: 7 matches, 8 differences, 6 not checked', () => {
    expect(audit.title).toBe('Periodic SLA audit');
    expect(summaryOf(audit)).toEqual([
      'Objectives audited: #5/0',
      'Checks: #21/0',
      'Matches: #7/0',
      'Differences: #8/0',
      'Not checked: #6/0',
    ]);
  });

  it('spells out every difference with what was recomputed and what was found', () => {
    expect(audit.sections[0]?.id).toBe('differences');
    expect(audit.sections[0]?.title).toBe('Differences');
    expect(audit.sections[1]?.title).toBe('Every check');
    expect(audit.sections[0]?.paragraphs).toEqual([
      'Difference: agr_A/latency, compliance: engine vs raw evidence: recomputed 98.5, found 98',
      'Difference: agr_A/latency, events counted: engine vs raw evidence: recomputed 5000, found 5001',
      'Difference: agr_A/latency, compliance: published report vs raw evidence: recomputed 98.5, found 97',
      'Difference: agr_O/login, events counted: engine vs raw evidence: recomputed 0, found 7',
      'Difference: agr_U/auth, compliance: engine vs raw evidence: recomputed 97, found nothing',
      'Difference: agr_U/auth, credit compliance: stored vs raw evidence: recomputed 97, found nothing',
      'Difference: agr_U/auth, credit %: stored vs recomputed: recomputed 5, found nothing',
      'Difference: agr_U/auth, credit amount: stored vs recomputed: recomputed 25, found nothing',
    ]);
  });

  it('notes the method, the tolerance, each recomputation’s own note and where published figures were read', () => {
    expect(audit.notes).toEqual([
      'The audit recomputes each objective’s month from the raw 5-minute rollup buckets (summed one by one, not from the running totals the engine reads) and recomputes credits from the contract’s tiers with its own arithmetic, then compares with what the engine computes, what was stored with each violation and what the published report said.',
      'Compliance figures within 0.25 percentage points are taken as the same (rounding).',
      'agr_B/availability: bucket rollups incomplete',
      'Published figures read from archive/reports/2026-04/monthly.json.',
    ]);
  });

  it('without a published report compares no published figures and says so; with no difference it says that', () => {
    const m = buildReport(
      inputs({
        type: 'sla-audit',
        objectives: [figure('agr_A', 'availability', '2026-04', { compliance: 99.5, totalEvents: 10 })],
        audit: { recomputed: [rec('agr_A', 'availability', 99.5, 10, 0, 0)] },
      }),
    );
    // A recomputed credit of 0% with none stored: nothing to compare, not a missing credit.
    expect(rowsOf(tableOf(m, 'checks'))).toEqual([
      [
        'agr_A',
        'availability',
        'compliance: engine vs raw evidence',
        '%99.5/4',
        '%99.5/4',
        '#0/4',
        '[match]',
      ],
      [
        'agr_A',
        'availability',
        'events counted: engine vs raw evidence',
        '#10/0',
        '#10/0',
        '#0/4',
        '[match]',
      ],
      [
        'agr_A',
        'availability',
        'credit compliance: stored vs raw evidence',
        '%99.5/4',
        '—',
        '—',
        '[not-checked]',
      ],
      ['agr_A', 'availability', 'credit %: stored vs recomputed', '%0/0', '—', '—', '[not-checked]'],
      ['agr_A', 'availability', 'credit amount: stored vs recomputed', 'EUR 0', '—', '—', '[not-checked]'],
    ]);
    expect(m.sections[0]?.paragraphs).toEqual([
      'No differences: every figure checked matches the raw evidence.',
    ]);
    expect(m.notes.at(-1)).toBe(
      'No published monthly report for 2026-04 was found in the archive: published figures were not compared.',
    );
    expect(m.notes).toHaveLength(3);
  });

  it('compares a stored credit the recomputation gives none for, and has nothing to audit without recomputations', () => {
    const m = buildReport(
      inputs({
        type: 'sla-audit',
        // A UTC April credit: its period starts in the audited month.
        violations: [
          violation('agr_A', 'latency', credit({ ...UTC_APRIL, creditPercent: 10, amount: 100.5 })),
        ],
        audit: { recomputed: [rec('agr_A', 'latency', 99.5, 10, null, null)] },
      }),
    );
    expect(rowsOf(tableOf(m, 'checks')).slice(2)).toEqual([
      [
        'agr_A',
        'latency',
        'credit compliance: stored vs raw evidence',
        '%99.5/4',
        '%98.5/4',
        '#-1/4',
        '[difference]',
      ],
      ['agr_A', 'latency', 'credit %: stored vs recomputed', '%null/0', '%10/0', '—', '[not-checked]'],
      [
        'agr_A',
        'latency',
        'credit amount: stored vs recomputed',
        'EUR null',
        'EUR 100.5',
        '—',
        '[not-checked]',
      ],
    ]);
    expect(m.sections[0]?.paragraphs).toEqual([
      'Difference: agr_A/latency, credit compliance: stored vs raw evidence: recomputed 99.5, found 98.5',
    ]);
    const none = buildReport(inputs({ type: 'sla-audit' }));
    expect(summaryOf(none)).toEqual([
      'Objectives audited: #0/0',
      'Checks: #0/0',
      'Matches: #0/0',
      'Differences: #0/0',
      'Not checked: #0/0',
    ]);
  });

  it('writes credit amounts in the contract’s currency, else the stored credit’s, else EUR', () => {
    const noTerms = { ...AGR_A, credits: undefined };
    const amountRow = (violations: ViolationFigure[]) =>
      rowsOf(
        tableOf(
          buildReport(
            inputs({
              type: 'sla-audit',
              agreements: [noTerms],
              violations,
              audit: { recomputed: [rec('agr_A', 'latency', 98.5, 10, 10, 100.5)] },
            }),
          ),
          'checks',
        ),
      ).at(-1);
    expect(amountRow([violation('agr_A', 'latency', credit({ ...UTC_APRIL, currency: 'GBP' }))])).toEqual([
      'agr_A',
      'latency',
      'credit amount: stored vs recomputed',
      'GBP 100.5',
      'GBP 100.5',
      '#0/4',
      '[match]',
    ]);
    expect(amountRow([])?.slice(3, 5)).toEqual(['EUR 100.5', 'EUR null']);
    // With terms, their currency: USD for agr_U.
    expect(rowsOf(tableOf(audit, 'checks')).at(-1)?.[3]).toBe('USD 25');
  });
});
