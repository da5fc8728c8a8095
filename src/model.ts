/**
 * The intermediate representation (IR) that every stage reads and fills.
 *
 * One {@link DocumentIR} travels through the ordered stages of {@link ../src/pipeline.ts}; each
 * stage fills its own slot (`pages`, `flow`, `tables`, `template`, `issues`, …) and never rewrites
 * another stage's slot, so a later OCR extractor only has to produce the same `pages`.
 */

/**
 * Axis-aligned box `[x0, y0, x1, y1]` in PDF points (1/72 inch), origin at the TOP-LEFT of the
 * page as displayed (after the page's /Rotate is applied), y growing downwards.
 */
export type BBox = [number, number, number, number];

/** Where a piece of text came from. `corrected` is reserved for OCR readings fixed by arithmetic. */
export type TextSource = 'text' | 'ocr' | 'corrected';

export type Media = 'pdf' | 'text' | 'image';

/** A run of text as the extractor saw it: one pdf.js text item, one OCR word, or one text-file cell. */
export interface TextItem {
  /** Text after normalisation (Simplified script, half-width digits). */
  text: string;
  /** Text exactly as extracted, before normalisation. */
  raw: string;
  bbox: BBox;
  /** Font size in points (the em height of the glyphs). */
  fontSize: number;
  source: TextSource;
  /** 0..1; 1 for a text layer, the recogniser's confidence for OCR. */
  confidence: number;
  /** Other readings of the same OCR word (a digit-only re-read that disagreed), for the arithmetic to try. */
  alternatives?: { raw: string; confidence: number }[];
}

/** A straight ruling line (or a thin filled rectangle read as one), in page points, top-left origin. */
export interface Ruling {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** One page of a PDF or image, in the common coordinate convention (points, top-left, pages from 1). */
export interface PageIR {
  /** 1-based page number. */
  number: number;
  /** Displayed width and height in points (after rotation). */
  width: number;
  height: number;
  items: TextItem[];
  rulings: Ruling[];
  /** Which extractor produced `items`. */
  source: 'text' | 'ocr' | 'none';
}

/** A cell of a grid: a ruled cell, an aligned column slot, or one tab-separated field. */
export interface GridCell {
  text: string;
  raw: string;
  /** null for text inputs. */
  page: number | null;
  /** null for text inputs. */
  bbox: BBox | null;
  source: TextSource;
  confidence: number;
  /** Number of grid columns / rows this cell covers (merged cells); 1 when not merged. */
  colSpan: number;
  rowSpan: number;
  /** True for a position covered by a merged cell to its left or above. */
  covered: boolean;
  /** Other OCR readings of a single-word cell (see TextItem.alternatives). */
  alternatives?: { raw: string; confidence: number }[];
}

/** What the layout stage hands on: lines of running text and grids, in reading order. */
export type FlowBlock =
  | { type: 'line'; text: string; raw: string; page: number | null; bbox: BBox | null; fontSize: number }
  | { type: 'grid'; rows: GridCell[][]; page: number | null; bbox: BBox | null; ruled: boolean };

/** Where a value column sits in the header: the header cells from the top level down. */
export interface Column {
  /** Canonical key from the template (e.g. `total`, `basic`), else `c<N>`. */
  key: string;
  path: string[];
}

export interface Cell {
  raw: string;
  page: number | null;
  bbox: BBox | null;
  source: TextSource;
  confidence: number;
  /** Set when the printed cell is a dash ("-", "—"): the value is null but something was printed. */
  dash?: boolean;
  /** Other OCR readings of the cell, tried by the arithmetic before any edit. */
  alternatives?: { raw: string; confidence: number }[];
  /** For a cell the arithmetic corrected: the OCR reading it replaced. */
  read_as?: string;
}

export interface Row {
  code: string | null;
  unit_code: string | null;
  name: string;
  name_raw: string;
  /** One per column in the table's unit; null = blank cell; printed 0.00 stays 0. */
  values: (number | string | null)[];
  cells: Cell[];
}

export type TablePart = 'income' | 'expense' | null;

export interface TableIR {
  kind: string;
  part: TablePart;
  title: string;
  title_raw: string;
  unit: string | null;
  pages: number[];
  columns: Column[];
  rows: Row[];
  confidence: number;
  /** Lines printed between the title and the grid (单位, 部门 …) and right after it (备注 …). */
  context: string[];
  /** Every header label of the grid, code and name columns included (for header anchors). */
  headerLabels?: string[];
  /** Which template table matched, for identity checks. */
  templateTable?: string;
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem found by any stage, located as precisely as the stage can. */
export interface Issue {
  code: string;
  severity: Severity;
  message: string;
  table?: string | null;
  part?: TablePart;
  row?: string | null;
  column?: string[] | null;
  expected?: number;
  found?: number;
  delta?: number;
  tolerance?: number;
  page?: number | null;
  bbox?: BBox | null;
  /** The printed figures an identity was computed from. */
  figures?: { label: string; value: number; page?: number | null }[];
}

export interface TemplateChoice {
  id: string;
  version: string;
  score: number;
}

export interface DocumentMeta {
  doc_type: 'budget' | 'final_account';
  year: number | null;
  department: string | null;
  province: string | null;
  city: string | null;
  county: string | null;
  region: string;
  unit: string | null;
}

export interface InputFile {
  /** Path as given on the command line. */
  path: string;
  /** Base name, for `document.source`. */
  name: string;
  bytes: Uint8Array;
  sha256: string;
  media: Media;
  /** Detected text encoding for text inputs. */
  encoding?: string;
}

export interface DocumentIR {
  input: InputFile;
  /** Decoded text of a text input (filled by ingest). */
  text?: string;
  pageCount: number;
  pages: PageIR[];
  flow: FlowBlock[];
  tables: TableIR[];
  meta: DocumentMeta;
  template: TemplateChoice | null;
  templateScores: TemplateChoice[];
  issues: Issue[];
  checks: { run: number; passed: number; failed: number };
  pageSources: { text: number; ocr: number };
  /** Per page: where its text came from and why (text layer, OCR, or none when OCR is off). */
  pageRoutes: { page: number; source: 'text' | 'ocr' | 'both' | 'none'; reason: string }[];
  /** 0..1, from the cell confidences, the checks and the tables found. */
  confidence: number;
}
