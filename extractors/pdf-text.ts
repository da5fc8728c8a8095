import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getDocument, OPS, Util, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/types/src/display/api.js';
import type { BBox, DocumentIR, PageIR, Ruling, TextItem } from '../src/model.js';
import { garbledShare, normaliseText } from '../src/normalise.js';
import { ocrSettings } from './ocr/engine.js';
import { PageOcrQueue } from './ocr/ocr-page.js';
import { renderPage } from './ocr/raster.js';
import type { Extractor } from './registry.js';
import { PdfOpenError } from './errors.js';
import { PdfLite, type TextRun } from './pdf-lite.js';

export { PdfOpenError };
import { paintPath } from './rulings.js';

const require = createRequire(import.meta.url);
const pdfjsRoot = path.dirname(require.resolve('pdfjs-dist/package.json'));
// Chinese PDFs use predefined CMaps (UniGB-UCS2-H …): without them text comes out empty or wrong.
const CMAP_URL = pathToFileURL(path.join(pdfjsRoot, 'cmaps') + path.sep).href;
const STANDARD_FONT_URL = pathToFileURL(path.join(pdfjsRoot, 'standard_fonts') + path.sep).href;

type Matrix = [number, number, number, number, number, number];

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

/** Open a PDF with the packaged CMaps and standard fonts; the caller must `destroy()` it. */
export async function openPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  // pdf.js transfers (detaches) the buffer it is given, so hand it a copy.
  const data = new Uint8Array(bytes);
  const task = getDocument({
    data,
    cMapUrl: CMAP_URL,
    cMapPacked: true,
    standardFontDataUrl: STANDARD_FONT_URL,
    useSystemFonts: false,
    disableFontFace: true,
    isEvalSupported: false,
    verbosity: VerbosityLevel.ERRORS,
  });
  try {
    return await task.promise;
  } catch (error) {
    await task.destroy();
    const name = (error as { name?: string }).name ?? '';
    const message = (error as Error).message ?? String(error);
    if (name === 'PasswordException') throw new PdfOpenError(`encrypted PDF (a password is required): ${message}`, 'encrypted');
    throw new PdfOpenError(`not a readable PDF: ${message}`, 'corrupt');
  }
}

const STROKE_OPS = new Set<number>([OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
const FILL_OPS = new Set<number>([OPS.fill, OPS.eoFill]);

/** Read one page: text items and ruling lines in points, top-left origin. */
export interface ReadPageOptions {
  /** Read rulings whatever the text looks like (a page after a ruled page). */
  rulings?: 'always' | 'auto';
  /** The fast content-stream reader for this document, when it could parse the file. */
  lite?: PdfLite | null;
  /** Where text comes from: the fast reader where its fonts allow (default), or always pdf.js. */
  text?: 'auto' | 'pdfjs';
}

export async function readPage(page: PDFPageProxy, options: ReadPageOptions = {}): Promise<PageIR> {
  const viewport = page.getViewport({ scale: 1 });
  const toDisplay = viewport.transform as Matrix;
  let fast: { rulings: Ruling[]; text: TextRun[] | null } | null = null;
  if (options.lite && options.text !== 'pdfjs') {
    try {
      fast = options.lite.readPage(page.pageNumber, true);
    } catch {
      fast = null;
    }
  }
  const items: TextItem[] = [];
  const push = (raw: string, origin: [number, number], dir: [number, number], up: [number, number], fontSize: number, width: number) => {
    if (raw.trim() === '') return;
    const corners = [
      [0, -0.15],
      [width, -0.15],
      [0, 0.85],
      [width, 0.85],
    ].map(([t, h]) => apply(toDisplay, origin[0] + dir[0] * t! + up[0] * h! * fontSize, origin[1] + dir[1] * t! + up[1] * h! * fontSize));
    const xs = corners.map((c) => c[0]);
    const ys = corners.map((c) => c[1]);
    const bbox: BBox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    items.push({ text: normaliseText(raw), raw, bbox, fontSize, source: 'text', confidence: 1 });
  };
  if (fast?.text) {
    // pdf.js drops text drawn outside the page's view box; so does the fast path.
    const [vx0, vy0, vx1, vy1] = page.view as [number, number, number, number];
    for (const run of fast.text) {
      const [ox, oy] = run.origin;
      if (ox > vx1 || Math.max(ox, run.end[0]) < vx0 || oy < vy0 || oy > vy1) continue;
      const dx = run.end[0] - run.origin[0];
      const dy = run.end[1] - run.origin[1];
      const width = Math.hypot(dx, dy);
      // A run without advance still has the direction of its up vector turned clockwise.
      const dir: [number, number] = width > 0 ? [dx / width, dy / width] : [run.up[1], -run.up[0]];
      push(run.text, run.origin, dir, run.up, run.fontSize, width);
    }
  } else {
    const content = await page.getTextContent();
    for (const item of content.items) {
      if (!('str' in item)) continue;
      const m = item.transform as Matrix;
      const fontSize = Math.hypot(m[2], m[3]) || Math.hypot(m[0], m[1]);
      const along = Math.hypot(m[0], m[1]) || 1;
      push(item.str, [m[4], m[5]], [m[0] / along, m[1] / along], [m[2] / (fontSize || 1), m[3] / (fontSize || 1)], fontSize, item.width);
    }
  }
  // Only pages that may hold a table (amounts, codes or a 表 title) need rulings.
  let rulings: Ruling[] = [];
  if (options.rulings === 'always' || mayHoldTable(items)) {
    // The fast reader already read (or failed on) this page: only pdf.js's operator list is left to try.
    rulings = fast ? fast.rulings.map((r) => displayRuling(r, toDisplay)) : await readRulings(page, toDisplay);
  }
  return {
    number: page.pageNumber,
    width: viewport.width,
    height: viewport.height,
    items,
    rulings,
    source: items.length > 0 ? 'text' : 'none',
  };
}

function displayRuling(r: Ruling, toDisplay: Matrix): Ruling {
  const [ax, ay] = apply(toDisplay, r.x0, r.y0);
  const [bx, by] = apply(toDisplay, r.x1, r.y1);
  return { x0: Math.min(ax, bx), y0: Math.min(ay, by), x1: Math.max(ax, bx), y1: Math.max(ay, by) };
}

const AMOUNT_TEXT = /^-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{1,6}$/;

/** True when a page carries an amount on its own, a code or a table title: pages of pure prose skip the ruling scan. */
export function mayHoldTable(items: TextItem[]): boolean {
  for (const item of items) {
    const compact = item.text.replace(/\s+/g, '');
    if (AMOUNT_TEXT.test(compact) || /^(?:\d{3}|\d{5}|\d{7})$/.test(compact)) return true;
    if (/表\s*$/.test(item.text) || /^\s*(?:合\s*计|总\s*计)\s*$/.test(item.text)) return true;
  }
  return false;
}

/** Horizontal and vertical lines from stroked paths and thin filled rectangles, tracking the CTM. */
async function readRulings(page: PDFPageProxy, toDisplay: Matrix): Promise<Ruling[]> {
  const ops = await page.getOperatorList();
  const rulings: Ruling[] = [];
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const stack: Matrix[] = [];
  const { fnArray, argsArray } = ops;
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i] as unknown[];
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.transform) ctm = Util.transform(ctm, args as Matrix) as Matrix;
    else if (fn === OPS.paintFormXObjectBegin) {
      stack.push(ctm);
      const matrix = args[0] as Matrix | null;
      if (matrix) ctm = Util.transform(ctm, matrix) as Matrix;
    } else if (fn === OPS.paintFormXObjectEnd) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.constructPath) {
      const paintOp = args[0] as number;
      const stroke = STROKE_OPS.has(paintOp);
      const fill = FILL_OPS.has(paintOp);
      if (!stroke && !fill) continue;
      const data = (args[1] as ArrayLike<number>[] | undefined)?.[0];
      if (!data) continue;
      const full = Util.transform(toDisplay, ctm) as Matrix;
      for (const sub of subpaths(data)) {
        const pts = sub.map(([x, y]) => apply(full, x, y));
        paintPath(pts, stroke, fill, rulings);
      }
    }
  }
  return rulings;
}

/** Split pdf.js path data (DrawOPS codes followed by coordinates) into polylines; curves are dropped. */
function subpaths(data: ArrayLike<number>): [number, number][][] {
  const out: [number, number][][] = [];
  let current: [number, number][] = [];
  let i = 0;
  while (i < data.length) {
    const op = data[i++];
    if (op === 0) {
      if (current.length > 1) out.push(current);
      current = [[data[i]!, data[i + 1]!]];
      i += 2;
    } else if (op === 1) {
      current.push([data[i]!, data[i + 1]!]);
      i += 2;
    } else if (op === 2) {
      if (current.length > 1) out.push(current);
      current = [[data[i + 4]!, data[i + 5]!]];
      i += 6;
    } else if (op === 3) {
      if (current.length > 1) out.push(current);
      current = [[data[i + 2]!, data[i + 3]!]];
      i += 4;
    } else if (op === 4) {
      if (current.length > 0) current.push(current[0]!);
    } else break;
  }
  if (current.length > 1) out.push(current);
  return out;
}

/** OCR runs unless turned off (`--no-ocr` sets BUDGET_EXTRACT_OCR=0). */
export function ocrEnabled(): boolean {
  return process.env.BUDGET_EXTRACT_OCR !== '0';
}

/**
 * Which pages need OCR: no text layer at all (an image or a scan), or a text layer that is mostly
 * unreadable (U+FFFD, private-use or Yi code points after the safe substitutions).
 */
export function routePage(page: PageIR): { ocr: boolean; reason: string } {
  if (page.source === 'none' || page.items.length === 0) return { ocr: true, reason: 'no text layer' };
  const share = garbledShare(page.items.map((i) => i.raw).join(''));
  if (share > 0.1) return { ocr: true, reason: `garbled text layer (${Math.round(share * 100)}% unreadable characters)` };
  return { ocr: false, reason: 'text layer' };
}

/** The fast ruling reader, or null when it cannot read this file or counts its pages differently from pdf.js. */
export function openLite(bytes: Uint8Array, pageCount: number): PdfLite | null {
  if (process.env.BUDGET_EXTRACT_FAST_READER === '0') return null;
  try {
    const lite = new PdfLite(bytes);
    return lite.pages.length === pageCount ? lite : null;
  } catch {
    return null;
  }
}

/** The text-layer extractor: every page's text items and rulings, the PDF always closed. */
export const pdfTextExtractor: Extractor = {
  name: 'pdf-text',
  accepts: (doc) => doc.input.media === 'pdf',
  async extract(doc: DocumentIR, progress?: (pagesDone: number) => void): Promise<void> {
    const pdf = await openPdf(doc.input.bytes);
    const lite = openLite(doc.input.bytes, pdf.numPages);
    try {
      doc.pageCount = pdf.numPages;
      if (pdf.numPages === 0) throw new PdfOpenError('the PDF has no pages', 'empty');
      const settings = ocrSettings();
      const queue = new PageOcrQueue(settings.pagesAtOnce);
      // Each page as read, or its OCR under way; a text page after an OCR page read its rulings on the chance that page was ruled.
      const slots: { route: { ocr: boolean; reason: string }; read: PageIR | Promise<PageIR>; rulingsOnChance: boolean }[] = [];
      let done = 0;
      const pageDone = () => progress?.(++done);
      // True or false once known; null while the page before is still being OCR'd.
      let previousRuled: boolean | null = false;
      for (let n = 1; n <= pdf.numPages; n++) {
        const page = await pdf.getPage(n);
        try {
          // A table running on from a ruled page may carry neither amounts nor codes (a 绩效目标表 piece).
          const read = await readPage(page, { rulings: previousRuled !== false ? 'always' : 'auto', lite });
          const route = routePage(read);
          if (route.ocr && ocrEnabled()) {
            const { reading } = await queue.add(n, await renderPage(page, settings.dpi));
            void reading.then(pageDone, () => undefined);
            slots.push({ route, read: reading, rulingsOnChance: false });
            previousRuled = null;
          } else {
            slots.push({ route, read, rulingsOnChance: previousRuled === null });
            previousRuled = previousRuled === null ? null : read.rulings.length >= 4;
            pageDone();
          }
        } finally {
          page.cleanup();
        }
      }
      let ruled = false;
      for (const slot of slots) {
        const read = await slot.read;
        // As `readPage` would have read it had the page before been known: rulings only after a ruled page or where a table may be.
        if (slot.rulingsOnChance && !ruled && !mayHoldTable(read.items)) read.rulings = [];
        doc.pageRoutes.push({ page: read.number, source: read.source === 'ocr' ? 'ocr' : read.source === 'text' ? 'text' : 'none', reason: slot.route.reason });
        ruled = read.rulings.length >= 4;
        doc.pages.push(read);
      }
    } finally {
      await pdf.destroy();
    }
    doc.pageSources.text = doc.pages.filter((p) => p.source === 'text').length;
    doc.pageSources.ocr = doc.pages.filter((p) => p.source === 'ocr').length;
    for (const page of doc.pages) {
      if (page.source === 'none') {
        doc.issues.push({
          code: 'page.no_text',
          severity: 'warning',
          page: page.number,
          message: `page ${page.number} has no usable text layer and OCR is turned off (BUDGET_EXTRACT_OCR=0 or --no-ocr); it was not read`,
        });
      }
    }
  },
};
