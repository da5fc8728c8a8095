import type { DocumentIR, PageIR } from '../../src/model.js';
import type { Extractor } from '../registry.js';
import { ocrSettings } from './engine.js';
import { ocrPage, PageOcrQueue } from './ocr-page.js';
import { decodeImage } from './raster.js';
import { tiffPages } from './tiff.js';

/** A4's shorter side in inches: a page image whose file does not state its resolution is taken to be A4. */
const A4_SHORT_INCHES = 8.27;

function a4Dpi(width: number, height: number): number {
  return Math.max(100, Math.round(Math.min(width, height) / A4_SHORT_INCHES));
}

function isTiff(bytes: Uint8Array): boolean {
  return (bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d);
}

/** Image files: PNG and JPEG are one page, TIFF one page per image it holds; every page is OCR'd. */
export const imageExtractor: Extractor = {
  name: 'image',
  accepts: (doc) => doc.input.media === 'image',
  async extract(doc: DocumentIR, progress?: (pagesDone: number) => void): Promise<void> {
    const bytes = doc.input.bytes;
    if (isTiff(bytes)) {
      const pages = tiffPages(bytes);
      doc.pageCount = pages.length;
      const queue = new PageOcrQueue(ocrSettings().pagesAtOnce);
      const readings: Promise<PageIR>[] = [];
      let done = 0;
      for (const [index, tiff] of pages.entries()) {
        const { reading } = await queue.add(index + 1, await tiff.decode(a4Dpi(tiff.width, tiff.height)));
        void reading.then(() => progress?.(++done), () => undefined);
        readings.push(reading);
      }
      for (const [index, reading] of readings.entries()) {
        doc.pages.push(await reading);
        doc.pageRoutes.push({ page: index + 1, source: 'ocr', reason: pages.length > 1 ? `TIFF image, page ${index + 1} of ${pages.length}` : 'image file' });
      }
      doc.pageSources.ocr = pages.length;
      return;
    }
    const probe = await decodeImage(bytes, 300);
    const { page } = await ocrPage(1, { ...probe, dpi: a4Dpi(probe.width, probe.height) });
    doc.pages = [page];
    doc.pageCount = 1;
    doc.pageSources.ocr = 1;
    doc.pageRoutes.push({ page: 1, source: 'ocr', reason: 'image file' });
    progress?.(1);
  },
};
