import { describe, expect, it } from 'vitest';
import PDFDocument from 'pdfkit';
import { openPdf, pdfTextExtractor, PdfOpenError, readPage } from '../extractors/pdf-text.js';
import { layoutPage } from '../src/layout.js';
import { emptyDocument } from '../src/pipeline.js';

/** A one-page PDF drawn by pdfkit; `rotate` sets the page's /Rotate, `password` encrypts it. */
function makePdf(options: { rotate?: number; password?: string } = {}): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const doc = new PDFDocument({ size: 'A4', info: { CreationDate: new Date(0) }, ...(options.password ? { userPassword: options.password } : {}) });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    if (options.rotate) (doc.page as unknown as { dictionary: { data: Record<string, unknown> } }).dictionary.data.Rotate = options.rotate;
    doc.font('Helvetica').fontSize(10);
    const xs = [100, 200, 300];
    const ys = [100, 120, 140, 160];
    for (const y of ys) doc.moveTo(xs[0]!, y).lineTo(xs[2]!, y).lineWidth(0.5).stroke();
    for (const x of xs) doc.moveTo(x, ys[0]!).lineTo(x, ys[3]!).stroke();
    const cells = [
      ['Code', 'Amount'],
      ['2080502', '123.58'],
      ['2101101', '1,033.83'],
    ];
    cells.forEach((row, r) => row.forEach((text, c) => doc.text(text, xs[c]! + 5, ys[r]! + 5, { lineBreak: false })));
    doc.end();
  });
}

describe('pdf text layer', () => {
  it('reads text and rulings in points from the top-left and builds the grid', async () => {
    const pdf = await openPdf(await makePdf());
    try {
      const page = await readPage(await pdf.getPage(1));
      expect(page).toMatchObject({ number: 1, source: 'text' });
      expect(page.width).toBeCloseTo(595.28, 1);
      const code = page.items.find((i) => i.text === '2080502')!;
      expect(code.bbox[0]).toBeCloseTo(105, 0);
      expect(code.bbox[1]).toBeGreaterThan(120);
      expect(code.bbox[3]).toBeLessThan(140);
      const grid = layoutPage(page).find((b) => b.type === 'grid');
      expect(grid?.type === 'grid' && grid.rows.map((r) => r.map((c) => c.text))).toEqual([
        ['Code', 'Amount'],
        ['2080502', '123.58'],
        ['2101101', '1,033.83'],
      ]);
    } finally {
      await pdf.destroy();
    }
  });

  it('applies /Rotate so that a landscape page reads upright', async () => {
    const pdf = await openPdf(await makePdf({ rotate: 90 }));
    try {
      const page = await readPage(await pdf.getPage(1));
      expect(page.width).toBeCloseTo(841.89, 1);
      expect(page.height).toBeCloseTo(595.28, 1);
      const grid = layoutPage(page).find((b) => b.type === 'grid');
      // Rotated 90° clockwise for display, the drawn table's rows become columns.
      expect(grid?.type === 'grid' && grid.rows.map((r) => r.length)).toEqual([3, 3]);
      expect(grid?.type === 'grid' && grid.rows.flat().map((c) => c.text).sort()).toEqual(['1,033.83', '123.58', '2080502', '2101101', 'Amount', 'Code']);
    } finally {
      await pdf.destroy();
    }
  });

  it('refuses an encrypted PDF and a corrupt one with a clear reason', async () => {
    await expect(openPdf(await makePdf({ password: 'secret' }))).rejects.toThrow(/encrypted PDF/);
    await expect(openPdf(new TextEncoder().encode('%PDF-1.4\ngarbage'))).rejects.toBeInstanceOf(PdfOpenError);
    const doc = emptyDocument('x.pdf', await makePdf());
    await pdfTextExtractor.extract(doc);
    expect(doc.pageCount).toBe(1);
    expect(doc.pageSources).toEqual({ text: 1, ocr: 0 });
  });
});
