/** Figures and times as the console shows them. Times are in the viewer's zone; an agreement's zone is named. */

export const viewerZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "30 Nov 2026, 14:05" in the viewer's zone. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** The viewer's time, followed by the agreement's local time and zone when that differs. */
export function whenIn(iso: string | null | undefined, zone: string | undefined): string {
  if (!iso) return '—';
  const mine = when(iso);
  if (!zone || zone === viewerZone()) return `${mine} (${zone ?? viewerZone()})`;
  const theirs = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    timeStyle: 'short',
    dateStyle: 'medium',
  }).format(new Date(iso));
  return `${mine} your time · ${theirs} ${zone}`;
}

/** A percentage with up to `digits` decimals ("99.95 %"); null is "no data". */
export function pct(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined) return 'no data';
  return `${v.toFixed(digits).replace(/\.?0+$/, '')} %`;
}

/** A ratio (0..1) as a percentage. */
export const ratioPct = (r: number | null | undefined, digits = 1) =>
  r === null || r === undefined ? 'no data' : pct(r * 100, digits);

/** A burn rate ("2.31×"); null is "—". */
export const burn = (r: number | null | undefined) =>
  r === null || r === undefined ? '—' : `${r < 10 ? r.toFixed(2) : r.toFixed(1)}×`;

/**
 * A window's length exactly as computed, every non-zero part: 4030 is "2 d 19 h 10 min", 335 "5 h 35 min", 55
 * "55 min", 4320 "3 d" (burn-rate windows are scaled to the objective's period: a 28-day one looks back 55 min,
 * not 1 h, and says so).
 */
export function span(min: number): string {
  const m = Math.round(min);
  const parts = [
    [Math.floor(m / 1440), 'd'],
    [Math.floor((m % 1440) / 60), 'h'],
    [m % 60, 'min'],
  ] as const;
  return (
    parts
      .filter(([n]) => n > 0)
      .map(([n, u]) => `${n} ${u}`)
      .join(' ') || '0 min'
  );
}

/** A burn-rate alert's verdict in words: what fired, or why it did not ("below the 14.40× page threshold"). */
export function burnVerdict(b: {
  threshold: number;
  action: string;
  judgement: string;
  long: { burnRate: number | null };
  short: { burnRate: number | null };
}): string {
  const t = `the ${burn(b.threshold)} ${b.action} threshold`;
  if (b.judgement === 'firing') return `firing: both windows above ${t}`;
  if (b.judgement === 'not-firing') {
    const above = [b.long, b.short].filter((w) => (w.burnRate ?? 0) > b.threshold).length;
    return above === 0 ? `not firing: below ${t}` : `not firing: only one window above ${t}`;
  }
  return b.judgement.replace(/-/g, ' ');
}

/**
 * Time to exhaustion: "exhausted" at 0, else `duration`; nothing burning says over which look-back it was
 * measured ("not burning over the last 5 h 35 min"), since a longer alert window may still show a rate above 0.
 */
export function exhaustion(min: number | null | undefined, lookbackMinutes?: number | null): string {
  if ((min === null || min === undefined) && lookbackMinutes) {
    return `not burning over the last ${span(lookbackMinutes)}`;
  }
  return duration(min);
}

/** Minutes as "3 d 4 h", "5 h 10 min", "12 min"; 0 is "exhausted"; null is "not burning". */
export function duration(min: number | null | undefined): string {
  if (min === null || min === undefined) return 'not burning';
  if (min <= 0) return 'exhausted';
  const d = Math.floor(min / 1440);
  const hh = Math.floor((min % 1440) / 60);
  const mm = Math.round(min % 60);
  if (d > 0) return `${d} d ${hh} h`;
  if (hh > 0) return `${hh} h ${mm} min`;
  return `${mm} min`;
}
