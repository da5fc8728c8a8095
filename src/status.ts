import type { DocumentIR } from './model.js';

/** Issue codes that send a document to review even though they are not errors. */
const REVIEW_CODES = new Set(['page.no_text', 'table.unknown', 'text.layout_dump', 'ocr.title_inferred', 'ocr.column_inferred', 'ocr.code_unverified', 'ocr.figure_unread', 'ocr.corrected', 'ocr.disputed', 'ocr.unproven']);

/** Below this a figure's confidence sends its document to review. */
export const REVIEW_CONFIDENCE = 0.9;

/**
 * ok, or needs_review when an error, a page without text, an unknown table or no table at all was found, or
 * any figure was corrected by the arithmetic or is held with a confidence below the review line.
 */
export function documentStatus(doc: DocumentIR): 'ok' | 'needs_review' {
  const review = doc.issues.some((i) => i.severity === 'error' || REVIEW_CODES.has(i.code)) || doc.tables.length === 0 || doc.tables.some((t) => t.rows.some((r) => r.cells.some((c, k) => c.source === 'corrected' || (c.confidence < REVIEW_CONFIDENCE && typeof r.values[k] === 'number'))));
  return review ? 'needs_review' : 'ok';
}
