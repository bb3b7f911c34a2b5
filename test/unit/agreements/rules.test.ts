import { describe, expect, it } from 'vitest';
import { canTake, materialFieldsIn } from '../../../shared/domain/agreements/lifecycle.js';
import { contentProblems, dateProblems, localDate } from '../../../shared/domain/agreements/rules.js';
import { agreementBody } from '../../helpers/fixtures.js';

const all = new Set(['effectiveFrom', 'effectiveTo', 'reviewCycle']);

describe('date rules', () => {
  it('judges backdating in the agreement time zone, not in UTC', () => {
    // 23:30 UTC on 30 Nov is already 1 Dec in Auckland.
    const now = new Date('2026-11-30T23:30:00Z');
    expect(localDate(now, 'Pacific/Auckland')).toBe('2026-12-01');
    const a = {
      ...agreementBody(),
      timeZone: 'Pacific/Auckland',
      effectiveFrom: '2026-11-30',
      effectiveTo: '2027-11-30',
    };
    expect(dateProblems(a, now, all).map((p) => p.path)).toEqual(['effectiveFrom']);
    expect(dateProblems({ ...a, timeZone: 'Europe/London' }, now, all)).toEqual([]);
  });

  it('refuses an end before the start', () => {
    const a = { ...agreementBody(), effectiveFrom: '2027-01-10', effectiveTo: '2027-01-09' };
    expect(dateProblems(a, new Date('2026-11-01T00:00:00Z'), all)).toContainEqual(
      expect.objectContaining({ path: 'effectiveTo' }),
    );
  });

  it('does not judge an unchanged old start date', () => {
    const a = { ...agreementBody(), effectiveFrom: '2025-01-01', effectiveTo: '2027-01-01' };
    expect(dateProblems(a, new Date('2026-11-01T00:00:00Z'), new Set(['title']))).toEqual([]);
  });
});

describe('content rules', () => {
  it('refuses duplicate objective ids and credits pointing at no objective', () => {
    const o = agreementBody().objectives[0]!;
    const a = {
      ...agreementBody(),
      objectives: [o, o],
      credits: {
        currency: 'EUR',
        monthlyCharge: 1,
        objectiveId: 'latency',
        tiers: [{ belowPercent: 99, creditPercent: 5 }],
        capPercent: 100,
      },
    };
    expect(contentProblems(a).map((p) => p.path)).toEqual(['objectives[1].id', 'credits.objectiveId']);
  });

  it('lets an SLA or an OLA be underpinned but not a UC, and wants a vendor to provide a UC', () => {
    const uc = { ...agreementBody(), kind: 'UC' as const, underpinnedBy: ['agr_01JAAAAAAAAAAAAAAAAAAAAAAA'] };
    expect(contentProblems(uc).map((p) => p.path)).toEqual(['underpinnedBy', 'parties.provider.type']);
    const ola = {
      ...agreementBody(),
      kind: 'OLA' as const,
      underpinnedBy: ['agr_01JAAAAAAAAAAAAAAAAAAAAAAA'],
    };
    expect(contentProblems(ola)).toEqual([]);
  });
});

describe('the lifecycle table', () => {
  const cases: [Parameters<typeof canTake>[0], Parameters<typeof canTake>[1], boolean][] = [
    ['submit', 'draft', true],
    ['submit', 'approved', false],
    ['activate', 'approved', true],
    ['activate', 'submitted', false],
    ['retire', 'active', false],
    ['retire', 'sunset', true],
    ['update', 'retired', false],
  ];
  for (const [step, from, ok] of cases) {
    it(`${ok ? 'allows' : 'refuses'} ${step} from ${from}`, () => expect(canTake(step, from)).toBe(ok));
  }

  it('treats objectives and credits as material, the title as administrative', () => {
    expect(materialFieldsIn(['title', 'objectives', 'credits', 'reviewCycle'])).toEqual([
      'objectives',
      'credits',
    ]);
  });
});
