import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLite, openPdf, readPage } from '../extractors/pdf-text.js';
import { LiteUnsupported, PdfLite } from '../extractors/pdf-lite.js';
import { layoutPage } from '../src/layout.js';
import { projectRoot } from '../src/paths.js';

const root = projectRoot();
const shared = path.resolve(root, '..', 'shared', 'corpus');

/**
 * Every page read by the fast reader (rulings and text from the content streams) and by pdf.js
 * (getTextContent and the operator list) must lay out into the same lines and grids. Spaces are
 * ignored: the two place word gaps differently, and every later stage ignores spaces in CJK text.
 */
async function compareGrids(file: string): Promise<number> {
  const bytes = new Uint8Array(readFileSync(file));
  const pdf = await openPdf(bytes);
  const lite = openLite(bytes, pdf.numPages);
  expect(lite, `${path.basename(file)} is read by the fast reader`).not.toBeNull();
  let grids = 0;
  try {
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const fast = layoutPage(await readPage(page, { rulings: 'always', lite }));
      const reference = layoutPage(await readPage(page, { rulings: 'always', lite: null, text: 'pdfjs' }));
      const compact = (t: string) => t.replace(/\s+/g, '');
      const shape = (blocks: typeof fast) => blocks.map((b) => (b.type === 'grid' ? b.rows.map((r) => r.map((c) => `${compact(c.text)}|${c.colSpan}|${c.rowSpan}|${c.covered}`)) : compact(b.text)));
      expect(shape(fast), `${path.basename(file)} page ${n}`).toEqual(shape(reference));
      grids += fast.filter((b) => b.type === 'grid').length;
    }
  } finally {
    await pdf.destroy();
  }
  return grids;
}

describe('fast content-stream reader', () => {
  it('reads the same lines and grids as pdf.js on the samples', async () => {
    expect(await compareGrids(path.join(root, 'samples', 'quanzhou-2023-budget.pdf'))).toBeGreaterThan(10);
    expect(await compareGrids(path.join(root, 'samples', 'cangxi-2023-budget.pdf'))).toBeGreaterThan(10);
  });

  const corpus = existsSync(shared)
    ? [
        ...['000-digital.pdf', '003-digital.pdf'].map((f) => path.join(shared, 'rendered', f)),
        // Fujian's ruled tables; elsewhere pdf.js glues text across cell borders where the fast reader keeps it apart (Beijing, Changsha).
        ...readdirSync(path.join(shared, 'real'))
          .filter((f) => f.startsWith('fj-') && f.endsWith('.pdf'))
          .map((f) => path.join(shared, 'real', f)),
      ]
    : [];
  it.skipIf(corpus.length === 0)('reads the same lines and grids as pdf.js on the rendered and Fujian PDFs of ../shared/corpus', async () => {
    for (const file of corpus) await compareGrids(file);
  }, 600_000);

  it('refuses what it cannot read, so that pdf.js reads it', () => {
    expect(() => new PdfLite(new TextEncoder().encode('%PDF-1.4\nnothing here\n'))).toThrow(LiteUnsupported);
  });

  const beijing = path.join(shared, 'real', 'bj-ylbz-2026-budget-tables.pdf');
  it.skipIf(!existsSync(beijing))('keeps a number apart from the label in the next cell where pdf.js glues them (Beijing 预算01表)', async () => {
    const file = beijing;
    const bytes = new Uint8Array(readFileSync(file));
    const pdf = await openPdf(bytes);
    try {
      const page = await readPage(await pdf.getPage(5), { lite: openLite(bytes, pdf.numPages) });
      const grid = layoutPage(page).find((b) => b.type === 'grid');
      const row = grid?.type === 'grid' ? grid.rows.find((r) => r.some((c) => c.text === '一、一般公共预算资金')) : undefined;
      expect(row?.map((c) => c.text)).toContain('110,387.976749');
    } finally {
      await pdf.destroy();
    }
  });
});
