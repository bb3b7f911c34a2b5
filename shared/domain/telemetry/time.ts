import type { EpochUnit } from '../../schemas/telemetry.js';
import { DAY_MS, MINUTE_MS, zonedToUtc } from '../objectives/time.js';

/** Why a time could not be read, or the UTC instant in epoch milliseconds. */
export type TimeResult = { ok: true; ms: number } | { ok: false; reason: string; problem: string };

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
const DIGITS = /^-?\d{1,24}$/;
const EPOCH_MS: Record<EpochUnit, number> = { s: 1000, ms: 1, us: 1e-3, ns: 1e-6 };

const zoneValidity = new Map<string, boolean>();

/** Whether the runtime knows an IANA zone name such as Europe/Paris. */
export function isKnownZone(zone: string): boolean {
  let ok = zoneValidity.get(zone);
  // Stryker disable next-line ConditionalExpression: asking Intl again for a zone already judged gives the same answer; the map only saves the work
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = true;
    } catch {
      ok = false;
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the bound only caps the memory a stream of invented zone names can take; a zone judged and not kept is judged again, the same way
    if (zoneValidity.size < 1000) zoneValidity.set(zone, ok);
  }
  return ok;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month !== 2) return DAYS[month - 1]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/**
 * A sample's time as a UTC instant: an epoch number in `epochUnit`, a string of digits (nanoseconds keep
 * their precision), an RFC 3339 time with its offset, or a local date-time read in the declared IANA zone.
 */
export function toInstant(
  time: number | string,
  epochUnit: EpochUnit,
  timeZone: string | undefined,
): TimeResult {
  if (typeof time === 'number') {
    if (!Number.isFinite(time))
      return { ok: false, reason: 'bad_timestamp', problem: 'is not a finite number' };
    return { ok: true, ms: time * EPOCH_MS[epochUnit] };
  }
  if (DIGITS.test(time)) {
    if (epochUnit === 'ns' || epochUnit === 'us') {
      const div = epochUnit === 'ns' ? 1_000_000n : 1_000n;
      const big = BigInt(time);
      return { ok: true, ms: Number(big / div) + Number(big % div) / Number(div) };
    }
    return { ok: true, ms: Number(time) * EPOCH_MS[epochUnit] };
  }
  const m = RFC3339.exec(time);
  if (!m) {
    return {
      ok: false,
      reason: 'bad_timestamp',
      problem: `"${time.slice(0, 40)}" is neither RFC 3339, a local date-time nor an epoch number`,
    };
  }
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 60
  ) {
    return { ok: false, reason: 'bad_timestamp', problem: `"${time}" is not a calendar date-time` };
  }
  const fraction = frac ? Number(`0.${frac}`) * 1000 : 0;
  // A leap second is read as the last millisecond-aligned instant of its minute + 1 s (POSIX time).
  const wall = Date.UTC(year, month - 1, day, hour, minute, second) + fraction;
  if (z) return { ok: true, ms: wall };
  if (sign) {
    const offset = (Number(oh) * 60 + Number(om)) * 60_000;
    if (Number(oh) > 23 || Number(om) > 59)
      return { ok: false, reason: 'bad_timestamp', problem: `"${time}" has an impossible offset` };
    return { ok: true, ms: sign === '+' ? wall - offset : wall + offset };
  }
  if (!timeZone) {
    return {
      ok: false,
      reason: 'missing_time_zone',
      problem: `"${time}" has no offset: declare the agent's IANA timeZone on the batch or the sample`,
    };
  }
  if (!isKnownZone(timeZone)) {
    return { ok: false, reason: 'unknown_time_zone', problem: `"${timeZone}" is not an IANA time zone` };
  }
  return { ok: true, ms: localToUtc(wall, timeZone) };
}

/**
 * The instant at which the wall clock in `timeZone` shows `wall` (a local time written as if it were UTC).
 * A time skipped by a spring-forward change maps past the jump (02:30 on a day Paris skips 02:00–03:00 is
 * 03:30 summer time); a repeated one (fall back) to its first occurrence (02:30 on 25 October 2026 in Paris is
 * 00:30 UTC, summer time, not 01:30 UTC). The same rule as the objectives' calendars (`zonedToUtc`), to the
 * millisecond.
 */
export function localToUtc(wall: number, timeZone: string): number {
  const dayStart = Math.floor(wall / DAY_MS) * DAY_MS;
  const date = new Date(dayStart);
  const minutes = Math.floor((wall - dayStart) / MINUTE_MS);
  const local = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
  return zonedToUtc(local, minutes, timeZone) + (wall - dayStart - minutes * MINUTE_MS);
}
