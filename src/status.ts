import type { DocumentIR } from './model.js';

/** Issue codes that send a document to review even though they are not errors. */
const REVIEW_CODES = new Set(['page.no_text', 'table.unknown', 'text.layout_dump', 'ocr.title_inferred', 'ocr.column_inferred', 'ocr.code_unverified', 'ocr.figure_unread']);

/** ok, or needs_review when an error, a page without text, an unknown table or no table at all was found. */
export function documentStatus(doc: DocumentIR): 'ok' | 'needs_review' {
  const review = doc.issues.some((i) => i.severity === 'error' || REVIEW_CODES.has(i.code)) || doc.tables.length === 0;
  return review ? 'needs_review' : 'ok';
}
