import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DUMP_CONFIDENCE, layoutDumpToFlow } from '../extractors/text.js';
import type { GridCell } from '../src/model.js';
import { projectRoot } from '../src/paths.js';
import { processFile } from '../src/process-file.js';
import { cellAgreement } from './cell-agreement.js';
import { score, shared } from './score.js';

const root = projectRoot();
const fixture = (name: string) => path.join(root, 'tests', 'fixtures', 'dumps', name);

function grids(text: string): string[][][] {
  return layoutDumpToFlow(text)
    .filter((b) => b.type === 'grid')
    .map((b) => (b.type === 'grid' ? b.rows.map((r: GridCell[]) => r.map((c) => c.text)) : []));
}

describe('layout dumps (pdftotext -layout and the like)', () => {
  it('places figures that run together by their order, blanks by the nearest column, and spells wrapped header names', () => {
    const text = [
      '                    支出预算总表',
      '                                              单位：万元',
      '                                                   对附属单',
      '科目编码      科目名称      合计     基本支出 项目支出        位补助支',
      '                                                    出',
      '合计                     30.00 10.00 20.00       0.00',
      '2080501 行政单位离退休     10.00 10.00               0.00',
      '        机关事业单位基本养老保险缴费支',
      '2080505                  20.00       20.00       0.00',
      '        出',
      '',
      '                         - 3 -',
    ].join('\n');
    const [grid] = grids(text);
    expect(grid).toEqual([
      ['科目编码', '科目名称', '合计', '基本支出', '项目支出', '对附属单位补助支出'],
      ['合计', '', '30.00', '10.00', '20.00', '0.00'],
      ['2080501', '行政单位离退休', '10.00', '10.00', '', '0.00'],
      ['2080505', '机关事业单位基本养老保险缴费支出', '20.00', '', '20.00', '0.00'],
    ]);
  });

  it('reads a 栏次 row as column numbers, keeps 行次 apart and puts letter-spaced 收 入 / 支 出 over their halves', () => {
    const text = [
      '           收   入                             支    出',
      '      项目            行次      金额            项目            行次      金额',
      '      栏次                     1            栏次                     2',
      ' 一、财政拨款收入            1     12.00  一、教育支出                 3     12.00',
      ' 二、其他收入              2            二、卫生健康支出               4',
      '      总计             5     12.00        总计               6     12.00',
    ].join('\n');
    const [grid] = grids(text);
    expect(grid![0]).toEqual(['收入', '', '', '支出', '', '']);
    expect(grid![1]).toEqual(['项目', '行次', '金额', '项目', '行次', '金额']);
    expect(grid![2]).toEqual(['栏次', '', '1', '栏次', '', '2']);
    expect(grid!.slice(3)).toEqual([
      ['一、财政拨款收入', '1', '12.00', '一、教育支出', '3', '12.00'],
      ['二、其他收入', '2', '', '二、卫生健康支出', '4', ''],
      ['总计', '5', '12.00', '总计', '6', '12.00'],
    ]);
  });

  it('gives every figure read from a dump a confidence below the review line', () => {
    const cells = layoutDumpToFlow('科目编码  科目名称   合计\n201       一般公共服务   1.00\n202       外交           2.00\n').flatMap((b) => (b.type === 'grid' ? b.rows.flat() : []));
    expect(cells.filter((c) => /\d\.\d\d/.test(c.raw)).every((c) => c.confidence === DUMP_CONFIDENCE && c.confidence < 0.9)).toBe(true);
  });

  // Our own samples, dumped by pdftotext -layout 22.12 and committed: the dump must read like the PDF itself.
  for (const sample of ['quanzhou-2023-budget', 'cangxi-2023-budget']) {
    it(`reads the dump of samples/${sample}.pdf with every figure of the PDF, each sent to review`, async () => {
      const fromPdf = (await processFile(path.join(root, 'samples', `${sample}.pdf`))).output;
      const fromDump = (await processFile(fixture(`${sample}.layout.txt`))).output;
      const agreement = cellAgreement(fromPdf, fromDump);
      expect(agreement.wrong).toEqual([]);
      expect(agreement.missing).toEqual([]);
      expect(agreement.found).toBe(sample.startsWith('quanzhou') ? 142 : 183);
      expect(fromDump.document.status).toBe('needs_review');
      expect(fromDump.issues.some((i) => i.code === 'text.layout_dump')).toBe(true);
      const figures = fromDump.tables.flatMap((t) => t.rows.flatMap((r) => r.cells.filter((_, k) => typeof r.values[k] === 'number')));
      expect(figures.length).toBeGreaterThan(0);
      expect(figures.every((c) => c.confidence <= DUMP_CONFIDENCE)).toBe(true);
    });
  }

  // The Xiamen-style and final-account samples are rendered from committed text fixtures; their dumps must give
  // the fixtures' own figures.
  const rendered: [string, string, number][] = [
    ['xiamen-style-2024-budget', 'tests/fixtures/xiamen-style-budget.txt', 76],
    ['final-account-2024', 'tests/fixtures/templates/national-final-account.txt', 159],
  ];
  for (const [sample, source, cells] of rendered) {
    it(`reads the dump of samples/${sample}.pdf with the figures of ${path.basename(source)}`, async () => {
      const fromText = (await processFile(path.join(root, source))).output;
      const fromDump = (await processFile(fixture(`${sample}.layout.txt`))).output;
      const agreement = cellAgreement(fromText, fromDump);
      expect(agreement.expected).toBe(cells);
      expect(agreement.wrong).toEqual([]);
      expect(agreement.missing).toEqual([]);
    });
  }
});

const havePdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const haveShared = existsSync(path.join(shared, 'corpus', 'groundtruth'));
if (!haveShared || !havePdftotext) console.warn(`dump corpus suite skipped: needs ${shared} and poppler's pdftotext`);

function dump(pdf: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'be-dump-')), `${path.basename(pdf, '.pdf')}.txt`);
  execFileSync('pdftotext', ['-layout', pdf, file], { stdio: 'ignore' });
  return file;
}


describe.skipIf(!haveShared || !havePdftotext)('layout dumps of the corpus (pdftotext -layout)', () => {
  // Floors are the figures measured when this suite was written; the aim is 0.995 everywhere.
  const rendered: [string, string, number][] = [
    ['000-digital.pdf', '000', 1],
    ['001-digital.pdf', '001', 1],
    ['003-digital.pdf', '003', 1],
    ['000-traditional-digital.pdf', '000', 1],
  ];
  for (const [file, id, floor] of rendered) {
    it(`dump of ${file} scores F1 ≥ ${floor} against ${id}.json with no silent error`, async () => {
      const { output } = await processFile(dump(path.join(shared, 'corpus', 'rendered', file)));
      const result = score(path.join(shared, 'corpus', 'groundtruth', `${id}.json`), output);
      expect(result.f1).toBeGreaterThanOrEqual(floor);
      expect(result.silent).toBe(0);
    });
  }

  // Markdown as other converters write it: pipe tables under a |---| line, section headings as ##.
  for (const [seed, id] of [['000_5a1b76a3c0f27d73.txt', '000'], ['003_6bd304a2aa0ee1ee.txt', '003']] as const) {
    it(`Markdown made from seed ${id} scores F1 = 1 against ${id}.json`, async () => {
      const lines = readFileSync(path.join(shared, 'seeds', seed), 'utf8').split('\n');
      const markdown = lines.flatMap((line, i) => {
        if (!line.includes('\t')) return [/^[一二三四五六七八九十]+、/.test(line) ? `## ${line}` : line];
        const cells = line.split('\t').map((c) => c.trim());
        const row = `| ${cells.join(' | ')} |`;
        return lines[i - 1]?.includes('\t') ? [row] : [row, `|${'---|'.repeat(cells.length)}`];
      });
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'be-md-')), `${id}.md`);
      writeFileSync(file, markdown.join('\n'));
      const { output } = await processFile(file);
      expect(score(path.join(shared, 'corpus', 'groundtruth', `${id}.json`), output)).toEqual(expect.objectContaining({ f1: 1, silent: 0 }));
    });
  }

  // However poorly a dump reads, no figure taken from it may pass for certain.
  it('never lets a wrong figure from a dump of any real PDF pass unflagged', async () => {
    const real = path.join(shared, 'corpus', 'real');
    const files = readdirSync(real).filter((f) => f.endsWith('.pdf') && !/scanned/.test(f));
    let silent = 0;
    for (const file of files) {
      const fromPdf = (await processFile(path.join(real, file))).output;
      const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'be-key-')), 'key.json');
      writeFileSync(keyFile, JSON.stringify(fromPdf));
      const fromDump = (await processFile(dump(path.join(real, file)))).output;
      expect(fromDump.document.status).toBe('needs_review');
      silent += score(keyFile, fromDump).silent;
    }
    expect(files.length).toBeGreaterThanOrEqual(26);
    expect(silent).toBe(0);
  }, 120_000);

  // Final accounts: the answer is what the pipeline reads from the PDF itself (every identity passes there).
  const finals: [string, number][] = [
    ['cn-gjxfj-2024-final.pdf', 1],
    ['gd-foshan-gdjt-2019-final.pdf', 0.99],
  ];
  for (const [file, floor] of finals) {
    it(`dump of ${file} agrees with the PDF on at least ${floor} of its cells, every figure flagged`, async () => {
      const pdf = path.join(shared, 'corpus', 'real', file);
      const fromPdf = (await processFile(pdf)).output;
      const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'be-key-')), 'key.json');
      writeFileSync(keyFile, JSON.stringify(fromPdf));
      const { output } = await processFile(dump(pdf));
      const result = score(keyFile, output);
      expect(result.f1).toBeGreaterThanOrEqual(floor);
      expect(result.silent).toBe(0);
      expect(JSON.parse(readFileSync(keyFile, 'utf8')).checks.failed).toBe(0);
    });
  }
});
