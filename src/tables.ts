import type { Cell, Column, FlowBlock, GridCell, Issue, Row, TableIR, TablePart } from './model.js';
import { isPrintedFigure, parseAmountCell, rowName } from './normalise.js';
import { isKnownCode } from './reference.js';
import { similarity } from './fuzzy.js';

/** A grid with its title and context, before rows are read: what the table stage assembles from the flow. */
export interface RawTable {
  title: string;
  title_raw: string;
  context: string[];
  unit: string | null;
  pages: number[];
  rows: GridCell[][];
  /** Number of header rows at the top of `rows`. */
  headerRows: number;
  ruled: boolean;
}

const PAGE_NUMBER = /^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*\/\s*\d+)$/;
const UNIT_LINE = /(?:金额)?单位[:：]\s*(万元|千元|亿元|元)/;
const TOTAL_LABEL = /^(?:合计|总计|小计)$/;
const TOTAL_NAME = /(?:合计|总计|小计)$/;

/**
 * A title line: ends with 表 (optionally followed by a bracketed qualifier, its brackets as a scan may read them:
 * "表《部门经济分类科目" for 表（部门经济分类科目）), not a TOC entry.
 */
export function isTitleLine(text: string): boolean {
  const t = text.replace(/\s+/g, '');
  if (/[.…·]{3,}/.test(t) || t.length > 60) return false;
  return /表(?:[（(][^）)]*[)）])?$/.test(t) || /表[（(《〈【[][^）)》〉】\]。，,；;：:\d]{2,16}[)）》〉】\]]?$/.test(t) || /^(?:[（(]?[一二三四五六七八九十]+[)）、])?.*表[（(]?(?:公开表)?\d/.test(t);
}

/** "2023 年度收支预算总表" → "收支预算总表": year prefix, ordinal and whitespace removed. */
export function cleanTitle(raw: string): string {
  let t = raw.replace(/\s+/g, '');
  t = t.replace(/^(?:附表|附件)\d*[:：]?/, '');
  // Table numbers printed before or after the title: "表1-1", "公开表2", "预算01表", "（公开表3-2）".
  t = t.replace(/^(?:公开表|公开|预算|表)?\d{1,2}(?:[-－—]\d{1,2})?表?[:：、.．]?(?=\D|$)/, '');
  t = t.replace(/^(?:公开)?表[一二三四五六七八九十]{1,3}(?:[-－—][一二三四五六七八九十]{1,3})?[:：、.．]?/, '');
  t = t.replace(/[（(]?(?:公开表|表)\d{1,2}(?:[-－—]\d{1,2})?[)）]?$/, '');
  t = t.replace(/^[（(]?[一二三四五六七八九十]+[)）、.．]/, '');
  t = t.replace(/^\d+[、.．](?!\d)/, '');
  // A department name or place before the year: "苍溪县医疗保障局2023年部门收支总表".
  const afterYear = /^.{0,40}?(?:20\d\d|19\d\d)年度?(.+表.*)$/.exec(t);
  if (afterYear?.[1] && afterYear[1].length >= 4) t = afterYear[1];
  // …or with no year at all: "厦门市某某局部门收支总体情况表".
  const afterBody = /^.{0,12}[省市县区州](?:.{0,20}?)(?:局|委员会|委|办公室|办公厅|厅|院|中心|馆|站|所|队)(.{4,}表.*)$/.exec(t);
  if (afterBody?.[1]) t = afterBody[1];
  return t;
}

export function isPageNumber(text: string): boolean {
  return PAGE_NUMBER.test(text.trim());
}

/** A word of two Chinese characters or more somewhere in a cell. */
const TWO_HAN = /\p{Script=Han}.*\p{Script=Han}/u;

/** Words printed in column headers, not in body rows. */
const HEADER_TERM = /收入|支出|合计|总计|小计|科目|编码|名称|预算|拨款|经费/;

/**
 * An OCR header row with one cell misread as a figure ("184" for 上年结转): three header words or more, one
 * figure at most, words three times as many as figures.
 */
function readsAsOcrHeader(row: GridCell[]): boolean {
  const filled = row.filter((c) => !c.covered && c.text !== '');
  if (filled.length === 0 || !filled.every((c) => c.source === 'ocr')) return false;
  const figures = filled.filter((c) => isPrintedFigure(c.raw)).length;
  const words = filled.filter((c) => TWO_HAN.test(c.text) && !isPrintedFigure(c.raw));
  return figures <= 1 && words.filter((c) => HEADER_TERM.test(c.text)).length >= 3 && words.length >= 3 * figures;
}

function isDataRow(row: GridCell[]): boolean {
  if (readsAsOcrHeader(row)) return false;
  const firstText = row.find((c) => !c.covered && c.text !== '');
  if (firstText && TOTAL_LABEL.test(firstText.text.replace(/\s+/g, ''))) {
    // "合计" as the first label of a row that is otherwise blank or numeric is a total row, not a header.
    const others = row.filter((c) => c !== firstText && !c.covered && c.text !== '');
    if (others.every((c) => parseAmountCell(c.raw).kind !== 'text')) return true;
  }
  // A figure, or a classification code (3+ digits) opening a data row.
  return row.some((c) => !c.covered && c.text !== '' && (isPrintedFigure(c.raw) || /^\d{3,}$/.test(c.text)));
}

function rowSignature(row: GridCell[]): string {
  return row.map((c) => c.text.replace(/\s+/g, '')).join('|');
}

/** Walk the flow and assemble grids with their titles; grids continuing a table on a later page are stitched on. */
export function assembleTables(flow: FlowBlock[]): RawTable[] {
  const tables: RawTable[] = [];
  let pending: FlowBlock[] = [];
  let last: RawTable | null = null;
  let lastPage: number | null = null;
  for (const block of flow.flatMap((b) => (b.type === 'grid' ? splitAtBanners(b) : [b]))) {
    if (block.type === 'line') {
      if (!isPageNumber(block.text)) pending.push(block);
      continue;
    }
    const lines = pending.filter((b): b is Extract<FlowBlock, { type: 'line' }> => b.type === 'line');
    pending = [];
    // Title and unit rows ruled into the top of the grid join the lines before the title is looked for.
    const grid = trimUnitRows(block.rows, lines);
    if (grid.length === 0 || isTableOfContents(grid)) continue;
    // A line that is only a table number ("公开 01表", "表 1") is context; the title is another line.
    const titleIndex = findLastIndex(lines, (l) => isTitleLine(l.text) && cleanTitle(l.text) !== '');
    const headerRows = countHeaderRows(grid);
    const newPage = block.page === null || lastPage === null || block.page > lastPage;
    // A continuation page may repeat the unit line, but never a title.
    const onlyRunningText = lines.every((l) => l.text.length < 40 && !isTitleLine(l.text));
    const repeatsTitle = last !== null && titleIndex >= 0 && cleanTitle(lines[titleIndex]!.text) === last.title && last.title !== '';
    let target = last;
    let continuation = last && newPage && ((titleIndex < 0 && onlyRunningText) || repeatsTitle) ? continues(last, grid, headerRows, repeatsTitle) : null;
    if (last && !continuation && block.page === null && repeatsTitle) {
      // In a text dump a piece that could not be stitched may sit between: the repeated title still continues the first table of that title.
      const first = tables.find((t, i) => tables.slice(i).every((u) => u.title === last!.title));
      if (first && first !== last) {
        continuation = continues(first, grid, headerRows, true);
        target = first;
      }
    }
    if (target && continuation) {
      appendContinuation(target, continuation, block.page);
      lastPage = block.page;
      continue;
    }
    let titleLine = titleIndex >= 0 ? lines[titleIndex] : undefined;
    // A title wrapped before its last character ("…绩效目标" / "表") is joined with the line above.
    const above = titleIndex > 0 ? lines[titleIndex - 1] : undefined;
    if (titleLine && above && cleanTitle(titleLine.text).length < 4 && !isTitleLine(above.text) && !UNIT_LINE.test(above.text)) {
      titleLine = { ...titleLine, text: above.text + titleLine.text, raw: above.raw + titleLine.raw };
    }
    const contextLines = lines.slice(titleIndex + 1).map((l) => l.text);
    // The section heading above a title ("一、收支预算总表") is context too: it can carry the table's number.
    if (titleIndex > 0) contextLines.unshift(...lines.slice(Math.max(0, titleIndex - 2), titleIndex).map((l) => l.text));
    const unitMatch = [...lines.map((l) => l.text), ...grid.flat().map((c) => c.text)].map((t) => UNIT_LINE.exec(t)).find(Boolean);
    const table: RawTable = {
      title: titleLine ? cleanTitle(titleLine.text) : '',
      title_raw: titleLine ? titleLine.raw : '',
      context: contextLines,
      unit: unitMatch?.[1] ?? null,
      pages: block.page === null ? [] : [block.page],
      rows: grid,
      headerRows,
      ruled: block.ruled,
    };
    tables.push(table);
    last = table;
    lastPage = block.page;
  }
  return tables;
}

/** A 目录 laid out as a grid: entries with dot leaders and page numbers, no amounts. */
function isTableOfContents(grid: GridCell[][]): boolean {
  const cells = grid.flat().filter((c) => !c.covered && c.text !== '');
  return cells.filter((c) => /[.…·]{4,}/.test(c.text)).length >= Math.max(2, grid.length / 3);
}

function findLastIndex<T>(list: T[], predicate: (item: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (predicate(list[i]!)) return i;
  return -1;
}

const LABEL_LINE = /^(?:编制单位|部门名称|单位名称|预算单位|部门|单位)[:：]/;

/** A cell holding title, 部门：/单位： lines, a table number or a note run together: its lines, split apart. */
function bannerSegments(text: string): string[] {
  return text
    .replace(/。/g, '。\n')
    .replace(/(编制单位|部门名称|单位名称|部门|(?<!编制|预算|金额)单位|金额单位)([:：])/g, '\n$1$2')
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Every line of the cell is a title, a unit or 部门： line, a table number ("公开03表") or a note. */
function isBannerCell(text: string): boolean {
  const segments = bannerSegments(text);
  return segments.length > 0 && segments.every((s) => UNIT_LINE.test(s) || LABEL_LINE.test(s) || /^注[:：]/.test(s) || /^(?:公开)?(?:表)?\d{1,2}(?:[-－—]\d{1,2})?表?$/.test(s.replace(/\s+/g, '')) || isTitleLine(s));
}

function bannerLines(cells: GridCell[]): Extract<FlowBlock, { type: 'line' }>[] {
  return cells.flatMap((c) => bannerSegments(c.text).map((text) => ({ type: 'line' as const, text, raw: text, page: c.page, bbox: c.bbox, fontSize: 0 })));
}

/** Rows at the top of a grid holding only a title, unit or 部门： line (some producers rule them in) go to the context. */
function trimUnitRows(rows: GridCell[][], lines: FlowBlock[]): GridCell[][] {
  let start = 0;
  while (start < rows.length) {
    const filled = rows[start]!.filter((c) => !c.covered && c.text !== '');
    if (filled.length === 0 || (filled.length <= 3 && filled.every((c) => isBannerCell(c.text)))) {
      lines.push(...bannerLines(filled));
      start++;
    } else if (filled.length <= 3 && /[:：]$/.test(filled[0]!.text) && isBannerCell(filled.map((c) => c.text).join(''))) {
      // "部门：" and its value ruled into cells of their own.
      lines.push(...bannerLines([{ ...filled[0]!, text: filled.map((c) => c.text).join('') }]));
      start++;
    } else break;
  }
  return rows.slice(start).filter((row) => row.some((c) => !c.covered && c.text !== ''));
}

/**
 * A grid that runs on into the next table (the next title ruled in as a full-width row) is cut there:
 * the rows above, the banner's lines, then the rows below as a grid of their own.
 */
function splitAtBanners(block: Extract<FlowBlock, { type: 'grid' }>): FlowBlock[] {
  const width = block.rows[0]?.length ?? 0;
  const at = block.rows.findIndex((row, r) => {
    // A one-column grid is a list (a 目录), and a banner with no figures below it starts no table.
    if (r === 0 || !block.ruled || width < 2 || !block.rows.slice(r + 1).some(isDataRow)) return false;
    const filled = row.filter((c) => !c.covered && c.text !== '');
    return filled.length === 1 && filled[0]!.colSpan >= Math.max(2, width - 1) && isBannerCell(filled[0]!.text) && bannerSegments(filled[0]!.text).some((s) => isTitleLine(s) && cleanTitle(s) !== '');
  });
  if (at < 0) return [block];
  const banner = block.rows[at]!.filter((c) => !c.covered && c.text !== '');
  const rest: Extract<FlowBlock, { type: 'grid' }> = { ...block, rows: block.rows.slice(at + 1) };
  return [{ ...block, rows: block.rows.slice(0, at) }, ...bannerLines(banner), ...splitAtBanners(rest)];
}

function countHeaderRows(grid: GridCell[][]): number {
  const first = grid.findIndex(isDataRow);
  if (first < 0) return Math.min(grid.length, Math.max(1, grid.length - 1));
  return first;
}

/**
 * The body rows a grid adds to a table it continues: after a repeated header, or all of them when it has
 * none but its ruled columns line up with the table's; null when it does not continue the table. A grid
 * of another width is laid onto the table's columns by position (ruled) or by header label (title repeated).
 */
function continues(table: RawTable, grid: GridCell[][], headerRows: number, repeatsTitle: boolean): GridCell[][] | null {
  const width = table.rows[0]?.length ?? 0;
  // By label only in text grids: a ruled grid of another shape under the same title is another table (one per project).
  const byLabel = repeatsTitle && headerRows > 0 && table.headerRows > 0 && grid.every((row) => row.every((c) => c.bbox === null));
  if (grid[0]?.length !== width) {
    if (headerRows === 0) return remapByPosition(table, grid);
    return byLabel ? remapByLabel(table, grid, headerRows) : null;
  }
  if (headerRows === 0) return grid;
  const ownHeader = table.rows.slice(0, table.headerRows);
  if (sameHeaderRows(ownHeader, grid.slice(0, headerRows))) return grid.slice(headerRows);
  // The same header repeated, over body rows with no figures yet (国有资本经营预算财政拨款 | 31 | | 63) that looked like more header.
  if (headerRows > table.headerRows && sameHeaderRows(ownHeader, grid.slice(0, table.headerRows))) return grid.slice(table.headerRows);
  if (byLabel) return remapByLabel(table, grid, headerRows);
  // Without a repeated header the grid's first rows must not be header rows of their own.
  const headerLabels = new Set(table.rows.slice(0, table.headerRows).flat().map((c) => c.text.replace(/\s+/g, '')).filter((t) => t !== ''));
  if (grid.slice(0, headerRows).some((row) => row.some((c) => headerLabels.has(c.text.replace(/\s+/g, ''))))) return null;
  const before = columnEdges(table.rows);
  const after = columnEdges(grid);
  return before && after && before.length === after.length && before.every((x, i) => Math.abs(x - after[i]!) <= 2) ? grid : null;
}

/**
 * Header rows that say the same: equal text, or, where OCR read them, every cell equal once punctuation is
 * dropped or close in spelling (a page's repeated "科目名称" read "科目名称:" on one page and not the other).
 */
function sameHeaderRows(own: GridCell[][], other: GridCell[][]): boolean {
  if (own.length !== other.length) return false;
  return own.every((row, i) => {
    const next = other[i]!;
    if (rowSignature(row) === rowSignature(next)) return true;
    if (row.length !== next.length || ![...row, ...next].some((c) => c.source === 'ocr')) return false;
    return row.some((c) => c.text.trim() !== '') && row.every((c, j) => sameOcrLabel(c.text, next[j]!.text));
  });
}

const NOT_A_LETTER = /[^\p{L}\p{N}]/gu;

function sameOcrLabel(a: string, b: string): boolean {
  const x = a.replace(NOT_A_LETTER, '');
  const y = b.replace(NOT_A_LETTER, '');
  if (x === y) return true;
  return x !== '' && y !== '' && similarity(x, y) >= 0.6;
}

/** Left edges of the columns and the right edge of the last, from the ruled cells of a grid (null for text grids). */
function columnEdges(rows: GridCell[][]): number[] | null {
  const width = rows[0]?.length ?? 0;
  const edges: number[] = [];
  for (let c = 0; c < width; c++) {
    const cell = rows.map((r) => r[c]).find((x) => x && !x.covered && x.colSpan === 1 && x.bbox);
    if (!cell?.bbox) return null;
    edges.push(cell.bbox[0]);
    if (c === width - 1) edges.push(cell.bbox[2]);
  }
  return edges;
}

/** Every column boundary of a ruled grid (index c = left edge of column c), from merged cells too; null where none is seen. */
function ruledBoundaries(rows: GridCell[][]): (number | null)[] {
  const width = rows[0]?.length ?? 0;
  const edges: (number | null)[] = Array.from({ length: width + 1 }, () => null);
  for (const row of rows) {
    row.forEach((cell, c) => {
      if (cell.covered || !cell.bbox) return;
      edges[c] ??= cell.bbox[0];
      edges[c + cell.colSpan] ??= cell.bbox[2];
    });
  }
  return edges;
}

const EDGE_TOLERANCE = 2.5;

/** A headerless ruled grid of another width whose cell edges all fall on the table's column boundaries. */
function remapByPosition(table: RawTable, grid: GridCell[][]): GridCell[][] | null {
  const edges = ruledBoundaries(table.rows);
  const width = edges.length - 1;
  const near = (x: number) => edges.findIndex((e) => e !== null && Math.abs(e - x) <= EDGE_TOLERANCE);
  const out: GridCell[][] = [];
  for (const row of grid) {
    const placed: { cell: GridCell; at: number }[] = [];
    for (const cell of row) {
      if (cell.covered || cell.text === '') continue;
      if (!cell.bbox) return null;
      const from = near(cell.bbox[0]);
      const to = near(cell.bbox[2]);
      if (from < 0 || to <= from || to > width) return null;
      placed.push({ cell: { ...cell, colSpan: to - from }, at: from });
    }
    out.push(placeCells(placed, width, row[0]!));
  }
  return out;
}

/** A row of `width` cells with each placed cell at its column (spanning on) and blanks elsewhere. */
function placeCells(placed: { cell: GridCell; at: number }[], width: number, template: GridCell): GridCell[] {
  const blank: GridCell = { ...template, text: '', raw: '', bbox: null, colSpan: 1, rowSpan: 1, covered: false };
  const row: GridCell[] = Array.from({ length: width }, () => ({ ...blank }));
  for (const { cell, at } of placed) {
    const span = Math.max(1, Math.min(cell.colSpan, width - at));
    row[at] = { ...cell, colSpan: span, rowSpan: 1, covered: false };
    for (let k = at + 1; k < at + span; k++) row[k] = { ...blank, covered: true };
  }
  return row;
}

type BodyShape = 'code' | 'amount' | 'text' | 'empty';

function bodyShape(body: GridCell[][], c: number): BodyShape {
  const cells = body.map((r) => r[c]).filter((x): x is GridCell => x !== undefined && !x.covered && x.text !== '');
  if (cells.length === 0) return 'empty';
  if (cells.every((x) => /^\d{3,}$/.test(x.text.replace(/\s+/g, '')))) return 'code';
  if (cells.every((x) => parseAmountCell(x.raw).kind !== 'text')) return 'amount';
  return 'text';
}

/**
 * A continuation under a repeated title whose header differs in width (a text dump splits columns
 * differently per page): each column goes to the table column with the same label path, else the same
 * leaf, else a leaf its merged label contains, left to right; columns blank in the body are dropped.
 */
function remapByLabel(table: RawTable, grid: GridCell[][], headerRows: number): GridCell[][] | null {
  const ownPaths = columnPaths(table.rows, table.headerRows);
  const newPaths = columnPaths(grid, headerRows);
  const ownBody = table.rows.slice(table.headerRows);
  const body = grid.slice(headerRows);
  const width = ownPaths.length;
  const target: (number | null)[] = [];
  let after = -1;
  for (let c = 0; c < newPaths.length; c++) {
    const shape = bodyShape(body, c);
    if (shape === 'empty') {
      target.push(null);
      continue;
    }
    const path = newPaths[c]!.join('/');
    const leaf = newPaths[c]!.slice(-1)[0] ?? '';
    // Left to right, and like with like: codes under codes, figures under figures (or under a column blank so far).
    const free = (k: number) => {
      const own = bodyShape(ownBody, k);
      return k > after && (own === shape || (own === 'empty' && shape !== 'code'));
    };
    const pick = (test: (k: number) => boolean) => ownPaths.findIndex((_, k) => free(k) && test(k));
    let k = pick((k) => ownPaths[k]!.join('/') === path && path !== '');
    if (k < 0) k = pick((k) => (ownPaths[k]!.slice(-1)[0] ?? '') === leaf && leaf !== '');
    if (k < 0) k = pick((k) => (ownPaths[k]!.slice(-1)[0] ?? '') !== '' && leaf.includes(ownPaths[k]!.slice(-1)[0]!));
    if (k < 0) return null;
    target.push(k);
    after = k;
  }
  return body.map((row) =>
    placeCells(
      row.flatMap((cell, c) => (target[c] === null || target[c] === undefined || cell.covered ? [] : [{ cell: { ...cell, colSpan: 1 }, at: target[c]! }])),
      width,
      row[0]!,
    ),
  );
}

function appendContinuation(table: RawTable, rows: GridCell[][], page: number | null): void {
  table.rows.push(...rows);
  if (page !== null && !table.pages.includes(page)) table.pages.push(page);
}

// ---------------------------------------------------------------------------------------------
// Header paths and rows

/** Header cell text with its wrapped words joined (spaces inside CJK already removed by normalisation). */
function headerText(cell: GridCell): string {
  return cell.text.replace(/\s+/g, '');
}

/** Column paths from the header rows: merged cells (ruled spans or label-then-empty runs) become parent levels. */
export function columnPaths(grid: GridCell[][], headerRows: number): string[][] {
  const width = grid[0]?.length ?? 0;
  // A 栏次 row (column numbers 1, 2, 3 …) is layout, not a header level.
  const header = extendShortSpans(grid.slice(0, headerRows).map((row) => (isColumnNumberRow(row) ? row.map((c) => ({ ...c, text: '', raw: '' })) : row)));
  const owner = (r: number, c: number): { r: number; c: number } | null => {
    for (let rr = r; rr >= 0; rr--) {
      for (let cc = c; cc >= 0; cc--) {
        const cell = header[rr]?.[cc];
        if (cell && !cell.covered && rr + cell.rowSpan > r && cc + cell.colSpan > c) return { r: rr, c: cc };
      }
    }
    return null;
  };
  const paths: string[][] = [];
  for (let c = 0; c < width; c++) {
    const path: string[] = [];
    const seen = new Set<string>();
    for (let r = 0; r < header.length; r++) {
      const cell = header[r]![c]!;
      let label = '';
      if (!cell.covered) label = headerText(cell);
      else {
        const o = owner(r, c);
        if (o && !seen.has(`${o.r},${o.c}`) && o.r === r) label = headerText(header[o.r]![o.c]!);
        if (o) seen.add(`${o.r},${o.c}`);
      }
      if (!cell.covered && label === '' && !grid.some((row) => row.some((x) => x.colSpan > 1 || x.rowSpan > 1))) {
        // Text grids carry no spans: a label followed by empty cells with sub-labels below spans them.
        if (header.slice(r + 1).some((row) => headerText(row[c] ?? { ...cell, text: '' }) !== '')) {
          for (let cc = c - 1; cc >= 0; cc--) {
            const left = header[r]![cc]!;
            if (headerText(left) !== '') {
              label = headerText(left);
              break;
            }
          }
        }
      }
      if (label !== '') {
        seen.add(`${r},${c}`);
        path.push(label);
      }
    }
    paths.push(path);
  }
  return paths;
}

/**
 * A ruled label that stops one column short of the right edge ("一般公共预算基本支出" over 合计 | 人员经费 but
 * not 公用经费: the rule beside a unit line cut it) spans the blank cell there when the labels below are on one level.
 */
function extendShortSpans(header: GridCell[][]): GridCell[][] {
  const rows = header.map((row) => row.map((c) => ({ ...c })));
  if (!rows.some((row) => row.some((c) => c.colSpan > 1))) return rows;
  for (let r = 0; r + 1 < rows.length; r++) {
    const row = rows[r]!;
    const below = rows[r + 1]!;
    for (let c = 1; c < row.length; c++) {
      const cell = row[c]!;
      // Only at the right edge, where a unit line above the header leaves a rule stub.
      if (cell.covered || cell.text !== '' || cell.rowSpan > 1 || cell.colSpan > 1 || c !== row.length - 1) continue;
      let start = c - 1;
      while (start > 0 && row[start]!.covered) start--;
      const owner = row[start]!;
      // Ruled grids only: a text grid's blank cell is just where no label was printed.
      if (owner.covered || !owner.bbox || owner.colSpan < 2 || start + owner.colSpan !== c || headerText(owner) === '') continue;
      const level = (k: number) => !below[k]!.covered && headerText(below[k]!) !== '';
      if (!level(c) || !level(c - 1) || below[c]!.rowSpan !== below[c - 1]!.rowSpan) continue;
      owner.colSpan++;
      row[c] = { ...cell, covered: true };
    }
  }
  return rows;
}

type Role = 'code' | 'split' | 'unit' | 'name' | 'value' | 'empty' | 'layout' | 'alt';

/**
 * A header row of column numbers: "栏次" (or "**" under the label columns) and small integers only; or, when
 * the label cells are misread ("率末" for 栏次 in a scan), three or more small integers rising left to right
 * beside at most two other cells.
 */
function isColumnNumberRow(row: GridCell[]): boolean {
  const filled = row.filter((c) => !c.covered && c.text !== '').map((c) => c.text.replace(/\s+/g, ''));
  if (filled.length > 0 && filled.every((t) => t === '栏次' || /^\*+$/.test(t) || /^\d{1,2}$/.test(t)) && filled.some((t) => /^\d{1,2}$/.test(t))) return true;
  const numbers = filled.filter((t) => /^\d{1,2}$/.test(t)).map(Number);
  return numbers.length >= 3 && filled.length - numbers.length <= 2 && numbers.every((n, i) => i === 0 || n > numbers[i - 1]!);
}

const CODE_LABEL = /科目编码|科目代码|功能分类|经济分类科目编码|^编码$|^代码$/;
const SPLIT_LABEL = /^(?:类|款|项)$/;
const UNIT_LABEL = /单位代码|单位编码/;
const NAME_LABEL = /名称|^项目$|^科目$|^项目名称$/;
/** A classification printed beside the one that keys the row (政府经济分类 next to 部门经济分类). */
const SECONDARY_LABEL = /政府(?:支出)?经济/;
const CODE_NAME_CELL = /^\d{3,7}\s*[-－—]\s*[^\d\s]/;

function columnRoles(paths: string[][], body: GridCell[][]): Role[] {
  const roles = baseRoles(paths, body);
  // An OCR name column whose header was misread ("7" for 科目名称): right after the codes, words and no amounts.
  const afterCodes = roles.findIndex((r, i) => i > 0 && r === 'value' && ['code', 'split', 'unit'].includes(roles[i - 1]!));
  if (!roles.includes('name') && afterCodes > 0 && readsAsNames(body.map((row) => row[afterCodes]!).filter((x) => x && !x.covered && x.text !== ''))) roles[afterCodes] = 'name';
  const labelColumns = roles.map((r, i) => (r === 'code' || r === 'name' ? i : -1)).filter((i) => i >= 0);
  if (labelColumns.some((i) => !SECONDARY_LABEL.test(paths[i]!.join('/')))) {
    for (const i of labelColumns) if (SECONDARY_LABEL.test(paths[i]!.join('/'))) roles[i] = 'alt';
  }
  // A code column beside 款 or 项 under the same 科目编码 is a part of the split code whatever its own label reads
  // ("于" for 类 in a scan): taken whole, its 301 would be joined to 款's 01 as "01".
  const parents = paths.map((path) => path.slice(0, -1).join('/'));
  const splitParents = new Set(parents.filter((_, j) => roles[j] === 'split'));
  roles.forEach((role, i) => {
    if (role === 'code' && parents[i] !== '' && splitParents.has(parents[i]!)) roles[i] = 'split';
  });
  // One 科目编码 header over several columns is a split code (类 | 款 | 项) even when the sub-labels are not printed.
  for (let i = 0; i + 1 < roles.length; i++) {
    if (roles[i] === 'code' && roles[i + 1] === 'code' && paths[i]!.join('/') === paths[i + 1]!.join('/')) {
      let j = i;
      while (j < roles.length && roles[j] === 'code' && paths[j]!.join('/') === paths[i]!.join('/')) roles[j++] = 'split';
      i = j - 1;
    }
  }
  // 类 | 款 | 项 known by their contents when the header is unreadable (OCR): a 3-digit class followed by two
  // 2-digit parts, row after row.
  for (let i = 0; i + 2 < roles.length; i++) {
    if (roles.slice(i, i + 3).some((r) => r === 'name' || r === 'unit') || roles.slice(i, i + 3).every((r) => r === 'split')) continue;
    const column = (c: number) => body.map((row) => row[c]?.text.replace(/[^\d]/g, '') ?? '').filter((t) => t !== '');
    const [a, b, c] = [column(i), column(i + 1), column(i + 2)];
    const share = (cells: string[], pattern: RegExp) => (cells.length === 0 ? 0 : cells.filter((t) => pattern.test(t)).length / cells.length);
    if (a.length >= 2 && share(a, /^[2-5]\d{2}$/) >= 0.8 && share(b, /^\d{2}$/) >= 0.8 && share(c, /^\d{2}$/) >= 0.8) {
      roles[i] = roles[i + 1] = roles[i + 2] = 'split';
      i += 2;
    }
  }
  return roles;
}

/** OCR cells that are row names: three or more, four in five of them words of two Chinese characters or more, none an amount. */
function readsAsNames(cells: GridCell[]): boolean {
  if (cells.length < 3 || !cells.every((x) => x.source === 'ocr')) return false;
  if (cells.some((x) => parseAmountCell(x.raw).kind !== 'text')) return false;
  return cells.filter((x) => TWO_HAN.test(x.text)).length >= 0.8 * cells.length;
}

function baseRoles(paths: string[][], body: GridCell[][]): Role[] {
  return paths.map((path, c) => {
    const leaf = path[path.length - 1] ?? '';
    const cells = body.map((row) => row[c]!).filter((x) => x && !x.covered && x.text !== '');
    // 行次 numbers the rows: layout, never an amount.
    if (/^行次$/.test(leaf)) return 'layout';
    if (SPLIT_LABEL.test(leaf)) return 'split';
    if (UNIT_LABEL.test(leaf)) return 'unit';
    if (NAME_LABEL.test(leaf) && !path.some((p) => /金额|预算数|决算数/.test(p))) return 'name';
    // "30101-基本工资": a code and its name in one cell label the row, whatever the header says.
    if (cells.length > 0 && cells.filter((x) => CODE_NAME_CELL.test(x.text)).length * 2 >= cells.length && cells.every((x) => !isPrintedFigure(x.raw))) return 'name';
    if (CODE_LABEL.test(leaf)) return 'code';
    if (cells.length === 0) return path.length === 0 ? 'empty' : 'value';
    const codeLike = cells.filter((x) => /^\d{2,9}$/.test(x.text.replace(/\s+/g, ''))).length;
    const amountLike = cells.filter((x) => {
      const p = parseAmountCell(x.raw);
      return p.kind === 'dash' || (p.kind === 'amount' && !/^\d{2,9}$/.test(x.text));
    }).length;
    if (path.length === 0 && codeLike > 0 && amountLike === 0) return 'unit';
    // One unit's code on every row under a header OCR garbled ("0" for 单位代码): the same whole number, 322, row after row.
    const distinct = new Set(cells.map((x) => x.text.replace(/\s+/g, '')));
    if (cells.length >= 3 && cells.every((x) => x.source === 'ocr') && distinct.size === 1 && /^\d{3,9}$/.test([...distinct][0]!)) return 'unit';
    if (CODE_LABEL.test(path.join('/')) && codeLike > 0 && amountLike === 0) return 'code';
    // Classification codes under a header OCR garbled ("和" for 科目编码): no amounts, nearly all known codes (合计 may share the column).
    const known = cells.filter((x) => isKnownCode(x.text.replace(/\s+/g, ''))).length;
    if (known >= 3 && amountLike === 0 && cells.length - known <= Math.max(1, Math.floor(0.2 * cells.length))) return 'code';
    return 'value';
  });
}

export interface ReadContext {
  /** The department code printed as "部门：322-…", to tell unit codes from economic codes. */
  departmentCode: string | null;
}

/** The 类/款/项 parts of the last coded row, for rows printed with only their own level. */
interface SplitState {
  last: string[];
}

interface SideSpec {
  part: TablePart;
  from: number;
  to: number;
}

const SIDE_INCOME = /^(?:本年|财政拨款)?收入(?:项目)?$/;
const SIDE_EXPENSE = /^(?:本年|财政拨款)?支出(?:项目)?$/;

/** Two-sided tables (收入 | 支出) are read as two halves; the top header level names the side. */
function sides(grid: GridCell[][], headerRows: number): SideSpec[] {
  const width = grid[0]?.length ?? 0;
  for (let r = 0; r < Math.min(headerRows, 2); r++) {
    const row = grid[r]!;
    const income = row.findIndex((c) => !c.covered && SIDE_INCOME.test(headerText(c)));
    const expense = row.findIndex((c) => !c.covered && SIDE_EXPENSE.test(headerText(c)));
    // Two halves start at the left edge: a 本年收入 column in the middle of a 决算 table is not a side.
    const firstFilled = row.findIndex((c) => !c.covered && headerText(c) !== '');
    if (income >= 0 && expense > income && income === firstFilled) {
      return [
        { part: 'income', from: income, to: expense },
        { part: 'expense', from: expense, to: width },
      ];
    }
  }
  // Without a 收入/支出 row, a header that repeats 项目 further right starts the expense half.
  const first = grid[Math.max(0, headerRows - 1)] ?? [];
  const labelled = first.map((c, i) => (!c.covered && /^项目$/.test(headerText(c)) ? i : -1)).filter((i) => i >= 0);
  if (headerRows > 0 && labelled.length === 2 && labelled[0] === 0) {
    return [
      { part: 'income', from: 0, to: labelled[1]! },
      { part: 'expense', from: labelled[1]!, to: width },
    ];
  }
  return [{ part: null, from: 0, to: width }];
}

/** Read a raw table's rows into contract rows: codes joined, names cleaned, amounts parsed exactly. */
export function readTable(raw: RawTable, ctx: ReadContext, issues: Issue[]): TableIR[] {
  const out: TableIR[] = [];
  const allPaths = columnPaths(raw.rows, raw.headerRows);
  const body = raw.rows.slice(raw.headerRows);
  for (const side of sides(raw.rows, raw.headerRows)) {
    const twoSided = side.part !== null;
    // The 收入/支出 level is carried by `part`, not by the column path.
    const paths = allPaths.slice(side.from, side.to).map((p) => (twoSided && (SIDE_INCOME.test(p[0] ?? '') || SIDE_EXPENSE.test(p[0] ?? '')) ? p.slice(1) : p));
    const sideBody = body.map((row) => alignMergedCells(row.slice(side.from, side.to), paths));
    const roles = columnRoles(paths, sideBody);
    // A grid column under a merged header and merged body cells only repeats the column to its left.
    let kept = -1;
    roles.forEach((r, i) => {
      if (r !== 'value') return;
      if (kept >= 0 && paths[i]!.join('/') === paths[kept]!.join('/') && sideBody.length > 0 && sideBody.every((row) => row[i]?.covered)) roles[i] = 'layout';
      else kept = i;
    });
    // In a two-sided half the first column is the label column whatever its header says.
    if (twoSided && roles[0] !== 'name') roles[0] = 'name';
    // A column of labels only ("1、人员经费和公用经费支出") in a half names the rows of another breakdown beside the first.
    if (twoSided) roles.forEach((r, i) => {
      const filled = sideBody.map((row) => row[i]).filter((x): x is GridCell => x !== undefined && !x.covered && x.text !== '');
      if (r === 'value' && filled.length > 0 && filled.every((x) => parseAmountCell(x.raw).kind === 'text')) roles[i] = 'name';
    });
    const lanes = findLanes(roles, paths);
    // The breakdowns side by side in one half (功能分类 | 支出用途) are tables of their own, each with its own totals.
    const separate = twoSided && lanes.length > 1;
    // Side-by-side lanes (人员经费 | 公用经费, each code | name | amount) are unfolded into one list of rows.
    const unfold = !separate && lanes.length > 1;
    const laneValueCols = (lane: { from: number; to: number }) => roles.map((r, i) => (r === 'value' && i >= lane.from && i < lane.to ? i : -1)).filter((i) => i >= 0);
    const laneColumns = lanes.map((lane): Column[] => laneValueCols(lane).map((i, n) => ({ key: `c${n + 1}`, path: unfold ? paths[i]!.slice(-1) : paths[i]! })));
    const columns = laneColumns[0]!;
    const perLane: Row[][] = lanes.map(() => []);
    const splitStates = lanes.map(() => ({ last: [] as string[] }));
    for (const cells of sideBody) {
      const laneRows = lanes.map((lane, k) => {
        const valueCols = laneValueCols(lane);
        if (valueCols.length !== columns.length) return null;
        const laneCells = cells.map((c, i) => (i >= lane.from && i < lane.to ? c : { ...c, text: '', raw: '', covered: true }));
        return readRow(laneCells, roles, paths, valueCols, ctx, raw, issues, side.part, splitStates[k]);
      });
      // A footer label in one lane whose figure sits in the next lane's cell (merged cells) is one row.
      for (let k = 0; k + 1 < laneRows.length; k++) {
        const a = laneRows[k];
        const b = laneRows[k + 1];
        if (a && b && a.values.every((v) => v === null) && a.name !== '' && b.name === '' && b.code === null && b.values.some((v) => v !== null)) {
          laneRows[k] = { ...a, values: b.values, cells: b.cells };
          laneRows[k + 1] = null;
        }
        // A total label printed once across the breakdowns of a half names the figure of each.
        if (separate && a && b && TOTAL_NAME.test(a.name) && b.name === '' && b.code === null && b.values.some((v) => v !== null)) {
          laneRows[k + 1] = { ...b, name: a.name, name_raw: a.name_raw };
        }
      }
      laneRows.forEach((row, k) => {
        if (row && (row.name !== '' || row.code !== null || row.values.some((v) => v !== null))) perLane[k]!.push(row);
      });
    }
    if (unfold) issues.push({ code: 'table.lanes_unfolded', severity: 'info', table: raw.title, page: raw.pages[0] ?? null, message: `${lanes.length} side-by-side column groups of "${raw.title}" read as one list of rows` });
    const pieces = separate ? perLane.map((rows, k) => ({ rows, columns: laneColumns[k]! })) : [{ rows: perLane.flat(), columns }];
    for (const piece of pieces) {
      out.push({
        kind: 'X-unknown',
        part: side.part,
        title: raw.title,
        title_raw: raw.title_raw,
        unit: raw.unit,
        pages: raw.pages,
        columns: piece.columns,
        rows: piece.rows,
        confidence: 1,
        context: raw.context,
        headerLabels: paths.flat(),
      });
    }
  }
  return out;
}

/**
 * A merged body cell that starts under an unlabelled grid column but spans a labelled one belongs to
 * the labelled column (the grid has more columns than the header when rows merge cells differently).
 */
function alignMergedCells(row: GridCell[], paths: string[][]): GridCell[] {
  const out = [...row];
  for (let c = 0; c < out.length; c++) {
    const cell = out[c]!;
    if (cell.covered || cell.colSpan < 2 || (paths[c]?.length ?? 0) > 0) continue;
    for (let k = c + 1; k < Math.min(out.length, c + cell.colSpan); k++) {
      if ((paths[k]?.length ?? 0) === 0) continue;
      out[k] = { ...cell, colSpan: cell.colSpan - (k - c) };
      out[c] = { ...cell, text: '', raw: '', covered: true };
      break;
    }
  }
  return out;
}

/**
 * Groups of columns that repeat side by side: each starts with a code column or a name column that
 * follows a value column. One group is the ordinary case; several must have the same value leaves.
 */
function findLanes(roles: Role[], paths: string[][]): { from: number; to: number }[] {
  const starts: number[] = [0];
  for (let i = 1; i < roles.length; i++) {
    const startsLane = roles[i] !== 'value' && roles[i] !== 'empty' && roles[i] !== 'layout' && roles[i - 1] === 'value';
    if (startsLane) starts.push(i);
  }
  if (starts.length < 2) return [{ from: 0, to: roles.length }];
  const lanes = starts.map((from, k) => ({ from, to: starts[k + 1] ?? roles.length }));
  const leaves = (lane: { from: number; to: number }) => roles.map((r, i) => (r === 'value' && i >= lane.from && i < lane.to ? (paths[i]!.slice(-1)[0] ?? '') : null)).filter((x) => x !== null).join('|');
  const shape = leaves(lanes[0]!);
  return lanes.every((l) => leaves(l) === shape) && shape !== '' ? lanes : [{ from: 0, to: roles.length }];
}

function readRow(
  cells: GridCell[],
  roles: Role[],
  paths: string[][],
  valueCols: number[],
  ctx: ReadContext,
  raw: RawTable,
  issues: Issue[],
  part: TablePart,
  split: SplitState = { last: [] },
): Row | null {
  const splitCells: (string | null)[] = [];
  let fullCode: string | null = null;
  const unitCandidates: string[] = [];
  let name: GridCell | null = null;
  let fallbackName: GridCell | null = null;
  let altCode: string | null = null;
  let altName: GridCell | null = null;
  cells.forEach((cell, i) => {
    if (cell.covered || cell.text === '') return;
    const compact = cell.text.replace(/\s+/g, '');
    const role = roles[i];
    const digits = /^\d+$/.test(compact);
    if (role === 'split' && digits) splitCells[roles.slice(0, i).filter((r) => r === 'split').length] = compact;
    else if (role === 'code' && digits) fullCode = compact;
    else if (role === 'unit' && digits) unitCandidates.push(compact);
    else if (role === 'name') name ??= cell;
    else if (role === 'alt' && digits) altCode ??= compact;
    else if (role === 'alt') altName ??= cell;
    else if (role !== 'value' && role !== 'layout') fallbackName ??= cell;
  });
  // The secondary classification keys a row only when the row prints nothing else (a subtotal under it).
  if (fullCode === null && name === null && fallbackName === null && splitCells.length === 0) {
    fullCode = altCode;
    name = altName;
  }
  let code: string | null = fullCode;
  const firstSplit = splitCells.findIndex((c) => c !== undefined && c !== null);
  if (firstSplit >= 0) {
    // Hierarchical printing ("201 | |", "| 06 |", "| | 01"): a row carries only its own level; the levels above come from the rows before it.
    const parts: string[] = [];
    const lastSplit = splitCells.length - 1;
    for (let k = 0; k <= lastSplit; k++) parts.push(splitCells[k] ?? (k < firstSplit ? (split.last[k] ?? '') : ''));
    if (parts.slice(0, firstSplit).every((p) => p !== '')) {
      code = parts.join('');
      split.last = parts;
    }
  }
  let unitCode: string | null = null;
  for (const candidate of unitCandidates) {
    if (code && candidate.startsWith(code) && candidate.length > code.length) code = candidate;
    else if (code && candidate === code) continue;
    else if (code) unitCode = candidate;
    else if (candidate.length === 6 || (ctx.departmentCode !== null && candidate === ctx.departmentCode)) unitCode = candidate;
    else code = candidate;
  }
  const label: GridCell | null = name ?? fallbackName;
  const nameRaw = label ? (label as GridCell).raw.replace(/\s*\n\s*/g, '') : '';
  // A code printed inside the name cell ("[2010501]行政运行", "2050299-其他普通教育支出").
  const inlineCode = code === null ? /^\s*[[【(（]?(\d{3}(?:\d{2}){0,2})[\]】)）]?\s*[-－—:：]?\s*(?=[^\d\s])/.exec(label ? (label as GridCell).text : '') : null;
  // "322-苍溪县医疗保障局部门" carries the department code, not a classification code.
  const departmentPrefix = inlineCode !== null && (inlineCode[1] === ctx.departmentCode || /(?:部门|单位|局|委|办|院|中心)$/.test(((label as GridCell | null)?.text ?? '').slice(inlineCode[0].length)));
  const useInline = inlineCode !== null && !departmentPrefix;
  if (useInline) code = inlineCode![1]!;
  const values: (number | string | null)[] = [];
  const rowCells: Cell[] = [];
  let anyValue = false;
  for (const i of valueCols) {
    const cell = cells[i]!;
    const parsed = cell.covered ? ({ kind: 'blank' } as const) : parseAmountCell(cell.raw);
    const evidence: Cell = { raw: cell.covered ? '' : cell.raw, page: cell.page, bbox: cell.bbox, source: cell.source, confidence: cell.confidence, ...(cell.alternatives && !cell.covered ? { alternatives: cell.alternatives } : {}) };
    if (parsed.kind === 'amount') {
      values.push(parsed.amount.value);
      anyValue = true;
    } else if (parsed.kind === 'dash') {
      values.push(null);
      evidence.dash = true;
      anyValue = true;
    } else if (parsed.kind === 'text') {
      values.push(cell.text);
      anyValue = true;
      issues.push({
        code: 'cell.not_a_number',
        severity: 'info',
        table: raw.title,
        part,
        row: nameRaw || code,
        column: paths[i] ?? null,
        page: cell.page,
        bbox: cell.bbox,
        message: `value cell holds text "${cell.text}", kept as text`,
      });
    } else values.push(null);
    rowCells.push(evidence);
  }
  if (!anyValue && nameRaw === '' && code === null && unitCode === null) return null;
  const nameText = label ? (label as GridCell).text.slice(useInline ? inlineCode![0].length : 0) : '';
  return { code, unit_code: unitCode, name: rowName(nameText), name_raw: nameRaw, values, cells: rowCells };
}
