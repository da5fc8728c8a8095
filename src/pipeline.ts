import { extractorFor } from '../extractors/registry.js';
import { chooseTemplate, classifyTables, readMetadata } from './classify.js';
import { makeInput } from './ingest.js';
import { layoutPage } from './layout.js';
import type { DocumentIR, Issue, TableIR } from './model.js';
export { documentStatus } from './status.js';
import { agreeOnDepartment, agreeOnUnitCodes, agreeOnUnitNames, agreeOnUnitPlaces, alignTwinColumnGroups, correctOcrLabels, correctOcrRowNames, inferColumnsFromOrder, nameTotalsByArithmetic } from './ocr-correct.js';
import { assembleTables, readTable, type RawTable } from './tables.js';
import { loadTemplates, type Template } from './templates.js';
import { validateDocument } from './validate.js';

/** Hooks a caller may pass to follow a document through the stages. */
export interface ProgressHooks {
  /** Called as pages are read, with the number read so far and the total. */
  pages?: (done: number, total: number) => void;
}

/** One step of the pipeline: it fills its own slot of the IR. */
export interface Stage {
  name: string;
  run(doc: DocumentIR, hooks: ProgressHooks, state: StageState): Promise<void> | void;
}

/** Working state shared by the stages of one document that is not part of the output. */
export interface StageState {
  raws: RawTable[];
  template: Template | null;
}


export const stages: Stage[] = [
  {
    name: 'extract',
    async run(doc, hooks) {
      const extractor = extractorFor(doc);
      if (!extractor) throw new Error(`no extractor reads ${doc.input.media} input yet`);
      await extractor.extract(doc, (n) => hooks.pages?.(n, doc.pageCount));
    },
  },
  {
    name: 'layout',
    run(doc) {
      if (doc.pages.length > 0) doc.flow = doc.pages.flatMap((page) => layoutPage(page));
    },
  },
  {
    name: 'tables',
    run(doc, _hooks, state) {
      state.raws = assembleTables(doc.flow);
      correctOcrLabels(state.raws, loadTemplates(), doc.issues);
      const text = doc.flow.map((b) => (b.type === 'line' ? b.text : b.rows.map((r) => r.map((c) => c.text).join(' ')).join('\n'))).join('\n');
      const { chosen, scores } = chooseTemplate(loadTemplates(), state.raws, text);
      state.template = chosen;
      doc.templateScores = scores;
      doc.template = chosen ? (scores.find((s) => s.id === chosen.id) ?? null) : null;
      const departmentCode = doc.flow.map((b) => (b.type === 'line' ? /^部门[:：]\s*(\d{2,9})[-－—]/.exec(b.text.replace(/\s+/g, '')) : null)).find(Boolean)?.[1] ?? null;
      doc.tables = state.raws.flatMap((raw) => readTable(raw, { departmentCode }, doc.issues));
    },
  },
  {
    name: 'classify',
    run(doc, _hooks, state) {
      classifyTables(doc.tables, state.template, doc.issues);
      doc.tables = doc.tables.filter((t) => keepTable(t, doc.issues, state.template === null));
      doc.meta = readMetadata(doc, state.template);
      agreeOnDepartment(doc);
      correctOcrRowNames(doc.tables, loadTemplates(), doc.meta.department, doc.issues);
      agreeOnUnitCodes(doc.tables, doc.issues);
      agreeOnUnitNames(doc.tables, doc.issues);
      agreeOnUnitPlaces(doc.tables, doc.meta.department, doc.issues);
      // After the codes are mended: a misread 款 code ("21015") would otherwise hide its 项 rows from the sums.
      nameTotalsByArithmetic(doc.tables, loadTemplates(), state.template, doc.issues);
      alignTwinColumnGroups(doc.tables, loadTemplates(), doc.issues);
      inferColumnsFromOrder(doc.tables, state.template, doc.issues);
      for (const t of doc.tables) t.unit ??= doc.meta.unit;
    },
  },
  {
    name: 'validate',
    run(doc, _hooks, state) {
      if (state.template) {
        for (const spec of state.template.tables.filter((s) => s.required)) {
          if (!doc.tables.some((t) => t.kind === spec.kind)) {
            doc.issues.push({ code: 'table.missing', severity: 'error', table: spec.kind, message: `no table matches ${spec.kind} (${spec.titles[0] ?? spec.kind}) of template ${state.template.id}` });
          }
        }
      } else {
        doc.issues.push({ code: 'template.none', severity: 'error', message: 'unknown layout: no region template matches this document' });
      }
      validateDocument(doc, state.template);
    },
  },
];

/** Tables no template claims: kept (as X-unknown, sent to review) when they hold amounts, dropped otherwise. */
/**
 * The role of a table no template claims, guessed from its title and header (documents of an unknown
 * layout only: inside a known layout a guess could shadow the template's own table of that kind).
 */
export function inferKind(table: TableIR): string {
  const title = table.title;
  const labels = (table.headerLabels ?? []).join('|');
  const econ = table.rows.some((r) => r.code !== null && /^[35]\d{2}(?:\d{2})?$/.test(r.code));
  if (table.part !== null) return /财政拨款/.test(title) ? 'T04' : 'T01';
  if (/三公/.test(title)) return 'T10';
  if (/政府性基金/.test(title)) return 'T06';
  if (/国有资本经营/.test(title)) return 'T07';
  if (/基本支出/.test(title) && (econ || /经济分类/.test(title + labels))) return 'T09';
  if (/经济分类/.test(title) && econ) return 'T08';
  if (/一般公共预算/.test(title) && /支出/.test(title)) return 'T05';
  if (/收入/.test(title) && !/支出/.test(title)) return 'T02';
  if (/支出/.test(title) && !/收入/.test(title)) return 'T03';
  return 'X-unknown';
}

function keepTable(table: TableIR, issues: Issue[], unknownLayout: boolean): boolean {
  if (table.kind !== 'X-unknown') return true;
  const numeric = table.rows.some((r) => r.values.some((v) => typeof v === 'number'));
  const page = table.pages[0] ?? null;
  if (!numeric) {
    issues.push({ code: 'table.skipped', severity: 'info', page, message: `a grid without amounts${table.title ? ` ("${table.title}")` : ''} on page ${page ?? '?'} is not a budget table; skipped` });
    return false;
  }
  if (unknownLayout) table.kind = inferKind(table);
  const guessed = table.kind !== 'X-unknown' ? `; read as ${table.kind} from its title and header` : '';
  issues.push({ code: 'table.unknown', severity: 'warning', page, table: table.kind, message: `unknown layout: table "${table.title || '(untitled)'}" on page ${page ?? '?'} matches no template table${guessed}` });
  return true;
}

export function emptyDocument(path: string, bytes: Uint8Array): DocumentIR {
  const { input, text } = makeInput(path, bytes);
  const doc: DocumentIR = {
    input,
    pageCount: 0,
    pages: [],
    flow: [],
    tables: [],
    meta: { doc_type: 'budget', year: null, department: null, province: null, city: null, county: null, region: 'unknown', unit: null },
    template: null,
    templateScores: [],
    issues: [],
    checks: { run: 0, passed: 0, failed: 0 },
    pageSources: { text: 0, ocr: 0 },
    pageRoutes: [],
    confidence: 0,
  };
  if (text !== undefined) doc.text = text;
  return doc;
}

/** Run every stage over one input. Throws only when the input cannot be processed at all. */
export async function processDocument(path: string, bytes: Uint8Array, hooks: ProgressHooks = {}): Promise<DocumentIR> {
  const doc = emptyDocument(path, bytes);
  const state: StageState = { raws: [], template: null };
  for (const stage of stages) await stage.run(doc, hooks, state);
  scoreDocument(doc);
  return doc;
}

/** Confidence per table and document, and the document status. */
export function scoreDocument(doc: DocumentIR): void {
  const failedTables = new Set(doc.issues.filter((i) => i.severity === 'error' && i.table).map((i) => `${i.table}|${i.part ?? ''}`));
  for (const table of doc.tables) {
    const cellConfidence = Math.min(1, ...table.rows.flatMap((r) => r.cells.map((c) => c.confidence)));
    const penalty = failedTables.has(`${table.kind}|${table.part ?? ''}`) ? 0.8 : table.kind === 'X-unknown' ? 0.5 : 1;
    table.confidence = round3(cellConfidence * penalty);
  }
  const missing = doc.issues.filter((i) => i.code === 'table.missing').length;
  const tableConfidence = doc.tables.length ? Math.min(...doc.tables.map((t) => t.confidence)) : 0;
  const expected = doc.tables.length + missing;
  doc.issues.sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  doc.confidence = round3(expected ? tableConfidence * (doc.tables.length / expected) : 0);
}

function severityRank(s: Issue['severity']): number {
  return s === 'error' ? 0 : s === 'warning' ? 1 : 2;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

