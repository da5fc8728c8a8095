import { availableParallelism } from 'node:os';
import { ruledCellBoxes } from '../../src/layout.js';
import type { BBox, PageIR, Ruling, TextItem } from '../../src/model.js';
import { normaliseText } from '../../src/normalise.js';
import { ocrEngine, type OcrLanguage, type OcrWord } from './engine.js';
import { completeRulings, cropCell, despeckle, eraseRulings, estimateSkew, findRasterRulings, inkBox, mainInkRun, otsuThreshold, rotate, stretchContrast, thicken, upscale, type GrayImage, type PixelRect } from './raster.js';

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
  const threshold = Math.min(otsuThreshold(image), 170);
  const rulings = completeRulings(image, findRasterRulings(image, 24, threshold), threshold);
  const engine = ocrEngine();
  // The words are read with the rulings erased; the rulings themselves go to the layout stage.
  // Speckles read as stray characters ("，", "2", "下") beside the words, so they go before anything is read.
  const clean = despeckle(eraseRulings(image, rulings), threshold, Math.round((image.dpi / 100) ** 2 * 3), Math.round(image.dpi / 25));
  const words = await engine.readPage(clean, language);
  const cells = ruledCellBoxes(rulings).map((box) => box.map((v) => v / scale) as [number, number, number, number]);
  const wordsByCell = new Map<number, OcrWord[]>();
  const loose: OcrWord[] = [];
  for (const word of words) {
    const cx = (word.bbox[0] + word.bbox[2]) / 2;
    const cy = (word.bbox[1] + word.bbox[3]) / 2;
    const cell = cells.findIndex(([x0, y0, x1, y1]) => cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1);
    if (cell < 0) loose.push(word);
    else wordsByCell.set(cell, [...(wordsByCell.get(cell) ?? []), word]);
  }
  const items: TextItem[] = [];
  // Inside a ruled table every cell is read on its own: the page reading of a table mixes up its columns.
  const lineHeight = typicalLineHeight(words);
  // Several at once, so that one page keeps every recogniser busy; not all at once, as each holds its crops while it waits.
  const cellItems = await mapLimit(cells, CELLS_AT_ONCE, (cell, k) => readRuledCell(clean, cell, wordsByCell.get(k) ?? [], threshold, lineHeight));
  for (const item of cellItems) {
    if (item) items.push({ ...item, bbox: item.bbox.map((v) => v * scale) as BBox, fontSize: Math.max(1, item.fontSize * scale) });
  }
  let rereads = 0;
  for (const word of loose) {
    let raw = cleanFigure(word.text.trim());
    if (raw === '' || RULE_ARTEFACT.test(raw)) continue;
    let confidence = Math.max(0, Math.min(1, word.confidence));
    const [x0, y0, x1, y1] = word.bbox;
    let alternatives: { raw: string; confidence: number }[] | undefined;
    // A doubtful amount is read again on its own: cropped to its cell, one line, digits only.
    if (/\d/.test(raw) && /[.,]/.test(raw) && (confidence < REREAD_BELOW || !WELL_FORMED.test(raw)) && rereads < MAX_REREADS) {
      rereads++;
      const again = await engine.readDigits(cropCell(clean, cellAround([x0, y0, x1, y1], rulings, scale, clean), threshold));
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
  const page: PageIR = { number, width: image.width * scale, height: image.height * scale, items, rulings, source: 'ocr' };
  return { page, image, skew };
}

/** Cells of one page read at the same time: a few per core. */
const CELLS_AT_ONCE = 2 * Math.max(1, availableParallelism());

/** `map` over `items` with at most `limit` calls under way; results in the order of `items`. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, map: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * Pages OCR'd side by side, at most `limit` at a time: a page's own reading runs on one core, so a document
 * keeps several recognisers busy only with several pages under way. `add` waits while the limit is reached.
 * Only the page is handed back: holding each page's image until the document ends grew a 50-page scan by 250 MB.
 */
export class PageOcrQueue {
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly limit: number,
    private readonly read: typeof ocrPage = ocrPage,
  ) {}

  /** Start reading a page once there is room; its reading's failure is kept until the reading is awaited. */
  async add(number: number, image: GrayImage, language?: OcrLanguage): Promise<{ reading: Promise<PageIR> }> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const reading = this.read(number, image, language).then((result) => result.page);
    // Settled either way, so that a failure waits for its page's turn to be awaited instead of going unhandled.
    const settled = reading.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return { reading };
  }
}

/** Digits, with seven characters in ten of it figure characters. */
function looksLikeFigure(text: string): boolean {
  return /\d/.test(text) && figureShare(text) >= 0.7;
}

/** A text reading with a digit before a point or comma, half of it figure characters: a figure garbled ("73 .9天"). */
function isGarbledFigure(texts: { raw: string; confidence: number }[]): boolean {
  return texts.some((t) => /\d\s*[.,]/.test(t.raw) && figureShare(t.raw) >= 0.5);
}

/**
 * Whether the text readings of a one-line cell may hide a figure, so that digit readings should decide: a garbled
 * figure; two readings that disagree, one of them digits ("08" and "三" for 2.68); or only unsure short readings.
 */
export function wantsDigitReading(texts: { raw: string; confidence: number }[]): boolean {
  const disputedDigits = texts.length === 2 && texts[0]!.raw !== texts[1]!.raw && texts.some((t) => looksLikeFigure(t.raw));
  return isGarbledFigure(texts) || disputedDigits || texts.every((t) => t.confidence < 0.6 && [...t.raw].length <= 8);
}

/** The median height of the page's words in pixels: one printed line. */
function typicalLineHeight(words: OcrWord[]): number {
  const heights = words.map((w) => w.bbox[3] - w.bbox[1]).filter((h) => h > 4).sort((a, b) => a - b);
  return heights.length ? heights[Math.floor(heights.length / 2)]! : 30;
}

/** Share of an amount's characters that are digits, points, commas or a minus sign. */
function figureShare(text: string): number {
  const compact = text.replace(/\s+/g, '');
  if (compact === '') return 0;
  return [...compact].filter((ch) => /[\d.,-]/.test(ch)).length / compact.length;
}

/**
 * One ruled cell read on its own (pixels in and out). A cell the page reading saw as a figure is read again as
 * one line of digits, two or three times (see `decideFigure`), the readings left over going to the arithmetic
 * as alternatives. Any other inked cell is read as text, a line or a block, voted with the page reading (see
 * `voteText`).
 */
async function readRuledCell(image: GrayImage, cell: [number, number, number, number], words: OcrWord[], threshold: number, lineHeight: number): Promise<TextItem | null> {
  // Clear of the cell's borders: what erasing leaves of a ruling reads as "1" or "|".
  const inset = Math.max(3, Math.round(image.dpi / 60));
  const rect: PixelRect = { left: Math.round(cell[0]) + inset, top: Math.round(cell[1]) + inset, width: Math.round(cell[2] - cell[0]) - 2 * inset, height: Math.round(cell[3] - cell[1]) - 2 * inset };
  if (rect.width < 6 || rect.height < 6) return null;
  const ink = inkBox(image, rect, threshold, Math.round((image.dpi / 100) ** 2 * 6));
  if (!ink) return null;
  // Words the page reading ran across several cells belong to none of them.
  const kept = words.filter((w) => w.text.trim() !== '' && !RULE_ARTEFACT.test(w.text.trim()) && overlapShare(w.bbox, cell) >= 0.6);
  const bbox: [number, number, number, number] = [ink.left, ink.top, ink.left + ink.width, ink.top + ink.height];
  const pageReading = cleanFigure(kept.map((w) => w.text.trim()).join(''));
  const pageConfidence = kept.length ? Math.min(...kept.map((w) => Math.max(0, Math.min(1, w.confidence)))) : 0;
  const fontSize = Math.min(ink.height, lineHeight);
  const item = (raw: string, confidence: number, alternatives: { raw: string; confidence: number }[] = []): TextItem => ({
    text: normaliseText(raw),
    raw,
    bbox,
    fontSize,
    source: 'ocr',
    confidence,
    ...(alternatives.length ? { alternatives } : {}),
  });
  const engine = ocrEngine();
  const cellImage = cropCell(image, rect, threshold);
  const readings: { raw: string; confidence: number }[] = [];
  let line: { text: string; confidence: number } | null = null;
  if (kept.length) readings.push({ raw: pageReading, confidence: pageConfidence });
  else if (ink.lines === 1) {
    // Nothing of the page reading fell in this cell: one line read decides whether it holds a figure.
    line = await engine.readCell(cellImage, true);
    readings.push(asFigure(line));
  }
  // Two digit readings that err on different glyphs: the figure cut out and enlarged, and the whole cell.
  // When those two disagree, or are both unsure, the figure cut out at its own size is a third.
  const readDigits = async () => {
    const figure = stretchContrast(mainInkRun(cellImage, threshold));
    const readings = [asFigure(await engine.readDigits(upscale(figure, 2))), asFigure(await engine.readDigits(stretchContrast(cellImage)))];
    if (!agree(readings[0]!.raw, readings[1]!.raw) || readings.every((r) => r.confidence < 0.6)) readings.push(asFigure(await engine.readDigits(figure)));
    return readings;
  };
  if (readings.length && looksLikeFigure(readings[0]!.raw)) {
    // The digit readings are trusted before the page's, which votes only.
    const [value, confidence, others] = signDoubt(decideFigure([...(await readDigits()), readings[0]!]));
    if (confidence < 0.3) {
      // No digit reading is anything like sure ("0" at 0.00 for a bold 预算数 header): a sure reading of words wins;
      // an unsure one is kept beside the figure, for a header cell's words to be matched against.
      const words = await clearReading(engine, cellImage, threshold, ink.lines === 1);
      if (sureWords(words) && /\p{Script=Han}/u.test(words.raw)) return item(words.raw, words.confidence);
      if (/\p{Script=Han}/u.test(words.raw) && !/\d/.test(words.raw)) return item(value, confidence, [...others, words]);
    }
    return item(value, confidence, others);
  }
  const again = line ?? (await engine.readCell(cellImage, ink.lines === 1));
  const cellText = tidyCellText(again.text);
  const pageText = tidyCellText(kept.map((w) => w.text).join(' '));
  const texts = [
    { raw: cellText, confidence: again.confidence },
    { raw: pageText, confidence: pageConfidence },
  ].filter((t) => t.raw !== '' && !RULE_ARTEFACT.test(t.raw));
  // An unsure reading of one line may be a figure the page reading garbled ("15" read as "于", "73.97" as
  // "误潮汪呈天"): digit readings that agree on a well-formed figure say so.
  const garbledFigure = isGarbledFigure(texts);
  if (ink.lines === 1 && wantsDigitReading(texts)) {
    const digits = await readDigits();
    const [value, confidence, others] = decideFigure(digits);
    // Forced into digits, a bold "合计" can come out as "3" twice: only readings the recogniser is sure of count,
    // or an amount with its decimals that two readings give, one of them sure.
    const backers = digits.filter((d) => agree(d.raw, value));
    const sure = backers.filter((d) => d.confidence >= 0.75).length >= 2 || (/\.\d{2}$/.test(value) && backers.length >= 2 && backers.some((d) => d.confidence >= 0.9));
    if (sure && WELL_FORMED.test(value) && (!garbledFigure || /\.\d+$/.test(value))) return item(...signDoubt([value, confidence, others]));
    // An amount with its decimals ("17.33" where the text readings say "8" or "汪汪") is a figure too, but doubtful
    // (the arithmetic proves it or it goes to review), when one reading is sure of it, two agree on it, one of them
    // fairly sure, or all three give it.
    const decimal = digits
      .filter((d) => WELL_FORMED.test(d.raw) && /\.\d{2}$/.test(d.raw))
      .filter((d, _, all) => {
        const agreeing = all.filter((o) => agree(o.raw, d.raw)).length;
        return d.confidence >= 0.9 || (d.confidence >= 0.6 && agreeing >= 2) || agreeing >= 3;
      })
      .sort((a, b) => b.confidence - a.confidence)[0];
    if (decimal) return item(...signDoubt([decimal.raw, Math.min(confidence, 0.6), dedupe(digits.filter((d) => !agree(d.raw, decimal.raw) && WELL_FORMED.test(d.raw)))]));
    // Inked, no text reading at all, and only unsure digit readings ("1778.21" at 0.00 and 0.51 where the line reading
    // is empty): the cell is not blank. Its best digit reading goes on as a doubtful figure, for the arithmetic to
    // prove or send to review; dropped, the printed figure would come out as a blank no one is asked to check.
    // So is a cell whose only text readings are a character or two no reading is sure of ("人", "有人" for 4825.87),
    // when the digits give a figure with its fen.
    const digitCount = value.replace(/\D/g, '').length;
    const unread = texts.length === 0 && digitCount >= 2;
    const garbage = texts.length > 0 && texts.every((t) => t.confidence < 0.6 && !/\d/.test(t.raw) && [...t.raw].length <= 2) && digitCount >= 3 && /\.\d{2}$/.test(value);
    if (WELL_FORMED.test(value) && (unread || garbage)) return item(...signDoubt([value, Math.min(confidence, 0.3), others]));
  }
  // Nothing but ruling marks, and no figure in the ink either.
  if (texts.length === 0) return null;
  if (texts.every((t) => t.confidence < 0.6)) {
    // Every reading unsure ("2" and "十本本" for a grey "二、上年结转" with specks beside it).
    const words = await clearReading(engine, cellImage, threshold, ink.lines === 1);
    if (sureWords(words)) return item(words.raw, words.confidence);
  }
  if (texts.length === 2 && texts[0]!.raw !== texts[1]!.raw) {
    // The cell and page readings differ: a third reading, of the ink thickened, votes, character by character where it can.
    const thickened = await engine.readCell(thicken(cellImage), ink.lines === 1);
    texts.push({ raw: tidyCellText(thickened.text), confidence: thickened.confidence });
  }
  const [raw, confidence] = voteText(texts);
  return item(raw, confidence);
}

/** A cell's run of ink cut out, its contrast stretched, and read once more as text (specks and grey print defeat the plain reading). */
async function clearReading(engine: ReturnType<typeof ocrEngine>, cellImage: GrayImage, threshold: number, singleLine: boolean): Promise<{ raw: string; confidence: number }> {
  const clear = await engine.readCell(stretchContrast(mainInkRun(cellImage, threshold)), singleLine);
  return { raw: tidyCellText(clear.text), confidence: clear.confidence };
}

/** Words the recogniser is sure of (0.8), with no digit in them. */
function sureWords(reading: { raw: string; confidence: number }): boolean {
  return reading.raw !== '' && !/\d/.test(reading.raw) && reading.confidence >= 0.8;
}

/**
 * The text several readings of a cell (the cropped reading first) support: one that two readings give; else,
 * for readings of one length, the majority character at each place; else the surest.
 */
export function voteText(texts: { raw: string; confidence: number }[]): [string, number] {
  const [first] = texts;
  if (texts.length === 1) return [first!.raw, first!.confidence];
  for (const t of texts) {
    const backers = texts.filter((o) => o.raw === t.raw);
    if (backers.length >= 2) return [t.raw, Math.max(...backers.map((b) => b.confidence))];
  }
  // Two readings that differ only in stray punctuation at an end ("收入合计:" and "收入合计") back the surer of them.
  for (const t of texts) {
    const backers = texts.filter((o) => trimPunctuation(o.raw) === trimPunctuation(t.raw) && trimPunctuation(o.raw) !== '');
    if (backers.length >= 2) {
      const surest = [...backers].sort((a, b) => b.confidence - a.confidence)[0]!;
      return [surest.raw, surest.confidence];
    }
  }
  const lengths = new Set(texts.map((t) => [...t.raw].length));
  if (texts.length >= 3 && lengths.size === 1) {
    const chars = texts.map((t) => [...t.raw]);
    let majority = true;
    const voted = chars[0]!.map((ch, i) => {
      const atI = chars.map((c) => c[i]!);
      const winner = atI.find((c) => atI.filter((o) => o === c).length >= 2);
      if (winner === undefined) majority = false;
      return winner ?? ch;
    });
    if (majority) return [voted.join(''), Math.min(...texts.map((t) => t.confidence))];
  }
  const surest = [...texts].sort((a, b) => b.confidence - a.confidence)[0]!;
  return [surest.raw, surest.confidence];
}

const END_PUNCTUATION = /^[\s:：;；,，.。、·'"`]+|[\s:：;；,，.。、·'"`]+$/g;

function trimPunctuation(text: string): string {
  return text.replace(END_PUNCTUATION, '');
}

/** A recogniser's reading of a figure, spaces dropped and punctuation cleaned. */
function asFigure(reading: { text: string; confidence: number }): { raw: string; confidence: number } {
  return { raw: cleanFigure(reading.text.replace(/\s+/g, '')), confidence: reading.confidence };
}

/** Share of a word's box that lies inside a cell. */
function overlapShare(word: [number, number, number, number], cell: [number, number, number, number]): number {
  const width = Math.max(0, Math.min(word[2], cell[2]) - Math.max(word[0], cell[0]));
  const height = Math.max(0, Math.min(word[3], cell[3]) - Math.max(word[1], cell[1]));
  const area = Math.max(1, (word[2] - word[0]) * (word[3] - word[1]));
  return (width * height) / area;
}

/**
 * A minus sign is as likely a speck before the figure as printed (budget tables seldom print negatives): however
 * sure the digits, such a reading stays doubtful, with the unsigned figure as an alternative for the arithmetic.
 */
function signDoubt([raw, confidence, others]: [string, number, { raw: string; confidence: number }[]]): [string, number, { raw: string; confidence: number }[]] {
  if (!raw.startsWith('-') || others.some((o) => o.raw === raw.slice(1))) return [raw, confidence, others];
  return [raw, Math.min(confidence, 0.6), [...others, { raw: raw.slice(1), confidence }]];
}

/** Two readings of an amount say the same when their values are equal ("0.00" and "000" both say nothing). */
function agree(a: string, b: string): boolean {
  if (!WELL_FORMED.test(a) || !WELL_FORMED.test(b)) return false;
  return Number(a.replace(/,/g, '')) === Number(b.replace(/,/g, ''));
}

/**
 * The reading of a figure the readings (most trusted first) support: a value two of them give (its best-formed
 * spelling), else the surest well-formed one. The others become alternatives; without agreement the confidence stays low.
 */
export function decideFigure(readings: { raw: string; confidence: number }[]): [string, number, { raw: string; confidence: number }[]] {
  const formed = readings.filter((r) => WELL_FORMED.test(r.raw));
  if (formed.length === 0) {
    const best = [...readings].sort((a, b) => b.confidence - a.confidence)[0]!;
    return [best.raw, 0, []];
  }
  const spelling = (group: { raw: string }[]) => group.find((r) => /\.\d{2}$/.test(r.raw))?.raw ?? group[0]!.raw;
  for (const r of formed) {
    const backers = formed.filter((o) => agree(o.raw, r.raw));
    if (backers.length >= 2) {
      const others = formed.filter((o) => !agree(o.raw, r.raw));
      const confidence = others.length === 0 ? Math.max(0.95, ...backers.map((b) => b.confidence)) : Math.min(0.85, Math.max(...backers.map((b) => b.confidence)));
      return [spelling(backers), confidence, dedupe(others)];
    }
  }
  const surest = formed.reduce((best, r) => (r.confidence > best.confidence ? r : best));
  return [surest.raw, Math.min(0.6, surest.confidence), dedupe(formed.filter((r) => r !== surest))];
}

function dedupe(readings: { raw: string; confidence: number }[]): { raw: string; confidence: number }[] {
  return readings.filter((r, i) => readings.findIndex((o) => agree(o.raw, r.raw)) === i);
}

/**
 * A cell's text as read: the spaces Tesseract puts between Chinese characters and across wrapped lines are
 * dropped, and the marks a cell border or speckle leaves at either end ("|", "]", "“", "，") are cut off.
 */
export function tidyCellText(reading: string): string {
  const cjk = '\\p{Script=Han}';
  let out = reading.replace(/\s*\n\s*/g, '').trim();
  out = out.replace(new RegExp(`(?<=[${cjk}（）()：:、])\\s+(?=[${cjk}（）()：:、])`, 'gu'), '');
  out = out.replace(/^[|｜\][”“"'‘’`!,，、。.·…_\-—~\s]+/u, '').replace(/[|｜\][”“"'‘’`!,，。·…_\-—~\s]+$/u, '');
  // An ordinal's 、 read as a comma or colon after a speck or look-alike ("士九，住房保障支出" for 十九、).
  out = out.replace(/^[^一二三四五六七八九十百（(\d\s]\s*([一二三四五六七八九十]{1,2})\s*[:：;；,，]\s*(?=\p{Script=Han})/u, '$1、');
  // A speck read as a character before a row's ordinal ("上九、住房保障支出").
  out = out.replace(/^[^一二三四五六七八九十百（(\d](?=[一二三四五六七八九十]+、)/u, '');
  // A bracketed ordinal that lost its opening bracket ("4)公务用车购置费" for （1）…: the digit is not to be trusted either way).
  out = out.replace(/^(\d)[)）](?=\p{Script=Han})/u, '（$1）');
  // An ordinal's 、 read as a colon or comma ("一:一般公共预算拨款收入").
  out = out.replace(/^([一二三四五六七八九十]{1,3})\s*[:：;；,，]\s*(?=\p{Script=Han})/u, '$1、');
  // An opening parenthesis read as an angle bracket ("《2)公务用车运行费", "〈境)").
  out = out.replace(/[《〈〈⟨<]([^《〈〈⟨<>〉〉⟩》()（）]{1,6})[)）〉〉⟩》>]/gu, '（$1）');
  // …or read twice, as an angle bracket before the bracket itself ("因公出国《（卉）费用").
  out = out.replace(/\s*[《〈⟨<]\s*(?=[（(])/gu, '');
  // …or a closing one ("(2》公务用车运行费"): a bracketed ordinal, whatever its brackets were read as.
  out = out.replace(/^(其中[:：]?\s*)?[(（《〈⟨<【[]\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）》〉⟩>】\]]\s*(?=\p{Script=Han})/u, '$1（$2）');
  // …or lost, a space left where it stood ("其中(1 公务用车购置费").
  out = out.replace(/^(其中[:：]?\s*)?[(（]\s*(\d{1,2})\s+(?=\p{Script=Han})/u, '$1（$2）');
  // 其中's colon read as a comma or point ("其中 ，（1）公务用车购置费").
  out = out.replace(/^其中\s*[，,、;；.。·]\s*/u, '其中：');
  // A numbered item's 1 read as a letter ("J、因公出国(境)费用").
  out = out.replace(/^[JjIl|]\s*、(?=\p{Script=Han})/u, '1、');
  // A numbered item's 、 read as a comma ("2，公务接待费").
  out = out.replace(/^(\d{1,2})\s*[，,;；]\s*(?=\p{Script=Han})/u, '$1、');
  return out;
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
  // A point read as a colon, a semicolon or a comma ("89:79", "303,00"), or a speck after the last digit ("73.97.").
  if (/^-?\d+[:;,]\d{2}$/.test(out)) out = out.replace(/[:;,](?=\d{2}$)/, '.');
  // The same after thousands groups ("4,302,44"): a last group of two digits is the fen.
  if (/^-?\d{1,3}(?:,\d{3})+[:;,]\d{2}$/.test(out)) out = out.replace(/[:;,](?=\d{2}$)/, '.');
  if (/^-?[\d,]*\d\.\d{2}\.$/.test(out)) out = out.slice(0, -1);
  // A point doubled ("306..00").
  if (/^-?[\d,]*\d\.\.\d{2}$/.test(out)) out = out.replace('..', '.');
  // …or before the first ("．68957.85"): the figure has its own point already.
  if (/^[.,·．]\d[\d,]*\.\d{2}$/.test(out)) out = out.slice(1);
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
