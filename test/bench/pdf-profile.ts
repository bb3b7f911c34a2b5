/**
 * A profile of the PDF renderer alone (not part of `npm run bench`): a table of ACCORD_PDF_ROWS (10,000) rows in the
 * shape of the monthly report's objectives table, rendered ACCORD_PDF_REPEAT (1) times in one process (the first run
 * pays the font parsing; later ones reuse it). `tsx --cpu-prof test/bench/pdf-profile.ts`;
 * `ACCORD_PDF_ROWS=9 ACCORD_PDF_REPEAT=15 tsx test/bench/pdf-profile.ts` for one agreement's size.
 */
import { loadReportFonts } from '../../shared/adapters/fonts.js';
import type { Cell, ReportModel } from '../../shared/domain/reports/model.js';
import { renderPdf } from '../../shared/render/pdf.js';

const rows = Number(process.env.ACCORD_PDF_ROWS ?? 10_000);
const row = (i: number): Cell[] => [
  { t: 'text', v: `agr_01BENCH${String(i).padStart(12, '0')}` },
  { t: 'text', v: `Bench agreement ${i} for service ${i % 100}` },
  { t: 'text', v: i % 10 === 0 ? 'UC' : 'SLA' },
  { t: 'text', v: ['payments', 'retail-banking', 'group-platform'][i % 3]! },
  { t: 'text', v: `svc_bench-${String(i % 100).padStart(3, '0')}` },
  { t: 'text', v: ['Availability', 'Requests served within 300 ms', 'Errors'][i % 3]! },
  { t: 'percent', v: 99.9, digits: 3 },
  { t: 'percent', v: 99.9 + (i % 97) / 1000, digits: 3 },
  { t: 'percent', v: 50 + (i % 50), digits: 1 },
  { t: 'percent', v: 100, digits: 1 },
  { t: 'status', v: i % 17 === 0 ? 'breached' : 'healthy' },
  { t: 'status', v: i % 17 === 0 ? 'missed' : 'met' },
];
const keys = [
  'agreement',
  'title',
  'kind',
  'customer',
  'service',
  'objective',
  'target',
  'compliance',
  'budget',
  'coverage',
  'status',
  'met',
];
const model: ReportModel = {
  schema: 'accord.report/v1',
  id: 'rpt_profile',
  type: 'monthly-compliance',
  title: 'Monthly SLA compliance',
  scopeLabel: 'Portfolio',
  audience: 'internal',
  period: { label: '2026-04', start: '2026-04-01T00:00:00Z', end: '2026-05-01T00:00:00Z' },
  generatedAt: '2026-05-05T06:00:00Z',
  generatedBy: 'bench',
  summary: [],
  sections: [
    {
      id: 'objectives',
      title: 'Agreements and objectives',
      paragraphs: [],
      tables: [
        {
          id: 'objectives',
          title: 'Agreements and objectives',
          columns: keys.map((k) => ({ key: k, label: k })),
          rows: Array.from({ length: rows }, (_, i) => row(i)),
          empty: 'none',
        },
      ],
      charts: [],
    },
  ],
  commentary: [],
  notes: [],
  hash: '0'.repeat(64),
} as unknown as ReportModel;

const repeat = Number(process.env.ACCORD_PDF_REPEAT ?? 1);
const fonts = loadReportFonts();
const times: number[] = [];
let pdf: Uint8Array = new Uint8Array();
let same = true;
for (let r = 0; r < repeat; r++) {
  const t0 = performance.now();
  const out = await renderPdf(model, { fonts });
  times.push(performance.now() - t0);
  if (r > 0) same &&= Buffer.compare(Buffer.from(out), Buffer.from(pdf)) === 0;
  pdf = out;
}
const ms = times[0]!;
const warm = times.slice(1).sort((a, b) => a - b);
const pages = (new TextDecoder('latin1').decode(pdf).match(/\/Type \/Page\b/g) ?? []).length;
process.stdout.write(
  `${JSON.stringify({ rows, ms: Math.round(ms), ...(warm.length ? { warmMedianMs: Math.round(warm[Math.floor(warm.length / 2)]! * 10) / 10, sameBytes: same } : {}), pages, bytes: pdf.byteLength, rssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
