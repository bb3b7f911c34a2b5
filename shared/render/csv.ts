import { stringify } from 'csv-stringify/sync';
import type { ReportModel } from '../domain/reports/model.js';
import { raw } from './format.js';

const PLAIN_NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/**
 * A cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) gets a
 * leading apostrophe (OWASP CSV injection). Plain numbers we wrote ourselves (-0.5) are left as numbers.
 */
export function neutralise(value: string): string {
  if (value === '' || PLAIN_NUMBER.test(value)) return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export const CSV_HEADER = ['report', 'section', 'table', 'row', 'column', 'label', 'value', 'unit'] as const;

/**
 * The CSV format (RFC 4180: CRLF line ends, fields with commas, quotes or line breaks quoted, quotes doubled):
 * tidy data, one line per value: the report's metadata and summary first, then every cell of every table by
 * section, table, row (1-based) and column. Numbers are raw (full precision); the unit (%, a currency) is
 * its own field.
 */
export function renderCsv(model: ReportModel): Uint8Array {
  const rows: string[][] = [];
  const add = (
    section: string,
    table: string,
    row: number,
    column: string,
    label: string,
    value: string,
    unit = '',
  ) => rows.push([model.id, section, table, String(row), column, label, value, unit].map(neutralise));
  const meta: [string, string][] = [
    ['type', model.type],
    ['title', model.title],
    ['scope', model.scopeLabel],
    ['audience', model.audience],
    ['party', model.party ?? ''],
    ['periodStart', model.period.start],
    ['periodEnd', model.period.end],
    ['generatedAt', model.generatedAt],
    ['schema', model.schema],
    ['hash', model.hash],
  ];
  for (const [k, v] of meta) add('report', 'metadata', 1, k, k, v);
  model.summary.forEach((f, i) => {
    const r = raw(f.cell);
    add('report', 'summary', i + 1, `figure${i + 1}`, f.label, r.value, r.unit);
  });
  for (const s of model.sections) {
    for (const t of s.tables) {
      t.rows.forEach((cells, i) => {
        cells.forEach((c, j) => {
          const col = t.columns[j]!;
          const r = raw(c);
          add(s.id, t.id, i + 1, col.key, col.label, r.value, r.unit);
        });
      });
    }
  }
  model.commentary.forEach((c, i) => {
    add('commentary', 'commentary', i + 1, `${c.agreementId}/${c.objectiveId}`, c.author, c.text);
  });
  return new TextEncoder().encode(
    stringify(rows, {
      header: true,
      columns: [...CSV_HEADER],
      record_delimiter: 'windows',
      quoted_match: /^\s|\s$/,
    }),
  );
}
