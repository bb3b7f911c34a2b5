import type { ReportFormat, ReportModel } from '../domain/reports/model.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { type PdfEnv, renderPdf } from './pdf.js';

export interface Rendered {
  format: ReportFormat;
  body: Uint8Array;
  contentType: string;
  extension: string;
}

const TYPES: Record<ReportFormat, { contentType: string; extension: string }> = {
  html: { contentType: 'text/html; charset=utf-8', extension: 'html' },
  pdf: { contentType: 'application/pdf', extension: 'pdf' },
  csv: { contentType: 'text/csv; charset=utf-8; header=present', extension: 'csv' },
  json: { contentType: 'application/json', extension: 'json' },
};

/** One report in one format: the renderers are pure functions of the model (and, for PDF, the fonts given). */
export async function renderReport(model: ReportModel, format: ReportFormat, env: PdfEnv): Promise<Rendered> {
  const body =
    format === 'pdf'
      ? await renderPdf(model, env)
      : format === 'html'
        ? renderHtml(model)
        : format === 'csv'
          ? renderCsv(model)
          : renderJson(model);
  return { format, body, ...TYPES[format] };
}
