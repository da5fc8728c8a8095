import type { DocumentIR } from '../src/model.js';
import { imageExtractor } from './ocr/image.js';
import { pdfTextExtractor } from './pdf-text.js';
import { textExtractor } from './text.js';

/** One extraction strategy: it fills `doc.pages` (PDF, image) or `doc.flow` (text) for the media it accepts. */
export interface Extractor {
  name: string;
  accepts(doc: DocumentIR): boolean;
  /** `progress` is called with the number of pages read so far. */
  extract(doc: DocumentIR, progress?: (pagesDone: number) => void): Promise<void>;
}

/** Tried in order; the first that accepts the document reads it. */
export const extractors: Extractor[] = [pdfTextExtractor, imageExtractor, textExtractor];

export function extractorFor(doc: DocumentIR): Extractor | undefined {
  return extractors.find((e) => e.accepts(doc));
}
