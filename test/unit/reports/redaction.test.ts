import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReportFonts } from '../../../shared/adapters/fonts.js';
import { buildReport } from '../../../shared/domain/reports/build.js';
import { sealReport } from '../../../shared/domain/reports/hash.js';
import {
  AUDIENCES,
  type Audience,
  type Cell,
  FORMATS,
  REPORT_TYPES,
  type ReportModel,
  type ReportType,
} from '../../../shared/domain/reports/model.js';
import { maskColumns, visibleTo } from '../../../shared/domain/reports/redaction.js';
import { loadReportsPolicy } from '../../../shared/policy/reports.js';
import { display, raw } from '../../../shared/render/format.js';
import { renderReport } from '../../../shared/render/index.js';
import { fixtureInputs, PARTY, sha256 } from '../../helpers/report-fixture.js';

const policy = loadReportsPolicy();
const fonts = loadReportFonts();
const tmp = mkdtempSync(join(tmpdir(), 'accord-redaction-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The report an audience gets: the same pipeline as the use case (rows filtered, built, columns masked, sealed). */
function reportFor(type: ReportType, audience: Audience): ReportModel {
  const rule = policy.audiences[audience];
  const all = fixtureInputs(type, audience, { party: PARTY[audience] });
  const visible = all.agreements.filter((a) => visibleTo(rule, PARTY[audience], a));
  const ids = new Set(visible.map((a) => a.id));
  const inputs = {
    ...all,
    agreements: visible,
    objectives: all.objectives.filter((f) => ids.has(f.agreementId)),
    budgets: all.budgets.filter((f) => ids.has(f.agreementId)),
    violations: all.violations.filter((v) => ids.has(v.agreementId)),
    commentary: all.commentary.filter((c) => ids.has(c.agreementId)),
  };
  return sealReport(maskColumns(buildReport(inputs), rule.hide), sha256);
}

/** Every string a person could read in a model: cells as shown and as CSV holds them, labels, titles, text. */
function strings(m: ReportModel): Set<string> {
  const out = new Set<string>();
  const cell = (c: Cell) => {
    out.add(display(c));
    out.add(raw(c).value);
  };
  for (const f of m.summary) cell(f.cell);
  for (const s of m.sections) {
    out.add(s.title);
    for (const p of s.paragraphs) out.add(p);
    for (const t of s.tables) for (const r of t.rows) r.forEach(cell);
    for (const c of s.charts) out.add(c.title);
  }
  for (const c of m.commentary) for (const x of [c.author, c.text, c.agreementId]) out.add(x);
  return out;
}

/** Values redaction took away: text and money the internal report shows and the audience's report does not. */
function removed(type: ReportType, audience: Audience): string[] {
  const full = reportFor(type, 'internal');
  const kept = strings(reportFor(type, audience));
  // Column keys and labels are the report's structure, not data.
  for (const t of full.sections.flatMap((x) => x.tables))
    for (const c of t.columns) {
      kept.add(c.key);
      kept.add(c.label);
    }
  const out = new Set<string>();
  for (const s of full.sections)
    for (const t of s.tables)
      for (const r of t.rows)
        for (const c of r) {
          if (c.t !== 'text' && c.t !== 'money') continue;
          for (const v of [display(c), raw(c).value]) if (v.length >= 4 && !kept.has(v)) out.add(v);
        }
  return [...out];
}

/** What the policy says each audience must never see in the fixture, whatever the report: names, contacts, money. */
const NEVER: Record<Audience, string[]> = {
  internal: [],
  auditor: [],
  customer: [
    // other customers, OLA and UC details, vendors, internal contacts, costs and indemnities
    'wealth-management',
    'agr_01SLAMOBILE0000000001',
    'agr_01OLAIDENTITY0000000001',
    'Identity platform OLA',
    'agr_01UCCARDNETWORK000001',
    'Card Network',
    'Textline',
    'Servicewright',
    'owen.servicewright@bank.example',
    'Mobilechief',
    'Platformsmith',
    'Vendormanager',
    '180,437.50',
    '180437.5',
    '18,043.75',
    '18043.75',
    '9,876.54',
  ],
  vendor: [
    // other vendors and their contracts, customers, SLAs, internal contacts
    'Textline',
    'agr_01UCSMSAGGREGATOR00001',
    'agr_01SLAGATEWAY000000001',
    'Payments gateway SLA',
    // the business unit buying the vendor's own UC is its customer too: no column may name it
    'payments',
    'retail-banking',
    'wealth-management',
    'Vendormanager',
    'carla.vendormanager@bank.example',
    'Servicewright',
    '25,000.00',
    '2,500.00',
  ],
};

function outputText(bytes: Uint8Array, format: string, name: string): string {
  if (format !== 'pdf') {
    const text = new TextDecoder().decode(bytes);
    return format === 'html' ? text.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))) : text;
  }
  const file = join(tmp, `${name}.pdf`);
  writeFileSync(file, bytes);
  // Raw reading order, then again with the layout kept: a value cut across lines of a cell shows in one of them.
  return [
    execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' }),
    execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }),
  ].join('\n');
}

describe('redaction per audience', () => {
  it('keeps the rules as validated data: every audience has one, and every role may ask for some audience', () => {
    expect(Object.keys(policy.audiences).sort()).toEqual([...AUDIENCES].sort());
    expect(policy.audiences.customer.kinds).toEqual(['SLA']);
    expect(policy.audiences.vendor.rows).toBe('own-vendor');
    expect(() =>
      loadReportsPolicy({
        ...policy,
        audiences: { ...policy.audiences, customer: { ...policy.audiences.customer, hide: ['salary'] } },
      }),
    ).toThrow(/audiences.customer.hide.0/);
  });

  for (const type of REPORT_TYPES) {
    for (const audience of AUDIENCES) {
      it(`shows the ${audience} nothing redacted in the ${type} report, in HTML, PDF, CSV and JSON`, async () => {
        const model = reportFor(type, audience);
        const forbidden = [...new Set([...NEVER[audience], ...removed(type, audience)])];
        if (audience === 'customer' || audience === 'vendor') expect(forbidden.length).toBeGreaterThan(8);
        for (const format of FORMATS) {
          const r = await renderReport(model, format, { fonts });
          const text = outputText(r.body, format, `${type}-${audience}`);
          const seen = forbidden.filter((v) => text.includes(v));
          expect(seen, `${type} for ${audience} as ${format}`).toEqual([]);
        }
        // Each runs pdftotext twice: seconds on a loaded machine, not a speed target.
      }, 30_000);
    }
  }

  it('still tells a customer its own figures: its SLA, its credit and the compliance it was given', async () => {
    const m = reportFor('credit-statement', 'customer');
    const text = outputText((await renderReport(m, 'csv', { fonts })).body, 'csv', 'own');
    expect(text).toContain('agr_01SLAGATEWAY000000001');
    expect(text).toContain('2500');
    const mc = strings(reportFor('monthly-compliance', 'customer'));
    expect(mc.has('Payments gateway SLA for retail banking')).toBe(true);
    expect(mc.has('99.872%')).toBe(true);
  });

  it("shows a vendor its own UC with its charge and credit, and no one else's", async () => {
    const s = strings(reportFor('credit-statement', 'vendor'));
    expect(s.has('agr_01UCCARDNETWORK000001')).toBe(true);
    expect(s.has('EUR 18,043.75')).toBe(true);
    expect(s.has('EUR 180,437.50')).toBe(true);
  });
});
