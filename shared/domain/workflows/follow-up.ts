/**
 * Follow-up of a task with a deadline (a sign-off, an RCA, a CAPA item): reminders at offsets before the deadline,
 * then escalation one level of the escalation matrix at a time once it is overdue. Pure: time is a parameter.
 */

export interface FollowUpPolicy {
  /** Hours before the deadline at which to remind, in decreasing order (for example [24, 4]). */
  remindBeforeHours: readonly number[];
  /** Once overdue, one more escalation level every this many hours. */
  escalateEveryHours: number;
}

/** What was done so far: how many reminders were sent, the highest escalation level reached (0: none). */
export interface FollowUpProgress {
  reminders: number;
  level: number;
}

export interface FollowUpDecision {
  /** The reminder to send now (its index in remindBeforeHours), or null. Reminders that fell due together send once. */
  remind: number | null;
  /** The escalation level to escalate to now, or null. */
  escalateTo: number | null;
  next: FollowUpProgress;
  overdue: boolean;
}

const HOUR = 3_600_000;

/**
 * Decides what is due at `nowMs` for a task due at `dueAtMs`. The k-th reminder is due at dueAt − offset[k]; all due
 * and unsent reminders collapse into the latest one. Overdue by d, the level due is 1 + ⌊d / escalateEvery⌋, capped at
 * `maxLevel` (the levels of the agreement's matrix, or the tier default); each level is escalated to once.
 */
export function followUp(
  dueAtMs: number,
  nowMs: number,
  progress: FollowUpProgress,
  policy: FollowUpPolicy,
  maxLevel: number,
): FollowUpDecision {
  let remind: number | null = null;
  let reminders = progress.reminders;
  const overdue = nowMs >= dueAtMs;
  if (!overdue) {
    for (const [k, hours] of policy.remindBeforeHours.entries()) {
      if (k >= reminders && nowMs >= dueAtMs - hours * HOUR) {
        remind = k;
        reminders = k + 1;
      }
    }
  } else reminders = policy.remindBeforeHours.length;
  let escalateTo: number | null = null;
  let level = progress.level;
  // Only an overdue task escalates, and only to a level of the matrix: before the deadline ⌊negative / step⌋ ≤ −1 makes
  // `due` ≤ 0, and with no level (maxLevel 0) it is 0, never above a level reached (≥ 0).
  const due = Math.min(maxLevel, 1 + Math.floor((nowMs - dueAtMs) / (policy.escalateEveryHours * HOUR)));
  if (due > level) {
    escalateTo = due;
    level = due;
  }
  return { remind, escalateTo, next: { reminders, level }, overdue };
}

/**
 * The instant a local calendar date (YYYY-MM-DD) begins in an IANA time zone, as epoch ms: midnight there (the first
 * of two when the clocks go back at midnight), or the end of the gap where the clocks skip midnight.
 */
export function startOfLocalDay(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  // The zone's offset at a moment, from how that moment reads there; applied twice for DST edges.
  const format = formatterFor(timeZone);
  const offset = (t: number) => {
    const parts = format.formatToParts(t);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - t;
  };
  const first = guess - offset(guess);
  const start = guess - offset(first);
  // Where midnight falls in a spring-forward gap (America/Havana, America/Santiago: 00:00 → 01:00), `start` reads
  // 23:00 the day before; the day then begins at the gap's end, the old offset's midnight `guess - offset(start)`.
  // Everywhere else that is at or before `start`, which reads midnight (the first midnight when it repeats).
  return Math.max(start, guess - offset(start));
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Building a DateTimeFormat costs far more than using one: one per zone. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const f =
    formatters.get(timeZone) ??
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  formatters.set(timeZone, f);
  return f;
}
