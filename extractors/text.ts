import { layoutPage } from '../src/layout.js';
import type { DocumentIR, FlowBlock, GridCell, PageIR, TextItem } from '../src/model.js';
import { normaliseText } from '../src/normalise.js';
import { headerWords } from '../src/templates.js';
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

const LAYOUT_ROW = /\S {2,}\S/;
/** Confidence of a figure placed by character positions in a layout dump (below the 0.9 review line). */
export const DUMP_CONFIDENCE = 0.6;

/**
 * A plain-text dump of a PDF laid out in columns (pdftotext -layout and the like): no tabs or pipes,
 * many lines whose fields are separated by runs of spaces.
 */
export function isLayoutDump(text: string): boolean {
  const lines = text.split(/\r?\n/);
  if (lines.some((l) => l.includes('\t') || /^\s*\|.*\|\s*$/.test(l))) return false;
  const columnar = lines.filter((l) => LAYOUT_ROW.test(l) && /\d+\.\d{2}/.test(l)).length;
  return columnar >= 5;
}

/**
 * Read a layout dump as pages of positioned words (one character = 10 units, lines 14 units apart) and
 * let the page layout find its aligned tables, exactly as for an unruled PDF page.
 */
export function layoutDumpToFlow(text: string, words: readonly string[] = headerWords()): FlowBlock[] {
  const pages = text.split('\f');
  return pages.flatMap((pageText, p) => {
    const items: TextItem[] = [];
    const lines = withoutPageNumbers(pageText.split(/\r?\n/));
    let row = -1;
    for (const line of lines) {
      // Converters put a blank line inside wrapped table headers and rows: it counts as half a line.
      if (line.trim() === '') {
        row += 0.5;
        continue;
      }
      row++;
      for (const m of joinLetterSpaced(line).matchAll(/\S+/g)) {
        // One item per word; the small font size below makes even a single space (10 units) a field boundary.
        const start = [...line.slice(0, m.index)].length;
        const length = [...m[0]].length;
        const raw = m[0];
        // Columns rebuilt from character positions are a guess: every figure read this way goes to review.
        items.push({ text: normaliseText(raw), raw, bbox: [start * 10, row * 14, (start + length) * 10, row * 14 + 10], fontSize: 5, source: 'text', confidence: DUMP_CONFIDENCE });
      }
    }
    const page: PageIR = { number: p + 1, width: 10_000, height: 100_000, items, rulings: [], source: 'text' };
    // Text inputs carry no page geometry in the output.
    return layoutPage(page, { headerWords: words, dump: true }).map((b) => (b.type === 'grid' ? { ...b, page: null, bbox: null, rows: b.rows.map((r) => r.map((c) => ({ ...c, page: null, bbox: null }))) } : { ...b, page: null, bbox: null }));
  });
}

const PAGE_NUMBER = /^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*\/\s*\d{1,4}|\d{1,4})\s*$/;

/** A page's first or last line holding only a page number ("- 10 -", "第 3 页", "12") is a running head or foot. */
function withoutPageNumbers(lines: string[]): string[] {
  const filled = lines.flatMap((l, i) => (l.trim() === '' ? [] : [i]));
  const drop = new Set([filled[0], filled[filled.length - 1]].filter((i): i is number => i !== undefined && PAGE_NUMBER.test(lines[i]!)));
  return lines.map((l, i) => (drop.has(i) ? '' : l));
}

const LETTER_SPACED_WORDS = new Set(['收入', '支出', '项目', '合计', '总计', '小计', '金额', '科目', '行次', '栏次', '单位', '名称', '预算数', '决算数', '本年收入', '本年支出']);

/** Header words printed letter-spaced ("收   入", "项  目") are one word: the spaces become a no-break join. */
function joinLetterSpaced(line: string): string {
  return line.replace(/(?<=^|\s)\p{Script=Han}(?: {1,6}\p{Script=Han})+(?=\s|$)/gu, (run) => {
    const chars = run.replace(/ +/g, '');
    // Only words printed letter-spaced in headers: "入   入" are the tails of two wrapped column names.
    if (!LETTER_SPACED_WORDS.has(chars)) return run;
    // Keep the run's width so the words after it stay in their columns.
    return chars + ' '.repeat(run.length - chars.length);
  });
}

export const textExtractor: Extractor = {
  name: 'text',
  accepts: (doc) => doc.input.media === 'text',
  async extract(doc: DocumentIR): Promise<void> {
    const text = doc.text ?? '';
    if (isLayoutDump(text)) {
      doc.flow = layoutDumpToFlow(text);
      doc.issues.push({ code: 'text.layout_dump', severity: 'warning', message: 'a plain-text dump of a laid-out PDF: columns were rebuilt from character positions, so every figure needs review' });
    } else doc.flow = textToFlow(text);
    doc.pageCount = 0;
  },
};
