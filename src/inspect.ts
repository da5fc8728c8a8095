import { readFile } from 'node:fs/promises';
import { createCanvas } from '@napi-rs/canvas';
import type { RenderParameters } from 'pdfjs-dist/types/src/display/api.js';
import { openPdf } from '../extractors/pdf-text.js';
import { layoutPage } from './layout.js';
import type { BBox } from './model.js';
import { processDocument } from './pipeline.js';
import { writeAtomic } from './writers.js';

/** What the overlay shows, counted (also printed by the CLI). */
export interface InspectSummary {
  page: number;
  source: string;
  rulings: number;
  words: number;
  cells: number;
  flagged: number;
  corrected: number;
}

/**
 * Draw, over the page as rendered, what each stage saw (in the spirit of pdfplumber's debug_tablefinder):
 * ruling lines (red), words from the text layer or OCR (green), grid cells (blue), and cells below the review
 * line (orange) or corrected by the arithmetic (purple). OCR words and rulings are drawn where they were found
 * on the deskewed image.
 */
export async function inspectPage(file: string, pageNumber: number, outPng: string, dpi = 110): Promise<InspectSummary> {
  const bytes = new Uint8Array(await readFile(file));
  const doc = await processDocument(file, bytes);
  const page = doc.pages.find((p) => p.number === pageNumber);
  if (!page) throw new Error(`page ${pageNumber} does not exist (the document has ${doc.pageCount} pages)`);
  const scale = dpi / 72;
  const pdf = await openPdf(bytes);
  try {
    const pdfPage = await pdf.getPage(pageNumber);
    const viewport = pdfPage.getViewport({ scale });
    const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    await pdfPage.render({ canvas: canvas as unknown as RenderParameters['canvas'], viewport }).promise;
    pdfPage.cleanup();
    const box = (b: BBox, stroke: string, fill?: string) => {
      const [x0, y0, x1, y1] = b.map((v) => v * scale) as BBox;
      if (fill) {
        ctx.fillStyle = fill;
        ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
      }
      ctx.strokeStyle = stroke;
      ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    };
    ctx.lineWidth = 2;
    ctx.strokeStyle = 'rgba(220,0,0,0.8)';
    for (const r of page.rulings) {
      ctx.beginPath();
      ctx.moveTo(r.x0 * scale, r.y0 * scale);
      ctx.lineTo(r.x1 * scale, r.y1 * scale);
      ctx.stroke();
    }
    ctx.lineWidth = 1;
    for (const item of page.items) box(item.bbox, 'rgba(0,160,0,0.8)');
    let cells = 0;
    for (const block of layoutPage(page)) {
      if (block.type !== 'grid') continue;
      for (const cell of block.rows.flat()) {
        if (!cell.bbox || cell.covered) continue;
        cells++;
        box(cell.bbox, 'rgba(0,60,220,0.7)');
      }
    }
    let flagged = 0;
    let corrected = 0;
    for (const table of doc.tables) {
      for (const row of table.rows) {
        row.cells.forEach((cell, k) => {
          if (cell.page !== pageNumber || !cell.bbox || typeof row.values[k] !== 'number') return;
          if (cell.source === 'corrected') {
            corrected++;
            box(cell.bbox, 'rgba(140,0,200,0.9)', 'rgba(140,0,200,0.25)');
          } else if (cell.confidence < 0.9) {
            flagged++;
            box(cell.bbox, 'rgba(255,140,0,0.9)', 'rgba(255,140,0,0.25)');
          }
        });
      }
    }
    writeAtomic(outPng, await canvas.encode('png'));
    return { page: pageNumber, source: page.source, rulings: page.rulings.length, words: page.items.length, cells, flagged, corrected };
  } finally {
    await pdf.destroy();
  }
}
