/**
 * Calendar arithmetic in an agreement's IANA time zone, DST-correct, using only Intl (no clock reads).
 * Instants are epoch milliseconds; local dates are { year, month (1-12), day }.
 */
import type { Interval } from './intervals.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

interface LocalParts extends LocalDate {
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock date and time at an instant in a time zone. */
export function localParts(ms: number, timeZone: string): LocalParts {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(ms)) {
    // Stryker disable next-line ConditionalExpression: a literal part (the "/", ", " and ":" between fields) stored as p.literal is never read
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour! % 24, minute: p.minute! };
}

/** The zone's offset from UTC at an instant, in milliseconds (east positive), to the minute. */
export function offsetAt(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return asUtc - (ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS));
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local time. A local time skipped by a
 * spring-forward change moves forward by the gap (01:30 becomes 02:30 summer time, as Temporal's
 * "compatible" rule does); a repeated one (fall back) maps to its first occurrence.
 */
export function zonedToUtc(d: LocalDate, minutesOfDay: number, timeZone: string): number {
  // Pure, and asked again for the same days on every evaluation: remembered (bounded).
  const key = `${timeZone}|${d.year}-${d.month}-${d.day}|${minutesOfDay}`;
  const known = zonedMemo.get(key);
  if (known !== undefined) return known;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: clearing the memo of a pure function sooner, later or never changes no answer, only the memory it holds
  if (zonedMemo.size >= ZONED_MEMO_MAX) zonedMemo.clear();
  const t = computeZonedToUtc(d, minutesOfDay, timeZone);
  zonedMemo.set(key, t);
  return t;
}

const ZONED_MEMO_MAX = 100_000;
const zonedMemo = new Map<string, number>();

function computeZonedToUtc(d: LocalDate, minutesOfDay: number, timeZone: string): number {
  const wall = Date.UTC(d.year, d.month - 1, d.day) + minutesOfDay * MINUTE_MS;
  // The offsets in force a day either side; a wall time maps through one of them (or none, in a gap).
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const early = wall - before;
  // Stryker disable next-line ConditionalExpression: with equal offsets early and late are the same instant, which every path below returns; the shortcut saves two Intl calls
  if (before === after) return early;
  const late = wall - after;
  const earlyOk = offsetAt(early, timeZone) === before;
  const lateOk = offsetAt(late, timeZone) === after;
  if (earlyOk && lateOk) return Math.min(early, late);
  if (lateOk) return late;
  return early;
}

export function addDays(d: LocalDate, n: number): LocalDate {
  const x = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: x.getUTCFullYear(), month: x.getUTCMonth() + 1, day: x.getUTCDate() };
}

/** ISO weekday of a local date: 0 = Monday … 6 = Sunday. */
export function weekdayOf(d: LocalDate): number {
  return (new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7;
}

export function isoDate(d: LocalDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function localDateOf(ms: number, timeZone: string): LocalDate {
  const p = localParts(ms, timeZone);
  return { year: p.year, month: p.month, day: p.day };
}

export type CalendarUnit = 'week' | 'month' | 'quarter';

/** The calendar period (ISO week from Monday, month, quarter) containing an instant, in the zone's wall time. */
export function calendarPeriod(unit: CalendarUnit, ms: number, timeZone: string): Interval {
  const d = localDateOf(ms, timeZone);
  let first: LocalDate;
  let next: LocalDate;
  if (unit === 'week') {
    first = addDays(d, -weekdayOf(d));
    next = addDays(first, 7);
  } else {
    const span = unit === 'month' ? 1 : 3;
    const m0 = Math.floor((d.month - 1) / span) * span;
    first = { year: d.year, month: m0 + 1, day: 1 };
    const n = new Date(Date.UTC(d.year, m0 + span, 1));
    next = { year: n.getUTCFullYear(), month: n.getUTCMonth() + 1, day: 1 };
  }
  return { start: zonedToUtc(first, 0, timeZone), end: zonedToUtc(next, 0, timeZone) };
}

/** "HH:MM" (or "24:00") as minutes since local midnight. */
export function hhmmToMinutes(s: string): number {
  const [h, m] = s.split(':');
  return Number(h) * 60 + Number(m);
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export interface SupportedHoursCalendar {
  kind: 'calendar';
  windows: readonly { days: readonly string[]; start: string; end: string }[];
  holidays: readonly string[];
}

/**
 * The supported-hours intervals of a calendar between two instants, in the zone's wall time: each listed
 * weekday's start–end, holidays skipped. Computed per local day, so a DST change keeps 09:00 at 09:00.
 */
export function supportedIntervals(
  cal: SupportedHoursCalendar,
  timeZone: string,
  from: number,
  to: number,
): Interval[] {
  const out: Interval[] = [];
  const holidays = new Set(cal.holidays);
  const last = addDays(localDateOf(to, timeZone), 1);
  for (let d = addDays(localDateOf(from, timeZone), -1); compare(d, last) <= 0; d = addDays(d, 1)) {
    if (holidays.has(isoDate(d))) continue;
    const wd = WEEKDAYS[weekdayOf(d)]!;
    for (const w of cal.windows) {
      if (!w.days.includes(wd)) continue;
      const s = Math.max(from, zonedToUtc(d, hhmmToMinutes(w.start), timeZone));
      const e = Math.min(to, zonedToUtc(d, hhmmToMinutes(w.end), timeZone));
      if (s < e) out.push({ start: s, end: e });
    }
  }
  return out;
}

function compare(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** A change of a zone's UTC offset: from `before` to `after` (ms, east positive) at the instant `at`. */
export interface OffsetTransition {
  at: number;
  before: number;
  after: number;
}

interface ZoneYear {
  startOffset: number;
  transitions: OffsetTransition[];
}

/**
 * The offset changes of a zone in one UTC year, found once: the offset is probed every day (no zone
 * changes twice within a day) and each change is pinned to the minute by bisection. The changes are those
 * with start < at <= end: a change at exactly 00:00 UTC on 1 January of the next year (Europe/Lisbon 1912,
 * Antarctica/Casey 1969) belongs to this year, since the next year's scan starts with the new offset already
 * in force and cannot see it.
 */
function zoneYear(timeZone: string, year: number): ZoneYear {
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const transitions: OffsetTransition[] = [];
  const startOffset = offsetAt(start, timeZone);
  let prevT = start;
  let prevOff = startOffset;
  while (prevT < end) {
    const t = Math.min(end, prevT + DAY_MS);
    const off = offsetAt(t, timeZone);
    if (off === prevOff) {
      prevT = t;
      continue;
    }
    // The first minute in (prevT, t] whose offset differs from prevOff.
    let lo = prevT;
    let hi = t;
    while (hi - lo > MINUTE_MS) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
      if (offsetAt(mid, timeZone) === prevOff) lo = mid;
      else hi = mid;
    }
    const after = offsetAt(hi, timeZone);
    transitions.push({ at: hi, before: prevOff, after });
    prevT = hi;
    prevOff = after;
  }
  return { startOffset, transitions };
}

/** A zone's offset changes over a span of whole UTC years, remembered and widened as instants ask. */
interface ZoneSpan {
  firstYear: number;
  lastYear: number;
  /** [start, end) of the span in ms. */
  start: number;
  end: number;
  startOffset: number;
  transitions: OffsetTransition[];
}

const zoneSpans = new Map<string, ZoneSpan>();

/** The zone's span, widened to hold [from, to] (whole years; at most a few decades are ever asked). */
function spanOf(timeZone: string, from: number, to: number): ZoneSpan {
  let z = zoneSpans.get(timeZone);
  // Stryker disable next-line EqualityOperator: at from = start or to = end the span is rebuilt or widened by a year, which only adds transitions outside [from, to]
  if (z && from >= z.start && to < z.end) return z;
  const y0 = new Date(from).getUTCFullYear();
  const y1 = new Date(to).getUTCFullYear();
  // Stryker disable next-line ConditionalExpression: starting a span afresh at y0 forgets the remembered years but finds the same transitions over [from, to]
  if (!z) {
    const zy = zoneYear(timeZone, y0);
    z = {
      firstYear: y0,
      lastYear: y0,
      start: Date.UTC(y0, 0, 1),
      // Stryker disable next-line ArithmeticOperator: a span end too early only makes the cache check above miss, and the widening then finds nothing to add
      end: Date.UTC(y0 + 1, 0, 1),
      startOffset: zy.startOffset,
      transitions: [...zy.transitions],
    };
    zoneSpans.set(timeZone, z);
  }
  // Stryker disable next-line EqualityOperator: `>=` widens the span one year further back, which adds only transitions before from
  while (z.firstYear > y0) {
    const zy = zoneYear(timeZone, --z.firstYear);
    z.transitions = [...zy.transitions, ...z.transitions];
    z.startOffset = zy.startOffset;
    z.start = Date.UTC(z.firstYear, 0, 1);
  }
  // Stryker disable next-line EqualityOperator: `<=` widens the span one year further on, which adds only transitions after to
  while (z.lastYear < y1) {
    const zy = zoneYear(timeZone, ++z.lastYear);
    z.transitions.push(...zy.transitions);
    // Stryker disable next-line ArithmeticOperator: a span end too early only makes the cache check above miss, and the widening then finds nothing to add
    z.end = Date.UTC(z.lastYear + 1, 0, 1);
  }
  return z;
}

/** Index of the first transition with at > ms (binary search). */
function firstAfter(xs: readonly OffsetTransition[], ms: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]!.at <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The zone's offset at an instant (ms, east positive), from the remembered transitions (no Intl call). */
export function zoneOffset(ms: number, timeZone: string): number {
  const z = spanOf(timeZone, ms, ms);
  const i = firstAfter(z.transitions, ms);
  return i === 0 ? z.startOffset : z.transitions[i - 1]!.after;
}

/** The first offset change with from <= at < to, or undefined. */
export function firstTransition(timeZone: string, from: number, to: number): OffsetTransition | undefined {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty or reversed range finds nothing without the guard too (the search wants from <= at < to); it saves a span lookup
  if (to <= from) return undefined;
  // Stryker disable next-line ArithmeticOperator: a span asked to reach to + 1 holds the same transitions in [from, to)
  const z = spanOf(timeZone, from, to - 1);
  const x = z.transitions[firstAfter(z.transitions, from - 1)];
  return x && x.at < to ? x : undefined;
}

/** The last offset change with from <= at < to, or undefined. */
export function lastTransition(timeZone: string, from: number, to: number): OffsetTransition | undefined {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty or reversed range finds nothing without the guard too (the search wants from <= at < to); it saves a span lookup
  if (to <= from) return undefined;
  // Stryker disable next-line ArithmeticOperator: a span asked to reach to + 1 holds the same transitions in [from, to)
  const z = spanOf(timeZone, from, to - 1);
  const x = z.transitions[firstAfter(z.transitions, to - 1) - 1];
  return x && x.at >= from ? x : undefined;
}

/** The zone's offset changes with from <= at < to, in order. */
export function transitionsBetween(timeZone: string, from: number, to: number): OffsetTransition[] {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty or reversed range finds nothing without the guard too (the loop stops at the first at >= to); it saves a span lookup
  if (to <= from) return [];
  // Stryker disable next-line ArithmeticOperator: a span asked to reach to + 1 holds the same transitions in [from, to)
  const z = spanOf(timeZone, from, to - 1);
  const out: OffsetTransition[] = [];
  for (let i = firstAfter(z.transitions, from - 1); i < z.transitions.length; i++) {
    const x = z.transitions[i]!;
    if (x.at >= to) break;
    out.push(x);
  }
  return out;
}
