import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import PQueue from 'p-queue';
import { ocrSettings, RecogniserPool, serveRecognitions, type Recogniser } from '../extractors/ocr/engine.js';
import { sha256 } from './ingest.js';
import { failedOutput, type OutputDocument } from './output.js';
import { writers, type Writer, type WriterOptions } from './writers.js';

/** What happened to one input. */
export interface FileResult {
  path: string;
  output: OutputDocument;
  /** Set when the input could not be processed at all. */
  failure?: string;
  pages: number;
  seconds: number;
}

export interface BatchOptions {
  outDir: string;
  /** Documents processed at once (worker threads); default: one per core. */
  concurrency?: number;
  /** Writer names from {@link writers}; default json, csv, review. */
  formats?: string[];
  bom?: boolean;
  /** Run documents in worker threads (default) or in this thread (tests, debugging). */
  useWorkers?: boolean;
  /** Old-generation heap bound of each worker in MB (default {@link DEFAULT_WORKER_HEAP_MB}). */
  workerHeapMb?: number;
  onEvent?: (event: BatchEvent) => void;
}

export type BatchEvent =
  | { type: 'start'; total: number }
  | { type: 'pages'; path: string; done: number; total: number }
  | { type: 'document'; result: FileResult; done: number; total: number };

export interface BatchSummary {
  results: FileResult[];
  failed: FileResult[];
  pages: number;
  seconds: number;
}

const INPUT_EXTENSIONS = /\.(?:pdf|txt|md|text|markdown|png|jpe?g|tiff?)$/i;

/** Files named on the command line, and under folders the .pdf/.txt/.md files and page images (.png/.jpg/.tif), sorted; missing paths are returned apart. */
export function collectInputs(args: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const statKind = (file: string): 'dir' | 'file' | null => {
    try {
      const stat = statSync(file);
      return stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : null;
    } catch {
      return null;
    }
  };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      // A symbolic link counts as what it points to (a dangling one is skipped).
      const kind = entry.isSymbolicLink() ? statKind(full) : entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : null;
      if (kind === 'dir') walk(full);
      // A folder's README describes the folder; it is not a disclosure.
      else if (kind === 'file' && INPUT_EXTENSIONS.test(entry.name) && !/^readme\./i.test(entry.name)) files.push(full);
    }
  };
  for (const arg of args) {
    if (!existsSync(arg)) missing.push(arg);
    else if (statSync(arg).isDirectory()) walk(arg);
    else files.push(arg);
  }
  return { files: [...new Set(files)], missing };
}

/** Output stems: the file name without extension, with a short hash where two inputs share one. */
export function uniqueStems(files: string[]): Map<string, string> {
  const stems = new Map<string, string>();
  const counts = new Map<string, number>();
  const base = (f: string) => path.basename(f).replace(/\.[^.]+$/, '');
  for (const f of files) counts.set(base(f), (counts.get(base(f)) ?? 0) + 1);
  for (const f of files) {
    const b = base(f);
    stems.set(f, (counts.get(b) ?? 0) > 1 ? `${b}-${sha256(new TextEncoder().encode(path.resolve(f))).slice(0, 8)}` : b);
  }
  return stems;
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

interface PoolWorker {
  worker: Worker;
  busy: boolean;
  /** The batch's end of the worker's way to the shared recognisers. */
  ocrPort: MessagePort;
}

/**
 * Old-generation heap (MB) of a worker thread. Bounding it makes V8 collect garbage before the heap
 * grows far (pdf.js font parsing allocates freely), which keeps peak memory down; a document that
 * really needs more is retried once in a worker without the bound.
 */
export const DEFAULT_WORKER_HEAP_MB = 768;

type RunOutcome = { result: FileResult } | { crashed: string; outOfMemory: boolean };

/**
 * A fixed pool of worker threads, each running one document at a time; a crashed worker is replaced. Their OCR
 * goes to one {@link RecogniserPool} in this thread, so that the cores are shared by pages and cells, not
 * by documents: one scanned document alone keeps every core busy.
 */
class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;

  constructor(
    private readonly size: number,
    private readonly heapMb: number,
    private readonly recognisers: Recogniser,
    /** Pages each document OCRs side by side: enough to keep the recognisers busy, few enough to bound memory. */
    private readonly pagesAtOnce: number,
  ) {}

  private spawn(heapMb: number | null): PoolWorker {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { ocrPort: port2, pagesAtOnce: this.pagesAtOnce },
      transferList: [port2],
      ...(heapMb ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {}),
    });
    serveRecognitions(port1, this.recognisers);
    return { worker, busy: false, ocrPort: port1 };
  }

  async run(file: string, onPages: (done: number, total: number) => void): Promise<FileResult> {
    let entry = this.workers.find((w) => !w.busy);
    if (!entry) {
      if (this.workers.length >= this.size) throw new Error('worker pool exhausted');
      entry = this.spawn(this.heapMb);
      this.workers.push(entry);
    }
    entry.busy = true;
    const started = performance.now();
    try {
      const outcome = await this.send(entry, file, onPages);
      if ('result' in outcome) return outcome.result;
      this.remove(entry);
      if (outcome.outOfMemory) {
        // One more try without the heap bound, in a worker of its own.
        const big = this.spawn(null);
        try {
          const retry = await this.send(big, file, onPages);
          if ('result' in retry) {
            retry.result.output.issues.push({ code: 'document.memory_retry', severity: 'info', message: `ran out of the ${this.heapMb} MB worker heap; read again without the bound` });
            return retry.result;
          }
          return this.failure(file, retry.crashed, started);
        } finally {
          big.ocrPort.close();
          await big.worker.terminate();
        }
      }
      return this.failure(file, outcome.crashed, started);
    } finally {
      entry.busy = false;
    }
  }

  private failure(file: string, reason: string, started: number): FileResult {
    return { path: file, output: failedOutput(path.basename(file), null, null, reason), failure: reason, pages: 0, seconds: (performance.now() - started) / 1000 };
  }

  private send(entry: PoolWorker, file: string, onPages: (done: number, total: number) => void): Promise<RunOutcome> {
    const id = this.nextId++;
    return new Promise<RunOutcome>((resolve) => {
      const onMessage = (m: { id: number; type: string; done?: number; total?: number; result?: FileResult }) => {
        if (m.id !== id) return;
        if (m.type === 'pages') onPages(m.done ?? 0, m.total ?? 0);
        else if (m.type === 'result') {
          cleanup();
          resolve({ result: m.result! });
        }
      };
      const onExit = (code: number) => {
        cleanup();
        resolve({ crashed: `worker stopped unexpectedly (exit code ${code}) while reading this document`, outOfMemory: false });
      };
      const onError = (error: Error & { code?: string }) => {
        cleanup();
        void entry.worker.terminate();
        const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
        resolve({ crashed: outOfMemory ? `out of memory while reading this document (${error.message})` : `worker crashed: ${error.message}`, outOfMemory });
      };
      const cleanup = () => {
        entry.worker.off('message', onMessage);
        entry.worker.off('exit', onExit);
        entry.worker.off('error', onError);
      };
      entry.worker.on('message', onMessage);
      entry.worker.on('exit', onExit);
      entry.worker.on('error', onError);
      entry.worker.postMessage({ id, path: file });
    });
  }

  private remove(entry: PoolWorker): void {
    const i = this.workers.indexOf(entry);
    if (i >= 0) this.workers.splice(i, 1);
    entry.ocrPort.close();
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.ocrPort.close();
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/**
 * Process every input, in parallel, writing each document's JSON as soon as it is done and the
 * batch files (facts.csv, review.jsonl) at the end. One bad input never stops the others.
 */
export async function runBatch(files: string[], options: BatchOptions): Promise<BatchSummary> {
  const started = performance.now();
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const formats = options.formats ?? ['json', 'csv', 'review'];
  const selected: Writer[] = formats.map((f) => {
    const w = writers[f];
    if (!w) throw new Error(`unknown output format "${f}" (known: ${Object.keys(writers).join(', ')})`);
    return w;
  });
  const writerOptions: WriterOptions = { outDir: options.outDir, bom: options.bom ?? true };
  const stems = uniqueStems(files);
  // Workers also for a single document: the heap bound keeps its memory down, and an out-of-memory document cannot take the batch with it.
  const useWorkers = (options.useWorkers ?? true) && files.length > 0;
  const settings = ocrSettings();
  // One recognition per core, whichever document it is for; made only when a page needs OCR.
  const recognitions = options.concurrency ?? settings.workers;
  const recognisers = useWorkers ? new RecogniserPool(recognitions, settings.recycleAfter) : null;
  const documentsAtOnce = Math.min(concurrency, files.length);
  // About a page per recogniser in all: one document alone reads two pages at once on two cores, two or more documents one each
  // (four scans at once peaked at 1.77 GB with two pages each, 1.28 GB with one).
  const pagesAtOnce = Math.max(1, Math.ceil(recognitions / documentsAtOnce));
  const pool = recognisers ? new WorkerPool(documentsAtOnce, options.workerHeapMb ?? DEFAULT_WORKER_HEAP_MB, recognisers, pagesAtOnce) : null;
  // pdf.js documents opened at the same time in one thread interfere ("Invalid page request"): in-process runs go one by one.
  const queue = new PQueue({ concurrency: pool ? concurrency : 1 });
  const results: FileResult[] = new Array(files.length);
  let done = 0;
  options.onEvent?.({ type: 'start', total: files.length });
  // Largest first, so that no core sits idle while the last big document runs alone.
  const order = files.map((file, index) => ({ file, index, size: sizeOf(file) })).sort((a, b) => b.size - a.size || a.index - b.index);
  try {
    await Promise.all(
      order.map(({ file, index }) =>
        queue.add(async () => {
          const onPages = (d: number, t: number) => options.onEvent?.({ type: 'pages', path: file, done: d, total: t });
          const result = pool ? await pool.run(file, onPages) : await (await import('./process-file.js')).processFile(file, onPages);
          for (const w of selected) w.writeDocument?.(stems.get(file)!, result.output, writerOptions);
          results[index] = result;
          done++;
          options.onEvent?.({ type: 'document', result, done, total: files.length });
        }),
      ),
    );
  } finally {
    await pool?.close();
    await recognisers?.close();
    // In-process runs hold the thread's OCR recogniser, whose worker threads would keep Node alive.
    if (!pool) await (await import('../extractors/ocr/engine.js')).closeOcr();
  }
  const outputs = results.map((r) => r.output);
  for (const w of selected) w.writeBatch?.(outputs, writerOptions);
  return {
    results,
    failed: results.filter((r) => r.failure !== undefined),
    pages: results.reduce((s, r) => s + r.pages, 0),
    seconds: (performance.now() - started) / 1000,
  };
}
