/**
 * How a cell reads to a person (HTML and PDF) and to a machine (CSV), one place for both so that the same
 * figure is written the same way everywhere. Locale and time zone are fixed (en-GB, UTC): reports must
 * render the same bytes wherever they are made.
 */
import type { Cell } from '../domain/reports/model.js';

const grouped = new Map<number, Intl.NumberFormat>();
function fmt(digits: number): Intl.NumberFormat {
  let f = grouped.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    grouped.set(digits, f);
  }
  return f;
}

const STATUS_WORDS: Record<string, string> = {
  healthy: 'healthy',
  'at-risk': 'at risk',
  breached: 'breached',
  unknown: 'no data',
  met: 'met',
  missed: 'missed',
  match: 'match',
  difference: 'DIFFERENCE',
  'not-checked': 'not checked',
};

/** A cell as people read it: 99.951%, EUR 2,500.00, 1,204, 2026-04-30 23:00 UTC, "at risk". */
export function display(c: Cell): string {
  switch (c.t) {
    case 'text':
      return c.v;
    case 'number':
      return c.v === null ? '—' : fmt(c.digits ?? 0).format(c.v);
    case 'percent':
      return c.v === null ? '—' : `${fmt(c.digits ?? 3).format(c.v)}%`;
    case 'money':
      return c.v === null ? '—' : `${c.currency} ${fmt(2).format(c.v)}`;
    case 'status':
      return STATUS_WORDS[c.v] ?? c.v;
    case 'date':
      return c.v === null ? '—' : displayDate(c.v);
  }
}

/** `2026-04-30T23:00:00.000Z` → `2026-04-30 23:00 UTC`; a date stays a date. */
export function displayDate(iso: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** A cell as CSV holds it: numbers raw (full precision, no grouping), the unit apart. */
export function raw(c: Cell): { value: string; unit: string } {
  switch (c.t) {
    case 'text':
      return { value: c.v, unit: '' };
    case 'number':
      return { value: c.v === null ? '' : String(c.v), unit: '' };
    case 'percent':
      return { value: c.v === null ? '' : String(c.v), unit: '%' };
    case 'money':
      return { value: c.v === null ? '' : String(c.v), unit: c.currency };
    case 'status':
      return { value: c.v, unit: '' };
    case 'date':
      return { value: c.v ?? '', unit: '' };
  }
}

/** Whether a cell is a figure (what the same-figures test compares across formats). */
export const isFigure = (c: Cell): boolean => c.t === 'number' || c.t === 'percent' || c.t === 'money';
