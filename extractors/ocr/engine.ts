import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createWorker, OEM, PSM, type RecognizeOptions, type Worker, type WorkerParams } from 'tesseract.js';
import { toPgm, type GrayImage } from './raster.js';

const require = createRequire(import.meta.url);

/** One recognised word: its text, the recogniser's confidence (0..1) and its box in image pixels. */
export interface OcrWord {
  text: string;
  confidence: number;
  /** [x0, y0, x1, y1] in pixels of the image given, top-left origin. */
  bbox: [number, number, number, number];
}

export type OcrLanguage = 'chi_sim' | 'chi_tra';
/** The models a recogniser is created with: a page's language, or English for amounts. */
type RecogniserLanguage = OcrLanguage | 'eng';

/** Settings for OCR; all have defaults (see `ocrSettings`). */
export interface OcrSettings {
  /** Rendering resolution of PDF pages. */
  dpi: number;
  language: OcrLanguage;
  /** Folder for cached page readings; null: no cache. */
  cacheDir: string | null;
  /** Pages one recogniser reads before it is replaced (tesseract.js workers grow). */
  recycleAfter: number;
}

export function ocrSettings(overrides: Partial<OcrSettings> = {}): OcrSettings {
  const envDpi = Number(process.env.BUDGET_EXTRACT_OCR_DPI);
  const envCache = process.env.BUDGET_EXTRACT_OCR_CACHE;
  return {
    dpi: Number.isFinite(envDpi) && envDpi >= 100 ? envDpi : 300,
    language: process.env.BUDGET_EXTRACT_OCR_LANG === 'chi_tra' ? 'chi_tra' : 'chi_sim',
    cacheDir: envCache === '' || envCache === 'off' ? null : (envCache ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'budget-extract', 'ocr')),
    recycleAfter: 150,
    ...overrides,
  };
}

/** A cell reading's share of a page's work towards replacing a recogniser (a page holds a few hundred cells). */
const CELL_WORK = 1 / 200;

// Bumped whenever what is cached would read differently (engine, data, page segmentation, options).
const CACHE_VERSION = 'tjs7-best_int-psm4-v1';

/**
 * The thread's recogniser: one tesseract.js worker per language, created on first use, replaced after
 * `recycleAfter` pages, closed by `closeOcr`. Batch worker threads each hold one, so a batch runs one
 * recogniser per core. Readings are cached on disk by image hash.
 */
class OcrEngine {
  private workers = new Map<RecogniserLanguage, { worker: Promise<Worker>; pages: number }>();

  constructor(readonly settings: OcrSettings) {}

  /** The language's worker; `work` is what a reading counts towards its replacement (a page 1, a cell far less). */
  private async worker(language: RecogniserLanguage, work: number): Promise<Worker> {
    let entry = this.workers.get(language);
    if (entry && entry.pages >= this.settings.recycleAfter) {
      this.workers.delete(language);
      await (await entry.worker).terminate();
      entry = undefined;
    }
    if (!entry) {
      const dataDir = path.join(path.dirname(require.resolve(`@tesseract.js-data/${language}/package.json`)), '4.0.0_best_int');
      // Language data from the npm package, never fetched; cacheMethod 'none' keeps tesseract.js from writing a copy into the working folder.
      entry = { worker: createWorker(language, OEM.LSTM_ONLY, { langPath: dataDir, gzip: true, cacheMethod: 'none' }), pages: 0 };
      this.workers.set(language, entry);
    }
    entry.pages += work;
    return entry.worker;
  }

  /** Every word of a page, read as a single column of text lines (PSM 4: ruled tables survive it, PSM 6 does not). */
  async readPage(image: GrayImage, language = this.settings.language): Promise<OcrWord[]> {
    const key = this.cacheKey(image, `page:${language}`);
    const cached = this.fromCache(key);
    if (cached) return cached;
    const worker = await this.worker(language, 1);
    const options: Partial<RecognizeOptions & WorkerParams> = { tessedit_pageseg_mode: PSM.SINGLE_COLUMN, user_defined_dpi: String(image.dpi), preserve_interword_spaces: '1' };
    // debug: tesseract's own messages ("Detected 11 diacritics") go to the result, not to stderr.
    const { data } = await worker.recognize(toPgm(image), options, { blocks: true, text: false, debug: true });
    const words: OcrWord[] = (data.blocks ?? []).flatMap((b) =>
      b.paragraphs.flatMap((p) => p.lines.flatMap((l) => l.words.map((w) => ({ text: w.text, confidence: w.confidence / 100, bbox: [w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1] as [number, number, number, number] })))),
    );
    this.toCache(key, words);
    return words;
  }

  /**
   * An amount cell (already cropped) read as one line of digits by the English model: Chinese models confuse
   * the 6 and 0 of serif fonts ("3,688.46" read as "3,088.46" on a clean 300 dpi scan), the English one does not.
   */
  async readDigits(cell: GrayImage): Promise<{ text: string; confidence: number }> {
    const options: Partial<RecognizeOptions & WorkerParams> = {
      tessedit_pageseg_mode: PSM.SINGLE_LINE,
      tessedit_char_whitelist: '0123456789.,-',
      user_defined_dpi: String(cell.dpi),
    };
    return this.readCrop(cell, 'digits', options, 'eng');
  }

  /** A cell (already cropped) read on its own as text: one line, or a block of wrapped lines. */
  async readCell(cell: GrayImage, singleLine = false): Promise<{ text: string; confidence: number }> {
    const mode = singleLine ? PSM.SINGLE_LINE : PSM.SINGLE_BLOCK;
    return this.readCrop(cell, singleLine ? 'line' : 'cell', { tessedit_pageseg_mode: mode, user_defined_dpi: String(cell.dpi) });
  }

  /** A crop read once: cached by its pixels and the way it is read, like a page. */
  private async readCrop(image: GrayImage, what: string, options: Partial<RecognizeOptions & WorkerParams>, language: RecogniserLanguage = this.settings.language): Promise<{ text: string; confidence: number }> {
    const key = this.cacheKey(image, `${what}:${language}`);
    const cached = this.fromCache<{ text: string; confidence: number }>(key);
    if (cached) return cached;
    const worker = await this.worker(language, CELL_WORK);
    const { data } = await worker.recognize(toPgm(image), options, { text: true, debug: true });
    const reading = { text: data.text.trim(), confidence: data.confidence / 100 };
    this.toCache(key, reading);
    return reading;
  }

  private cacheKey(image: GrayImage, what: string): string {
    const hash = createHash('sha256');
    hash.update(`${CACHE_VERSION}|${what}|${image.width}x${image.height}@${image.dpi}|`);
    hash.update(image.data);
    return hash.digest('hex');
  }

  private fromCache<T = OcrWord[]>(key: string): T | null {
    if (!this.settings.cacheDir) return null;
    try {
      return JSON.parse(readFileSync(path.join(this.settings.cacheDir, key.slice(0, 2), `${key}.json`), 'utf8')) as T;
    } catch {
      return null;
    }
  }

  private toCache(key: string, value: unknown): void {
    if (!this.settings.cacheDir) return;
    try {
      const dir = path.join(this.settings.cacheDir, key.slice(0, 2));
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${key}.json`);
      // Written whole or not at all, as every output is.
      const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(temporary, JSON.stringify(value));
      renameSync(temporary, file);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }

  async close(): Promise<void> {
    const entries = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(entries.map(async (e) => (await e.worker).terminate()));
  }
}

let engine: OcrEngine | null = null;

/** The thread's recogniser, created with `settings` the first time. */
export function ocrEngine(settings: Partial<OcrSettings> = {}): OcrEngine {
  engine ??= new OcrEngine(ocrSettings(settings));
  return engine;
}

/** Close the thread's recogniser (its worker threads keep Node alive otherwise). */
export async function closeOcr(): Promise<void> {
  const current = engine;
  engine = null;
  await current?.close();
}

export type { OcrEngine };
