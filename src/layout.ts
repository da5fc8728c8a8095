import type { BBox, FlowBlock, GridCell, PageIR, Ruling, TextItem } from './model.js';
import { isPrintedFigure, normaliseText, parseAmountCell } from './normalise.js';

/** Distance (points) within which two ruling coordinates are the same grid line. */
const SNAP = 2;
/** Share of a cell edge that a ruling must cover to separate two cells. */
const EDGE_COVER = 0.6;

/**
 * Page → flow: ruled tables become grids from their rulings; unruled tables become grids from
 * the alignment of their text; the rest becomes lines. A table region is just a smaller page,
 * so both strategies take the items inside a box and return a grid.
 */
/** How a page is laid out; `headerWords` (column names every template knows) rebuild headers that a dump scattered. */
export interface LayoutOptions {
  headerWords?: readonly string[];
  /** A text dump: figures are placed by their order in the row, wrapped names sit on lines of their own. */
  dump?: boolean;
}

export function layoutPage(page: PageIR, options: LayoutOptions = {}): FlowBlock[] {
  const blocks: { top: number; block: FlowBlock }[] = [];
  const regions = findRuledRegions(page.rulings);
  const used = new Set<TextItem>();
  for (const region of regions) {
    const inside = page.items.filter((it) => !used.has(it) && contains(region.bbox, centre(it.bbox)));
    if (inside.length === 0) continue;
    const rows = ruledGrid(region, inside, page.number);
    // Underlined blanks in running text ("收入预算 1935.36 万元" with the figure underlined) are not tables.
    if (rows.length === 0 || isUnderlinedText(rows, region.bbox)) continue;
    inside.forEach((it) => used.add(it));
    blocks.push({ top: region.bbox[1], block: { type: 'grid', rows, page: page.number, bbox: region.bbox, ruled: true } });
  }
  const rest = page.items.filter((it) => !used.has(it));
  const lines = groupLines(rest);
  for (const block of alignedBlocks(lines, page.number, options)) blocks.push(block);
  blocks.sort((a, b) => a.top - b.top);
  return blocks.map((b) => b.block);
}

function centre(b: BBox): [number, number] {
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
}

function contains(b: BBox, [x, y]: [number, number]): boolean {
  return x >= b[0] - 1 && x <= b[2] + 1 && y >= b[1] - 1 && y <= b[3] + 1;
}

interface Region {
  bbox: BBox;
  horizontals: Ruling[];
  verticals: Ruling[];
}

/** Merge collinear, touching segments so that a row of short strokes becomes one line. */
function mergeCollinear(segments: Ruling[], horizontal: boolean): Ruling[] {
  const key = (r: Ruling) => (horizontal ? r.y0 : r.x0);
  const start = (r: Ruling) => (horizontal ? r.x0 : r.y0);
  const end = (r: Ruling) => (horizontal ? r.x1 : r.y1);
  // Keys within 0.6 pt are one line: sort on the rounded key so that their segments meet in start order.
  const sorted = [...segments].sort((a, b) => Math.round(key(a) * 2) - Math.round(key(b) * 2) || start(a) - start(b));
  const out: Ruling[] = [];
  for (const seg of sorted) {
    const last = out[out.length - 1];
    if (last && Math.abs(key(last) - key(seg)) <= 0.6 && start(seg) <= end(last) + SNAP) {
      if (horizontal) {
        last.x0 = Math.min(last.x0, seg.x0);
        last.x1 = Math.max(last.x1, seg.x1);
      } else {
        last.y0 = Math.min(last.y0, seg.y0);
        last.y1 = Math.max(last.y1, seg.y1);
      }
    } else out.push({ ...seg });
  }
  return out;
}

/** Connected sets of crossing rulings that form at least a 2×2 line grid: one per ruled table. */
export function findRuledRegions(rulings: Ruling[]): Region[] {
  const horizontals = mergeCollinear(rulings.filter((r) => r.y0 === r.y1), true);
  const verticals = mergeCollinear(rulings.filter((r) => r.x0 === r.x1), false);
  const all = [...horizontals, ...verticals];
  const parent = all.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let h = 0; h < horizontals.length; h++) {
    const hr = horizontals[h]!;
    for (let v = 0; v < verticals.length; v++) {
      const vr = verticals[v]!;
      if (vr.x0 >= hr.x0 - SNAP && vr.x0 <= hr.x1 + SNAP && hr.y0 >= vr.y0 - SNAP && hr.y0 <= vr.y1 + SNAP) {
        parent[find(h)] = find(horizontals.length + v);
      }
    }
  }
  const groups = new Map<number, { h: Ruling[]; v: Ruling[] }>();
  all.forEach((r, i) => {
    const root = find(i);
    const g = groups.get(root) ?? { h: [], v: [] };
    (i < horizontals.length ? g.h : g.v).push(r);
    groups.set(root, g);
  });
  const regions: Region[] = [];
  for (const g of groups.values()) {
    if (g.h.length < 2 || g.v.length < 2) continue;
    const x0 = Math.min(...g.h.map((r) => r.x0), ...g.v.map((r) => r.x0));
    const x1 = Math.max(...g.h.map((r) => r.x1), ...g.v.map((r) => r.x1));
    const y0 = Math.min(...g.v.map((r) => r.y0), ...g.h.map((r) => r.y0));
    const y1 = Math.max(...g.v.map((r) => r.y1), ...g.h.map((r) => r.y1));
    // A page border or a box around a paragraph is not a table: it needs inner lines.
    if (g.h.length + g.v.length < 5) continue;
    regions.push({ bbox: [x0, y0, x1, y1], horizontals: g.h, verticals: g.v });
  }
  return regions.sort((a, b) => a.bbox[1] - b.bbox[1]);
}

function snapPositions(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const out: number[] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && v - last <= SNAP) continue;
    out.push(v);
  }
  return out;
}

function covered(segments: Ruling[], horizontal: boolean, at: number, from: number, to: number): boolean {
  let cover = 0;
  for (const s of segments) {
    const pos = horizontal ? s.y0 : s.x0;
    if (Math.abs(pos - at) > SNAP) continue;
    const a = Math.max(from, horizontal ? s.x0 : s.y0);
    const b = Math.min(to, horizontal ? s.x1 : s.y1);
    if (b > a) cover += b - a;
  }
  return cover >= (to - from) * EDGE_COVER;
}

function emptyCell(page: number): GridCell {
  return { text: '', raw: '', page, bbox: null, source: 'text', confidence: 1, colSpan: 1, rowSpan: 1, covered: true };
}

/** A ruled region's grid lines and its cells, merged where a ruling is missing (`find` gives a position's cell). */
interface RegionCells {
  xs: number[];
  ys: number[];
  find: (position: number) => number;
  spans: Map<number, { r0: number; c0: number; r1: number; c1: number }>;
}

function regionCells(region: Region): RegionCells | null {
  const xs = snapPositions(region.verticals.map((v) => v.x0));
  const ys = snapPositions(region.horizontals.map((h) => h.y0));
  const nRows = ys.length - 1;
  const nCols = xs.length - 1;
  if (nRows < 1 || nCols < 1) return null;
  const id = (r: number, c: number) => r * nCols + c;
  const parent = Array.from({ length: nRows * nCols }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++) {
      if (c + 1 < nCols && !covered(region.verticals, false, xs[c + 1]!, ys[r]!, ys[r + 1]!)) parent[find(id(r, c + 1))] = find(id(r, c));
      if (r + 1 < nRows && !covered(region.horizontals, true, ys[r + 1]!, xs[c]!, xs[c + 1]!)) parent[find(id(r + 1, c))] = find(id(r, c));
    }
  }
  const spans = new Map<number, { r0: number; c0: number; r1: number; c1: number }>();
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++) {
      const root = find(id(r, c));
      const s = spans.get(root);
      if (!s) spans.set(root, { r0: r, c0: c, r1: r, c1: c });
      else {
        s.r0 = Math.min(s.r0, r);
        s.c0 = Math.min(s.c0, c);
        s.r1 = Math.max(s.r1, r);
        s.c1 = Math.max(s.c1, c);
      }
    }
  }
  return { xs, ys, find, spans };
}

/**
 * The boxes (page points, top-left origin) of every cell of every ruled table the rulings draw, merged cells
 * whole: the cells the layout stage will fill, so that OCR can read each one on its own.
 */
export function ruledCellBoxes(rulings: Ruling[]): BBox[] {
  return findRuledRegions(rulings).flatMap((region) => {
    const cells = regionCells(region);
    if (!cells) return [];
    return [...cells.spans.values()].map((s): BBox => [cells.xs[s.c0]!, cells.ys[s.r0]!, cells.xs[s.c1 + 1]!, cells.ys[s.r1 + 1]!]);
  });
}

/** Cells of a ruled region, merged where a ruling is missing, each holding the text inside it. */
function ruledGrid(region: Region, items: TextItem[], page: number): GridCell[][] {
  const cells = regionCells(region);
  if (!cells) return [];
  const { xs, ys, find, spans } = cells;
  const nRows = ys.length - 1;
  const nCols = xs.length - 1;
  const id = (r: number, c: number) => r * nCols + c;
  const buckets = new Map<number, TextItem[]>();
  for (const it of items.flatMap((item) => splitAtRulings(item, region.verticals))) {
    const [x, y] = centre(it.bbox);
    const c = xs.findIndex((_, k) => k < nCols && x >= xs[k]! - 0.5 && x <= xs[k + 1]! + 0.5);
    const r = ys.findIndex((_, k) => k < nRows && y >= ys[k]! - 0.5 && y <= ys[k + 1]! + 0.5);
    if (r < 0 || c < 0) continue;
    const root = find(id(r, c));
    const list = buckets.get(root) ?? [];
    list.push(it);
    buckets.set(root, list);
  }
  const grid: GridCell[][] = Array.from({ length: nRows }, () => Array.from({ length: nCols }, () => emptyCell(page)));
  const itemsOf = new Map<GridCell, TextItem[]>();
  for (const [root, s] of spans) {
    const bbox: BBox = [xs[s.c0]!, ys[s.r0]!, xs[s.c1 + 1]!, ys[s.r1 + 1]!];
    const cellItems = buckets.get(root) ?? [];
    const { raw, confidence } = joinCellText(cellItems);
    grid[s.r0]![s.c0] = {
      text: normaliseText(raw),
      raw: raw.trim(),
      page,
      bbox,
      source: cellItems[0]?.source ?? 'text',
      confidence,
      ...(cellItems.length === 1 && cellItems[0]!.alternatives ? { alternatives: cellItems[0]!.alternatives } : {}),
      colSpan: s.c1 - s.c0 + 1,
      rowSpan: s.r1 - s.r0 + 1,
      covered: false,
    };
    itemsOf.set(grid[s.r0]![s.c0]!, cellItems);
  }
  // Rows that are only covered positions (a merged band) carry nothing; drop rows with no own cell.
  return grid.filter((row) => row.some((cell) => !cell.covered)).flatMap((row) => splitStackedRow(row, itemsOf, page));
}

/**
 * A ruled row whose cells stack several table rows (a table ruled only between columns): when two or
 * more of its text lines hold amounts, each line band becomes a row of its own.
 */
function splitStackedRow(row: GridCell[], itemsOf: Map<GridCell, TextItem[]>, page: number): GridCell[][] {
  if (row.some((c) => c.rowSpan > 1)) return [row];
  const wholeAmount = (text: string) => /^-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{2,})$/.test(text.replace(/\s+/g, ''));
  // The sign of stacked rows: a cell whose every line is one amount, on two lines or more (prose with figures is not).
  const stacked = row.some((c) => {
    const own = itemsOf.get(c) ?? [];
    if (own.filter((it) => wholeAmount(it.raw)).length < 2) return false;
    const lines = groupLines(own);
    return lines.length >= 2 && lines.every((l) => wholeAmount(l.items.map((it) => it.raw).join('')));
  });
  if (!stacked) return [row];
  const items = row.flatMap((c) => itemsOf.get(c) ?? []);
  const bands = groupLines(items).map((l) => ({ top: l.bbox[1], bottom: l.bbox[3], items: new Set(l.items) }));
  if (bands.length < 2) return [row];
  return bands.map((band) =>
    row.map((cell) => {
      if (cell.covered) return cell;
      const own = (itemsOf.get(cell) ?? []).filter((it) => band.items.has(it));
      const { raw, confidence } = joinCellText(own);
      const bbox: BBox | null = cell.bbox ? [cell.bbox[0], band.top, cell.bbox[2], band.bottom] : null;
      return { ...cell, text: normaliseText(raw), raw: raw.trim(), page, bbox, confidence } satisfies GridCell;
    }),
  );
}

/** Estimated advance of a character in ems: CJK and full-width forms are square, the rest about half. */
function charEms(ch: string): number {
  return /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’]/.test(ch) ? 1 : 0.55;
}

/**
 * A text item that runs across a vertical ruling (pdf.js joins an amount to the label right after it:
 * "9,433.72 一、一般公共服务支出") is cut at the space nearest the ruling, its parts placed by estimated widths.
 */
export function splitAtRulings(item: TextItem, verticals: Ruling[]): TextItem[] {
  const [x0, y0, x1, y1] = item.bbox;
  const cy = (y0 + y1) / 2;
  const crossing = verticals.find((v) => v.x0 > x0 + 2 && v.x0 < x1 - 2 && cy >= v.y0 - 1 && cy <= v.y1 + 1);
  if (!crossing || !/\s/.test(item.raw.trim())) return [item];
  const chars = [...item.raw];
  const total = chars.reduce((sum, ch) => sum + charEms(ch), 0) || 1;
  const scale = (x1 - x0) / total;
  let best = -1;
  let bestDistance = Infinity;
  let at = x0;
  chars.forEach((ch, i) => {
    if (/\s/.test(ch)) {
      const distance = Math.abs(at - crossing.x0);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = i;
      }
    }
    at += charEms(ch) * scale;
  });
  if (best <= 0 || best >= chars.length - 1) return [item];
  const leftRaw = chars.slice(0, best).join('').trimEnd();
  const rightRaw = chars.slice(best + 1).join('').trimStart();
  const leftWidth = [...leftRaw].reduce((sum, ch) => sum + charEms(ch), 0) * scale;
  const rightWidth = [...rightRaw].reduce((sum, ch) => sum + charEms(ch), 0) * scale;
  const left: TextItem = { ...item, raw: leftRaw, text: normaliseText(leftRaw), bbox: [x0, y0, Math.min(x0 + leftWidth, crossing.x0 - 0.5), y1] };
  const right: TextItem = { ...item, raw: rightRaw, text: normaliseText(rightRaw), bbox: [Math.max(x1 - rightWidth, crossing.x0 + 0.5), y0, x1, y1] };
  return [left, ...splitAtRulings(right, verticals)];
}

/** Lines of a cell top to bottom; wrapped CJK words are joined without a space. */
export function joinCellText(items: TextItem[]): { raw: string; confidence: number } {
  if (items.length === 0) return { raw: '', confidence: 1 };
  const lines = groupLines(items);
  let raw = '';
  for (const line of lines) {
    const text = line.segments.map((s) => s.raw).join(' ');
    if (raw === '') raw = text;
    else {
      const joinWithSpace = /[A-Za-z0-9]$/.test(raw) && /^[A-Za-z0-9]/.test(text);
      raw += (joinWithSpace ? ' ' : '') + text;
    }
  }
  return { raw, confidence: Math.min(...items.map((i) => i.confidence)) };
}

interface Segment {
  raw: string;
  bbox: BBox;
  items: TextItem[];
}

interface Line {
  bbox: BBox;
  fontSize: number;
  items: TextItem[];
  /** Runs of items separated by less than a column gap. */
  segments: Segment[];
}

/** Items into visual lines (by vertical overlap), each split into segments at wide gaps. */
export function groupLines(items: TextItem[]): Line[] {
  const sorted = [...items].sort((a, b) => centre(a.bbox)[1] - centre(b.bbox)[1] || a.bbox[0] - b.bbox[0]);
  const lines: Line[] = [];
  for (const it of sorted) {
    const cy = centre(it.bbox)[1];
    const line = lines.find((l) => {
      const lcy = (l.bbox[1] + l.bbox[3]) / 2;
      return Math.abs(lcy - cy) <= Math.max(2, Math.min(l.fontSize, it.fontSize) * 0.45);
    });
    if (line) {
      line.items.push(it);
      line.bbox = union(line.bbox, it.bbox);
      line.fontSize = Math.max(line.fontSize, it.fontSize);
    } else lines.push({ bbox: [...it.bbox], fontSize: it.fontSize, items: [it], segments: [] });
  }
  for (const line of lines) {
    line.items.sort((a, b) => a.bbox[0] - b.bbox[0]);
    const gapLimit = Math.max(line.fontSize * 1.2, 6);
    let seg: Segment | null = null;
    for (const it of line.items) {
      if (seg && it.bbox[0] - seg.bbox[2] < gapLimit) {
        const gap = it.bbox[0] - seg.bbox[2];
        seg.raw += (gap > line.fontSize * 0.25 ? ' ' : '') + it.raw;
        seg.bbox = union(seg.bbox, it.bbox);
        seg.items.push(it);
      } else {
        seg = { raw: it.raw, bbox: [...it.bbox], items: [it] };
        line.segments.push(seg);
      }
    }
  }
  return lines.sort((a, b) => a.bbox[1] - b.bbox[1]);
}

function union(a: BBox, b: BBox): BBox {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

function isAmountLike(raw: string): boolean {
  const parsed = parseAmountCell(raw);
  return parsed.kind === 'amount' || parsed.kind === 'dash';
}

/**
 * Unruled tables: consecutive lines with two or more segments of which one is an amount form a
 * table body; the multi-segment lines right above it are its header. Columns are the gaps that
 * run through every line of the block. Everything else stays a line of running text.
 */
function alignedBlocks(lines: Line[], page: number, options: LayoutOptions): { top: number; block: FlowBlock }[] {
  const out: { top: number; block: FlowBlock }[] = [];
  const isData = (l: Line) => l.segments.length >= 2 && l.segments.some((s) => isAmountLike(s.raw));
  let i = 0;
  while (i < lines.length) {
    if (!isData(lines[i]!)) {
      i++;
      continue;
    }
    let start = i;
    let end = i;
    // In a dump a wrapped name sits on a line of its own above or below its row's figures.
    // In a dump, rows with nothing budgeted and wrapped names sit between the rows with figures.
    const withinTable = (k: number) => {
      if (!options.dump || isData(lines[k]!) || isTableStop(lines[k]!) || lines[k]!.bbox[1] - lines[k - 1]!.bbox[3] > 2 * lines[k]!.fontSize * 2) return false;
      for (let n = k + 1; n < Math.min(lines.length, k + 40); n++) {
        if (isData(lines[n]!)) return true;
        if (isTableStop(lines[n]!)) return false;
      }
      return false;
    };
    for (;;) {
      if (end + 1 < lines.length && isData(lines[end + 1]!)) end++;
      else if (end + 2 < lines.length && withinTable(end + 1)) end++;
      else break;
    }
    while (end > i && !isData(lines[end]!)) end--;
    // The tail of the last row's wrapped name.
    const tail = lines[end + 1];
    if (options.dump && tail && !isData(tail) && !isTableStop(tail) && tail.segments.length === 1 && [...tail.segments[0]!.raw].length <= 4 && tail.bbox[1] - lines[end]!.bbox[3] < tail.fontSize * 2) end++;
    // A lone row is a table only in a dump and under a header of its own (the last row, carried to a new page).
    const loneUnderHeader = options.dump === true && start > 0 && lines[start - 1]!.segments.length >= 2 && !isData(lines[start - 1]!) && !isTableStop(lines[start - 1]!);
    if (end - start + 1 < 2 && !loneUnderHeader) {
      i = end + 1;
      continue;
    }
    // Header lines: the lines right above without amounts, up to six, stopping at a title, a unit line or a gap.
    const isHeaderLine = (above: Line, below: Line) => {
      const text = normaliseText(above.segments.map((seg) => seg.raw).join(''));
      const gap = below.bbox[1] - above.bbox[3];
      // A dump's header lines are often one long wrapped word ("当年财政拨款预算安排").
      const shortEnough = text.length <= (options.dump ? 12 : 6) && !/[:：]/.test(text);
      return !isData(above) && !/单位[:：]|表$/.test(text) && gap < Math.max(above.fontSize, below.fontSize) * 2.5 && (above.segments.length >= 2 || shortEnough);
    };
    while (start - 1 >= 0 && isHeaderLine(lines[start - 1]!, lines[start]!) && i - start < 6) start--;
    const block = lines.slice(start, end + 1);
    const grid = alignmentGrid(block, i - start, page, options);
    if (grid && !isRunningText(grid)) {
      for (const l of block) (l as Line & { consumed?: boolean }).consumed = true;
      out.push({ top: block[0]!.bbox[1], block: grid });
    }
    i = end + 1;
  }
  for (const l of lines) {
    if ((l as Line & { consumed?: boolean }).consumed) continue;
    const raw = l.segments.map((s) => s.raw).join(' ');
    out.push({ top: l.bbox[1], block: { type: 'line', text: normaliseText(raw), raw, page, bbox: l.bbox, fontSize: l.fontSize } });
  }
  return out;
}

/** A "grid" of one row, or a wide sparse one of scattered characters, drawn by underlines in a paragraph. */
function isUnderlinedText(rows: GridCell[][], bbox: BBox): boolean {
  // An underline region is thinner than the text it runs under; a boxed figure in a paragraph is one cell.
  if (rows.length === 1) {
    const filled = rows[0]!.filter((c) => !c.covered && c.raw.trim() !== '');
    if (bbox[3] - bbox[1] < 4 || filled.length <= 1 || filled.some((c) => /[，。；]/.test(c.raw))) return true;
  }
  const cells = rows.flat().filter((c) => !c.covered);
  const filled = cells.filter((c) => c.raw.trim() !== '');
  const figures = filled.filter((c) => isPrintedFigure(c.raw)).length;
  return (rows[0]?.length ?? 0) > 10 && filled.length / Math.max(1, cells.length) < 0.15 && figures < 2;
}

/**
 * Justified paragraphs quoting amounts ("…支出 122.98 万元，其中，…") line up like a table: cells that are
 * sentence pieces give them away.
 */
function isRunningText(grid: FlowBlock): boolean {
  if (grid.type !== 'grid') return false;
  const cells = grid.rows.flat().filter((c) => c.raw.trim() !== '');
  const sentences = cells.filter((c) => /[，。；]/.test(c.raw) && c.raw.length > 4);
  return cells.length > 0 && sentences.length / cells.length >= 0.2;
}

/** A line that ends a dumped table: a note, a title, a unit line or running text. */
function isTableStop(line: Line): boolean {
  const text = normaliseText(line.segments.map((s) => s.raw).join(''));
  return /^(?:注|说明|备注)|表$|单位[:：]|[。；]/.test(text) || (line.segments.length === 1 && text.length > 40);
}

/** Header words that head several columns (a level above the leaves). */
const GROUP_HEADER = /^(?:预算数|决算数|本年支出|本年收入|公务用车购置及运行(?:维护)?费|其中[:：]?)$/;
/** Header words that are complete column names, never the tail of a wrapped word. */
const LEAF_HEADER = /^(?:小计|合计|总计|基本支出|项目支出|人员经费|公用经费|人员支出|公用支出|购置费|运行费|运行维护费|公务用车购置费|公务用车运行(?:维护)?费|公务接待费|因公出国[（(]境[)）]费)$/;

function alignmentGrid(block: Line[], headerLines: number, page: number, options: LayoutOptions): FlowBlock | null {
  // Columns come from the body: header words wrap and straddle, the figures line up. Figures (right-aligned)
  // and labels (left-aligned) make columns of their own, so a label starting where a long figure ends stays apart.
  const body = block.slice(headerLines);
  const isFigure = (seg: Segment) => isPrintedFigure(seg.raw);
  const merge = (segs: Segment[]) => {
    const sorted = segs.map((seg) => [seg.bbox[0], seg.bbox[2]] as [number, number]).sort((a, b) => a[0] - b[0]);
    const out: [number, number][] = [];
    for (const [a, b] of sorted) {
      const last = out[out.length - 1];
      if (last && a <= last[1] + 2) last[1] = Math.max(last[1], b);
      else out.push([a, b]);
    }
    return out;
  };
  const bodySegments = body.flatMap((l) => l.segments);
  // A 栏次 row numbers every figure column, blank ones too.
  const columnNumbers = (l: Line): Segment[] | null => {
    // Two-sided tables print 栏次 once per half.
    const numbers = l.segments.filter((seg) => !/^栏\s*次$/.test(normaliseText(seg.raw)));
    const counting = numbers.length >= 2 && numbers.every((seg, k) => seg.raw === String(k + 1) || (k > 0 && Number(seg.raw) === Number(numbers[k - 1]!.raw) + 1));
    return counting && (numbers !== l.segments || numbers.length >= 3) ? numbers : null;
  };
  const numberRow = body.map(columnNumbers).find((n) => n !== null) ?? [];
  const placedFigures = options.dump ? figuresByOrder(body.filter((l) => l.segments.some(isFigure)).map((l) => l.segments.filter(isFigure)), numberRow) : null;
  const figureColumns = placedFigures ? placedFigures.columns.map((range) => ({ range, figures: true })) : merge(bodySegments.filter(isFigure)).map((c) => ({ range: c, figures: true }));
  // Column numbers sit in the figure columns they number.
  const labelSegments = bodySegments.filter((seg) => !isFigure(seg) && !(placedFigures?.index.has(seg) ?? false));
  // In a dump, 行次 numbers and names are told apart by kind, not only by position: pages with few rows
  // give too little to separate them by position.
  const lineNumber = (seg: Segment) => options.dump === true && /^\d{1,2}$/.test(seg.raw);
  let labelColumns = [...merge(labelSegments.filter((seg) => !lineNumber(seg))), ...merge(labelSegments.filter(lineNumber))].sort((a, b) => a[0] - b[0]).map((c) => ({ range: c, figures: false }));
  // In a dump a label that no other row lines up with (a footer such as 公用经费合计 set off by the converter)
  // belongs to the label column on its left.
  const foldedLabels = new Map<Segment, { range: [number, number]; figures: boolean }>();
  if (options.dump && body.length >= 3) {
    const holders = (c: { range: [number, number] }) => labelSegments.filter((seg) => seg.bbox[0] >= c.range[0] && seg.bbox[2] <= c.range[1]);
    const lonely = new Set(labelColumns.filter((c, k) => k > 0 && holders(c).length === 1));
    labelColumns.forEach((c, k) => {
      if (!lonely.has(c)) return;
      // Only into a column of names that is empty in the lonely label's row.
      const row = body.find((l) => l.segments.includes(holders(c)[0]!))!;
      const home = labelColumns
        .slice(0, k)
        .reverse()
        .find((left) => !lonely.has(left) && !holders(left).every(lineNumber) && !row.segments.some((seg) => holders(left).includes(seg)));
      if (home) foldedLabels.set(holders(c)[0]!, home);
      else lonely.delete(c);
    });
    labelColumns = labelColumns.filter((c) => !lonely.has(c));
  }
  const typed = [...figureColumns, ...labelColumns].sort((a, b) => (a.range[0] + a.range[1]) / 2 - (b.range[0] + b.range[1]) / 2);
  const columns = typed.map((c) => c.range);
  if (columns.length < 2) return null;
  // A header word belongs to the column whose territory holds its centre. A figure column (right-aligned)
  // reaches left to the previous column's end; a label column (left-aligned) starts halfway from it.
  const boundary = (k: number) => {
    if (k === 0) return -Infinity;
    const previousEnd = columns[k - 1]![1];
    return typed[k]!.figures ? previousEnd : (previousEnd + columns[k]![0]) / 2;
  };
  const territoryOf = (cx: number) => {
    for (let k = 0; k < columns.length; k++) if (cx > boundary(k) && (k + 1 === columns.length || cx <= boundary(k + 1))) return k;
    return -1;
  };
  const columnOf = (s: Segment, sameType: boolean) => {
    const figureIndex = placedFigures?.index.get(s);
    if (sameType && figureIndex !== undefined) return typed.indexOf(figureColumns[figureIndex]!);
    const folded = foldedLabels.get(s);
    if (sameType && folded) return typed.indexOf(folded);
    const cx = (s.bbox[0] + s.bbox[2]) / 2;
    if (!sameType) {
      const k = territoryOf(cx);
      if (k >= 0) return k;
    }
    const figure = isFigure(s);
    let best = 0;
    let bestDistance = Infinity;
    columns.forEach(([a, b], k) => {
      if (sameType && typed[k]!.figures !== figure) return;
      const distance = cx < a ? a - cx : cx > b ? cx - b : 0;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = k;
      }
    });
    return best;
  };
  const cellOf = (segs: Segment[], joiner: string): GridCell => {
    const raw = segs.map((s) => s.raw).join(joiner);
    return {
      text: normaliseText(raw),
      raw,
      page,
      bbox: segs.length ? segs.map((s) => s.bbox).reduce(union) : null,
      source: segs[0]?.items[0]?.source ?? 'text',
      confidence: segs.length ? Math.min(...segs.flatMap((s) => s.items.map((i) => i.confidence))) : 1,
      colSpan: 1,
      rowSpan: 1,
      covered: false,
    };
  };
  // Header words right of every body column head trailing columns with no figures at all (nothing budgeted).
  const bodyEnd = Math.max(...columns.map((c) => c[1]));
  const trailingHeaders = block.slice(0, headerLines).flatMap((l) => l.segments).filter((seg) => seg.bbox[0] > bodyEnd);
  // In a dump, a known column name spelled clear of every body column heads a column with nothing budgeted.
  const addBlankColumns = (ranges: [number, number][]) => {
    for (const range of ranges) {
      typed.push({ range, figures: true });
      typed.sort((a, b) => (a.range[0] + a.range[1]) / 2 - (b.range[0] + b.range[1]) / 2);
      columns.splice(0, columns.length, ...typed.map((c) => c.range));
    }
  };
  addBlankColumns(merge(trailingHeaders));
  if (options.dump && options.headerWords) {
    // Names in a figure column's territory: the one over its figures (else the rightmost, nearest to figures
    // printed flush right) is its own; the others head blank columns.
    // A name on the top line of a deeper header heads a lane or a group (人员经费 | 公用经费), never a blank column.
    const names = spelledNames(block.slice(0, headerLines), options.headerWords).filter((n) => headerLines < 2 || n.line > 0).map((n) => n.range);
    if (process.env.DEBUG_SPELL) console.error('names', JSON.stringify(names), JSON.stringify(typed.map((t) => [t.figures, t.range])));
    const blank: [number, number][] = [];
    typed.forEach((c, k) => {
      if (!c.figures) return;
      const inTerritory = names.filter((r) => territoryOf((r[0] + r[1]) / 2) === k);
      if (inTerritory.length < 2) return;
      const over = inTerritory.find((r) => r[0] <= c.range[1] && r[1] >= c.range[0]) ?? inTerritory.reduce((a, b) => (b[0] > a[0] ? b : a));
      blank.push(...inTerritory.filter((r) => r !== over && !columns.some(([a, b]) => r[0] <= b && r[1] >= a)));
    });
    addBlankColumns(blank);
  }
  const territoryDistance = (seg: Segment, k: number) => {
    const cx = (seg.bbox[0] + seg.bbox[2]) / 2;
    const from = boundary(k);
    const to = k + 1 === columns.length ? Infinity : boundary(k + 1);
    return cx <= from ? from - cx : cx > to ? cx - to : 0;
  };
  /**
   * Columns for the words of one header line: each word its own column, in reading order, as close to its
   * territory as possible. Words run together in a dump ("基本支出 项目支出") would otherwise share a column.
   */
  const headerLinePlacement = (segs: Segment[]): number[] =>
    segs.length > columns.length ? segs.map((seg) => columnOf(seg, false)) : monotonePlacement(segs.length, columns.length, (i, k) => territoryDistance(segs[i]!, k));
  // 行次 columns: label columns holding nothing but line numbers.
  const lineNumberColumns = new Set(typed.flatMap((c, k) => {
    if (c.figures) return [];
    const held = body.flatMap((l) => l.segments).filter((seg) => !isFigure(seg) && columnOf(seg, true) === k);
    return held.length > 0 && held.every((seg) => /^\d{1,3}$/.test(seg.raw)) ? [k] : [];
  }));
  /** 收入 / 支出 head the half of a two-sided table that starts with the label column at or left of them. */
  const sideRow = (line: Line): GridCell[] => {
    const perColumn: Segment[][] = columns.map(() => []);
    for (const seg of line.segments) {
      const cx = (seg.bbox[0] + seg.bbox[2]) / 2;
      let k = typed.findLastIndex((c, j) => !c.figures && c.range[0] <= cx && !lineNumberColumns.has(j));
      if (k < 0) k = columnOf(seg, false);
      perColumn[k]!.push(seg);
    }
    return perColumn.map((segs) => cellOf(segs, ''));
  };
  /** Wrapped header words joined per column; a word known to head several columns starts a level of its own. */
  const leveledHeaderRows = (lines: Line[]): GridCell[][] => {
    if (lines.length === 0) return [];
    const words: Segment[][] = columns.map(() => []);
    for (const l of lines) {
      const placed = headerLinePlacement(l.segments);
      l.segments.forEach((seg, i) => words[placed[i]!]!.push(seg));
    }
    const levels = words.map((segs) => {
      const out: Segment[][] = [[]];
      segs.forEach((seg, i) => {
        const text = seg.raw.replace(/\s+/g, '');
        const next = segs[i + 1]?.raw.replace(/\s+/g, '');
        out[out.length - 1]!.push(seg);
        if (next !== undefined && (GROUP_HEADER.test(text) || LEAF_HEADER.test(next))) out.push([]);
      });
      return out;
    });
    const depth = Math.max(...levels.map((l) => l.length));
    // Leaves share the bottom row; the levels above them are aligned from the bottom up.
    return Array.from({ length: depth }, (_, r) => levels.map((lv) => cellOf(lv[r - (depth - lv.length)] ?? [], '')));
  };
  const rowOf = (lines: Line[], joiner: string, sameType: boolean): GridCell[] => {
    const perColumn: Segment[][] = columns.map(() => []);
    for (const l of lines) for (const s of l.segments) perColumn[columnOf(s, sameType)]!.push(s);
    return perColumn.map((segs) => cellOf(segs, joiner));
  };
  // Wrapped header lines make one header row: each column's words top to bottom.
  // A header line of only 收入 / 支出 names the halves of a two-sided table: it stays a row of its own.
  const header = block.slice(0, headerLines);
  const sideLines = header.filter((l) => l.segments.every((seg) => /^(?:本年)?(?:收入|支出)$/.test(seg.raw.replace(/\s+/g, ''))));
  const labelLines = header.filter((l) => !sideLines.includes(l));
  const spelled = options.headerWords ? spellHeader(labelLines, typed, options.headerWords, territoryDistance) : null;
  const headerRows = [...sideLines.map(sideRow), ...(spelled ? spelled.map((row) => row.map((c) => ({ ...cellOf(c.segs, ''), colSpan: Math.max(1, c.span), covered: c.span === 0 }))) : leveledHeaderRows(labelLines))];
  const bodyRows = options.dump ? dumpRows(body, (l) => rowOf([l], ' ', true), (seg) => columnOf(seg, false), isFigure) : body.map((l) => rowOf([l], ' ', true));
  const rows = mergeLabelIntoFigureColumns([...headerRows, ...bodyRows], headerRows.length, typed);
  const bbox = block.map((l) => l.bbox).reduce(union);
  return { type: 'grid', rows, page, bbox, ruled: false };
}

/**
 * A column header or 栏次 number printed off-centre (left of its right-aligned figures) lands in a column of
 * its own. Such a column (no figures in the body) is folded into the figure column right after it when the two
 * never hold text in the same row.
 */
function mergeLabelIntoFigureColumns(rows: GridCell[][], headerRows: number, typed: { figures: boolean }[]): GridCell[][] {
  const hasText = (c: GridCell | undefined) => c !== undefined && c.raw.trim() !== '';
  const foldable = (k: number) => {
    if (typed[k]!.figures || !typed[k + 1]?.figures) return false;
    if (rows.slice(headerRows).some((r) => isPrintedFigure(r[k]!.raw))) return false;
    // The label column must say something that belongs to a figure column: a header word or a 栏次 number.
    if (!rows.some((r) => hasText(r[k]))) return false;
    const onlyColumnNumbers = rows.slice(headerRows).every((r) => !hasText(r[k]) || /^\d{1,2}$/.test(r[k]!.raw.trim()));
    return onlyColumnNumbers && rows.every((r) => !(hasText(r[k]) && hasText(r[k + 1])));
  };
  let out = rows;
  for (let k = typed.length - 2; k >= 0; k--) {
    if (!foldable(k)) continue;
    out = out.map((r) => [...r.slice(0, k), hasText(r[k]) ? r[k]! : r[k + 1]!, ...r.slice(k + 2)]);
  }
  return out;
}

interface Piece {
  seg: Segment;
  text: string;
  line: number;
}

/**
 * Header words a dump scattered over several lines and interleaved with the next column's ("政府性基金 国有资本 经",
 * "预算拨款收 营预算 拨款", "入 收入") are put back together by spelling known column names: each figure column,
 * left to right, takes the longest known name that its nearby pieces spell in reading order, nearest pieces first.
 * Known group words left over (本年支出, 预算数 …) form a level above; other leftovers join their nearest column.
 * Returns header rows of segments per column, or null when some figure column spells no known name.
 */
function spellHeader(lines: Line[], typed: { range: [number, number]; figures: boolean }[], words: readonly string[], distance: (seg: Segment, k: number) => number): HeaderCell[][] | null {
  if (lines.length === 0) return null;
  const pieces: Piece[] = lines.flatMap((l, line) => l.segments.map((seg) => ({ seg, text: normaliseText(seg.raw).replace(/\s+/g, ''), line })));
  const known = [...new Set(words.map((w) => w.replace(/\s+/g, '')))].filter((w) => w.length >= 2).sort((a, b) => b.length - a.length);
  const leaves = known.filter((w) => !GROUP_HEADER.test(w));
  // 预算数 alone over its figures is that column's name, not a level above.
  const lastResort = [...known.filter((w) => GROUP_HEADER.test(w)), '预算数', '决算数', '金额'];
  const spellColumns = (groups: Set<Piece>): Piece[][] | null => {
    const used = new Set<Piece>(groups);
    const leafOf: Piece[][] = typed.map(() => []);
    for (let k = 0; k < typed.length; k++) {
      if (!typed[k]!.figures) continue;
      // Near: within this column's territory or a neighbour's.
      const near = pieces.filter((p) => !used.has(p) && Math.min(distance(p.seg, k), k > 0 ? distance(p.seg, k - 1) : Infinity, k + 1 < typed.length ? distance(p.seg, k + 1) : Infinity) === 0);
      // Names run left to right like their columns: the leftmost name still unspelled is this column's; the longest
      // of those starting with the same piece ("一般公共预算拨款收入" over "一般公共预算").
      const score = (found: { pieces: Piece[]; cost: number }) => found.pieces[0]!.seg.bbox[0] * 1000 - found.pieces.reduce((n, p) => n + p.text.length, 0);
      let best: { pieces: Piece[]; cost: number } | null = null;
      for (const word of leaves) {
        const found = spell(word, near, (p) => distance(p.seg, k));
        if (found && (!best || score(found) < score(best))) best = found;
      }
      for (const word of best ? [] : lastResort) {
        const found = spell(word, near.filter((p) => distance(p.seg, k) === 0), (p) => distance(p.seg, k));
        if (found && (!best || score(found) < score(best))) best = found;
      }
      // A column no known name fits keeps whatever pieces are left nearest to it.
      if (!best) continue;
      best.pieces.forEach((p) => used.add(p));
      leafOf[k] = best.pieces;
    }
    return leafOf;
  };
  // More known names than figure columns: the name highest up heads the ones below it (基本支出 over 人员经费 | 公用经费).
  const groups = new Set<Piece>();
  let leafOf = spellColumns(groups);
  for (let attempt = 0; attempt < 3 && leafOf; attempt++) {
    const spelled = new Set(leafOf.flat());
    const extra = pieces.filter((p) => !spelled.has(p) && !groups.has(p) && (leaves.includes(p.text) || lastResort.includes(p.text)));
    if (extra.length === 0) break;
    const lowest = Math.min(...extra.map((p) => p.line));
    const above = leafOf.filter((ps) => ps.length > 0 && ps.every((p) => p.line < lowest)).sort((a, b) => Math.max(...a.map((p) => p.line)) - Math.max(...b.map((p) => p.line)));
    if (above.length === 0) break;
    above[0]!.forEach((p) => groups.add(p));
    const again = spellColumns(groups);
    if (!again) {
      above[0]!.forEach((p) => groups.delete(p));
      break;
    }
    leafOf = again;
  }
  if (!leafOf) return null;
  const used = new Set<Piece>(leafOf.flat());
  const grouped: { piece: Piece; nearest: number }[] = [];
  const nearestColumn = (p: Piece) => {
    let nearest = 0;
    for (let k = 1; k < typed.length; k++) if (distance(p.seg, k) < distance(p.seg, nearest)) nearest = k;
    return nearest;
  };
  for (const p of pieces) {
    if (used.has(p)) continue;
    if (GROUP_HEADER.test(p.text) || groups.has(p)) {
      grouped.push({ piece: p, nearest: nearestColumn(p) });
      continue;
    }
    // Any other leftover names a label column (行次, 科目名称 …) or a column no known name fits.
    let home = -1;
    for (let k = 0; k < typed.length; k++) if ((!typed[k]!.figures || leafOf[k]!.length === 0) && (home < 0 || distance(p.seg, k) < distance(p.seg, home))) home = k;
    if (home < 0) return null;
    leafOf[home]!.push(p);
  }
  // 科目编码 over 类 | 款 | 项 heads all three: whatever shares a column with one of them is a level above.
  leafOf.forEach((ps, k) => {
    if (ps.length < 2 || !ps.some((p) => /^[类款项]$/.test(p.text))) return;
    grouped.push(...ps.filter((p) => !/^[类款项]$/.test(p.text)).map((piece) => ({ piece, nearest: k })));
    leafOf[k] = ps.filter((p) => /^[类款项]$/.test(p.text));
  });
  const bySpelling = (a: Piece, b: Piece) => a.line - b.line || a.seg.bbox[0] - b.seg.bbox[0];
  const leafText = leafOf.map((ps) => ps.sort(bySpelling).map((p) => p.text).join(''));
  const leafRow: HeaderCell[] = leafOf.map((ps) => ({ segs: ps.map((p) => p.seg), span: 1 }));
  return [...groupLevels(grouped, typed, leafText), leafRow];
}

/** A header cell of a rebuilt dump header: its words and how many columns it spans (0: covered by a span). */
interface HeaderCell {
  segs: Segment[];
  span: number;
}

const VEHICLE_GROUP = /^公务用车购置及运行(?:维护)?费$/;
const VEHICLE_PART = /^(?:小计|.*购置费|.*运行(?:维护)?费)$/;

/**
 * Header levels above the leaves, one per printed line of group words, each group spanning its columns:
 * 科目编码 its 类|款|项, 公务用车购置及运行费 its 小计|购置费|运行费, any other (预算数, 本年支出 …) the figure
 * columns nearer to it than to another group on its line, within its parent's span.
 */
function groupLevels(grouped: { piece: Piece; nearest: number }[], typed: { range: [number, number]; figures: boolean }[], leafText: string[]): HeaderCell[][] {
  const lines = [...new Set(grouped.map((g) => g.piece.line))].sort((a, b) => a - b);
  const centre = (range: [number, number]) => (range[0] + range[1]) / 2;
  const spans: { from: number; to: number }[][] = [];
  const rows: HeaderCell[][] = [];
  for (const line of lines) {
    const onLine = grouped.filter((g) => g.piece.line === line).sort((a, b) => a.nearest - b.nearest);
    const row: HeaderCell[] = typed.map(() => ({ segs: [], span: 1 }));
    const levelSpans: { from: number; to: number }[] = [];
    for (const g of onLine) {
      const run = (fits: (k: number) => boolean) => {
        let from = g.nearest;
        let to = g.nearest;
        if (!fits(from)) return null;
        while (from > 0 && fits(from - 1)) from--;
        while (to + 1 < typed.length && fits(to + 1)) to++;
        return { from, to };
      };
      let span: { from: number; to: number } | null;
      if (/^[类款项]$/.test(leafText[g.nearest] ?? '')) span = run((k) => /^[类款项]$/.test(leafText[k] ?? ''));
      else if (VEHICLE_GROUP.test(g.piece.text)) span = run((k) => typed[k]!.figures && VEHICLE_PART.test(leafText[k] ?? ''));
      else {
        const parent = spans.flat().filter((p) => p.from <= g.nearest && g.nearest <= p.to).pop();
        const mine = typed.flatMap((c, k) => {
          if (!c.figures || (parent && (k < parent.from || k > parent.to))) return [];
          const gap = (o: { piece: Piece }) => Math.abs((o.piece.seg.bbox[0] + o.piece.seg.bbox[2]) / 2 - centre(c.range));
          const closest = onLine.reduce((a, b) => (gap(b) < gap(a) ? b : a));
          return closest === g ? [k] : [];
        });
        span = mine.length > 0 ? { from: Math.min(...mine), to: Math.max(...mine) } : null;
      }
      span ??= { from: g.nearest, to: g.nearest };
      if (levelSpans.some((o) => span!.from <= o.to && span!.to >= o.from)) continue;
      levelSpans.push(span);
      row[span.from] = { segs: [g.piece.seg], span: span.to - span.from + 1 };
      for (let k = span.from + 1; k <= span.to; k++) row[k] = { segs: [], span: 0 };
    }
    spans.push(levelSpans);
    rows.push(row);
  }
  return rows;
}

/**
 * Known column names spelled by header pieces lying close together (each piece within four characters of the
 * first), longest names first: the x-ranges of those names.
 */
function spelledNames(lines: Line[], words: readonly string[]): { range: [number, number]; line: number }[] {
  const pieces: Piece[] = lines.flatMap((l, line) => l.segments.map((seg) => ({ seg, text: normaliseText(seg.raw).replace(/\s+/g, ''), line })));
  const names = [...new Set(words.map((w) => w.replace(/\s+/g, '')))].filter((w) => w.length >= 2 && !GROUP_HEADER.test(w)).sort((a, b) => b.length - a.length);
  const used = new Set<Piece>();
  const ranges: { range: [number, number]; line: number }[] = [];
  for (const name of names) {
    for (const first of pieces) {
      if (used.has(first) || !name.startsWith(first.text)) continue;
      const local = pieces.filter((p) => !used.has(p) && p.seg.bbox[0] <= first.seg.bbox[2] + WRAP_REACH && p.seg.bbox[2] >= first.seg.bbox[0] - WRAP_REACH && (p === first || p.line > first.line || p.seg.bbox[0] > first.seg.bbox[0]));
      const found = spell(name, local, (p) => (p === first ? 0 : Math.abs(p.seg.bbox[0] - first.seg.bbox[0])));
      if (!found || found.pieces[0] !== first) continue;
      found.pieces.forEach((p) => used.add(p));
      if (process.env.DEBUG_SPELL) console.error('spelled', name, found.pieces.map((p) => `${p.text}@${p.line}:${p.seg.bbox[0]}`).join(' '));
      const range: [number, number] = [Math.min(...found.pieces.map((p) => p.seg.bbox[0])), Math.max(...found.pieces.map((p) => p.seg.bbox[2]))];
      ranges.push({ range, line: first.line });
    }
  }
  return ranges;
}

/** The pieces that spell `word` in reading order (line by line, left to right), the cheapest such choice. */
/** How far (layout units: 10 per dumped character) a wrapped header piece may sit from the first piece of its name. */
const WRAP_REACH = 40;

function spell(word: string, pieces: Piece[], cost: (p: Piece) => number): { pieces: Piece[]; cost: number } | null {
  const ordered = [...pieces].sort((a, b) => a.line - b.line || a.seg.bbox[0] - b.seg.bbox[0]);
  let best: { pieces: Piece[]; cost: number } | null = null;
  const walk = (at: number, from: number, chosen: Piece[], total: number) => {
    if (best && total >= best.cost) return;
    if (at === word.length) {
      best = { pieces: [...chosen], cost: total };
      return;
    }
    for (let i = from; i < ordered.length; i++) {
      const p = ordered[i]!;
      if (p.text.length === 0 || !word.startsWith(p.text, at)) continue;
      // The pieces of one wrapped name sit within a few characters of each other.
      const first = chosen[0];
      if (first && (p.seg.bbox[0] > first.seg.bbox[2] + WRAP_REACH || p.seg.bbox[2] < first.seg.bbox[0] - WRAP_REACH)) continue;
      chosen.push(p);
      walk(at + p.text.length, i + 1, chosen, total + cost(p) + 1);
      chosen.pop();
    }
  };
  walk(0, 0, [], 0);
  return best;
}

/**
 * Figure columns of a dump from the rows that fill them all: the k-th figure of such a row is in the k-th column,
 * however far the converter shifted it. A row with blanks places each figure at the column whose right edge is
 * nearest, keeping their order. Null when too few rows are full to tell the columns.
 */
function figuresByOrder(rows: Segment[][], columnNumbers: Segment[]): { columns: [number, number][]; index: Map<Segment, number> } | null {
  const mostFigures = Math.max(0, ...rows.map((r) => r.length));
  const numbered = columnNumbers.length >= mostFigures && columnNumbers.length > 0;
  const width = numbered ? columnNumbers.length : mostFigures;
  const full = rows.filter((r) => r.length === width);
  if (width === 0 || (!numbered && full.length === 0)) return null;
  const centre = (seg: Segment) => (seg.bbox[0] + seg.bbox[2]) / 2;
  const columns = Array.from({ length: width }, (_, k) => {
    const members = [...full.map((r) => r[k]!), ...(numbered ? [columnNumbers[k]!] : [])];
    return [Math.min(...members.map((seg) => seg.bbox[0])), Math.max(...members.map((seg) => seg.bbox[2]))] as [number, number];
  });
  // Figures are right-aligned: rows that fill every column give the right edges; else the column numbers' centres.
  const byRightEdge = full.length > 0;
  const anchor = columns.map((_, k) => (byRightEdge ? median(full.map((r) => r[k]!.bbox[2])) : centre(columnNumbers[k]!)));
  const index = new Map<Segment, number>();
  columnNumbers.forEach((seg, k) => numbered && index.set(seg, k));
  for (const row of rows) {
    const placed = row.length === width ? row.map((_, k) => k) : placeInOrder(row.map((seg) => (byRightEdge ? seg.bbox[2] : centre(seg))), anchor);
    row.forEach((seg, k) => index.set(seg, placed[k]!));
  }
  // Each column spans every figure placed in it.
  for (const [seg, k] of index) columns[k] = [Math.min(columns[k]![0], seg.bbox[0]), Math.max(columns[k]![1], seg.bbox[2])];
  return { columns, index };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Monotone placement of positions onto slots (fewer positions than slots) with the least total distance. */
function placeInOrder(positions: number[], slots: number[]): number[] {
  const m = positions.length;
  if (m === 0 || m > slots.length) return positions.map((_, i) => Math.min(i, slots.length - 1));
  return monotonePlacement(m, slots.length, (i, k) => Math.abs(positions[i]! - slots[k]!));
}

/** Items 0..m-1 onto slots 0..width-1 (m ≤ width), in order and one per slot, at the least total `cost(item, slot)`. */
function monotonePlacement(m: number, width: number, cost: (item: number, slot: number) => number): number[] {
  if (m === 0) return [];
  // best[i][k]: least total cost placing items 0..i with item i in slot k.
  const best = Array.from({ length: m }, () => new Array<number>(width).fill(Infinity));
  const from = Array.from({ length: m }, () => new Array<number>(width).fill(-1));
  for (let i = 0; i < m; i++) {
    for (let k = i; k < width - (m - 1 - i); k++) {
      const own = cost(i, k);
      if (i === 0) best[0]![k] = own;
      else
        for (let j = i - 1; j < k; j++) {
          if (best[i - 1]![j]! + own < best[i]![k]!) {
            best[i]![k] = best[i - 1]![j]! + own;
            from[i]![k] = j;
          }
        }
    }
  }
  let k = best[m - 1]!.indexOf(Math.min(...best[m - 1]!));
  const placed = new Array<number>(m);
  for (let i = m - 1; i >= 0; i--) {
    placed[i] = k;
    k = from[i]![k]!;
  }
  return placed;
}

/**
 * Rows of a dumped table. A line of one label is a wrapped piece of a neighbour's name when a neighbouring row has
 * that cell empty, when it goes on a name already wrapped, or when it is too short to be a name; else it is a row
 * with nothing budgeted.
 */
function dumpRows(lines: Line[], rowOf: (l: Line) => GridCell[], columnOf: (seg: Segment) => number, isFigure: (seg: Segment) => boolean): GridCell[][] {
  let body = lines;
  const pitch = (body[0]?.bbox[3] ?? 0) - (body[0]?.bbox[1] ?? 0);
  const emptyAt = (line: Line | undefined, column: number) => line !== undefined && line.segments.length >= 2 && rowOf(line)[column]!.raw.trim() === '';
  // A figure too wide for its cell wraps: "24995.9" on one line, its last digits right under it.
  const tails = new Set<Line>();
  body.forEach((line, k) => {
    const tail = line.segments.length === 1 ? line.segments[0]! : null;
    if (!tail || !/^\d{1,3}$/.test(tail.raw)) return;
    const above = body.slice(Math.max(0, k - 2), k).reverse().flatMap((l) => (Math.abs(l.bbox[1] - line.bbox[1]) <= pitch * 2.5 ? l.segments.filter(isFigure) : []));
    const head = above.find((seg) => Math.abs(seg.bbox[2] - tail.bbox[2]) <= 10 && /\.\d$/.test(seg.raw));
    if (!head) return;
    head.raw += tail.raw;
    tails.add(line);
  });
  body = body.filter((l) => !tails.has(l));
  const fragments = new Set<Line>();
  body.forEach((line, k) => {
    if (line.segments.length !== 1 || isFigure(line.segments[0]!) || /^\d+$/.test(line.segments[0]!.raw)) return;
    const column = columnOf(line.segments[0]!);
    const near = (other: Line | undefined) => other !== undefined && Math.abs(other.bbox[1] - line.bbox[1]) <= pitch * 2.5;
    const neighbourEmpty = [body[k - 1], body[k + 1]].some((other) => near(other) && emptyAt(other, column));
    const goesOn = fragments.has(body[k - 1]!) && near(body[k - 1]);
    const wrappedAround = k >= 2 && fragments.has(body[k - 2]!) && near(body[k - 1]) && !fragments.has(body[k - 1]!);
    const short = !/^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d)/.test(line.segments[0]!.raw) && [...line.segments[0]!.raw].length <= 3;
    if (neighbourEmpty || goesOn || wrappedAround || short) fragments.add(line);
  });
  let dataLines = body.filter((l) => !fragments.has(l));
  let bodyRows = dataLines.map(rowOf);
  // Figures printed on a line of their own just above a row with those cells empty belong to that row
  // (a tall cell whose figure sits higher than its wrapped label).
  const floating = new Set<number>();
  bodyRows.forEach((row, r) => {
    const next = bodyRows[r + 1];
    const line = dataLines[r]!;
    if (!next || line.segments.some((seg) => !isFigure(seg)) || dataLines[r + 1]!.bbox[1] - line.bbox[1] > pitch * 2.5) return;
    if (!row.every((cell, c) => cell.raw.trim() === '' || next[c]!.raw.trim() === '')) return;
    row.forEach((cell, c) => {
      if (cell.raw.trim() !== '') next[c] = cell;
    });
    floating.add(r);
  });
  dataLines = dataLines.filter((_, r) => !floating.has(r));
  bodyRows = bodyRows.filter((_, r) => !floating.has(r));
  let previous: { line: Line; row: number } | null = null;
  body.forEach((line, k) => {
    if (!fragments.has(line)) return;
    // A second wrapped line under a name already continued below its row goes on with that name.
    const goesOn = previous !== null && previous.line === body[k - 1] && dataLines[previous.row]!.bbox[1] < line.bbox[1] ? previous.row : undefined;
    previous = { line, row: attachFragment(line, dataLines, bodyRows, columnOf(line.segments[0]!), goesOn) };
  });
  return bodyRows;
}

/**
 * A wrapped name on a line of its own joins the nearest row whose cell in that column is empty (the row it was
 * centred on), else the row above it as the name's tail.
 */
function attachFragment(fragment: Line, dataLines: Line[], rows: GridCell[][], column: number, goesOn?: number): number {
  const y = (l: Line) => (l.bbox[1] + l.bbox[3]) / 2;
  const fy = y(fragment);
  let target = -1;
  let best = Infinity;
  dataLines.forEach((l, r) => {
    const distance = Math.abs(y(l) - fy) - (y(l) < fy ? 0.5 : 0);
    if (rows[r]![column]!.raw.trim() === '' && distance < best && distance <= 3 * (l.bbox[3] - l.bbox[1])) {
      best = distance;
      target = r;
    }
  });
  if (goesOn !== undefined) target = goesOn;
  if (target < 0) target = dataLines.reduce((found, l, r) => (y(l) < fy ? r : found), -1);
  if (target < 0) target = 0;
  const cell = rows[target]![column]!;
  const raw = y(dataLines[target]!) < fy || cell.raw === '' ? cell.raw + fragment.segments[0]!.raw : fragment.segments[0]!.raw + cell.raw;
  // The joined cell is no surer than the least sure of its parts.
  const confidence = Math.min(cell.raw === '' ? 1 : cell.confidence, ...fragment.segments[0]!.items.map((i) => i.confidence));
  rows[target]![column] = { ...cell, raw, text: normaliseText(raw), confidence };
  return target;
}
