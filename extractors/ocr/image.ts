import type { DocumentIR } from '../../src/model.js';
import { InputError } from '../../src/ingest.js';
import type { Extractor } from '../registry.js';
import { ocrPage } from './ocr-page.js';
import { decodeImage } from './raster.js';

/** A4's shorter side in inches: a page image whose file does not state its resolution is taken to be A4. */
const A4_SHORT_INCHES = 8.27;

/** Image files (PNG, JPEG): one page, always OCR'd. */
export const imageExtractor: Extractor = {
  name: 'image',
  accepts: (doc) => doc.input.media === 'image',
  async extract(doc: DocumentIR, progress?: (pagesDone: number) => void): Promise<void> {
    const bytes = doc.input.bytes;
    // TIFF has no decoder here: a clear error rather than a wrong reading.
    if ((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d)) throw new InputError('TIFF images are not read yet: convert the page to PNG or PDF');
    const probe = await decodeImage(bytes, 300);
    const dpi = Math.max(100, Math.round(Math.min(probe.width, probe.height) / A4_SHORT_INCHES));
    const { page } = await ocrPage(1, { ...probe, dpi });
    doc.pages = [page];
    doc.pageCount = 1;
    doc.pageSources.ocr = 1;
    doc.pageRoutes.push({ page: 1, source: 'ocr', reason: 'image file' });
    progress?.(1);
  },
};
