import { describe, expect, it } from 'vitest';
import {
  firedTriggers,
  missedInARow,
  type PeriodScore,
  type ScoredViolation,
  scorePeriods,
  type VendorTrigger,
} from '../../../shared/domain/chain/vendors.js';

const MAR = {
  label: '2027-03',
  start: Date.parse('2027-03-01T00:00:00Z'),
  end: Date.parse('2027-04-01T00:00:00Z'),
};
const APR = { label: '2027-04', start: MAR.end, end: Date.parse('2027-05-01T00:00:00Z') };

const v = (
  id: string,
  start: string,
  compliance: number | null,
  credit?: ScoredViolation['credit'],
): ScoredViolation => ({
  id,
  evidence: { window: { start }, compliance },
  ...(credit ? { credit } : {}),
});

describe("scorePeriods: a UC objective's periods on the vendor scorecard", () => {
  it('puts a violation in the period its window starts in: the start inclusive, the end exclusive', () => {
    const out = scorePeriods(
      [MAR, APR],
      [
        v('at-april-start', '2027-04-01T00:00:00.000Z', 98.5),
        v('last-ms-of-march', '2027-03-31T23:59:59.999Z', 99.1),
      ],
    );
    expect(out.map((p) => [p.period, p.missed, p.violationIds])).toEqual([
      ['2027-03', true, ['last-ms-of-march']],
      ['2027-04', true, ['at-april-start']],
    ]);
  });

  it('leaves a period without violations unmissed, with unknown compliance and no credits', () => {
    expect(scorePeriods([MAR], [v('before', '2027-02-28T23:59:59.999Z', 90)])).toStrictEqual([
      { period: '2027-03', compliancePercent: null, missed: false, violationIds: [], creditsOwed: [] },
    ]);
  });

  it("takes the compliance from the period's latest point, whatever the order they come in", () => {
    const points = [
      { at: Date.parse('2027-03-20T00:00:00Z'), compliance: 99.72 },
      { at: Date.parse('2027-03-31T23:00:00Z'), compliance: 99.41 },
      { at: Date.parse('2027-03-10T00:00:00Z'), compliance: 99.9 },
      { at: APR.start, compliance: 12.5 }, // April's, not March's
      { at: MAR.start, compliance: 50 },
    ];
    const out = scorePeriods([MAR, APR], [v('vio', '2027-03-05T00:00:00Z', 97.2)], points);
    expect(out.map((p) => p.compliancePercent)).toEqual([99.41, 12.5]);
  });

  it('of two latest points at the same instant, keeps the first one listed', () => {
    const at = Date.parse('2027-03-31T00:00:00Z');
    const out = scorePeriods(
      [MAR],
      [],
      [
        { at, compliance: 99.83 },
        { at, compliance: 99.12 },
      ],
    );
    expect(out[0]!.compliancePercent).toBe(99.83);
  });

  it('counts a point at the very start of the period as in it', () => {
    const out = scorePeriods([MAR], [], [{ at: MAR.start, compliance: 99.37 }]);
    expect(out[0]!.compliancePercent).toBe(99.37);
  });

  it('ignores points of unknown compliance, falling back to an earlier point', () => {
    const out = scorePeriods(
      [MAR],
      [],
      [
        { at: Date.parse('2027-03-02T00:00:00Z'), compliance: 99.61 },
        { at: Date.parse('2027-03-30T00:00:00Z'), compliance: null },
      ],
    );
    expect(out[0]!.compliancePercent).toBe(99.61);
  });

  it("without points takes the compliance of the first violation carrying a credit, else the first violation's", () => {
    const credited = scorePeriods(
      [MAR],
      [
        v('a', '2027-03-02T00:00:00Z', 98.7),
        v('b', '2027-03-09T00:00:00Z', 98.2, { amount: 120.25, currency: 'EUR', compliancePercent: 98.15 }),
      ],
    );
    expect(credited[0]!.compliancePercent).toBe(98.15);
    const plain = scorePeriods(
      [MAR],
      [v('a', '2027-03-02T00:00:00Z', 98.7), v('b', '2027-03-09T00:00:00Z', 98.2)],
    );
    expect(plain[0]!.compliancePercent).toBe(98.7);
    const unknown = scorePeriods([MAR], [v('a', '2027-03-02T00:00:00Z', null)]);
    expect(unknown[0]!.compliancePercent).toBeNull();
  });

  it('sums the credits owed per currency, to the cent, in the order the currencies first appear', () => {
    // EUR 0.1 + 0.2 = 0.30000000000000004 → 0.3; USD 250.125 + 10 = 260.125 → 260.13 (260.125 × 100 is 26012.5 → 26013).
    const out = scorePeriods(
      [MAR],
      [
        v('e1', '2027-03-02T00:00:00Z', 98, { amount: 0.1, currency: 'EUR', compliancePercent: 98 }),
        v('u1', '2027-03-03T00:00:00Z', 97, { amount: 250.125, currency: 'USD', compliancePercent: 97 }),
        v('plain', '2027-03-04T00:00:00Z', 96),
        v('e2', '2027-03-05T00:00:00Z', 95, { amount: 0.2, currency: 'EUR', compliancePercent: 95 }),
        v('u2', '2027-03-06T00:00:00Z', 94, { amount: 10, currency: 'USD', compliancePercent: 94 }),
      ],
    );
    expect(out[0]!.creditsOwed).toEqual([
      { currency: 'EUR', amount: 0.3 },
      { currency: 'USD', amount: 260.13 },
    ]);
    expect(out[0]!.violationIds).toEqual(['e1', 'u1', 'plain', 'e2', 'u2']);
  });
});

const s = (missed: boolean, period = 'p'): PeriodScore => ({
  period,
  compliancePercent: null,
  missed,
  violationIds: [],
  creditsOwed: [],
});
const seq = (pattern: string) => [...pattern].map((c) => s(c === 'x'));

describe('missedInARow: the latest unbroken run of missed periods', () => {
  it('counts back from the last period and stops at the first met one', () => {
    expect(missedInARow(seq('xx.xxx'))).toBe(3);
    expect(missedInARow(seq('xxxx.'))).toBe(0);
    expect(missedInARow(seq('xx'))).toBe(2);
    expect(missedInARow([])).toBe(0);
  });
});

describe('firedTriggers: the triggers as data that open a task for the UC owner', () => {
  const inARow: VendorTrigger = {
    id: 'two-in-a-row',
    missedInARow: 2,
    task: 'vendor-remediation',
    because: 'missed 2 in a row',
  };
  const threeOfSix: VendorTrigger = {
    id: 'three-of-six',
    missedOf: { count: 3, periods: 6 },
    task: 'renegotiation',
    because: 'missed 3 of 6',
  };
  const never: VendorTrigger = { id: 'no-condition', task: 'renegotiation', because: 'nothing to fire on' };
  const all = [inARow, threeOfSix, never];
  const fired = (pattern: string) => firedTriggers(all, seq(pattern)).map((t) => t.id);

  it('fires "2 in a row" at exactly 2 latest missed periods, not at 1', () => {
    expect(fired('.xx')).toEqual(['two-in-a-row']);
    expect(fired('x.x')).toEqual([]);
  });

  it('fires "3 of 6" at exactly 3 missed among the latest 6, not at 2, and not counting older periods', () => {
    // 7 periods: the oldest missed one falls outside the latest 6, which hold 2.
    expect(fired('x.x.x..')).toEqual([]);
    expect(fired('x.x.x.')).toEqual(['three-of-six']);
    expect(fired('xx.x...')).toEqual([]);
    expect(fired('.x.x.x')).toEqual(['three-of-six']);
  });

  it('fires both, in the order the policy lists them, and never one without a condition', () => {
    expect(fired('x.x.xx')).toEqual(['two-in-a-row', 'three-of-six']);
    expect(firedTriggers([threeOfSix, inARow, never], seq('x.x.xx')).map((t) => t.id)).toEqual([
      'three-of-six',
      'two-in-a-row',
    ]);
  });
});
