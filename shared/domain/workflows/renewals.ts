/**
 * Calendar arithmetic of renewals and periodic reviews (issue 11 item 3). Pure: dates are ISO calendar dates
 * (YYYY-MM-DD) already read in the agreement's own time zone; no clock.
 */

const DAY = 86_400_000;
const utc = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** Whole calendar days from `today` to `date` (negative once it has passed). */
export function daysUntil(today: string, date: string): number {
  return Math.round((utc(date) - utc(today)) / DAY);
}

/**
 * The date `months` calendar months after `date`, the day clamped to the month's length (2026-01-31 + 1 month is
 * 2026-02-28), as contracts count a term.
 */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last)))
    .toISOString()
    .slice(0, 10);
}

/**
 * The reminder due with `daysLeft` days to go: the smallest offset (of `offsetsDays`, for example [90, 30, 7]) that
 * has been reached, or null before the first and once the date has come. Reminders that fell due together (a job
 * that did not run for weeks) collapse into the latest one; each is sent once by its key.
 */
export function dueReminder(offsetsDays: readonly number[], daysLeft: number): number | null {
  if (daysLeft <= 0) return null;
  const reached = offsetsDays.filter((o) => daysLeft <= o);
  return reached.length ? Math.min(...reached) : null;
}

/** The next review date after a review held on `reviewed`: every `everyMonths`, never on or before `today`. */
export function nextReviewDate(reviewed: string, everyMonths: number, today: string): string {
  let next = addMonths(reviewed, everyMonths);
  while (next <= today) next = addMonths(next, everyMonths);
  return next;
}

/** The calendar date `days` days after `date` (before it when negative). */
export function addDays(date: string, days: number): string {
  return new Date(utc(date) + days * DAY).toISOString().slice(0, 10);
}
