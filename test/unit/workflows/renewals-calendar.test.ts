import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  daysUntil,
  dueReminder,
  nextReviewDate,
} from '../../../shared/domain/workflows/renewals.js';

describe('renewal calendar arithmetic at its edges', () => {
  it('counts the days of a whole leap year, and a date already passed as negative', () => {
    expect(daysUntil('2028-01-01', '2029-01-01')).toBe(366);
    expect(daysUntil('2026-12-31', '2026-03-01')).toBe(-305); // March 1 → Dec 31 is 305 days (31+30+31+30+31+31+30+31+30+31−1)
    expect(daysUntil('2026-05-05', '2026-05-05')).toBe(0);
  });

  it('goes back a month with a negative count, clamping the day', () => {
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonths('2026-01-10', -2)).toBe('2025-11-10');
  });

  it('keeps a day that fits in the target month and clamps the 31st into a 30-day month', () => {
    expect(addMonths('2026-05-31', 1)).toBe('2026-06-30');
    expect(addMonths('2026-05-30', 2)).toBe('2026-07-30');
    expect(addMonths('2026-12-31', 2)).toBe('2027-02-28');
  });

  it('shifts a date forward across a year end and backward by days', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-07-04', 0)).toBe('2026-07-04');
  });
});

describe('dueReminder: the renewal reminder due', () => {
  it('picks the smallest offset reached whatever order the offsets are listed in', () => {
    expect(dueReminder([7, 90, 30], 20)).toBe(30);
    expect(dueReminder([7, 90, 30], 5)).toBe(7);
    expect(dueReminder([7, 90, 30], 60)).toBe(90);
  });

  it('is due on the day an offset is reached, and none once the date has passed', () => {
    expect(dueReminder([45], 45)).toBe(45);
    expect(dueReminder([45], 46)).toBeNull();
    expect(dueReminder([45], 0)).toBeNull(); // the date has come: no more reminders
    expect(dueReminder([45], -3)).toBeNull();
    expect(dueReminder([], 10)).toBeNull();
  });
});

describe('nextReviewDate', () => {
  it('never schedules a review on the day itself: a review due today moves on a cycle', () => {
    expect(nextReviewDate('2026-04-15', 6, '2026-10-15')).toBe('2027-04-15');
    expect(nextReviewDate('2026-04-15', 6, '2026-10-14')).toBe('2026-10-15');
  });

  it('steps as many cycles as a long-missed review needs', () => {
    expect(nextReviewDate('2024-01-15', 3, '2026-05-20')).toBe('2026-07-15'); // 2024-04-15, … 2026-04-15 (past), 2026-07-15
  });
});
