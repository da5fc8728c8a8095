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

/** A pixel rectangle of the image given. */
export interface PixelRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export type OcrLanguage = 'chi_sim' | 'chi_tra';

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

// Bumped whenever what is cached would read differently (engine, data, page segmentation, options).
const CACHE_VERSION = 'tjs7-best_int-psm4-v1';

/**
 * The thread's recogniser: one tesseract.js worker per language, created on first use, replaced after
 * `recycleAfter` pages, closed by `closeOcr`. Batch worker threads each hold one, so a batch runs one
 * recogniser per core. Readings are cached on disk by image hash.
 */
class OcrEngine {
  private workers = new Map<OcrLanguage, { worker: Promise<Worker>; pages: number }>();

  constructor(readonly settings: OcrSettings) {}

  /** The language's worker; `page` counts a page read towards its replacement (cell re-reads do not). */
  private async worker(language: OcrLanguage, page = false): Promise<Worker> {
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
    if (page) entry.pages++;
    return entry.worker;
  }

  /** Every word of a page, read as a single column of text lines (PSM 4: ruled tables survive it, PSM 6 does not). */
  async readPage(image: GrayImage, language = this.settings.language): Promise<OcrWord[]> {
    const key = this.cacheKey(image, `page:${language}`);
    const cached = this.fromCache(key);
    if (cached) return cached;
    const worker = await this.worker(language, true);
    const options: Partial<RecognizeOptions & WorkerParams> = { tessedit_pageseg_mode: PSM.SINGLE_COLUMN, user_defined_dpi: String(image.dpi), preserve_interword_spaces: '1' };
    const { data } = await worker.recognize(toPgm(image), options, { blocks: true, text: false });
    const words: OcrWord[] = (data.blocks ?? []).flatMap((b) =>
      b.paragraphs.flatMap((p) => p.lines.flatMap((l) => l.words.map((w) => ({ text: w.text, confidence: w.confidence / 100, bbox: [w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1] as [number, number, number, number] })))),
    );
    this.toCache(key, words);
    return words;
  }

  /** One cell read again as a single line of digits (amount re-reads). */
  async readDigits(image: GrayImage, rect: PixelRect): Promise<{ text: string; confidence: number }> {
    const options: Partial<RecognizeOptions & WorkerParams> = {
      tessedit_pageseg_mode: PSM.SINGLE_LINE,
      tessedit_char_whitelist: '0123456789.,-',
      user_defined_dpi: String(image.dpi),
    };
    // Only the cell's pixels go to the recogniser: handing over the whole page for each cell costs more than reading it.
    return this.readCrop(crop(image, rect), 'digits', options);
  }

  /** One ruled cell read again on its own as a block of text (header words OCR read poorly on the page). */
  async readCell(image: GrayImage, rect: PixelRect): Promise<{ text: string; confidence: number }> {
    return this.readCrop(crop(image, rect), 'cell', { tessedit_pageseg_mode: PSM.SINGLE_BLOCK, user_defined_dpi: String(image.dpi) });
  }

  /** A crop read once: cached by its pixels and the way it is read, like a page. */
  private async readCrop(image: GrayImage, what: string, options: Partial<RecognizeOptions & WorkerParams>): Promise<{ text: string; confidence: number }> {
    const key = this.cacheKey(image, `${what}:${this.settings.language}`);
    const cached = this.fromCache<{ text: string; confidence: number }>(key);
    if (cached) return cached;
    const worker = await this.worker(this.settings.language);
    const { data } = await worker.recognize(toPgm(image), options, { text: true });
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

/** A rectangle of an image as an image of its own, with a white margin Tesseract likes around a line. */
export function crop(image: GrayImage, rect: PixelRect, margin = 10): GrayImage {
  const width = rect.width + 2 * margin;
  const height = rect.height + 2 * margin;
  const data = new Uint8Array(width * height).fill(255);
  for (let y = 0; y < rect.height; y++) {
    const sy = rect.top + y;
    if (sy < 0 || sy >= image.height) continue;
    const from = sy * image.width + Math.max(0, rect.left);
    const row = image.data.subarray(from, from + Math.min(rect.width, image.width - rect.left));
    data.set(row, (y + margin) * width + margin);
  }
  return { width, height, data, dpi: image.dpi };
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
