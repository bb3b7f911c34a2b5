import { describe, expect, it } from 'vitest';
import {
  approvalRefusal,
  type ExceptionRules,
  maxExcludedInAnyPeriod,
  overlapping,
  type WindowSpan,
  windowProblems,
} from '../../../shared/domain/agreements/exceptions.js';
import { principal } from '../../helpers/fixtures.js';

// What shared/domain/agreements/exceptions.ts promises, stated directly (until now only the e2e tests, which the
// mutation run does not use, reached it). Rules as in shared/policy/exceptions.ts's default, written out here so
// each expected value below can be computed by hand from them.
const rules: ExceptionRules = {
  emergencyBackdateHours: 72,
  plannedBackdateMinutes: 5,
  maxHours: { 'planned-maintenance': 8, emergency: 24 },
  maxExcludedHoursPerPeriod: 24,
  periodDays: 30,
  approvers: [
    { kind: 'customer-unit', role: 'sla-manager' },
    { kind: 'capacity', role: 'approver', capacities: ['governance-board', 'business-owner'] },
  ],
};

const H = 3_600_000;
const D = 24 * H;
/** A fixed instant: 1 December 2026, 00:00 UTC. */
const T0 = Date.UTC(2026, 11, 1);

const span = (id: string, startH: number, endH: number, objectiveId?: string): WindowSpan => ({
  id,
  ...(objectiveId === undefined ? {} : { objectiveId }),
  start: T0 + startH * H,
  end: T0 + endH * H,
});
const ids = (ws: WindowSpan[]) => ws.map((w) => w.id);

describe('which live exception windows a new one overlaps', () => {
  it('finds a window of the same objective that overlaps in time, and not one of another objective', () => {
    const live = [span('exw_same', 2, 4, 'availability'), span('exw_other', 2, 4, 'latency')];
    expect(ids(overlapping(span('exw_new', 3, 5, 'availability'), live))).toEqual(['exw_same']);
  });

  it('counts a whole-agreement window as covering every objective, on either side', () => {
    // Live whole-agreement window against a candidate for one objective, and the reverse.
    expect(ids(overlapping(span('exw_new', 3, 5, 'availability'), [span('exw_all', 2, 4)]))).toEqual([
      'exw_all',
    ]);
    expect(ids(overlapping(span('exw_new', 3, 5), [span('exw_one', 2, 4, 'latency')]))).toEqual(['exw_one']);
    expect(ids(overlapping(span('exw_new', 3, 5), [span('exw_all', 2, 4)]))).toEqual(['exw_all']);
  });

  it('does not count the window itself (a window being re-judged) as overlapping', () => {
    expect(overlapping(span('exw_a', 3, 5, 'availability'), [span('exw_a', 2, 6, 'availability')])).toEqual(
      [],
    );
  });

  it('treats windows that only touch end to start as not overlapping, on either side', () => {
    const candidate = span('exw_new', 4, 6, 'availability');
    // One ends exactly when the candidate starts, the other starts exactly when it ends: half-open [start, end).
    const live = [span('exw_before', 2, 4, 'availability'), span('exw_after', 6, 8, 'availability')];
    expect(overlapping(candidate, live)).toEqual([]);
    // One minute more on either side and each overlaps.
    const later = { ...candidate, start: candidate.start - 60_000 };
    expect(ids(overlapping(later, live))).toEqual(['exw_before']);
    const longer = { ...candidate, end: candidate.end + 60_000 };
    expect(ids(overlapping(longer, live))).toEqual(['exw_after']);
  });

  it('does not count windows wholly before or wholly after the candidate, nor another objective’s overlapping one', () => {
    const candidate = span('exw_new', 10, 12, 'availability');
    const live = [
      span('exw_before', 1, 3, 'availability'),
      span('exw_after', 20, 22, 'availability'),
      span('exw_other', 9, 13, 'latency'),
    ];
    expect(overlapping(candidate, live)).toEqual([]);
  });
});

describe('the most time a set of windows excludes within any period', () => {
  it('is zero without windows and a lone window’s length when it fits in the period', () => {
    expect(maxExcludedInAnyPeriod([], 30 * D)).toBe(0);
    expect(maxExcludedInAnyPeriod([span('a', 0, 5)], 30 * D)).toBe(5 * H);
  });

  it('sums the windows that fall within one period and leaves out those beyond it', () => {
    // 8 h on days 0, 10 and 20 fit in [day 0, day 30): 24 h. A fourth 8 h on day 35 fits with the last two only.
    const ws = [span('a', 0, 8), span('b', 240, 248), span('c', 480, 488), span('d', 840, 848)];
    expect(maxExcludedInAnyPeriod(ws, 30 * D)).toBe(24 * H);
    // A period shorter than the gaps holds one window at a time: 8 h.
    expect(maxExcludedInAnyPeriod(ws, 5 * D)).toBe(8 * H);
  });

  it('counts only the part of a window inside the period', () => {
    // A 20 h window with a 10 h period: at most 10 h of it fits.
    expect(maxExcludedInAnyPeriod([span('a', 0, 20)], 10 * H)).toBe(10 * H);
  });

  it('finds a maximum that only a period ending at a window’s end reaches (windows of different objectives overlap)', () => {
    // Period 10 h. A = [0, 20) h, B = [12, 15) h, C = [12, 18) h. The period [8, 18) h holds 10 + 3 + 6 = 19 h, which is
    // every hour B and C have and as much of A as a 10 h period can hold: the maximum. A period starting at a
    // window's start holds less: [0, 10) 10 h, [12, 22) 8 + 3 + 6 = 17 h.
    const ws = [span('a', 0, 20, 'availability'), span('b', 12, 15, 'latency'), span('c', 12, 18, 'errors')];
    expect(maxExcludedInAnyPeriod(ws, 10 * H)).toBe(19 * H);
  });
});

describe('the problems of a requested exception window', () => {
  it('accepts a maintenance window of exactly its longest length and refuses one 20 minutes longer, on end', () => {
    const exact = { ...span('exw_new', 0, 8), kind: 'planned-maintenance' as const };
    expect(windowProblems(rules, exact, [])).toEqual([]);
    // 8 h 20 min = 8.333… h, shown rounded to two decimals.
    const longer = { ...exact, end: exact.end + 20 * 60_000 };
    expect(windowProblems(rules, longer, [])).toEqual([
      { path: 'end', problem: 'a planned-maintenance window may last at most 8 h; this one lasts 8.33 h' },
    ]);
  });

  it('accepts an emergency of exactly 24 h, which is also exactly the period cap', () => {
    expect(windowProblems(rules, { ...span('exw_new', 0, 24), kind: 'emergency' }, [])).toEqual([]);
  });

  it('names on start each live window of the same objectives the new one overlaps', () => {
    const live = [span('exw_a', 2, 4, 'availability'), span('exw_b', 4.5, 6), span('exw_c', 2, 6, 'latency')];
    const candidate = { ...span('exw_new', 3, 5, 'availability'), kind: 'planned-maintenance' as const };
    expect(windowProblems(rules, candidate, live)).toEqual([
      { path: 'start', problem: 'overlaps exception window exw_a, which covers the same objectives' },
      { path: 'start', problem: 'overlaps exception window exw_b, which covers the same objectives' },
    ]);
  });

  it('refuses a window that takes the time excluded within 30 days over 24 h, and accepts one that reaches exactly 24 h', () => {
    // Live: 8 h on days 0, 10 and 20 (24 h within [day 0, day 30)).
    const live = [span('exw_1', 0, 8), span('exw_2', 240, 248), span('exw_3', 480, 488)];
    // 1.5 h on day 25 falls in the same 30 days: 25.5 h.
    const day25 = { ...span('exw_new', 600, 601.5), kind: 'planned-maintenance' as const };
    expect(windowProblems(rules, day25, live)).toEqual([
      {
        path: 'end',
        problem:
          'with this window, 25.5 h of this agreement would be excluded within 30 days; at most 24 h may be',
      },
    ]);
    // 1.5 h on day 31: no 30-day period holds it with all three (from day 10: 8 + 8 + 1.5 = 17.5 h); the most is the
    // 24 h already there, which the cap allows.
    const day31 = { ...span('exw_new', 744, 745.5), kind: 'planned-maintenance' as const };
    expect(windowProblems(rules, day31, live)).toEqual([]);
  });

  it('gives every problem of a window at once: too long, overlapping and over the period cap', () => {
    // A 20 h maintenance window over a live 8 h one of the whole agreement: 20 h > 8 h; overlaps; 20 + 8 = 28 h
    // wholly within 30 days.
    const live = [span('exw_1', 0, 8)];
    const candidate = { ...span('exw_new', 4, 24), kind: 'planned-maintenance' as const };
    expect(windowProblems(rules, candidate, live)).toEqual([
      { path: 'end', problem: 'a planned-maintenance window may last at most 8 h; this one lasts 20 h' },
      { path: 'start', problem: 'overlaps exception window exw_1, which covers the same objectives' },
      {
        path: 'end',
        problem:
          'with this window, 28 h of this agreement would be excluded within 30 days; at most 24 h may be',
      },
    ]);
  });
});

describe('who may decide a requested exception window', () => {
  const ctx = {
    providerUnit: 'payments',
    customerUnit: 'retail-banking',
    serviceId: 'svc_payments-gateway',
    requestedBy: 'rita@example.com',
  };
  const customerManager = principal({
    subject: 'carl@example.com',
    roles: ['sla-manager'],
    businessUnits: ['retail-banking'],
  });

  it('lets the customer unit’s SLA manager decide', () => {
    expect(approvalRefusal(rules, customerManager, ctx)).toBeUndefined();
  });

  it('lets an approver holding a named capacity decide, from any unit', () => {
    const board = principal({
      subject: 'bo@example.com',
      roles: ['approver'],
      signOffCapacities: ['business-owner'],
    });
    expect(approvalRefusal(rules, board, ctx)).toBeUndefined();
  });

  it('refuses the requester even when the requester would otherwise qualify', () => {
    expect(approvalRefusal(rules, { ...customerManager, subject: 'rita@example.com' }, ctx)).toEqual({
      path: 'subject',
      problem: 'the requester of an exception window cannot decide it',
    });
  });

  it('refuses anyone of the provider’s unit, even a customer-unit SLA manager', () => {
    const both = { ...customerManager, businessUnits: ['retail-banking', 'payments'] };
    expect(approvalRefusal(rules, both, ctx)).toEqual({
      path: 'businessUnits',
      problem: "an exception window is decided outside the provider's business unit",
    });
  });

  it('refuses the owner of the agreement’s service, even a customer-unit SLA manager', () => {
    const owner = { ...customerManager, services: ['svc_payments-gateway'] };
    expect(approvalRefusal(rules, owner, ctx)).toEqual({
      path: 'services',
      problem: "an exception window is decided outside the provider's business unit (you own its service)",
    });
  });

  it('refuses a customer-unit member without the named role, and a role holder without a named capacity', () => {
    const refusal = {
      path: 'roles',
      problem:
        'exception windows are decided by the customer side or by an approver the rules name (shared/policy/exceptions.ts)',
    };
    // In the customer unit, but a viewer.
    expect(approvalRefusal(rules, { ...customerManager, roles: ['viewer'] }, ctx)).toEqual(refusal);
    // A viewer holding the governance-board capacity: the capacity alone is not enough.
    const capacityOnly = principal({
      subject: 'v@example.com',
      roles: ['viewer'],
      signOffCapacities: ['governance-board'],
    });
    expect(approvalRefusal(rules, capacityOnly, ctx)).toEqual(refusal);
    // An approver whose only capacity is legal, which the rules do not name.
    const legal = principal({ subject: 'l@example.com', roles: ['approver'], signOffCapacities: ['legal'] });
    expect(approvalRefusal(rules, legal, ctx)).toEqual(refusal);
    // An SLA manager of another customer unit.
    expect(approvalRefusal(rules, { ...customerManager, businessUnits: ['wealth'] }, ctx)).toEqual(refusal);
  });
});
