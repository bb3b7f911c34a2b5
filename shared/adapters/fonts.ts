import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The fonts reports are set in: DejaVu Sans Condensed (regular and bold), wide Unicode coverage, free licence. */
export interface ReportFonts {
  regular: Uint8Array;
  bold: Uint8Array;
}

const FILES = { regular: 'DejaVuSansCondensed.ttf', bold: 'DejaVuSansCondensed-Bold.ttf' };

/**
 * Reads the report fonts once: from `dir` when given (the Lambda bundle ships them in `fonts/` beside the
 * handler), else from the `dejavu-fonts-ttf` package.
 */
export function loadReportFonts(dir?: string): ReportFonts {
  const base =
    dir ?? join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return { regular: readFileSync(join(base, FILES.regular)), bold: readFileSync(join(base, FILES.bold)) };
}

export const REPORT_FONT_FILES = FILES;
