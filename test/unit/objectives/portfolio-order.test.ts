/**
 * The portfolio's order (the operations dashboard's and its cursor's), on the pure functions: the rank of a
 * row, the comparison of two rows and whether a row comes after a cursor's key. Rows are chosen so that the
 * tie-breakers (agreement id, then objective id) would give the opposite order to the one the rule gives.
 */
import { describe, expect, it } from 'vitest';
import {
  comparePortfolio,
  exhaustionRank,
  isAfter,
  type PortfolioItem,
  type PortfolioKey,
} from '../../../shared/domain/objectives/portfolio.js';
import type { ObjectiveStatus } from '../../../shared/domain/objectives/types.js';

function row(
  agreementId: string,
  objectiveId: string,
  status: ObjectiveStatus,
  remainingRatio: number | null,
  timeToExhaustionMinutes: number | null,
): PortfolioItem {
  return {
    agreementId,
    agreementVersion: 1,
    title: null,
    kind: null,
    serviceId: 'svc_pay',
    businessUnit: 'retail',
    objectiveId,
    name: objectiveId,
    status,
    evaluatedAt: '2026-04-08T00:00:00.000Z',
    target: 99.9,
    compliance: 99.95,
    budget: remainingRatio === null ? null : { remainingRatio, remainingMinutes: 0, totalMinutes: 40.32 },
    burnRates: [],
    timeToExhaustionMinutes,
    exhaustionLookbackMinutes: 336,
    reasons: [],
  };
}

describe('the rank of a portfolio row', () => {
  it('ranks a breached objective first (0) even when its forecast still gives it 300 minutes and budget left', () => {
    expect(exhaustionRank(row('agr_1', 'a', 'breached', 0.25, 300))).toBe(0);
    expect(exhaustionRank(row('agr_1', 'a', 'breached', null, null))).toBe(0);
  });

  it('ranks a budget with exactly nothing left first (0) even without a time to exhaustion', () => {
    expect(exhaustionRank(row('agr_1', 'a', 'at-risk', 0, null))).toBe(0);
    expect(exhaustionRank(row('agr_1', 'a', 'at-risk', 0, 120))).toBe(0);
  });

  it('ranks an overspent budget first (0) whatever its status says', () => {
    expect(exhaustionRank(row('agr_1', 'a', 'at-risk', -0.5, null))).toBe(0);
    expect(exhaustionRank(row('agr_1', 'a', 'healthy', -0.5, 900))).toBe(0);
  });

  it('ranks a burning objective with budget left by its minutes to exhaustion', () => {
    expect(exhaustionRank(row('agr_1', 'a', 'healthy', 0.5, 900))).toBe(900);
    expect(exhaustionRank(row('agr_1', 'a', 'at-risk', 0.1, 45))).toBe(45);
  });

  it('ranks an at-risk objective that does not burn after every burning one and before a healthy one that does not burn', () => {
    const atRisk = exhaustionRank(row('agr_1', 'a', 'at-risk', 0.9, null));
    const healthy = exhaustionRank(row('agr_1', 'a', 'healthy', 0.9, null));
    expect(atRisk).toBe(Number.MAX_SAFE_INTEGER);
    expect(healthy).toBe(Number.MAX_SAFE_INTEGER + 1);
  });
});

describe('the portfolio order', () => {
  it('lists an at-risk objective that does not burn before a healthy one that does not, though its ids sort later', () => {
    const healthy = row('agr_1', 'a', 'healthy', 0.9, null);
    const atRisk = row('agr_9', 'z', 'at-risk', 0.9, null);
    expect([healthy, atRisk].sort(comparePortfolio)).toEqual([atRisk, healthy]);
  });

  it('breaks a tie of rank by agreement id, then by objective id, in code-point order', () => {
    const a1z = row('agr_1', 'z', 'healthy', 0.5, 600);
    const a2a = row('agr_2', 'a', 'healthy', 0.5, 600);
    const a2b = row('agr_2', 'b', 'healthy', 0.5, 600);
    expect([a2b, a2a, a1z].sort(comparePortfolio)).toEqual([a1z, a2a, a2b]);
    expect([a1z, a2a, a2b].sort(comparePortfolio)).toEqual([a1z, a2a, a2b]);
    expect(comparePortfolio(a1z, a2a)).toBe(-1);
    expect(comparePortfolio(a2a, a1z)).toBe(1);
  });

  it('compares two rows of the same agreement and objective at the same rank as equal', () => {
    expect(
      comparePortfolio(row('agr_1', 'a', 'healthy', 0.5, 600), row('agr_1', 'a', 'healthy', 0.4, 600)),
    ).toBe(0);
  });
});

describe('whether a row comes after a cursor key', () => {
  const key: PortfolioKey = [600, 'agr_2', 'm'];

  it('puts a row of the same rank and a later agreement after the key, whatever its objective id', () => {
    expect(isAfter(row('agr_3', 'a', 'healthy', 0.5, 600), key)).toBe(true);
  });

  it('puts a row of the same rank and agreement after the key only when its objective id sorts later', () => {
    expect(isAfter(row('agr_2', 'n', 'healthy', 0.5, 600), key)).toBe(true);
    expect(isAfter(row('agr_2', 'l', 'healthy', 0.5, 600), key)).toBe(false);
    expect(isAfter(row('agr_2', 'm', 'healthy', 0.5, 600), key)).toBe(false);
  });

  it('keeps a row of the same rank and an earlier agreement before the key, even when its objective id sorts later', () => {
    expect(isAfter(row('agr_1', 'z', 'healthy', 0.5, 600), key)).toBe(false);
  });

  it('orders by rank before any id: a later rank is after the key, an earlier one is not', () => {
    expect(isAfter(row('agr_1', 'a', 'healthy', 0.5, 601), key)).toBe(true);
    expect(isAfter(row('agr_9', 'z', 'healthy', 0.5, 599), key)).toBe(false);
  });
});
