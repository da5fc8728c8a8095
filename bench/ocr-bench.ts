/**
 * OCR benchmark: tesseract.js (what the pipeline uses) against native `tesseract` (Debian tesseract-ocr +
 * tesseract-ocr-chi-sim) on the same page images, in the same run; then a whole scanned document through the
 * CLI, alone and in a batch, with the shared recognisers (pages per second, cores busy, peak RSS).
 *
 * Usage: `npm run bench:ocr [-- --pages N] [-- --repeat R]`. A measurement, not a test: it exits 0 whatever the numbers.
 * Each engine reads each page R times (default 3) and its fastest reading counts: on a shared 2-core host the
 * slower readings measure the neighbours, not the engine. Worker start-up (loading the model) is timed apart.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { closeOcr, ocrEngine } from '../extractors/ocr/engine.js';
import { ocrPage } from '../extractors/ocr/ocr-page.js';
import { eraseRulings, findRasterRulings, renderPage, toPgm } from '../extractors/ocr/raster.js';
import { openPdf } from '../extractors/pdf-text.js';

/** Target from the OCR issue: tesseract.js per page at most this many times native tesseract. */
const TARGET_RATIO = 1.5;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.resolve(root, '..', 'shared', 'corpus', 'rendered');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** One CLI run over `docs` without the OCR cache: wall seconds, OCR pages, peak RSS by GNU time and CPU seconds per wall second. */
function runCli(cli: string, docs: string[], out: string): { seconds: number; ocrPages: number; peakMb: number; coresBusy: number } {
  const time = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const run = spawnSync(time ? '/usr/bin/time' : 'node', [...(time ? ['-f', '%U %S %M', 'node'] : []), cli, 'extract', ...docs, '--out', out, '--ocr-cache', 'off', '--quiet'], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  const [userSeconds, systemSeconds, peakKb] = time ? (run.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number) : [NaN, NaN, NaN];
  const ocrPages = docs
    .map((d) => JSON.parse(readFileSync(path.join(out, `${path.basename(d, '.pdf')}.json`), 'utf8')) as { document: { page_sources: { ocr: number } } })
    .reduce((sum, d) => sum + d.document.page_sources.ocr, 0);
  // CPU seconds over wall seconds: 2.0 means both cores busy throughout.
  return { seconds, ocrPages, peakMb: peakKb! / 1024, coresBusy: (userSeconds! + systemSeconds!) / seconds };
}

async function main(): Promise<number> {
  const pagesArg = process.argv.indexOf('--pages');
  const pageCount = pagesArg >= 0 ? Number(process.argv[pagesArg + 1]) : 6;
  const repeatArg = process.argv.indexOf('--repeat');
  const repeat = repeatArg >= 0 ? Math.max(1, Number(process.argv[repeatArg + 1]) || 1) : 3;
  const source = path.join(shared, '003-300dpi-clean-scanned.pdf');
  if (!existsSync(source)) {
    console.log(`ocr bench skipped: ${source} not found`);
    return 0;
  }
  const native = spawnSync('tesseract', ['--version'], { encoding: 'utf8' });
  const haveNative = native.status === 0 && spawnSync('tesseract', ['--list-langs'], { encoding: 'utf8' }).stdout.includes('chi_sim');
  if (!haveNative) console.log('native tesseract with chi_sim not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim): ratios skipped');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'be-ocr-bench-'));
  // The recogniser reads every page afresh: no cache.
  const engine = ocrEngine({ cacheDir: null });
  const pdf = await openPdf(new Uint8Array(readFileSync(source)));
  const rows: { page: number; js: number; native: number | null; whole: number; items: number }[] = [];
  const fastest = async (read: () => unknown): Promise<number> => {
    let best = Infinity;
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      await read();
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return best;
  };
  let startup = NaN;
  try {
    // Worker start-up (model load) is paid once per worker, not per page: timed on its own, on a blank image.
    const blank = { width: 200, height: 100, dpi: 300, data: new Uint8Array(200 * 100).fill(255) };
    const ts = performance.now();
    await engine.readPage(blank);
    startup = (performance.now() - ts) / 1000;
    // Table pages of the Cangxi scan (landscape, dense): the hardest kind.
    const pages = [8, 9, 10, 11, 12, 14, 15, 16, 17, 18].slice(0, pageCount);
    for (const n of pages) {
      const page = await pdf.getPage(n);
      const image = await renderPage(page, 300);
      page.cleanup();
      const clean = eraseRulings(image, findRasterRulings(image));
      const file = path.join(tmp, `p${n}.pgm`);
      writeFileSync(file, toPgm(clean));
      const js = await fastest(() => engine.readPage(clean));
      // One thread: OpenMP's spinning on two cores makes native tesseract slower, not faster.
      const nativeSeconds = haveNative
        ? await fastest(() => spawnSync('tesseract', [file, path.join(tmp, `p${n}`), '-l', 'chi_sim', '--psm', '4', '--dpi', '300'], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, stdio: 'ignore' }))
        : null;
      // The whole of what OCR does to a page: deskew, rulings, the page reading and every ruled cell read on its own.
      const t2 = performance.now();
      const read = await ocrPage(n, image);
      const whole = (performance.now() - t2) / 1000;
      rows.push({ page: n, js, native: nativeSeconds, whole, items: read.page.items.length });
    }
  } finally {
    await pdf.destroy();
    await closeOcr();
  }
  console.log(`\nOCR per page (003-300dpi-clean-scanned.pdf, table pages at 300 dpi, PSM 4, same images; fastest of ${repeat} readings each):`);
  console.log('| page | tesseract.js s | native tesseract s | ratio | whole page OCR s (page + cell readings) | items |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.page} | ${r.js.toFixed(2)} | ${r.native?.toFixed(2) ?? '–'} | ${r.native ? (r.js / r.native).toFixed(2) : '–'} | ${r.whole.toFixed(2)} | ${r.items} |`);
  const js = median(rows.map((r) => r.js));
  const nat = haveNative ? median(rows.map((r) => r.native!)) : NaN;
  console.log(`median: tesseract.js ${js.toFixed(2)} s/page, native ${haveNative ? nat.toFixed(2) : '–'} s/page, ratio ${haveNative ? (js / nat).toFixed(2) : '–'} (target ≤ ${TARGET_RATIO}: ${haveNative ? (js / nat <= TARGET_RATIO ? 'PASS' : 'FAIL') : 'n/a'})`);
  console.log(`tesseract.js worker start-up (model load, once per worker): ${startup.toFixed(2)} s`);
  console.log(`median whole-page OCR with the cell readings: ${median(rows.map((r) => r.whole)).toFixed(2)} s/page (${(median(rows.map((r) => r.whole)) / js).toFixed(1)}× the page reading alone)`);

  // Whole documents through the CLI: one scanned document alone (its pages and cells spread over the shared
  // recognisers), then four of unequal length (documents and pages share them).
  const cli = path.join(root, 'dist', 'src', 'cli.js');
  for (const names of [['003-scanned.pdf'], ['003-300dpi-clean-scanned.pdf', '001-mixed.pdf', '000-scanned.pdf', '001-scanned.pdf']]) {
    const run = runCli(cli, names.map((name) => path.join(shared, name)), path.join(tmp, `out-${names.length}`));
    const threads = Math.min(os.availableParallelism(), names.length);
    console.log(
      `\n${names.length === 1 ? 'one document' : 'batch'}: ${names.join(' + ')}, ${threads} document thread${threads > 1 ? 's' : ''}, ${os.availableParallelism()} recognitions at once: ` +
        `${run.ocrPages} OCR pages in ${run.seconds.toFixed(1)} s = ${(run.ocrPages / run.seconds).toFixed(2)} OCR pages/s; ` +
        `peak RSS ${Number.isFinite(run.peakMb) ? `${run.peakMb.toFixed(0)} MB` : 'n/a'} (target < 1536 MB); cores busy ${Number.isFinite(run.coresBusy) ? run.coresBusy.toFixed(2) : 'n/a'} of ${os.availableParallelism()}`,
    );
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
