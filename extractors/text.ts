import type { DocumentIR, FlowBlock, GridCell } from '../src/model.js';
import { normaliseText } from '../src/normalise.js';
import type { Extractor } from './registry.js';

/** Markdown marks that converters put around headings and bold runs; never part of the data. */
function stripMarkdown(line: string): string {
  return line
    .replace(/^\s{0,3}#{1,6}\s+/, '')
    .replace(/^\s*[-*+]\s+/, '')
    .replace(/\*\*(.*?)\*\*/g, '$1')
    .replace(/__(.*?)__/g, '$1')
    .replace(/\s{2,}$/, '');
}

const PIPE_SEPARATOR = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

function splitCells(line: string): string[] | null {
  if (line.includes('\t')) return line.split('\t');
  const trimmed = line.trim();
  if (trimmed.startsWith('|') && trimmed.endsWith('|') && trimmed.length > 2) return trimmed.slice(1, -1).split('|');
  return null;
}

function textCell(raw: string): GridCell {
  const cleaned = stripMarkdown(raw.trim());
  return {
    text: normaliseText(cleaned),
    raw: cleaned,
    page: null,
    bbox: null,
    source: 'text',
    confidence: 1,
    colSpan: 1,
    rowSpan: 1,
    covered: false,
  };
}

/**
 * Text disclosures as other tools write them: tab-separated or pipe tables, Markdown marks,
 * thousands separators, blank cells. A run of table lines becomes one grid; a blank line ends it.
 */
export function textToFlow(text: string): FlowBlock[] {
  const flow: FlowBlock[] = [];
  let grid: GridCell[][] | null = null;
  const closeGrid = () => {
    if (grid && grid.length > 0) {
      const width = Math.max(...grid.map((r) => r.length));
      for (const row of grid) while (row.length < width) row.push(textCell(''));
      flow.push({ type: 'grid', rows: grid, page: null, bbox: null, ruled: false });
    }
    grid = null;
  };
  for (const rawLine of text.split(/\r\n|\r|\n/)) {
    if (PIPE_SEPARATOR.test(rawLine) && rawLine.includes('|')) continue;
    const cells = splitCells(rawLine);
    if (cells) {
      grid ??= [];
      grid.push(cells.map(textCell));
      continue;
    }
    closeGrid();
    const cleaned = stripMarkdown(rawLine);
    const normalised = normaliseText(cleaned);
    if (normalised === '') continue;
    flow.push({ type: 'line', text: normalised, raw: cleaned.trim(), page: null, bbox: null, fontSize: 0 });
  }
  closeGrid();
  return flow;
}

export const textExtractor: Extractor = {
  name: 'text',
  accepts: (doc) => doc.input.media === 'text',
  async extract(doc: DocumentIR): Promise<void> {
    doc.flow = textToFlow(doc.text ?? '');
    doc.pageCount = 0;
  },
};
