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
