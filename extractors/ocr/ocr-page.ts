import type { PageIR, Ruling, TextItem } from '../../src/model.js';
import { normaliseText } from '../../src/normalise.js';
import { ocrEngine, type OcrLanguage, type PixelRect } from './engine.js';
import { eraseRulings, estimateSkew, findRasterRulings, rotate, type GrayImage } from './raster.js';

/** What OCR made of one page image, besides the page itself: kept for re-reads and the debug overlay. */
export interface OcrPageResult {
  page: PageIR;
  /** The deskewed image the words and rulings were read from. */
  image: GrayImage;
  /** Degrees the page leaned by (undone before reading). */
  skew: number;
}

/** Marks a ruling line leaves behind in OCR output, never text. */
const RULE_ARTEFACT = /^[|｜_—―\-–=~.,:;'"`!！/\\[\]()（）{}<>]+$/;

/**
 * Read one page image: undo its lean, find the ruling lines in the raster, recognise the words, and hand
 * both on in page points (top-left origin) exactly as a text layer would be: a table region is then found
 * and filled by the same layout stage.
 */
export async function ocrPage(number: number, original: GrayImage, language?: OcrLanguage): Promise<OcrPageResult> {
  const skew = estimateSkew(original);
  const image = rotate(original, skew);
  const scale = 72 / image.dpi;
  const rulings = findRasterRulings(image);
  const engine = ocrEngine();
  // The words are read with the rulings erased; the rulings themselves go to the layout stage.
  const clean = eraseRulings(image, rulings);
  const words = await engine.readPage(clean, language);
  const items: TextItem[] = [];
  let rereads = 0;
  for (const word of words) {
    let raw = cleanFigure(word.text.trim());
    if (raw === '' || RULE_ARTEFACT.test(raw)) continue;
    let confidence = Math.max(0, Math.min(1, word.confidence));
    const [x0, y0, x1, y1] = word.bbox;
    let alternatives: { raw: string; confidence: number }[] | undefined;
    // A doubtful amount is read again on its own: cropped to its cell, one line, digits only.
    if (/\d/.test(raw) && /[.,]/.test(raw) && (confidence < REREAD_BELOW || !WELL_FORMED.test(raw)) && rereads < MAX_REREADS) {
      rereads++;
      const again = await engine.readDigits(clean, cellAround([x0, y0, x1, y1], rulings, scale, clean));
      const second = cleanFigure(again.text);
      if (second === raw && WELL_FORMED.test(raw)) confidence = Math.max(confidence, 0.95);
      else if (WELL_FORMED.test(second)) {
        // Two readings disagree: the better one is kept, the other goes to the arithmetic as an alternative.
        const [keep, other] = again.confidence > confidence || !WELL_FORMED.test(raw) ? [{ raw: second, confidence: again.confidence }, { raw, confidence }] : [{ raw, confidence }, { raw: second, confidence: again.confidence }];
        raw = keep.raw;
        alternatives = [other];
        confidence = Math.min(keep.confidence, 0.6);
      }
    }
    items.push({
      text: normaliseText(raw),
      raw,
      bbox: [x0 * scale, y0 * scale, x1 * scale, y1 * scale],
      fontSize: Math.max(1, (y1 - y0) * scale),
      source: 'ocr',
      confidence,
      ...(alternatives ? { alternatives } : {}),
    });
  }
  await rereadPoorCells(items, rulings, clean, scale);
  const page: PageIR = { number, width: image.width * scale, height: image.height * scale, items, rulings, source: 'ocr' };
  return { page, image, skew };
}

/** Below this confidence an amount is read a second time. */
const REREAD_BELOW = 0.9;
/** At most this many re-reads per page (each costs about a third of a second). */
const MAX_REREADS = 120;
/** An amount as printed: thousands groups and decimals, or plain digits with decimals. */
const WELL_FORMED = /^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,6})?$/;

/**
 * Marks that ruling lines and speckles leave at the edges of a figure ("3,688.46|", "]1,007.24") are dropped,
 * and points read for thousands commas ("4.302.44") restored: the digits themselves are never changed here.
 */
export function cleanFigure(reading: string): string {
  if (!/\d/.test(reading)) return reading;
  let out = reading.replace(/^[|｜\][”“"'‘’`!lI]+(?=[\d-])/, '').replace(/(?<=\d)[|｜\][”“"'‘’`!jJlI]+$/, '');
  if (/^\d{1,3}(?:\.\d{3})+\.\d{2}$/.test(out)) out = out.replace(/\.(?=\d{3}(?:[.]|$))/g, ',');
  return out;
}

/** The ruled cell around a word (its nearest rulings on each side), in pixels, else the word with a margin. */
function cellAround(box: [number, number, number, number], rulings: Ruling[], scale: number, image: GrayImage): PixelRect {
  const [x0, y0, x1, y1] = box.map((v) => v * scale) as [number, number, number, number];
  const cy = (y0 + y1) / 2;
  const cx = (x0 + x1) / 2;
  const verticals = rulings.filter((r) => r.x0 === r.x1 && r.y0 <= cy && r.y1 >= cy);
  const horizontals = rulings.filter((r) => r.y0 === r.y1 && r.x0 <= cx && r.x1 >= cx);
  const left = Math.max(...verticals.filter((r) => r.x0 <= x0 + 1).map((r) => r.x0), x0 - 20);
  const right = Math.min(...verticals.filter((r) => r.x0 >= x1 - 1).map((r) => r.x0), x1 + 20);
  const top = Math.max(...horizontals.filter((r) => r.y0 <= y0 + 1).map((r) => r.y0), y0 - 6);
  const bottom = Math.min(...horizontals.filter((r) => r.y0 >= y1 - 1).map((r) => r.y0), y1 + 6);
  // A few pixels inside the rulings so the lines themselves are not read.
  const inset = 3;
  const px = (v: number) => Math.round(v / scale);
  const l = Math.max(0, px(left) + inset);
  const t = Math.max(0, px(top) + inset);
  return { left: l, top: t, width: Math.max(8, Math.min(image.width - l, px(right) - inset - l)), height: Math.max(8, Math.min(image.height - t, px(bottom) - inset - t)) };
}

/** At most this many ruled cells of poorly read words are read again per page. */
const MAX_CELL_REREADS = 40;

/**
 * Words read with low confidence inside a ruled cell (bold header words, mostly) are read again with the cell
 * cropped on its own; the second reading replaces the cell's words when it is clearly surer.
 */
async function rereadPoorCells(items: TextItem[], rulings: Ruling[], image: GrayImage, scale: number): Promise<void> {
  if (rulings.length < 4) return;
  const cells = new Map<string, { rect: PixelRect; words: TextItem[] }>();
  for (const item of items) {
    if (item.confidence >= 0.75 || /\d/.test(item.raw)) continue;
    const px = item.bbox.map((v) => v / scale) as [number, number, number, number];
    const rect = enclosingCell(px, rulings, scale);
    if (!rect) continue;
    const key = `${rect.left},${rect.top},${rect.width},${rect.height}`;
    if (!cells.has(key)) cells.set(key, { rect, words: [] });
  }
  let budget = MAX_CELL_REREADS;
  for (const { rect } of cells.values()) {
    if (budget-- <= 0) break;
    const inside = items.filter((it) => {
      const cx = (it.bbox[0] + it.bbox[2]) / 2 / scale;
      const cy = (it.bbox[1] + it.bbox[3]) / 2 / scale;
      return cx >= rect.left && cx <= rect.left + rect.width && cy >= rect.top && cy <= rect.top + rect.height;
    });
    if (inside.length === 0 || inside.some((it) => /\d/.test(it.raw))) continue;
    const again = await ocrEngine().readCell(image, rect);
    const text = again.text.replace(/\s*\n\s*/g, '');
    const before = inside.reduce((s, it) => s + it.confidence, 0) / inside.length;
    if (text === '' || again.confidence < before + 0.1) continue;
    const bbox: [number, number, number, number] = [
      Math.min(...inside.map((it) => it.bbox[0])),
      Math.min(...inside.map((it) => it.bbox[1])),
      Math.max(...inside.map((it) => it.bbox[2])),
      Math.max(...inside.map((it) => it.bbox[3])),
    ];
    for (const it of inside) items.splice(items.indexOf(it), 1);
    items.push({ text: normaliseText(text), raw: text, bbox, fontSize: Math.max(...inside.map((it) => it.fontSize)), source: 'ocr', confidence: again.confidence });
  }
}

/** The ruled cell (nearest rulings on all four sides) around a pixel box, or null where there is none. */
function enclosingCell(box: [number, number, number, number], rulings: Ruling[], scale: number): PixelRect | null {
  const [x0, y0, x1, y1] = box.map((v) => v * scale) as [number, number, number, number];
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const verticals = rulings.filter((r) => r.x0 === r.x1 && r.y0 <= cy && r.y1 >= cy);
  const horizontals = rulings.filter((r) => r.y0 === r.y1 && r.x0 <= cx && r.x1 >= cx);
  const lefts = verticals.filter((r) => r.x0 <= cx).map((r) => r.x0);
  const rights = verticals.filter((r) => r.x0 >= cx).map((r) => r.x0);
  const tops = horizontals.filter((r) => r.y0 <= cy).map((r) => r.y0);
  const bottoms = horizontals.filter((r) => r.y0 >= cy).map((r) => r.y0);
  if (!lefts.length || !rights.length || !tops.length || !bottoms.length) return null;
  const inset = 3;
  const px = (v: number) => Math.round(v / scale);
  const left = px(Math.max(...lefts)) + inset;
  const top = px(Math.max(...tops)) + inset;
  const width = px(Math.min(...rights)) - inset - left;
  const height = px(Math.min(...bottoms)) - inset - top;
  return width > 8 && height > 8 ? { left, top, width, height } : null;
}
