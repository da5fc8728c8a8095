// Held-out OCR measurement: photocopy scans made afresh with scripts/degrade-scan.mjs, extracted, and scored cell by
// cell with ../shared/tools/score.py. Two kinds of held-out scan:
//
//   node scripts/ocr-heldout.mjs --seed N [--out DIR]              000/001/003-digital.pdf of ../shared/corpus/rendered,
//                                                                  scored against their answer keys
//   node scripts/ocr-heldout.mjs --seed N --real [FILE.pdf …]      real text-layer PDFs (default: the Fujian ones of
//                                                                  ../shared/corpus/real), their table pages scanned and
//                                                                  scored against what their own text layer gives
//
// Needs `npm run build` first. Prints one line a document (exact non-zero figures, F1, silent errors, status) and the
// totals; "silent" counts wrong figures at confidence >= 0.9 or in a document not sent to review, as score.py does.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(root, '..', 'shared');
const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
};
const seed = Number(option('--seed') ?? NaN);
const out = path.resolve(option('--out') ?? path.join(root, 'output', `heldout-s${seed}`));
const real = args.includes('--real');
const files = args.filter((a) => !a.startsWith('--'));
if (!Number.isInteger(seed)) {
  console.error('usage: node scripts/ocr-heldout.mjs --seed N [--out DIR] [--real [FILE.pdf …]]');
  process.exit(2);
}
if (!existsSync(path.join(root, 'dist', 'src', 'cli.js'))) {
  console.error('ocr-heldout: run `npm run build` first');
  process.exit(2);
}
if (!existsSync(shared)) {
  console.error(`ocr-heldout: ${shared} is missing (the scorer, answer keys and corpus live there)`);
  process.exit(2);
}

const cli = (inputs, dir) => execFileSync('node', [path.join(root, 'dist', 'src', 'cli.js'), 'extract', ...inputs, '--out', dir, '--quiet'], { stdio: ['ignore', 'inherit', 'ignore'] });
const degrade = (input, output, pages) => execFileSync('node', [path.join(root, 'scripts', 'degrade-scan.mjs'), input, output, '--seed', String(seed), ...(pages ? ['--pages', pages] : [])], { stdio: 'ignore' });
const stem = (file) => path.basename(file).replace(/\.[^.]+$/, '');

/** [scan, answer key] pairs. */
const cases = [];
mkdirSync(path.join(out, 'scans'), { recursive: true });
if (real) {
  const sources = files.length ? files.map((f) => path.resolve(f)) : readdirSync(path.join(shared, 'corpus', 'real')).filter((f) => /^fj-.*\.pdf$/.test(f)).map((f) => path.join(shared, 'corpus', 'real', f));
  const referenceDir = path.join(out, 'text-layer');
  cli(sources, referenceDir);
  for (const source of sources) {
    const reference = path.join(referenceDir, `${stem(source)}.json`);
    const doc = JSON.parse(readFileSync(reference, 'utf8'));
    const pages = doc.tables.filter((t) => /^T/.test(t.kind)).flatMap((t) => t.pages ?? []);
    if (pages.length === 0) {
      console.log(`${stem(source)}: no standard table in its text layer, skipped`);
      continue;
    }
    const scan = path.join(out, 'scans', `${stem(source)}-s${seed}.pdf`);
    degrade(source, scan, `${Math.min(...pages)}-${Math.max(...pages)}`);
    cases.push([scan, reference]);
  }
} else {
  for (const id of ['000', '001', '003']) {
    const scan = path.join(out, 'scans', `${id}-s${seed}.pdf`);
    degrade(path.join(shared, 'corpus', 'rendered', `${id}-digital.pdf`), scan);
    cases.push([scan, path.join(shared, 'corpus', 'groundtruth', `${id}.json`)]);
  }
}
const ocrDir = path.join(out, 'ocr');
const started = Date.now();
cli(cases.map(([scan]) => scan), ocrDir);
const seconds = (Date.now() - started) / 1000;

let hit = 0;
let cells = 0;
let silent = 0;
for (const [scan, answer] of cases) {
  const output = path.join(ocrDir, `${stem(scan)}.json`);
  const score = JSON.parse(execFileSync('python3', [path.join(shared, 'tools', 'score.py'), answer, output, '--kinds', 'T', '--json'], { encoding: 'utf8' }));
  const status = JSON.parse(readFileSync(output, 'utf8')).document.status;
  hit += score.hit;
  cells += score.gt_cells;
  silent += score.silent;
  const exact = score.gt_cells ? (100 * score.hit) / score.gt_cells : 0;
  console.log(`${stem(scan).padEnd(52)} ${String(score.hit).padStart(4)}/${String(score.gt_cells).padEnd(4)} ${exact.toFixed(2).padStart(6)}%  F1=${score.f1.toFixed(3)}  silent=${score.silent}  ${status}`);
}
console.log(`total: ${hit}/${cells} non-zero figures exact (${((100 * hit) / Math.max(1, cells)).toFixed(2)}%), silent ${silent}, ${cases.length} scans OCR'd in ${seconds.toFixed(0)} s; outputs in ${out}`);
