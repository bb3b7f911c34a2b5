import PDFDocument from 'pdfkit';
import { localDate } from '../domain/agreements/rules.js';
import type { BurnDownChart, Cell, Column, ReportModel, Table } from '../domain/reports/model.js';
import { display, displayDate } from './format.js';

/** A font: a PDF standard font name (`Helvetica`) or the bytes of a TrueType/OpenType file. */
export type FontSource = string | Uint8Array;

/** What the PDF renderer is given rather than reads: the fonts (the clock and the id come with the model). */
export interface PdfEnv {
  fonts: { regular: FontSource; bold: FontSource };
}

// A4 landscape, in points.
const PAGE = { width: 841.89, height: 595.28 };
const MARGIN = { top: 52, bottom: 46, left: 36, right: 36 };
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const BOTTOM = PAGE.height - MARGIN.bottom;
const TABLE_FONT = 7.5;
const ROW_H = 13;
const LINE_H = 8.5;
/** Lines a text cell may take before it is cut with an ellipsis. */
const MAX_LINES = 3;
const PAD = 3;
const INK = '#202124';
const MUTED = '#5f6368';
const RULE = '#d0d4d8';
const STATUS_COLOURS: Record<string, string> = {
  met: '#1b7a3a',
  healthy: '#1b7a3a',
  match: '#1b7a3a',
  missed: '#b3261e',
  breached: '#b3261e',
  difference: '#b3261e',
  'at-risk': '#9a5b00',
  unknown: MUTED,
  'not-checked': MUTED,
};

type Doc = InstanceType<typeof PDFDocument>;
type Fragment = (text: string, x: number, y: number, options: Record<string, unknown>) => void;

/** The part of pdfkit's font object the measure uses (its `widthOfString` at a size, in points). */
interface FontMetrics {
  widthOfString(s: string, size: number): number;
}

/**
 * Widths of strings, as the sum of each character's advance (each character measured once per font, through
 * pdfkit's own font at 1 pt, then scaled). pdfkit's `widthOfString` shapes the whole string with fontkit (glyph
 * substitution and positioning) on every call: for the tens of thousands of distinct values of a portfolio's
 * tables that shaping, and the garbage it leaves, was the PDF renderer's largest cost. Summed advances leave out
 * kerning, which moves a string of DejaVu Sans by well under a point at table sizes (figures have none): enough
 * for fitting, wrapping and right-aligning, which is all the measure is for. It never changes the document's
 * current font or size.
 */
class Measure {
  private readonly fonts: Record<'regular' | 'bold', FontMetrics>;
  private readonly advances: Record<'regular' | 'bold', Map<number, number>>;
  /** The fontkit fonts pdfkit opened (undefined for a standard PDF font), to be reused by the next document. */
  readonly fontkit: Record<'regular' | 'bold', ParsedFont | undefined>;
  constructor(doc: Doc) {
    const metrics = (name: string) => {
      doc.font(name);
      return (doc as unknown as { _font: FontMetrics & { font?: ParsedFont; layoutCache?: LayoutCache } })
        ._font;
    };
    const regular = metrics('regular');
    const bold = metrics('bold');
    // pdfkit shapes each word once per document (its font's layoutCache); the shaped words of a parsed font are
    // kept for the next documents too. A run is read, never changed, by the writer; glyphs are still added to each
    // document's own subset when encoded.
    for (const f of [regular, bold]) if (f.font && f.layoutCache) f.layoutCache = sharedLayouts(f.font);
    this.fonts = { regular, bold };
    this.fontkit = { regular: regular.font, bold: bold.font };
    this.advances = { regular: advancesOf(regular.font), bold: advancesOf(bold.font) };
  }
  width(s: string, font: 'regular' | 'bold', size: number): number {
    const cache = this.advances[font];
    let w = 0;
    for (let i = 0; i < s.length; i++) {
      let code = s.charCodeAt(i);
      let ch: string | undefined;
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
        code = s.codePointAt(i)!;
        ch = String.fromCodePoint(code);
        i++;
      }
      let a = cache.get(code);
      if (a === undefined) {
        a = this.fonts[font].widthOfString(ch ?? s[i]!, 1);
        cache.set(code, a);
      }
      w += a;
    }
    return w * size;
  }
  /**
   * Lines of at most `max` points, broken at spaces (a word longer than a line is cut), at most `maxLines`;
   * what does not fit ends the last line with an ellipsis.
   */
  wrap(s: string, max: number, font: 'regular' | 'bold', size: number, maxLines: number): string[] {
    if (this.width(s, font, size) <= max) return [s];
    const words = s.split(' ');
    const lines: string[] = [];
    let line = '';
    for (let i = 0; i < words.length; i++) {
      const next = line ? `${line} ${words[i]}` : words[i]!;
      if (this.width(next, font, size) <= max) {
        line = next;
        continue;
      }
      if (lines.length === maxLines - 1) {
        lines.push(this.fit(`${next} ${words.slice(i + 1).join(' ')}`.trim(), max, font, size));
        return lines;
      }
      if (line) lines.push(line);
      // A word longer than a line (an e-mail address, an id) is broken across lines rather than cut, while lines
      // are left; the last line is cut with an ellipsis.
      let rest = words[i]!;
      while (this.width(rest, font, size) > max) {
        if (lines.length === maxLines - 1) {
          lines.push(this.fit([rest, ...words.slice(i + 1)].join(' '), max, font, size));
          return lines;
        }
        const n = this.prefix(rest, max, font, size);
        lines.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      line = rest;
    }
    if (line) lines.push(line);
    return lines.slice(0, maxLines);
  }

  /** The length of the longest prefix of s that fits (at least one character, so that breaking ends). */
  prefix(s: string, max: number, font: 'regular' | 'bold', size: number): number {
    let lo = 1;
    let hi = s.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.width(s.slice(0, mid), font, size) <= max) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The longest prefix of s (with an ellipsis) that fits. */
  fit(s: string, max: number, font: 'regular' | 'bold', size: number): string {
    if (this.width(s, font, size) <= max) return s;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.width(`${s.slice(0, mid)}…`, font, size) <= max) lo = mid;
      else hi = mid - 1;
    }
    return `${s.slice(0, lo)}…`;
  }
}

/** pdfkit's shaped words of one font by text (its `layoutCache`: a plain object of runs). */
type LayoutCache = Record<string, unknown>;

/** Words kept per font before the cache starts again: bounds what a long-lived process holds (about 20 MB). */
const MAX_SHAPED_WORDS = 50_000;
const layoutCaches = new WeakMap<object, { cache: LayoutCache; documents: number }>();

/** The shaped words of a parsed font shared by its documents, started afresh when it has grown past the bound. */
function sharedLayouts(font: object): LayoutCache {
  let entry = layoutCaches.get(font);
  // Counting the keys is linear: done every 50 documents, not on every one.
  if (entry && ++entry.documents % 50 === 0 && Object.keys(entry.cache).length > MAX_SHAPED_WORDS)
    entry = undefined;
  if (!entry) {
    entry = { cache: Object.create(null) as LayoutCache, documents: 0 };
    layoutCaches.set(font, entry);
  }
  return entry.cache;
}

/** Each character's advance at 1 pt, per parsed font, kept with the font across documents. */
const advanceCache = new WeakMap<object, Map<number, number>>();

function advancesOf(font: object | undefined): Map<number, number> {
  if (!font) return new Map();
  const known = advanceCache.get(font);
  if (known) return known;
  const m = new Map<number, number>();
  advanceCache.set(font, m);
  return m;
}

const isNumeric = (c: Cell) => c.t === 'number' || c.t === 'percent' || c.t === 'money';

/**
 * The PDF format (pdfkit): A4 landscape; a title block with the key figures; each section's tables (header
 * repeated on every page, long text cut with an ellipsis, figures right-aligned) and budget burn-down charts
 * drawn as vectors; commentary and notes; on every page a header, the page number ("page 2 of 9") and the
 * report's SHA-256. Deterministic: the creation date is the model's generation time, the document id follows
 * from it, and fonts come from the caller.
 */
export async function renderPdf(model: ReportModel, env: PdfEnv): Promise<Uint8Array> {
  // Two passes, so that no page is held in memory: "Page n of N" needs N before page 1 is written. The first pass
  // lays the report out without writing any text (pages are counted, content is dropped as it is made); the second
  // writes each page's footer when the page opens and streams pages out as they are finished. Holding every page
  // for the footers (pdfkit's bufferPages) kept the whole portfolio's content in memory: about 270 MB of the
  // renderer's peak at 10,000 rows (test/bench/pdf-profile.ts), for a second layout pass that costs a fraction of
  // the writing (no text is encoded in the first).
  const pages = (await layout(model, env, undefined)).pages;
  const out = await layout(model, env, pages);
  if (out.pages !== pages)
    throw new Error(`the PDF laid out ${out.pages} pages after counting ${pages}: the two passes must agree`);
  return out.bytes;
}

/** One pass: `total` undefined counts pages (nothing kept); a number writes the document with that page count. */
async function layout(
  model: ReportModel,
  env: PdfEnv,
  total: number | undefined,
): Promise<{ pages: number; bytes: Uint8Array }> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margins: MARGIN,
    bufferPages: false,
    autoFirstPage: false,
    // No default font: pdfkit would load Helvetica; the caller's fonts are registered below.
    font: null as unknown as string,
    // The counting pass's content is dropped: compressing it would be wasted.
    compress: total !== undefined,
    displayTitle: true,
    lang: 'en-GB',
    info: {
      Title: `${model.title}: ${model.scopeLabel}, ${model.period.label}`,
      Author: 'Accord',
      Subject: `${model.type} report ${model.id} for ${model.audience}`,
      Keywords: `sha256:${model.hash}`,
      Creator: 'Accord',
      Producer: 'Accord (pdfkit)',
      CreationDate: new Date(model.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => {
    if (total !== undefined) chunks.push(c);
  });
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.registerFont('regular', parsedFont(env.fonts.regular));
  doc.registerFont('bold', parsedFont(env.fonts.bold));
  const m = new Measure(doc);
  remember(env.fonts.regular, m.fontkit.regular);
  remember(env.fonts.bold, m.fontkit.bold);
  const w = new Writer(doc, m, model, total);
  w.newPage();
  w.titleBlock();
  for (const s of model.sections) {
    w.heading(s.title, s.charts.length && !s.tables.length ? 150 : 40);
    for (const p of s.paragraphs) w.paragraph(p);
    for (const t of s.tables) w.table(t, s.title);
    if (s.charts.length) w.charts(s.charts);
  }
  if (model.commentary.length) {
    w.heading('Commentary from objective owners');
    for (const c of model.commentary)
      w.paragraph(`${c.agreementId} / ${c.objectiveId} (${c.author}, ${displayDate(c.at)}): ${c.text}`);
  }
  w.heading('Notes');
  for (const n of model.notes) w.paragraph(`• ${n}`, MUTED);
  // Counting: the page count is known once the last page is laid out. The document is not ended: ending it would
  // subset, encode and compress the fonts and write the cross-reference table, only to drop them.
  if (total === undefined) return { pages: w.pages, bytes: new Uint8Array() };
  doc.end();
  await done;
  return { pages: w.pages, bytes: new Uint8Array(Buffer.concat(chunks)) };
}

/**
 * A font file parsed by fontkit (what pdfkit's `registerFont` accepts in place of bytes: an object with `layout`).
 * Opaque here: the renderer only hands it back to pdfkit.
 */
type ParsedFont = { layout: (...args: never[]) => unknown };

/**
 * Font files already parsed, by the bytes the caller gave (loaded once per process, `loadReportFonts`). pdfkit parses
 * a font's bytes with fontkit each time a document first uses it, twice per report (two passes): for one
 * agreement's report, parsing DejaVu Sans Condensed (regular and bold, 1.3 MB) and decoding its glyphs again was
 * most of the PDF's time. The parsed font is reused: each document still makes its own subset of the glyphs it uses
 * (pdfkit's `createSubset` per document), so what is embedded is unchanged, byte for byte. Weak: fonts the caller
 * drops are not kept alive.
 */
const parsedFonts = new WeakMap<Uint8Array, ParsedFont>();

function parsedFont(f: FontSource): string | Buffer {
  if (typeof f === 'string') return f;
  const parsed = parsedFonts.get(f);
  // pdfkit 0.20's PDFFontFactory.open takes an object with `layout` as an already parsed fontkit font; its type
  // declarations name only file names and bytes.
  if (parsed) return parsed as unknown as Buffer;
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

function remember(f: FontSource, parsed: ParsedFont | undefined): void {
  if (typeof f !== 'string' && parsed && typeof parsed.layout === 'function' && !parsedFonts.has(f))
    parsedFonts.set(f, parsed);
}

class Writer {
  private y = MARGIN.top;
  /** The fill colour last set, so that a table of thousands of cells does not set it again for each. */
  private colour = '';

  /** Sets the fill colour when it changes (a cell's text colour; the header band changes it back). */
  private fill(colour: string): void {
    if (colour === this.colour) return;
    this.doc.fillColor(colour);
    this.colour = colour;
  }
  /** Pages opened so far. */
  pages = 0;

  constructor(
    private readonly doc: Doc,
    private readonly m: Measure,
    private readonly model: ReportModel,
    /** The page count, when writing; undefined while counting (table cells are then laid out, not written). */
    private readonly total: number | undefined,
  ) {
    const fragment = (doc as unknown as { _fragment?: Fragment })._fragment;
    this.fragment = typeof fragment === 'function' ? fragment.bind(doc) : undefined;
  }

  private readonly fragment: Fragment | undefined;

  /**
   * One line of a table cell at (x, y) in the current font, size and colour; `width` is its measured width.
   * `text()` with `lineBreak: false` ends in pdfkit's `_fragment` (the pinned pdfkit 0.20's one writer of a line of
   * text) after measuring the string twice more through the font's shaper (once for the fragment's width, once to
   * advance the cursor), which a table does not use. Table cells go to `_fragment` directly with their width, so each
   * string is shaped once, when it is encoded; anything else, or a pdfkit without `_fragment`, takes `text()`.
   */
  private line(s: string, x: number, y: number, width: number): void {
    if (this.total === undefined) return; // counting pages: the position is all that matters
    if (this.fragment)
      this.fragment(s, x, y, { lineBreak: false, columns: 0, columnGap: 18, rotation: 0, textWidth: width });
    else this.doc.text(s, x, y, { lineBreak: false });
  }

  newPage(): void {
    this.doc.addPage({ size: 'A4', layout: 'landscape', margins: MARGIN });
    this.pages++;
    this.footer(this.pages);
    this.colour = '';
    const d = this.doc;
    d.font('bold').fontSize(9).fillColor(INK);
    d.text(this.m.fit(this.model.title, CONTENT_WIDTH / 2, 'bold', 9), MARGIN.left, 24, { lineBreak: false });
    const right = this.m.fit(
      `${this.model.scopeLabel} · ${this.model.period.label}`,
      CONTENT_WIDTH / 2 - 10,
      'regular',
      8,
    );
    d.font('regular').fontSize(8).fillColor(MUTED);
    d.text(right, PAGE.width - MARGIN.right - this.m.width(right, 'regular', 8), 25, { lineBreak: false });
    d.moveTo(MARGIN.left, 38)
      .lineTo(PAGE.width - MARGIN.right, 38)
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke();
    this.y = MARGIN.top;
  }

  private ensure(h: number): boolean {
    if (this.y + h <= BOTTOM) return false;
    this.newPage();
    return true;
  }

  titleBlock(): void {
    const d = this.doc;
    const model = this.model;
    d.font('bold').fontSize(18).fillColor(INK).text(model.title, MARGIN.left, this.y, { lineBreak: false });
    this.y += 24;
    const sub = `${model.scopeLabel} · ${model.period.label} · for ${model.audience}${model.party ? ` (${model.party})` : ''} · generated ${displayDate(model.generatedAt)}`;
    d.font('regular')
      .fontSize(9)
      .fillColor(MUTED)
      .text(this.m.fit(sub, CONTENT_WIDTH, 'regular', 9), MARGIN.left, this.y, { lineBreak: false });
    this.y += 18;
    // Key figures: boxes in rows of up to seven.
    const per = Math.min(7, Math.max(1, model.summary.length));
    const bw = (CONTENT_WIDTH - (per - 1) * 8) / per;
    model.summary.forEach((f, i) => {
      const col = i % per;
      if (col === 0 && i > 0) this.y += 44;
      const x = MARGIN.left + col * (bw + 8);
      d.rect(x, this.y, bw, 40).lineWidth(0.5).strokeColor(RULE).stroke();
      d.font('regular').fontSize(7).fillColor(MUTED);
      this.m.wrap(f.label, bw - 10, 'regular', 7, 2).forEach((l, k) => {
        d.text(l, x + 5, this.y + 4 + k * 8, { lineBreak: false });
      });
      const v = display(f.cell);
      d.font('bold')
        .fontSize(13)
        .fillColor(INK)
        .text(this.m.fit(v, bw - 10, 'bold', 13), x + 5, this.y + 22, { lineBreak: false });
    });
    this.y += 52;
  }

  /** A section heading, kept with at least `need` points of what follows it. */
  heading(title: string, need = 30): void {
    this.ensure(18 + need);
    this.y += 6;
    this.doc
      .font('bold')
      .fontSize(12)
      .fillColor(INK)
      .text(this.m.fit(title, CONTENT_WIDTH, 'bold', 12), MARGIN.left, this.y, { lineBreak: false });
    this.y += 16;
  }

  paragraph(text: string, colour = INK): void {
    const d = this.doc.font('regular').fontSize(8.5);
    const h = d.heightOfString(text, { width: CONTENT_WIDTH });
    this.ensure(h + 4);
    d.fillColor(colour).text(text, MARGIN.left, this.y, { width: CONTENT_WIDTH });
    this.y += h + 4;
  }

  /**
   * Column widths: natural widths (header and a sample of values, status words in bold); when the table is too
   * wide, columns of words are narrowed first (they wrap onto a second line), then the widest are cut.
   */
  private widths(t: Table): number[] {
    const sample =
      t.rows.length > 400 ? t.rows.filter((_, i) => i % Math.ceil(t.rows.length / 400) === 0) : t.rows;
    const wordy = t.columns.map(() => false);
    const natural = t.columns.map((c, j) => {
      let wmax = this.m.width(c.label, 'bold', TABLE_FONT);
      for (const r of sample) {
        const cell = r[j]!;
        const s = display(cell);
        if (cell.t === 'text' && s.includes(' ')) wordy[j] = true;
        wmax = Math.max(wmax, this.m.width(s, cell.t === 'status' ? 'bold' : 'regular', TABLE_FONT));
      }
      return Math.min(wmax + 2 * PAD, 300);
    });
    const total = natural.reduce((a, b) => a + b, 0);
    if (total <= CONTENT_WIDTH) {
      // Spread what is left over the text columns, so the table spans the page.
      const textCols = t.columns.map((_, j) => !isNumeric(t.rows[0]?.[j] ?? { t: 'text', v: '' }));
      const n = textCols.filter(Boolean).length || t.columns.length;
      const extra = (CONTENT_WIDTH - total) / n;
      return natural.map((x, j) => (textCols[j] || n === t.columns.length ? x + extra : x));
    }
    const out = [...natural];
    let over = total - CONTENT_WIDTH;
    // Columns of words may lose up to two thirds of their width (they take up to three lines), then the widest
    // columns are cut, words first: identifiers keep their width longest.
    const floorOf = (j: number, phase: number) =>
      phase === 0
        ? wordy[j]
          ? Math.max(44, natural[j]! / MAX_LINES + 6)
          : natural[j]!
        : phase === 1 && !wordy[j]
          ? natural[j]!
          : 34;
    for (let phase = 0; phase < 3 && over > 0.5; phase++) {
      for (let pass = 0; pass < 200 && over > 0.5; pass++) {
        const room = out.map((w, j) => w - floorOf(j, phase));
        const j = room.indexOf(Math.max(...room));
        if (room[j]! <= 0.5) break;
        const cut = Math.min(over, room[j]!, out[j]! * 0.15 + 2);
        out[j]! -= cut;
        over -= cut;
      }
    }
    return out;
  }

  table(t: Table, sectionTitle = ''): void {
    const d = this.doc;
    const widths = this.widths(t);
    const header = () => {
      this.colour = '';
      d.rect(MARGIN.left, this.y, CONTENT_WIDTH, ROW_H).fillColor('#eef0f2').fill();
      let x = MARGIN.left;
      d.font('bold').fontSize(TABLE_FONT).fillColor(INK);
      t.columns.forEach((c: Column, j) => {
        const label = this.m.fit(c.label, widths[j]! - 2 * PAD, 'bold', TABLE_FONT);
        const numeric = isNumeric(t.rows[0]?.[j] ?? { t: 'text', v: '' });
        const lx = numeric ? x + widths[j]! - PAD - this.m.width(label, 'bold', TABLE_FONT) : x + PAD;
        d.text(label, lx, this.y + 3.5, { lineBreak: false });
        x += widths[j]!;
      });
      this.y += ROW_H;
    };
    this.ensure(40);
    if (t.title !== sectionTitle) {
      d.font('bold')
        .fontSize(9)
        .fillColor(INK)
        .text(this.m.fit(t.title, CONTENT_WIDTH, 'bold', 9), MARGIN.left, this.y, { lineBreak: false });
      this.y += 13;
    }
    header();
    if (t.rows.length === 0) {
      d.font('regular')
        .fontSize(TABLE_FONT)
        .fillColor(MUTED)
        .text(t.empty, MARGIN.left + PAD, this.y + 3.5, { lineBreak: false });
      this.y += ROW_H + 8;
      return;
    }
    for (const row of t.rows) {
      const lines = row.map((c, j) => {
        const font = c.t === 'status' ? 'bold' : 'regular';
        return c.t === 'text'
          ? this.m.wrap(display(c), widths[j]! - 2 * PAD, font, TABLE_FONT, MAX_LINES)
          : [this.m.fit(display(c), widths[j]! - 2 * PAD, font, TABLE_FONT)];
      });
      const h = ROW_H + (Math.max(...lines.map((l) => l.length)) - 1) * LINE_H;
      if (this.ensure(h)) {
        d.font('bold')
          .fontSize(8)
          .fillColor(MUTED)
          .text(`${t.title} (continued)`, MARGIN.left, this.y, { lineBreak: false });
        this.y += 12;
        header();
      }
      let x = MARGIN.left;
      let current = '';
      row.forEach((c, j) => {
        const font = c.t === 'status' ? 'bold' : 'regular';
        if (font !== current) {
          d.font(font).fontSize(TABLE_FONT);
          current = font;
        }
        this.fill(c.t === 'status' ? (STATUS_COLOURS[c.v] ?? INK) : INK);
        lines[j]!.forEach((s, k) => {
          const sw = this.m.width(s, font, TABLE_FONT);
          const tx = isNumeric(c) ? x + widths[j]! - PAD - sw : x + PAD;
          this.line(s, tx, this.y + 3.5 + k * LINE_H, sw);
        });
        x += widths[j]!;
      });
      d.moveTo(MARGIN.left, this.y + h)
        .lineTo(MARGIN.left + CONTENT_WIDTH, this.y + h)
        .lineWidth(0.3)
        .strokeColor(RULE)
        .stroke();
      this.y += h;
    }
    this.y += 8;
  }

  /** Burn-down charts, three to a row. */
  charts(charts: readonly BurnDownChart[]): void {
    const per = 3;
    const gap = 16;
    const cw = (CONTENT_WIDTH - (per - 1) * gap) / per;
    const ch = 118;
    for (let i = 0; i < charts.length; i += per) {
      this.ensure(ch + 8);
      charts.slice(i, i + per).forEach((c, k) => {
        this.chart(c, MARGIN.left + k * (cw + gap), this.y, cw, ch);
      });
      this.y += ch + 8;
    }
  }

  private chart(c: BurnDownChart, x: number, y: number, w: number, h: number): void {
    const d = this.doc;
    d.font('bold')
      .fontSize(7.5)
      .fillColor(INK)
      .text(this.m.fit(c.title, w, 'bold', 7.5), x, y, { lineBreak: false });
    const px = x + 26;
    const py = y + 13;
    const pw = w - 30;
    const ph = h - 34;
    d.rect(px, py, pw, ph).lineWidth(0.5).strokeColor(RULE).stroke();
    d.font('regular').fontSize(6).fillColor(MUTED);
    for (const [v, label] of [
      [1, '100%'],
      [0.5, '50%'],
      [0, '0%'],
    ] as const) {
      const ly = py + ph * (1 - v);
      d.text(label, px - 4 - this.m.width(label, 'regular', 6), ly - 2.5, { lineBreak: false });
      if (v === 0.5)
        d.moveTo(px, ly)
          .lineTo(px + pw, ly)
          .lineWidth(0.3)
          .strokeColor('#eceff1')
          .stroke();
    }
    const t0 = Date.parse(c.periodStart);
    const t1 = Date.parse(c.periodEnd);
    const xAt = (ms: number) => px + (pw * Math.min(Math.max(ms - t0, 0), t1 - t0)) / Math.max(1, t1 - t0);
    const yAt = (r: number) => py + ph * (1 - Math.min(Math.max(r, 0), 1));
    // The first and last day of the period in the agreement's zone (UTC dates of a local month start a day early).
    const day = (ms: number) =>
      c.timeZone ? localDate(new Date(ms), c.timeZone) : displayDate(new Date(ms).toISOString()).slice(0, 10);
    d.text(day(t0), px, py + ph + 3, { lineBreak: false });
    const endLabel = day(t1 - 1);
    d.text(endLabel, px + pw - this.m.width(endLabel, 'regular', 6), py + ph + 3, { lineBreak: false });
    // Even burn: the whole budget spent exactly by the period's end.
    d.moveTo(px, py)
      .lineTo(px + pw, py + ph)
      .lineWidth(0.6)
      .dash(2, { space: 2 })
      .strokeColor('#9aa0a6')
      .stroke();
    d.undash();
    const pts = c.points.filter((p) => p.remaining !== null);
    if (pts.length === 0) {
      // On a white band, so the dashed line and the grid do not run through the words.
      const tw = this.m.width(c.empty, 'regular', 7);
      const tx = px + (pw - tw) / 2;
      d.rect(tx - 4, py + ph / 2 - 14, tw + 8, 12)
        .fillColor('#ffffff')
        .fill();
      d.font('regular')
        .fontSize(7)
        .fillColor(MUTED)
        .text(c.empty, tx, py + ph / 2 - 11.5, { lineBreak: false });
      return;
    }
    const lastLeft = pts.at(-1)!.remaining!;
    const colour = lastLeft < 0 ? '#b3261e' : lastLeft < 0.25 ? '#e37400' : '#1b7a3a';
    d.moveTo(xAt(Date.parse(pts[0]!.at)), yAt(pts[0]!.remaining!));
    for (const p of pts.slice(1)) d.lineTo(xAt(Date.parse(p.at)), yAt(p.remaining!));
    d.lineWidth(1.2).strokeColor(colour).stroke();
    const label =
      lastLeft < 0
        ? `budget overspent (${(100 * lastLeft).toFixed(1)}%)`
        : `${(100 * lastLeft).toFixed(1)}% left`;
    d.font('bold')
      .fontSize(6.5)
      .fillColor(colour)
      .text(label, px + pw - 3 - this.m.width(label, 'bold', 6.5), py + 3, { lineBreak: false });
  }

  /** The page number ("Page 2 of 9") and the report's hash, at the foot of the page just opened. */
  private footer(n: number): void {
    const d = this.doc;
    const bottom = d.page.margins.bottom;
    d.page.margins.bottom = 0; // writing in the margin must not open a new page
    d.moveTo(MARGIN.left, PAGE.height - 34)
      .lineTo(PAGE.width - MARGIN.right, PAGE.height - 34)
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke();
    d.font('regular').fontSize(6.5).fillColor(MUTED);
    d.text(`Report ${this.model.id} · SHA-256 ${this.model.hash}`, MARGIN.left, PAGE.height - 28, {
      lineBreak: false,
    });
    const label = `Page ${n} of ${this.total ?? '?'}`;
    d.font('bold').fontSize(7);
    d.text(label, PAGE.width - MARGIN.right - this.m.width(label, 'bold', 7), PAGE.height - 28, {
      lineBreak: false,
    });
    d.page.margins.bottom = bottom;
  }
}
