import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReportFonts } from '../../../shared/adapters/fonts.js';
import { buildReport } from '../../../shared/domain/reports/build.js';
import { reportHash, sealReport } from '../../../shared/domain/reports/hash.js';
import { REPORT_TYPES, type ReportModel, tablesOf } from '../../../shared/domain/reports/model.js';
import { neutralise } from '../../../shared/render/csv.js';
import { display, isFigure, raw } from '../../../shared/render/format.js';
import { renderReport } from '../../../shared/render/index.js';
import { ReportDocumentV1 } from '../../../shared/schemas/reports.js';
import { expectGolden } from '../../helpers/golden.js';
import { fixtureInputs, sha256 } from '../../helpers/report-fixture.js';

const fonts = loadReportFonts();
const tmp = mkdtempSync(join(tmpdir(), 'accord-reports-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const model = (type: (typeof REPORT_TYPES)[number]) => sealReport(buildReport(fixtureInputs(type)), sha256);

/** The text of a PDF as pdftotext (poppler) reads it, in reading order. */
function pdfText(bytes: Uint8Array, name: string): string {
  const file = join(tmp, `${name}.pdf`);
  writeFileSync(file, bytes);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

describe('report renderers', () => {
  for (const type of REPORT_TYPES) {
    it(`render the ${type} report as the golden files in every format`, async () => {
      const m = model(type);
      for (const format of ['html', 'csv', 'json', 'pdf'] as const) {
        const r = await renderReport(m, format, { fonts });
        expectGolden(`test/golden/reports/${type}.${r.extension}`, r.body);
      }
    });

    it(`carry the same figures in every format for the ${type} report (PDF text by pdftotext, CSV parsed back)`, async () => {
      const m = model(type);
      const html = new TextDecoder().decode((await renderReport(m, 'html', { fonts })).body);
      const pdf = pdfText((await renderReport(m, 'pdf', { fonts })).body, type);
      const csv = parse(new TextDecoder().decode((await renderReport(m, 'csv', { fonts })).body), {
        columns: true,
      }) as Record<string, string>[];
      const json = ReportDocumentV1.parse(
        JSON.parse(new TextDecoder().decode((await renderReport(m, 'json', { fonts })).body)),
      );
      expect(json).toEqual(JSON.parse(JSON.stringify(m)));
      let figures = 0;
      for (const s of m.sections)
        for (const t of s.tables)
          t.rows.forEach((row, i) => {
            row.forEach((c, j) => {
              if (!isFigure(c) || c.v === null) return;
              figures++;
              const shown = display(c);
              expect(html, `${t.id} row ${i + 1} ${t.columns[j]!.key} in HTML`).toContain(shown);
              expect(pdf, `${t.id} row ${i + 1} ${t.columns[j]!.key} in the PDF text`).toContain(shown);
              const line = csv.find(
                (l) =>
                  l.section === s.id &&
                  l.table === t.id &&
                  l.row === String(i + 1) &&
                  l.column === t.columns[j]!.key,
              );
              expect(Number(line?.value), `${t.id} row ${i + 1} ${t.columns[j]!.key} in CSV`).toBe(c.v);
              expect(line?.unit).toBe(raw(c).unit);
            });
          });
      for (const f of m.summary) {
        expect(html).toContain(display(f.cell));
        expect(pdf).toContain(display(f.cell));
      }
      if (type !== 'violation-trends') expect(figures).toBeGreaterThan(0);
    });
  }

  it('prints the report hash on every page of the PDF and page numbers "n of N"', async () => {
    const m = model('monthly-compliance');
    const text = pdfText((await renderReport(m, 'pdf', { fonts })).body, 'pages');
    const pages = text.split('\f').filter((p) => p.trim());
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((p, i) => {
      expect(p).toContain(`SHA-256 ${m.hash}`);
      expect(p).toContain(`Page ${i + 1} of ${pages.length}`);
    });
  });

  it('seals a report with the SHA-256 of its canonical JSON, which any reader can recompute from the JSON', async () => {
    const m = model('credit-statement');
    const json = JSON.parse(
      new TextDecoder().decode((await renderReport(m, 'json', { fonts })).body),
    ) as ReportModel;
    expect(reportHash(json, sha256)).toBe(m.hash);
    expect(reportHash({ ...json, commentary: [] }, sha256)).not.toBe(m.hash);
  });

  it('renders the same bytes twice (clock, ids and fonts are given, nothing is read)', async () => {
    const m = model('error-budget');
    for (const f of ['pdf', 'html', 'csv'] as const) {
      const a = await renderReport(m, f, { fonts });
      const b = await renderReport(m, f, { fonts });
      expect(Buffer.compare(Buffer.from(a.body), Buffer.from(b.body)), f).toBe(0);
    }
  });

  it('embeds the same bytes whether the fonts were just read or parsed for an earlier report and reused', async () => {
    const m = model('monthly-compliance');
    const reused = await renderReport(m, 'pdf', { fonts });
    const fresh = await renderReport(m, 'pdf', { fonts: loadReportFonts() });
    expect(Buffer.compare(Buffer.from(fresh.body), Buffer.from(reused.body))).toBe(0);
    expect(new TextDecoder('latin1').decode(reused.body)).toMatch(/\/FontFile2 \d+ 0 R/);
  }, 60_000); // two cold font parses: a hang guard on a loaded machine, not a speed check

  it('breaks an e-mail address longer than its column across lines instead of cutting it with an ellipsis', async () => {
    const text = pdfText((await renderReport(model('monthly-compliance'), 'pdf', { fonts })).body, 'wrap');
    expect(text).not.toMatch(/@[\w.]*…/);
    expect(text.match(/\.example>/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('writes RFC 4180 CSV: CRLF line ends, quotes doubled, fields with commas or line breaks quoted', async () => {
    const m = model('credit-statement');
    const text = new TextDecoder().decode((await renderReport(m, 'csv', { fonts })).body);
    expect(text.split('\r\n')[0]).toBe('report,section,table,row,column,label,value,unit');
    expect(text.replace(/\r\n/g, '')).not.toMatch(/(?<!")\n/);
    expect(text).toContain(',"tier that applies (the lowest ""below"" threshold the compliance is under)",');
    // The credit's first step names the objective and its period, then the unrounded count: commas inside, quoted.
    expect(text).toMatch(
      /,"objective availability, 2026-03-31T23:00:00.000Z to 2026-04-30T23:00:00.000Z: [^"]*",/,
    );
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.column === 'what' && r.row === '2')?.value).toBe(
      'tier that applies (the lowest "below" threshold the compliance is under)',
    );
  });

  it('neutralises CSV cells a spreadsheet would run as formulas, and leaves our numbers alone', async () => {
    expect(
      ['=HYPERLINK("http://x")', '+1+2', '-2+3', '@SUM(A1)', '\t=1', 'plain', '-0.5', '12', '1e-7'].map(
        neutralise,
      ),
    ).toEqual([
      '\'=HYPERLINK("http://x")',
      "'+1+2",
      "'-2+3",
      "'@SUM(A1)",
      "'\t=1",
      'plain',
      '-0.5',
      '12',
      '1e-7',
    ]);
    const inputs = fixtureInputs('monthly-compliance');
    inputs.agreements = inputs.agreements.map((a) =>
      a.kind === 'SLA' ? { ...a, title: "=cmd|' /C calc'!A0" } : a,
    );
    const m = sealReport(buildReport(inputs), sha256);
    const rows = parse(new TextDecoder().decode((await renderReport(m, 'csv', { fonts })).body), {
      columns: true,
    }) as Record<string, string>[];
    const titles = rows.filter((r) => r.column === 'title' && r.table === 'objectives').map((r) => r.value);
    expect(titles).toContain("'=cmd|' /C calc'!A0");
    expect(titles.some((t) => t?.startsWith('='))).toBe(false);
  });

  it('escapes everything in HTML and uses no script, no external resource and no SVG (e-mail clients)', async () => {
    const inputs = fixtureInputs('monthly-compliance');
    inputs.agreements = inputs.agreements.map((a) => ({
      ...a,
      title: `<script>alert(1)</script> & "${a.title}"`,
    }));
    const html = new TextDecoder().decode(
      (await renderReport(sealReport(buildReport(inputs), sha256), 'html', { fonts })).body,
    );
    expect(html).not.toContain('<script');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;');
    expect(html).not.toMatch(/<svg|<img|<link|src=|href=|class=/i);
  });

  it('says what is missing rather than drawing nothing: an empty table and a chart without history', async () => {
    const m = sealReport(
      buildReport(fixtureInputs('monthly-compliance', 'internal', { agreements: [] })),
      sha256,
    );
    expect(tablesOf(m).every((t) => t.rows.length === 0)).toBe(true);
    const pdf = pdfText((await renderReport(m, 'pdf', { fonts })).body, 'empty');
    expect(pdf).toContain('no objectives in scope');
    const full = pdfText((await renderReport(model('monthly-compliance'), 'pdf', { fonts })).body, 'charts');
    expect(full).toContain('no budget history kept for this period');
  });
});
