/**
 * Benchmark: budget-extract end to end against `pdftotext -layout` (poppler-utils) on the real
 * text-layer PDFs of ../shared/corpus/real, with the peak RSS of our process.
 *
 * Usage: `npm run bench [-- --files a.pdf,b.pdf] [-- --repeat N]`. It is a measurement, not a
 * test: it exits 0 whatever the numbers (2 only on a usage error). See bench/README.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** Targets from the performance issue. */
const TARGET_RATIO = 5;
const TARGET_RSS_MB = 400;
const STARTUP_RUNS = 5;
const POLL_MS = 20;
const GNU_TIME = '/usr/bin/time';

const USAGE = `usage: npm run bench -- [--files a.pdf,b.pdf] [--repeat N]
  --files LIST   comma-separated PDFs (paths, or names inside ../shared/corpus/real); default: every
                 text-layer PDF listed in its PROVENANCE.md
  --repeat N     time each file N times and take the median (default 1)`;

/** Command-line options of the benchmark. */
interface Options {
  files: string[] | null;
  repeat: number;
}

/** One timed child-process run. */
interface Run {
  seconds: number;
  /** Peak resident set size in kB, or null when it could not be measured. */
  peakKb: number | null;
  code: number | null;
  stderr: string;
  stdoutBytes: number;
}

/** How runs are measured: through GNU time (exact peak RSS) or by polling /proc. */
interface Context {
  tmp: string;
  useGnuTime: boolean;
  runCounter: number;
}

/** What our output JSON says about one document. */
interface DocumentInfo {
  pages: number | null;
  status: string;
  ocrPages: number;
}

/** Everything measured for one input file. */
interface FileResult extends DocumentInfo {
  file: string;
  bytes: number;
  ours: Run[];
  reference: Run[];
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const options: Options = { files: null, repeat: 1 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--files') options.files = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (flag === '--repeat') {
      options.repeat = Number(value());
      if (!Number.isInteger(options.repeat) || options.repeat < 1) throw new UsageError('--repeat takes a whole number ≥ 1');
    } else if (flag === '-h' || flag === '--help') throw new UsageError('');
    else throw new UsageError(`unknown argument ${flag}`);
  }
  return options;
}

/** The nearest folder above this script holding a package.json (works from bench/ and dist/bench/). */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** File name → has a text layer, from the "text layer" column of PROVENANCE.md (empty if absent). */
function provenanceTextLayer(corpus: string): Map<string, boolean> {
  const layer = new Map<string, boolean>();
  const file = path.join(corpus, 'PROVENANCE.md');
  if (!existsSync(file)) return layer;
  let column = -1;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells[0] === 'file name') column = cells.findIndex((c) => c.toLowerCase() === 'text layer');
    const value = column >= 0 ? cells[column] : undefined;
    if (cells[0]?.toLowerCase().endsWith('.pdf') && value !== undefined) layer.set(cells[0], value.startsWith('yes'));
  }
  return layer;
}

/** The text-layer PDFs of the corpus; a file missing from PROVENANCE.md counts unless named "scanned". */
function textLayerFiles(corpus: string): string[] {
  const layer = provenanceTextLayer(corpus);
  return readdirSync(corpus)
    .filter((f) => f.toLowerCase().endsWith('.pdf'))
    .filter((f) => layer.get(f) ?? !f.includes('scanned'))
    .sort()
    .map((f) => path.join(corpus, f));
}

/** --files entries as paths: an existing path as given, otherwise a name inside the corpus. */
function resolveFiles(names: string[], corpus: string): string[] {
  return names.map((name) => {
    const candidate = existsSync(name) ? name : path.join(corpus, name);
    if (!existsSync(candidate)) throw new UsageError(`no such file: ${name}`);
    return path.resolve(candidate);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function maxOrNull(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? Math.max(...known) : null;
}

function commandWorks(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/** GNU time with -f/-o gives the child's exact ru_maxrss; busybox time or none → poll /proc instead. */
function gnuTimeWorks(tmp: string): boolean {
  const out = path.join(tmp, 'time-probe');
  if (!commandWorks(GNU_TIME, ['-f', '%M', '-o', out, 'true'])) return false;
  return /^\d+$/.test(readFileSync(out, 'utf8').trim());
}

/** Makes sure pdftotext is on PATH, installing poppler-utils with apt-get if needed; false if impossible. */
function ensurePdftotext(): boolean {
  const present = (): boolean => commandWorks('pdftotext', ['-v']);
  if (present()) return true;
  console.error('pdftotext not found — installing poppler-utils with apt-get …');
  const apt = (...args: string[]): boolean => {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return r.error === undefined && r.status === 0;
  };
  if (!apt('install', '-y', 'poppler-utils')) {
    apt('update');
    apt('install', '-y', 'poppler-utils');
  }
  if (present()) return true;
  console.error('pdftotext is not available and poppler-utils could not be installed: the pdftotext column and the ratio are skipped.');
  return false;
}

function readVmHwm(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Polls VmHWM (already a high-water mark) every POLL_MS; only growth in the last tick before exit is missed. */
function pollPeakRss(pid: number | undefined): () => number | null {
  let peak: number | null = null;
  const tick = (): void => {
    const kb = pid === undefined ? null : readVmHwm(pid);
    if (kb !== null) peak = Math.max(peak ?? 0, kb);
  };
  tick();
  const timer = setInterval(tick, POLL_MS);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

/** GNU time's -o file: an optional "Command exited with non-zero status" line, then %M. */
function readGnuTimeFile(file: string): number | null {
  try {
    const last = readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
    return /^\d+$/.test(last) ? Number(last) : null;
  } catch {
    return null;
  }
}

/** Runs one command, wall-clock timed from spawn to exit, with its peak RSS; stdout is drained and counted. */
function measure(ctx: Context, command: string, args: string[]): Promise<Run> {
  const timeFile = ctx.useGnuTime ? path.join(ctx.tmp, `time-${ctx.runCounter++}`) : null;
  const [file, argv] = timeFile ? [GNU_TIME, ['-f', '%M', '-o', timeFile, command, ...args]] : [command, args];
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stopPolling = timeFile ? () => null : pollPeakRss(child.pid);
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let seconds = NaN;
    let polledKb: number | null = null;
    child.stdout.on('data', (chunk: Buffer) => (stdoutBytes += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('exit', () => {
      seconds = (performance.now() - start) / 1000;
      polledKb = stopPolling();
    });
    child.on('error', (error) => {
      stopPolling();
      resolve({ seconds: NaN, peakKb: null, code: null, stderr: error.message, stdoutBytes: 0 });
    });
    child.on('close', (code) => {
      const peakKb = timeFile ? readGnuTimeFile(timeFile) : polledKb;
      resolve({ seconds, peakKb, code, stderr: Buffer.concat(stderr).toString('utf8'), stdoutBytes });
    });
  });
}

/** Our CLI on the given files into a fresh output folder. */
function runOurs(ctx: Context, cli: string, files: string[], outDir: string, concurrency?: number): Promise<Run> {
  const extra = concurrency ? ['--concurrency', String(concurrency)] : [];
  return measure(ctx, process.execPath, [cli, 'extract', ...files, '--out', outDir, '--quiet', ...extra]);
}

function runReference(ctx: Context, file: string): Promise<Run> {
  return measure(ctx, 'pdftotext', ['-layout', file, '-']);
}

/** Page count, status and OCR page count from our <stem>.json; pages fall back to pdfinfo. */
function documentInfo(outDir: string, file: string): DocumentInfo {
  const stem = path.basename(file, path.extname(file));
  const info: DocumentInfo = { pages: null, status: 'no output', ocrPages: 0 };
  try {
    const json = JSON.parse(readFileSync(path.join(outDir, `${stem}.json`), 'utf8')) as {
      document?: { pages?: number; status?: string; page_sources?: { ocr?: number } };
    };
    info.pages = json.document?.pages ?? null;
    info.status = json.document?.status ?? 'unknown';
    info.ocrPages = json.document?.page_sources?.ocr ?? 0;
  } catch {
    // No JSON: the run failed; the problem list reports it.
  }
  return { ...info, pages: info.pages ?? pdfinfoPages(file) };
}

function pdfinfoPages(file: string): number | null {
  const result = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  const match = /^Pages:\s+(\d+)/m.exec(result.stdout ?? '');
  return match ? Number(match[1]) : null;
}

/** Reads every input once and runs each tool once, untimed, so disk caches are warm for both. */
async function warmUp(ctx: Context, cli: string, files: string[], withReference: boolean): Promise<void> {
  for (const f of files) readFileSync(f);
  const smallest = [...files].sort((a, b) => statSync(a).size - statSync(b).size)[0]!;
  await runOurs(ctx, cli, [smallest], path.join(ctx.tmp, 'warm-up'), 1);
  if (withReference) await runReference(ctx, smallest);
}

/** Median wall time of `node dist/src/cli.js --version`: process start plus loading our modules. */
async function measureStartup(ctx: Context, cli: string): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < STARTUP_RUNS; i++) seconds.push((await measure(ctx, process.execPath, [cli, '--version'])).seconds);
  return median(seconds);
}

/** Times one file `repeat` times with each tool, alternating so that drift hits both alike. */
async function benchFile(ctx: Context, cli: string, file: string, repeat: number, withReference: boolean): Promise<FileResult> {
  const ours: Run[] = [];
  const reference: Run[] = [];
  let outDir = '';
  for (let r = 0; r < repeat; r++) {
    outDir = mkdtempSync(path.join(ctx.tmp, 'ours-'));
    ours.push(await runOurs(ctx, cli, [file], outDir, 1));
    if (withReference) reference.push(await runReference(ctx, file));
  }
  return { file, bytes: statSync(file).size, ours, reference, ...documentInfo(outDir, file) };
}

const mb = (kb: number | null): string => (kb === null ? '—' : (kb / 1024).toFixed(0));
const num = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');

function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // First column left-aligned (names), the rest right-aligned (numbers).
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function oursSeconds(r: FileResult): number {
  return median(r.ours.map((run) => run.seconds));
}

function referenceSeconds(r: FileResult): number {
  return r.reference.length ? median(r.reference.map((run) => run.seconds)) : NaN;
}

function printFileTable(results: FileResult[], startup: number): void {
  const rows = results.map((r) => {
    const pages = r.pages ?? NaN;
    const ours = oursSeconds(r);
    const ref = referenceSeconds(r);
    const status = r.ocrPages ? `${r.status} (ocr ${r.ocrPages})` : r.status;
    return [path.basename(r.file), String(r.pages ?? '?'), num(ours, 2), num((ours * 1000) / pages, 1),
      num(((ours - startup) * 1000) / pages, 1), num((ref * 1000) / pages, 2), num(ours / ref, 1),
      mb(maxOrNull(r.ours.map((run) => run.peakKb))), status];
  });
  const headers = ['file', 'pages', 'ours s', 'ours ms/page', 'ours ms/page −start-up', 'pdftotext ms/page', 'ratio', 'peak RSS MB', 'status'];
  console.log(formatTable(headers, rows));
}

/** Prints the totals, the batch run and the two targets with PASS/FAIL. */
function printSummary(results: FileResult[], startup: number, batch: { run: Run; pages: number }, withReference: boolean): void {
  const counted = results.filter((r) => r.pages !== null && Number.isFinite(oursSeconds(r)));
  const pages = counted.reduce((sum, r) => sum + r.pages!, 0);
  const ours = counted.reduce((sum, r) => sum + oursSeconds(r), 0);
  const ref = counted.reduce((sum, r) => sum + referenceSeconds(r), 0);
  const oursNet = ours - startup * counted.length;
  const largest = [...results].sort((a, b) => b.bytes - a.bytes)[0]!;
  const largestKb = maxOrNull(largest.ours.map((run) => run.peakKb));
  const worst = [...results].sort((a, b) => (maxOrNull(b.ours.map((x) => x.peakKb)) ?? 0) - (maxOrNull(a.ours.map((x) => x.peakKb)) ?? 0))[0]!;
  const ratio = ours / ref;
  console.log(`
Totals (${counted.length} files, ${pages} pages; "ours" = one CLI process per file, --concurrency 1)
  node start-up (median of ${STARTUP_RUNS}× \`node dist/src/cli.js --version\`): ${num(startup * 1000, 0)} ms per process
  ours, end to end incl. start-up:   ${num((ours * 1000) / pages, 1)} ms/page   (${num(ours, 1)} s)
  ours, start-up subtracted:         ${num((oursNet * 1000) / pages, 1)} ms/page   (${num(oursNet, 1)} s)
  pdftotext -layout:                 ${withReference ? `${num((ref * 1000) / pages, 2)} ms/page   (${num(ref, 2)} s)` : 'skipped (not available)'}
  ratio ours/pdftotext:              ${withReference ? `${num(ratio, 1)}× end to end, ${num(oursNet / ref, 1)}× with node start-up subtracted` : '—'}
  peak RSS, largest file (${path.basename(largest.file)}, ${(largest.bytes / 1e6).toFixed(1)} MB on disk): ${mb(largestKb)} MB
  peak RSS, highest of all files (${path.basename(worst.file)}): ${mb(maxOrNull(worst.ours.map((x) => x.peakKb)))} MB`);
  console.log(`  batch (all ${results.length} files in one process, default --concurrency = ${os.availableParallelism()} cores): ` +
    `${num(batch.run.seconds, 1)} s, ${num(batch.pages / batch.run.seconds, 1)} pages/s, peak RSS ${mb(batch.run.peakKb)} MB` +
    (batch.run.code === 0 ? '' : `, exit code ${batch.run.code}`));
  const batchRatio = batch.run.seconds / ref;
  if (withReference) {
    console.log(`  batch ratio ours/pdftotext:        ${num(batchRatio, 1)}×  (${num((batch.run.seconds * 1000) / batch.pages, 1)} ms/page wall clock against ${num((ref * 1000) / pages, 2)} ms/page)`);
  }
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
  // Users batch-convert folders: the batch run is the end-to-end figure; one process per file is shown for comparison.
  console.log(`
Targets
  ratio ≤ ${TARGET_RATIO}× pdftotext -layout (batch):      ${withReference ? `${verdict(batchRatio <= TARGET_RATIO)}  (${num(batchRatio, 1)}× end to end; one process per file: ${num(ratio, 1)}×)` : 'n/a (pdftotext unavailable)'}
  peak RSS < ${TARGET_RSS_MB} MB on the largest real PDF:  ${largestKb === null ? 'n/a (RSS not measured)' : `${verdict(largestKb / 1024 < TARGET_RSS_MB)}  (${mb(largestKb)} MB)`}`);
}

/** Lists non-zero exits and stderr output of our CLI and of pdftotext. */
function printProblems(results: FileResult[], batch: Run): void {
  const problems: string[] = [];
  const describe = (label: string, run: Run): void => {
    const text = run.stderr.trim().split('\n').slice(-3).join(' | ');
    if (run.code !== 0 || text) problems.push(`  ${label}: exit ${run.code}${text ? ` — ${text.slice(0, 300)}` : ''}`);
  };
  for (const r of results) {
    const name = path.basename(r.file);
    r.ours.forEach((run) => describe(`ours ${name}`, run));
    r.reference.forEach((run) => (run.stdoutBytes === 0 ? problems.push(`  pdftotext ${name}: no text`) : describe(`pdftotext ${name}`, run)));
  }
  describe('ours batch', batch);
  console.log(problems.length ? `\nProblems\n${[...new Set(problems)].join('\n')}` : '\nProblems: none (every run exited 0 with empty stderr)');
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message ? `bench: ${error.message}\n${USAGE}` : USAGE);
    return error.message ? 2 : 0;
  }
  const root = projectRoot();
  const corpus = path.resolve(root, '../shared/corpus/real');
  if (!existsSync(corpus)) {
    console.log('skipped: ../shared/corpus/real not found');
    return 0;
  }
  const cli = path.join(root, 'dist/src/cli.js');
  if (!existsSync(cli)) {
    console.log('skipped: dist/src/cli.js not found — build first (`npm run bench` does)');
    return 0;
  }
  let files: string[];
  try {
    files = options.files ? resolveFiles(options.files, corpus) : textLayerFiles(corpus);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench: ${error.message}`);
    return 2;
  }
  if (files.length === 0) {
    console.log('skipped: no text-layer PDFs found');
    return 0;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'budget-bench-'));
  try {
    await benchmark({ tmp, useGnuTime: gnuTimeWorks(tmp), runCounter: 0 }, cli, files, options.repeat);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return 0;
}

/** The whole measurement: warm-up, start-up, per-file runs, the batch run, then the report. */
async function benchmark(ctx: Context, cli: string, files: string[], repeat: number): Promise<void> {
  const withReference = ensurePdftotext();
  console.log(`budget-extract benchmark — ${files.length} text-layer PDFs, ${repeat} run(s) per file (median), ` +
    `node ${process.version}, ${os.availableParallelism()} cores, load average ${loadAverage()}, ` +
    `peak RSS via ${ctx.useGnuTime ? `${GNU_TIME} -f %M` : `/proc/<pid>/status VmHWM polled every ${POLL_MS} ms`}`);
  await warmUp(ctx, cli, files, withReference);
  const startup = await measureStartup(ctx, cli);
  const results: FileResult[] = [];
  for (const [i, file] of files.entries()) {
    process.stderr.write(`  [${i + 1}/${files.length}] ${path.basename(file)}\n`);
    results.push(await benchFile(ctx, cli, file, repeat, withReference));
  }
  process.stderr.write(`  batch: all ${files.length} files, default concurrency\n`);
  const batchRun = await runOurs(ctx, cli, files, path.join(ctx.tmp, 'batch'));
  const batchPages = results.reduce((sum, r) => sum + (r.pages ?? 0), 0);
  console.log('');
  printFileTable(results, startup);
  printSummary(results, startup, { run: batchRun, pages: batchPages }, withReference);
  printProblems(results, batchRun);
  // Other work on the machine skews every number; the load average lets a reader judge that.
  console.log(`\nload average at the end: ${loadAverage()}`);
}

function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
