import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  daysUntil,
  dueReminder,
  nextReviewDate,
} from '../../../shared/domain/workflows/renewals.js';

describe('the calendar of renewals and reviews', () => {
  it.each([
    ['2026-01-15', 1, '2026-02-15'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2026-09-01', 12, '2027-09-01'],
    ['2026-11-30', 3, '2027-02-28'],
  ])('%s plus %i month(s) is %s (the day clamped to the month)', (date, months, want) => {
    expect(addMonths(date, months)).toBe(want);
  });

  it('counts whole days to a date across a DST change, and shifts dates by days', () => {
    expect(daysUntil('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysUntil('2026-09-02', '2026-09-01')).toBe(-1);
    expect(addDays('2026-09-01', -30)).toBe('2026-08-02');
  });

  it.each([
    [91, null],
    [90, 90],
    [31, 90],
    [30, 30],
    [8, 30],
    [7, 7],
    [1, 7],
    [0, null],
  ])('with %i day(s) left, the reminder due is %s (of 90/30/7)', (left, want) => {
    expect(dueReminder([90, 30, 7], left)).toBe(want);
  });

  it('schedules the next review one cycle after the one held, and never in the past', () => {
    expect(nextReviewDate('2026-04-15', 6, '2026-04-17')).toBe('2026-10-15');
    expect(nextReviewDate('2026-04-15', 6, '2026-11-01')).toBe('2027-04-15');
  });
});
