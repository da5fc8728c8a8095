import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLite, openPdf, readPage } from '../extractors/pdf-text.js';
import { LiteUnsupported, PdfLite } from '../extractors/pdf-lite.js';
import { layoutPage } from '../src/layout.js';
import { projectRoot } from '../src/paths.js';

const root = projectRoot();
const shared = path.resolve(root, '..', 'shared', 'corpus');

/** Grids of every page read with the fast ruling reader and with pdf.js's operator list must be identical. */
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
      const reference = layoutPage(await readPage(page, { rulings: 'always', lite: null }));
      const shape = (blocks: typeof fast) => blocks.map((b) => (b.type === 'grid' ? b.rows.map((r) => r.map((c) => `${c.text}|${c.colSpan}|${c.rowSpan}|${c.covered}`)) : b.text));
      expect(shape(fast), `${path.basename(file)} page ${n}`).toEqual(shape(reference));
      grids += fast.filter((b) => b.type === 'grid').length;
    }
  } finally {
    await pdf.destroy();
  }
  return grids;
}

describe('fast ruling reader', () => {
  it('reads the same grids as pdf.js on the samples', async () => {
    expect(await compareGrids(path.join(root, 'samples', 'quanzhou-2023-budget.pdf'))).toBeGreaterThan(10);
    expect(await compareGrids(path.join(root, 'samples', 'cangxi-2023-budget.pdf'))).toBeGreaterThan(10);
  });

  const corpus = existsSync(shared)
    ? [
        ...['000-digital.pdf', '003-digital.pdf'].map((f) => path.join(shared, 'rendered', f)),
        ...readdirSync(path.join(shared, 'real'))
          .filter((f) => f.endsWith('.pdf') && !f.includes('scanned'))
          .map((f) => path.join(shared, 'real', f)),
      ]
    : [];
  it.skipIf(corpus.length === 0)('reads the same grids as pdf.js on every text-layer PDF of ../shared/corpus', async () => {
    for (const file of corpus) await compareGrids(file);
  }, 600_000);

  it('refuses what it cannot read, so that pdf.js reads it', () => {
    expect(() => new PdfLite(new TextEncoder().encode('%PDF-1.4\nnothing here\n'))).toThrow(LiteUnsupported);
  });
});
