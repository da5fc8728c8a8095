#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { collectInputs, runBatch, type BatchEvent } from './batch.js';
import { projectRoot } from './paths.js';
import { loadTemplates } from './templates.js';
import { writers } from './writers.js';

const USAGE = `budget-extract — Chinese department budget disclosures (部门预算/部门决算) to validated JSON and CSV

Usage:
  budget-extract extract <files|folders…> [--out DIR] [options]
  budget-extract inspect <file.pdf> --page N --png OUT.png
                       draw what each stage saw on page N: rulings (red), words (green), grid cells
                       (blue), cells sent to review (orange) or corrected by the arithmetic (purple)

Folders are walked for .pdf, .txt and .md files and page images (.png, .jpg, .tif); a file named directly is read whatever its
extension (the media is detected from the content).

Options:
  --out DIR            where to write <stem>.json, facts.csv and review.jsonl (default: output)
  --concurrency N      documents processed at once, one worker thread each (default: cores)
  --formats LIST       comma-separated writers: ${Object.keys(writers).join(', ')} (default: all)
  --no-bom             write facts.csv without the UTF-8 byte-order mark
  --worker-heap-mb N   heap bound of each worker thread in MB (default 768); a document that needs
                       more is retried once without the bound
  --no-workers         process in the main thread, one document at a time (debugging)
  --no-ocr             do not OCR pages without a usable text layer (they are reported instead)
  --ocr-dpi N          resolution pages are rendered at for OCR (default 300)
  --ocr-lang LANG      chi_sim (default) or chi_tra
  --ocr-cache DIR      where OCR readings are cached by page-image hash
                       (default ~/.cache/budget-extract/ocr; "off" for none)
  --quiet              no progress output
  -h, --help           this text
  --version            print the version

Exit code: 0 when every document was processed (whatever its status), 1 when any document could
not be processed at all (each is listed on standard error with its reason), 2 on a usage error.`;

interface Args {
  inputs: string[];
  out: string;
  concurrency?: number;
  formats?: string[];
  bom: boolean;
  workers: boolean;
  workerHeapMb?: number;
  quiet: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const args: Args = { inputs: [], out: 'output', bom: true, workers: true, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--out' || a === '-o') args.out = value();
    else if (a.startsWith('--out=')) args.out = a.slice(6);
    else if (a === '--concurrency' || a === '-j') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new UsageError('--concurrency takes a whole number ≥ 1');
      args.concurrency = n;
    } else if (a === '--formats') {
      args.formats = value().split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = args.formats.filter((f) => !writers[f]);
      if (unknown.length) throw new UsageError(`unknown format(s): ${unknown.join(', ')} (known: ${Object.keys(writers).join(', ')})`);
    } else if (a === '--worker-heap-mb') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 8) throw new UsageError('--worker-heap-mb takes a whole number ≥ 8');
      args.workerHeapMb = n;
    } else if (a === '--no-bom') args.bom = false;
    else if (a === '--bom') args.bom = true;
    else if (a === '--no-workers') args.workers = false;
    // OCR settings travel by environment so that worker threads see them too.
    else if (a === '--no-ocr') process.env.BUDGET_EXTRACT_OCR = '0';
    else if (a === '--ocr-dpi') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 100 || n > 600) throw new UsageError('--ocr-dpi takes a whole number from 100 to 600');
      process.env.BUDGET_EXTRACT_OCR_DPI = String(n);
    } else if (a === '--ocr-lang') {
      const lang = value();
      if (lang !== 'chi_sim' && lang !== 'chi_tra') throw new UsageError('--ocr-lang is chi_sim or chi_tra');
      process.env.BUDGET_EXTRACT_OCR_LANG = lang;
    } else if (a === '--ocr-cache') process.env.BUDGET_EXTRACT_OCR_CACHE = value();
    else if (a === '--quiet' || a === '-q') args.quiet = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else args.inputs.push(a);
  }
  if (args.inputs.length === 0) throw new UsageError('name at least one file or folder');
  return args;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A progress bar on a terminal (documents done/total, pages/s, ETA), plain log lines otherwise. */
function progressReporter(quiet: boolean): (event: BatchEvent) => void {
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  let pagesDone = 0;
  const inFlight = new Map<string, number>();
  let total = 0;
  let docsDone = 0;
  const draw = () => {
    const elapsed = (performance.now() - started) / 1000;
    const pages = pagesDone + [...inFlight.values()].reduce((a, b) => a + b, 0);
    const rate = elapsed > 0 ? pages / elapsed : 0;
    const eta = docsDone > 0 ? (elapsed / docsDone) * (total - docsDone) : NaN;
    const width = 24;
    const filled = total ? Math.round((docsDone / total) * width) : 0;
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${docsDone}/${total} documents  ${rate.toFixed(1)} pages/s  ETA ${formatDuration(eta)}   `);
  };
  return (event) => {
    if (quiet) return;
    if (event.type === 'start') {
      total = event.total;
      if (tty) draw();
      else process.stderr.write(`processing ${total} document(s)\n`);
    } else if (event.type === 'pages') {
      inFlight.set(event.path, event.done);
      if (tty) draw();
    } else {
      inFlight.delete(event.result.path);
      pagesDone += event.result.pages;
      docsDone = event.done;
      const r = event.result;
      const status = r.failure ? 'failed' : r.output.document.status;
      const line = `${status.padEnd(12)} ${r.path}  ${r.pages} pages  ${r.output.tables.length} tables  ${r.seconds.toFixed(1)}s${r.failure ? `  — ${r.failure}` : ''}`;
      if (tty) {
        process.stderr.write(`\r\x1b[K${line}\n`);
        draw();
        if (docsDone === total) process.stderr.write('\n');
      } else process.stderr.write(`[${docsDone}/${total}] ${line}\n`);
    }
  };
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version') {
    const pkg = JSON.parse(readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command === 'inspect') return inspect(rest);
  if (command !== 'extract') {
    process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let args: Args;
  try {
    args = parseArgs(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`budget-extract: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  // Fail before reading any document when a template file is bad.
  loadTemplates();
  const { files, missing } = collectInputs(args.inputs);
  for (const m of missing) process.stderr.write(`failed: ${m} — no such file or folder\n`);
  if (files.length === 0) {
    process.stderr.write('budget-extract: no .pdf, .txt, .md or image inputs found\n');
    return missing.length ? 1 : 2;
  }
  const summary = await runBatch(files, {
    outDir: args.out,
    ...(args.concurrency ? { concurrency: args.concurrency } : {}),
    ...(args.formats ? { formats: args.formats } : {}),
    bom: args.bom,
    useWorkers: args.workers,
    ...(args.workerHeapMb ? { workerHeapMb: args.workerHeapMb } : {}),
    onEvent: progressReporter(args.quiet),
  });
  const counts = { ok: 0, needs_review: 0, failed: 0 };
  for (const r of summary.results) counts[r.output.document.status]++;
  if (!args.quiet) {
    process.stderr.write(
      `done: ${summary.results.length} document(s), ${summary.pages} pages in ${summary.seconds.toFixed(1)}s — ${counts.ok} ok, ${counts.needs_review} needs_review, ${counts.failed} failed; output in ${args.out}\n`,
    );
  }
  for (const f of summary.failed) process.stderr.write(`failed: ${f.path} — ${f.failure}\n`);
  return summary.failed.length > 0 || missing.length > 0 ? 1 : 0;
}

async function inspect(argv: string[]): Promise<number> {
  const file = argv.find((a, i) => !a.startsWith('--') && !['--page', '--png', '--dpi'].includes(argv[i - 1] ?? ''));
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const page = Number(option('--page'));
  const png = option('--png');
  if (!file || !Number.isInteger(page) || page < 1 || !png) {
    process.stderr.write(`budget-extract: inspect needs a PDF, --page N and --png OUT.png\n\n${USAGE}\n`);
    return 2;
  }
  const { inspectPage } = await import('./inspect.js');
  try {
    const summary = await inspectPage(file, page, png, option('--dpi') ? Number(option('--dpi')) : undefined);
    process.stdout.write(`${png}: page ${summary.page} (${summary.source}): ${summary.rulings} rulings, ${summary.words} words, ${summary.cells} cells, ${summary.flagged} flagged, ${summary.corrected} corrected\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`budget-extract: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await (await import('../extractors/ocr/engine.js')).closeOcr();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`budget-extract: ${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
