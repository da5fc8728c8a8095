import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { MessagePort } from 'node:worker_threads';
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
export type RecogniserLanguage = OcrLanguage | 'eng';

/** Settings for OCR; all have defaults (see `ocrSettings`). */
export interface OcrSettings {
  /** Rendering resolution of PDF pages. */
  dpi: number;
  language: OcrLanguage;
  /** Folder for cached page readings; null: no cache. */
  cacheDir: string | null;
  /** Pages one recogniser reads before it is replaced (tesseract.js workers grow). */
  recycleAfter: number;
  /** Recognitions run at once by this thread's own pool (a batch worker thread uses the batch's pool instead). */
  workers: number;
  /** Pages of one document OCR'd side by side; each holds its page images (tens of MB) while it waits. */
  pagesAtOnce: number;
}

/** What the batch told this thread (see {@link useSharedRecognisers}), under what a caller asks for. */
let threadSettings: Partial<OcrSettings> = {};

export function ocrSettings(overrides: Partial<OcrSettings> = {}): OcrSettings {
  const envDpi = Number(process.env.BUDGET_EXTRACT_OCR_DPI);
  const envCache = process.env.BUDGET_EXTRACT_OCR_CACHE;
  const envWorkers = Number(process.env.BUDGET_EXTRACT_OCR_WORKERS);
  const workers = Number.isInteger(envWorkers) && envWorkers >= 1 ? envWorkers : os.availableParallelism();
  return {
    dpi: Number.isFinite(envDpi) && envDpi >= 100 ? envDpi : 300,
    language: process.env.BUDGET_EXTRACT_OCR_LANG === 'chi_tra' ? 'chi_tra' : 'chi_sim',
    cacheDir: envCache === '' || envCache === 'off' ? null : (envCache ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'budget-extract', 'ocr')),
    recycleAfter: 150,
    workers,
    pagesAtOnce: workers,
    ...threadSettings,
    ...overrides,
  };
}

/** A cell reading's share of a page's work towards replacing a recogniser (a page holds a few hundred cells). */
const CELL_WORK = 1 / 200;

// Bumped whenever what is cached would read differently (engine, data, page segmentation, options).
const CACHE_VERSION = 'tjs7-best_int-psm4-v1';

/** A crop's reading: its text and the recogniser's confidence (0..1). */
export interface CropReading {
  text: string;
  confidence: number;
}

/**
 * One recognition: an image as PGM bytes (see `toPgm`), read as a page (words with boxes) or as a crop (its text).
 * Plain data, so that it can cross from a document's thread to the batch's recognisers.
 */
export interface RecognitionRequest {
  kind: 'page' | 'crop';
  language: RecogniserLanguage;
  pgm: Uint8Array;
  options: Partial<RecognizeOptions & WorkerParams>;
}

/** Where recognitions run: a pool of tesseract.js workers in this thread, or the batch's pool through a port. */
export interface Recogniser {
  recognise(request: RecognitionRequest): Promise<OcrWord[] | CropReading>;
  close(): Promise<void>;
}

/** The bytes as a Buffer without copying them (a page image is megabytes). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

async function recogniseWith(worker: Worker, request: RecognitionRequest): Promise<OcrWord[] | CropReading> {
  if (request.kind === 'crop') {
    const { data } = await worker.recognize(asBuffer(request.pgm), request.options, { text: true, debug: true });
    return { text: data.text.trim(), confidence: data.confidence / 100 };
  }
  // debug: tesseract's own messages ("Detected 11 diacritics") go to the result, not to stderr.
  const { data } = await worker.recognize(asBuffer(request.pgm), request.options, { blocks: true, text: false, debug: true });
  return (data.blocks ?? []).flatMap((b) =>
    b.paragraphs.flatMap((p) => p.lines.flatMap((l) => l.words.map((w) => ({ text: w.text, confidence: w.confidence / 100, bbox: [w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1] as [number, number, number, number] })))),
  );
}

function createRecogniser(language: RecogniserLanguage): Promise<Worker> {
  const dataDir = path.join(path.dirname(require.resolve(`@tesseract.js-data/${language}/package.json`)), '4.0.0_best_int');
  // Language data from the npm package, never fetched; cacheMethod 'none' keeps tesseract.js from writing a copy into the working folder.
  return createWorker(language, OEM.LSTM_ONLY, { langPath: dataDir, gzip: true, cacheMethod: 'none' });
}

interface RecogniserSlot {
  language: RecogniserLanguage;
  worker: Promise<Worker>;
  busy: boolean;
  /** Pages read, a cell counting {@link CELL_WORK}. */
  work: number;
}

interface QueuedRecognition {
  request: RecognitionRequest;
  resolve: (reading: OcrWord[] | CropReading) => void;
  reject: (error: Error) => void;
}

/**
 * A fixed number of recognitions at once (one per core by default), first come first served, whichever document
 * asks: one document's cells keep every core busy, and several documents share the cores. A tesseract.js worker is
 * made per language on demand (at most `size` of each), replaced after `recycleAfter` pages (they grow in memory)
 * or after a failure.
 */
export class RecogniserPool implements Recogniser {
  private readonly slots: RecogniserSlot[] = [];
  private readonly queue: QueuedRecognition[] = [];
  private running = 0;

  constructor(
    readonly size: number,
    readonly recycleAfter: number,
    private readonly create: (language: RecogniserLanguage) => Promise<Worker> = createRecogniser,
  ) {}

  recognise(request: RecognitionRequest): Promise<OcrWord[] | CropReading> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  /** tesseract.js workers alive now (for tests and the bench). */
  get workers(): number {
    return this.slots.length;
  }

  private dispatch(): void {
    while (this.running < this.size && this.queue.length > 0) {
      const job = this.queue.shift()!;
      const language = job.request.language;
      let slot = this.slots.find((s) => !s.busy && s.language === language);
      if (!slot) {
        slot = { language, worker: this.create(language), busy: false, work: 0 };
        this.slots.push(slot);
      }
      slot.busy = true;
      this.running++;
      void this.execute(slot, job);
    }
  }

  private async execute(slot: RecogniserSlot, job: QueuedRecognition): Promise<void> {
    let failed = false;
    try {
      job.resolve(await recogniseWith(await slot.worker, job.request));
      slot.work += job.request.kind === 'page' ? 1 : CELL_WORK;
    } catch (error) {
      failed = true;
      job.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      slot.busy = false;
      this.running--;
      if (failed || slot.work >= this.recycleAfter) {
        this.slots.splice(this.slots.indexOf(slot), 1);
        void slot.worker.then((w) => w.terminate()).catch(() => undefined);
      }
      this.dispatch();
    }
  }

  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) job.reject(new Error('OCR closed before this reading ran'));
    const slots = this.slots.splice(0);
    await Promise.all(slots.map(async (s) => (await s.worker.catch(() => null))?.terminate()));
  }
}

/** A request or its answer as it crosses between threads. */
type PortMessage = { id: number; request: RecognitionRequest } | { id: number; reading: OcrWord[] | CropReading } | { id: number; error: string };

/** A document thread's way to the batch's {@link RecogniserPool}: requests go through `port`, answered by {@link serveRecognitions}. */
export class PortRecogniser implements Recogniser {
  private nextId = 1;
  private readonly pending = new Map<number, Pick<QueuedRecognition, 'resolve' | 'reject'>>();

  constructor(private readonly port: MessagePort) {
    port.on('message', (message: PortMessage) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if ('reading' in message) waiting.resolve(message.reading);
      else if ('error' in message) waiting.reject(new Error(message.error));
    });
    // The thread's own parent port keeps it alive; this one must not keep it alive on its own.
    port.unref();
  }

  recognise(request: RecognitionRequest): Promise<OcrWord[] | CropReading> {
    const id = this.nextId++;
    // A page image is handed over, not copied; a small crop may share its buffer with others, so it is copied.
    const owned = request.pgm.byteOffset === 0 && request.pgm.byteLength === request.pgm.buffer.byteLength;
    const pgm = owned ? request.pgm : new Uint8Array(request.pgm);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.postMessage({ id, request: { ...request, pgm } } satisfies PortMessage, [pgm.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    for (const waiting of this.pending.values()) waiting.reject(new Error('OCR closed before this reading ran'));
    this.pending.clear();
    this.port.close();
  }
}

/** Answer a document thread's recognitions from `pool` (the batch side of {@link PortRecogniser}). */
export function serveRecognitions(port: MessagePort, pool: Recogniser): void {
  port.on('message', (message: PortMessage) => {
    if (!('request' in message)) return;
    pool.recognise(message.request).then(
      (reading) => port.postMessage({ id: message.id, reading } satisfies PortMessage),
      (error: Error) => port.postMessage({ id: message.id, error: error.message } satisfies PortMessage),
    );
  });
}

/**
 * The thread's OCR: page and crop readings with their options, cached on disk by image hash, recognised by the
 * thread's {@link Recogniser} (the batch's shared pool in a batch worker thread, a pool of its own otherwise).
 */
class OcrEngine {
  constructor(
    readonly settings: OcrSettings,
    private readonly recogniser: Recogniser,
  ) {}

  /** Every word of a page, read as a single column of text lines (PSM 4: ruled tables survive it, PSM 6 does not). */
  async readPage(image: GrayImage, language = this.settings.language): Promise<OcrWord[]> {
    const key = this.cacheKey(image, `page:${language}`);
    const cached = this.fromCache<OcrWord[]>(key);
    if (cached) return cached;
    const options: Partial<RecognizeOptions & WorkerParams> = { tessedit_pageseg_mode: PSM.SINGLE_COLUMN, user_defined_dpi: String(image.dpi), preserve_interword_spaces: '1' };
    const words = (await this.recogniser.recognise({ kind: 'page', language, pgm: toPgm(image), options })) as OcrWord[];
    this.toCache(key, words);
    return words;
  }

  /**
   * An amount cell (already cropped) read as one line of digits by the English model: Chinese models confuse
   * the 6 and 0 of serif fonts ("3,688.46" read as "3,088.46" on a clean 300 dpi scan), the English one does not.
   */
  async readDigits(cell: GrayImage): Promise<CropReading> {
    const options: Partial<RecognizeOptions & WorkerParams> = {
      tessedit_pageseg_mode: PSM.SINGLE_LINE,
      tessedit_char_whitelist: '0123456789.,-',
      user_defined_dpi: String(cell.dpi),
    };
    return this.readCrop(cell, 'digits', options, 'eng');
  }

  /** A cell (already cropped) read on its own as text: one line, or a block of wrapped lines. */
  async readCell(cell: GrayImage, singleLine = false): Promise<CropReading> {
    const mode = singleLine ? PSM.SINGLE_LINE : PSM.SINGLE_BLOCK;
    return this.readCrop(cell, singleLine ? 'line' : 'cell', { tessedit_pageseg_mode: mode, user_defined_dpi: String(cell.dpi) });
  }

  /** A crop read once: cached by its pixels and the way it is read, like a page. */
  private async readCrop(image: GrayImage, what: string, options: Partial<RecognizeOptions & WorkerParams>, language: RecogniserLanguage = this.settings.language): Promise<CropReading> {
    const key = this.cacheKey(image, `${what}:${language}`);
    const cached = this.fromCache<CropReading>(key);
    if (cached) return cached;
    const reading = (await this.recogniser.recognise({ kind: 'crop', language, pgm: toPgm(image), options })) as CropReading;
    this.toCache(key, reading);
    return reading;
  }

  private cacheKey(image: GrayImage, what: string): string {
    const hash = createHash('sha256');
    hash.update(`${CACHE_VERSION}|${what}|${image.width}x${image.height}@${image.dpi}|`);
    hash.update(image.data);
    return hash.digest('hex');
  }

  private fromCache<T>(key: string): T | null {
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
    await this.recogniser.close();
  }
}

let engine: OcrEngine | null = null;
let sharedPort: MessagePort | null = null;

/** Make this thread's OCR use the batch's recogniser pool through `port` (a batch worker thread calls it first), with the batch's `settings`. */
export function useSharedRecognisers(port: MessagePort, settings: Partial<OcrSettings> = {}): void {
  sharedPort = port;
  threadSettings = settings;
}

/** The thread's OCR, created with `settings` the first time. */
export function ocrEngine(settings: Partial<OcrSettings> = {}): OcrEngine {
  if (!engine) {
    const resolved = ocrSettings(settings);
    engine = new OcrEngine(resolved, sharedPort ? new PortRecogniser(sharedPort) : new RecogniserPool(resolved.workers, resolved.recycleAfter));
  }
  return engine;
}

/** Close the thread's recogniser (its worker threads keep Node alive otherwise). */
export async function closeOcr(): Promise<void> {
  const current = engine;
  engine = null;
  await current?.close();
}

export type { OcrEngine };
