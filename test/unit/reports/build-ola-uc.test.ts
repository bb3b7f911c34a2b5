import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../shared/domain/reports/build.js';
import {
  AGR_A,
  AGR_B,
  AGR_O,
  AGR_U,
  AGR_U_WITHOUT_DATA,
  columnsOf,
  figure,
  inputs,
  rowsOf,
  summaryOf,
  tableOf,
} from '../../helpers/report-build.js';

// Four SLAs: agr_A met (both objectives, one at exactly its target) and
// relies on agr_O, agr_U and an agreement out of scope; agr_C missed (one missed, one without data) relies on agr_O;
// agr_D has one met and one without data (unknown) and agr_E no figures (unknown): both rely on agr_U.
const sla = (id: string, title: string, underpinnedBy: string[]) => ({ ...AGR_B, id, title, underpinnedBy });
const m = buildReport(
  inputs({
    type: 'ola-uc-performance',
    agreements: [
      AGR_U,
      sla('agr_E', 'E SLA', ['agr_U']),
      // An OLA naming the UC among what it relies on: only SLAs count as relying on a commitment here.
      { ...AGR_O, underpinnedBy: ['agr_U'] },
      sla('agr_D', 'D SLA', ['agr_U']),
      AGR_A,
      // An OLA no SLA relies on, its objectives given out of order.
      { ...AGR_O, id: 'agr_P', title: 'Print OLA', objectives: [] },
      sla('agr_C', 'Card SLA', ['agr_O']),
      // An SLA relying only on an agreement out of scope: not counted as having underpinning commitments.
      sla('agr_F', 'F SLA', ['agr_MISSING']),
    ],
    objectives: [
      figure('agr_A', 'availability', '2026-04', { target: 99.9, compliance: 99.95 }),
      figure('agr_A', 'latency', '2026-04', { target: 99, compliance: 99 }),
      figure('agr_C', 'x', '2026-04', { target: 99, compliance: 90 }),
      figure('agr_C', 'y', '2026-04', { target: 99, compliance: null }),
      figure('agr_D', 'x', '2026-04', { target: 99, compliance: 99.5 }),
      figure('agr_D', 'y', '2026-04', { target: 99, compliance: null }),
      figure('agr_O', 'mfa', '2026-04', { target: 99, compliance: 99.9 }),
      figure('agr_O', 'login', '2026-04', { target: 99, compliance: 98.5 }),
      figure('agr_O', 'login', '2026-03', { target: 99, compliance: 50 }),
      figure('agr_U', 'auth', '2026-04', { target: 99.95, compliance: null }),
      figure('agr_P', 'b', '2026-04', { target: 99, compliance: 98 }),
      figure('agr_P', 'a', '2026-04', { target: 99, compliance: 99 }),
      // A figure of an agreement out of scope that agr_A names: no row.
      figure('agr_MISSING', 'm', '2026-04', { compliance: 10 }),
    ],
  }),
);

describe('the OLA and UC performance report', () => {
  it('counts 4 SLAs relying on something in scope, 2 underpinning objectives missed under them, 5 OLA/UC objectives', () => {
    expect(m.title).toBe('OLA and UC performance');
    expect(summaryOf(m)).toEqual([
      'SLAs with underpinning commitments: #4/0',
      'Underpinning objectives missed: #2/0',
      'OLA/UC objectives: #5/0',
    ]);
    expect(m.notes).toEqual([
      'Figures are the calendar month’s compliance of each agreement in its own time zone.',
    ]);
  });

  it('puts each dependency’s objectives of the last month beside the SLA relying on it, with whether that SLA was met', () => {
    expect(m.sections.map((s) => `${s.id}: ${s.title}`)).toEqual([
      'against-slas: Against the SLAs that rely on them',
      'commitments: Underpinning commitments',
    ]);
    expect(m.sections[0]?.paragraphs).toEqual([
      'How each OLA and UC did in 2026-04 beside the SLA it underpins: a missed underpinning objective under a met SLA is a warning; under a missed SLA it is a likely cause.',
    ]);
    const t = tableOf(m, 'against-slas');
    expect(t?.title).toBe('SLA dependencies');
    expect(t?.empty).toBe('no SLA in scope relies on an OLA or UC in scope');
    expect(columnsOf(t)).toEqual([
      'sla:SLA',
      'slaTitle:SLA title',
      'slaMet:SLA met',
      'dependency:Dependency',
      'kind:Kind',
      'depTitle:Title',
      'provider:Provider:vendor-name',
      'objective:Objective',
      'target:Target',
      'compliance:Compliance',
      'met:Met',
    ]);
    const O = ['agr_O', 'OLA', 'Identity OLA', 'identity'];
    const U = AGR_U_WITHOUT_DATA;
    expect(rowsOf(t)).toEqual([
      ['agr_A', 'Payments SLA', '[met]', ...O, 'Logins', '%99/3', '%98.5/3', '[missed]'],
      ['agr_A', 'Payments SLA', '[met]', ...O, 'mfa', '%99/3', '%99.9/3', '[met]'],
      ['agr_A', 'Payments SLA', '[met]', ...U],
      ['agr_C', 'Card SLA', '[missed]', ...O, 'Logins', '%99/3', '%98.5/3', '[missed]'],
      ['agr_C', 'Card SLA', '[missed]', ...O, 'mfa', '%99/3', '%99.9/3', '[met]'],
      ['agr_D', 'D SLA', '[unknown]', ...U],
      ['agr_E', 'E SLA', '[unknown]', ...U],
    ]);
  });

  it('lists every OLA and UC objective with how many SLAs in scope rely on its agreement', () => {
    const t = tableOf(m, 'commitments');
    expect(t?.title).toBe('OLA and UC objectives');
    expect(t?.empty).toBe('no OLA or UC in scope');
    expect(columnsOf(t)).toEqual([
      'agreement:Agreement',
      'kind:Kind',
      'title:Title',
      'provider:Provider:vendor-name',
      'objective:Objective',
      'target:Target',
      'compliance:Compliance',
      'met:Met',
      'reliedOn:SLAs relying on it',
    ]);
    expect(rowsOf(t)).toEqual([
      ['agr_O', 'OLA', 'Identity OLA', 'identity', 'Logins', '%99/3', '%98.5/3', '[missed]', '#2/0'],
      ['agr_O', 'OLA', 'Identity OLA', 'identity', 'mfa', '%99/3', '%99.9/3', '[met]', '#2/0'],
      ['agr_P', 'OLA', 'Print OLA', 'identity', 'a', '%99/3', '%99/3', '[met]', '#0/0'],
      ['agr_P', 'OLA', 'Print OLA', 'identity', 'b', '%99/3', '%98/3', '[missed]', '#0/0'],
      [...AGR_U_WITHOUT_DATA, '#3/0'],
    ]);
  });
});
