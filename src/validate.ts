import type { Cell, Column, DocumentIR, Issue, Row, TableIR } from './model.js';
import { hasMajorOrdinal } from './normalise.js';
import { lookupCode, functionClassCode } from './reference.js';
import type { FigureRef, IdentitySpec, TableSpec, Template } from './templates.js';
import { titleKey } from './classify.js';
import { proveOcrFigures, settleOcrConfidence } from './prove.js';

/** Tolerance per summand in units of the last printed decimal (尾数误差), and its cap (OUTPUT.md). */
const PER_SUMMAND_UNITS = 1;
const MAX_UNITS = 5;

/** How far a printed sum of `summands` amounts may differ from theirs by rounding: a unit of the last decimal per summand, five at most. */
export function roundingTolerance(summands: number, decimals: number): number {
  return Math.min(summands * PER_SUMMAND_UNITS, MAX_UNITS) * 10 ** -decimals;
}

interface Figure {
  label: string;
  value: number;
  decimals: number;
  page: number | null;
  cell?: Cell;
}

/** Decimal places a printed figure shows ("1,493.59" → 2). */
export function decimalsOf(raw: string): number {
  const m = /\.(\d+)\s*$/.exec(raw.replace(/,/g, ''));
  return m ? m[1]!.length : 0;
}

function figure(label: string, row: Row, col: number): Figure | null {
  const v = row.values[col];
  if (typeof v === 'string') return null;
  const cell = row.cells[col];
  return { label, value: v ?? 0, decimals: cell ? decimalsOf(cell.raw) : 2, page: cell?.page ?? null, ...(cell ? { cell } : {}) };
}

function rowLabel(row: Row): string {
  return row.name_raw || row.code || row.unit_code || '(unnamed row)';
}

const TOTAL_NAME = /(?:合计|总计)$/;

/** What the checks said of one cell (see `Checker.outcomes`). */
export interface CellOutcome {
  passed: number;
  failed: number;
  slack: number;
  /** Proving checks that held with no difference at all (`passed` counts those within the rounding tolerance too). */
  exact: number;
}

export class Checker {
  readonly issues: Issue[] = [];
  /**
   * Per cell: how many checks it took part in that passed and that failed (the arithmetic's proof), and the largest
   * difference a passing check of a total against its only non-zero part allowed within the rounding tolerance
   * (`slack`): one figure copied has no rounding to absorb, so anything but 0 there is a misreading.
   */
  readonly outcomes = new Map<Cell, CellOutcome>();
  /** The cells of each failed check. */
  readonly failures: Cell[][] = [];
  run = 0;
  passed = 0;
  failed = 0;

  /** Compare `found` with the sum of `parts` (or `op` le: found ≤ sum); record the outcome. */
  compare(
    code: string,
    message: string,
    table: TableIR,
    found: Figure,
    parts: Figure[],
    op: 'eq' | 'le' = 'eq',
    column: string[] | null = null,
    row: string | null = null,
  ): void {
    const involved = [found, ...parts];
    if (involved.every((f) => f.cell && f.cell.raw.trim() === '')) return;
    this.run++;
    const decimals = Math.max(...involved.map((f) => f.decimals), 0);
    const unit = 10 ** -decimals;
    const tolerance = roundingTolerance(parts.length, decimals);
    const expected = parts.reduce((s, p) => s + p.value, 0);
    const delta = round(found.value - expected, decimals + 2);
    const ok = op === 'eq' ? Math.abs(delta) <= tolerance + 1e-9 : delta <= tolerance + 1e-9;
    // An equality over two or more non-zero parts proves its figures; an inequality, or a total equal to its
    // only part, holds too easily (a misread row can satisfy it) to prove anything.
    const nonZeroParts = parts.filter((p) => p.value !== 0).length;
    const proves = op === 'eq' && nonZeroParts >= 2;
    // A total against its one part copies a figure: whatever the tolerance let through there is recorded as slack.
    const copies = op === 'eq' && nonZeroParts <= 1;
    for (const f of involved) {
      if (!f.cell) continue;
      const tally = this.outcomes.get(f.cell) ?? { passed: 0, failed: 0, slack: 0, exact: 0 };
      if (!ok) tally.failed++;
      else {
        if (proves) tally.passed++;
        if (proves && Math.abs(delta) < 1e-9) tally.exact++;
        if (copies) tally.slack = Math.max(tally.slack, Math.abs(delta));
      }
      this.outcomes.set(f.cell, tally);
    }
    const base = {
      table: table.kind,
      part: table.part,
      row,
      column,
      expected: round(expected, decimals),
      found: found.value,
      delta,
      tolerance: round(tolerance, decimals),
      page: found.page,
      bbox: found.cell?.bbox ?? null,
      figures: involved.map((f) => ({ label: f.label, value: f.value, page: f.page })),
    };
    if (ok) {
      this.passed++;
      if (op === 'eq' && Math.abs(delta) > unit + 1e-9) {
        this.issues.push({ ...base, code: 'identity.rounding', severity: 'warning', message: `${message}: differs by ${fmt(delta)} (within the rounding tolerance ${fmt(tolerance)}); printed ${describe(found, parts, op)}` });
      }
      return;
    }
    this.failed++;
    this.failures.push(involved.flatMap((f) => (f.cell ? [f.cell] : [])));
    this.issues.push({ ...base, code, severity: 'error', message: `${message}: printed ${describe(found, parts, op)}, off by ${fmt(delta)}` });
  }
}

function round(v: number, decimals: number): number {
  const f = 10 ** Math.min(decimals, 8);
  return Math.round(v * f) / f;
}

function fmt(v: number): string {
  return String(round(v, 6));
}

function describe(found: Figure, parts: Figure[], op: 'eq' | 'le'): string {
  const sum = parts.map((p) => `${p.label} ${fmt(p.value)}`).join(' + ');
  return `${found.label} ${fmt(found.value)} ${op === 'eq' ? '≠' : '>'} ${sum}`;
}

// ---------------------------------------------------------------------------------------------
// Within a table

interface ColumnNode {
  label: string;
  column: number | null;
  children: ColumnNode[];
}

function columnTree(columns: Column[]): ColumnNode {
  const root: ColumnNode = { label: '', column: null, children: [] };
  columns.forEach((col, i) => {
    let node = root;
    col.path.forEach((label, depth) => {
      let child = node.children.find((c) => c.label === label && c.column === null);
      if (depth === col.path.length - 1) {
        child = { label, column: i, children: [] };
        node.children.push(child);
      } else if (!child) {
        child = { label, column: null, children: [] };
        node.children.push(child);
      }
      node = child;
    });
  });
  return root;
}

const TOTAL_COLUMN = /^(?:合计|小计|总计|.{0,8}总数)$/;
/** Columns that restate part of a sibling ("扣除基建项目后预算数"): never summed as parts. */
const SUBSET_COLUMN = /扣除/;

/** The columns whose sum makes up a node: a leaf itself, its total child, or its children's totals. */
/**
 * "其中：X" columns: the first of a partition when they open the group ("其中：基本支出 | 项目支出"), but the
 * breakdown of the column before them ("公务用车购置及运行费 | 其中：购置 | 其中：运行") or a mere subset when
 * nothing else is beside them ("小计 | 其中：专项资金") — then they are not parts.
 */
function partColumns(children: ColumnNode[]): ColumnNode[] {
  const isOfWhich = (c: ColumnNode) => /^其中[:：].+/.test(c.label);
  if (children.length > 0 && children.every(isOfWhich) && children.length === 1) return [];
  return children.filter((c, i) => !(isOfWhich(c) && i > 0));
}

function nodeTotal(node: ColumnNode): number[] {
  if (node.column !== null) return [node.column];
  const total = node.children.find((c) => c.column !== null && TOTAL_COLUMN.test(c.label));
  if (total) return [total.column!];
  return node.children.filter((c) => !SUBSET_COLUMN.test(c.label)).flatMap(nodeTotal);
}

function checkColumnSums(table: TableIR, checker: Checker): void {
  const visit = (node: ColumnNode) => {
    const total = node.children.find((c) => c.column !== null && TOTAL_COLUMN.test(c.label));
    const others = partColumns(node.children.filter((c) => c !== total && !SUBSET_COLUMN.test(c.label)));
    if (total && others.length > 0) {
      const partCols = others.flatMap(nodeTotal);
      for (const row of table.rows) {
        const found = figure(table.columns[total.column!]!.path.join('/'), row, total.column!);
        const parts = partCols.map((c) => figure(table.columns[c]!.path.join('/'), row, c));
        if (!found || parts.some((p) => p === null)) continue;
        checker.compare('identity.column_sum', `${rowLabel(row)}: ${total.label} ≠ sum of its columns`, table, found, parts as Figure[], 'eq', table.columns[total.column!]!.path, rowLabel(row));
      }
    }
    node.children.forEach(visit);
  };
  visit(columnTree(table.columns));
}

function valueColumns(table: TableIR): number[] {
  return table.columns.map((_, i) => i).filter((i) => table.rows.some((r) => typeof r.values[i] === 'number'));
}

function totalRow(table: TableIR): Row | undefined {
  return table.rows.find((r) => r.code === null && /^(?:合计|总计)$/.test(r.name));
}

const classNameCache = new Map<string, Set<string>>();

/** The names of the 3-digit classes of a code system ("一般公共服务支出", "工资福利支出"). */
function classNames(system: 'function' | 'economic'): Set<string> {
  const cached = classNameCache.get(system);
  if (cached) return cached;
  const names = new Set<string>();
  classNameCache.set(system, names);
  const firsts = system === 'function' ? [2] : [3, 5];
  for (const first of firsts) {
    for (let n = first * 100; n < first * 100 + 100; n++) {
      const ref = lookupCode(system, String(n));
      if (ref) for (const name of [ref.name, ...ref.aliases]) names.add(titleKey(name));
    }
  }
  return names;
}

/**
 * Rows printed by name only (indentation lost): the rows named after a top-level class are the only
 * level that is known, and only when the list opens with one; otherwise no total can be checked.
 */
function classRows(table: TableIR, spec: TableSpec, total: Row): Row[] {
  if (spec.code_system === 'none') return [];
  const names = classNames(spec.code_system);
  const rows = table.rows.filter((r) => r !== total && r.name !== '' && !TOTAL_NAME.test(r.name));
  const classes = rows.filter((r) => names.has(titleKey(r.name)));
  return rows[0] && classes[0] === rows[0] ? classes : [];
}

function checkCodeHierarchy(table: TableIR, spec: TableSpec | undefined, checker: Checker): void {
  const coded = table.rows.filter((r) => r.code !== null);
  const counts = new Map<string, number>();
  for (const r of coded) counts.set(r.code!, (counts.get(r.code!) ?? 0) + 1);
  const unique = coded.filter((r) => counts.get(r.code!) === 1);
  const cols = valueColumns(table);
  const parentOf = (code: string): Row | undefined => {
    let best: Row | undefined;
    for (const r of unique) if (r.code !== code && code.startsWith(r.code!) && (!best || r.code!.length > best.code!.length)) best = r;
    return best;
  };
  const children = new Map<Row, Row[]>();
  const top: Row[] = [];
  for (const r of coded) {
    const p = parentOf(r.code!);
    if (p) children.set(p, [...(children.get(p) ?? []), r]);
    else top.push(r);
  }
  for (const [parent, kids] of children) {
    if (counts.get(parent.code!) !== 1) continue;
    for (const c of cols) {
      const found = figure(`${parent.code} ${parent.name}`, parent, c);
      const parts = kids.map((k) => figure(`${k.code} ${k.name}`, k, c));
      if (!found || parts.some((p) => p === null)) continue;
      checker.compare('identity.code_hierarchy', `${parent.code} ${parent.name} ≠ sum of its sub-codes`, table, found, parts as Figure[], 'eq', table.columns[c]!.path, rowLabel(parent));
    }
  }
  const total = totalRow(table);
  // The same code under several units (multi-unit tables without unit codes): which rows make the total is not knowable.
  if (!total || [...counts.values()].some((n) => n > 1)) return;
  let members: Row[] = top;
  if (members.length === 0 && spec && spec.code_layout !== 'none') {
    const others = table.rows.filter((r) => r !== total && !TOTAL_NAME.test(r.name));
    const withUnit = others.filter((r) => r.unit_code !== null);
    members = withUnit.length > 0 ? withUnit : others.filter((r) => r.name !== '' && !hasMajorOrdinal(r.name_raw));
  }
  if (members.length === 0 && spec?.code_layout === 'none' && coded.length === 0) members = classRows(table, spec, total);
  if (members.length === 0) return;
  for (const c of cols) {
    const found = figure(total.name_raw || '合计', total, c);
    const parts = members.map((k) => figure(`${k.code ?? ''} ${k.name}`.trim(), k, c));
    if (!found || parts.some((p) => p === null)) continue;
    checker.compare('identity.total_row', `${total.name} ≠ sum of its rows`, table, found, parts as Figure[], 'eq', table.columns[c]!.path, rowLabel(total));
  }
}

/**
 * Rows between two totals may be a subtotal followed by its breakdown (年初结转和结余, then 一般公共预算 /
 * 政府性基金 / 国有资本经营): a row equal, in every column, to the sum of all the rows after it stands for them.
 */
function collapseGroups(rows: Row[], cols: number[]): Row[] {
  const value = (r: Row, c: number) => (typeof r.values[c] === 'number' ? (r.values[c] as number) : 0);
  const out: Row[] = [];
  for (let i = 0; i < rows.length; i++) {
    const rest = rows.slice(i + 1);
    const isParent = rest.length > 0 && rows[i]!.values.some((v) => typeof v === 'number') && cols.every((c) => Math.abs(value(rows[i]!, c) - rest.reduce((s, r) => s + value(r, c), 0)) < 0.005);
    out.push(rows[i]!);
    if (isParent) break;
  }
  return out;
}

const UNNUMBERED = 9;

/** The depth of a row's printed sub-ordinal: （一） above 1、 above (1); unnumbered rows last. */
function ordinalLevel(nameRaw: string): number {
  const name = nameRaw.replace(/\s+/g, '');
  if (/^[（(][一二三四五六七八九十]+[)）]/.test(name)) return 1;
  if (/^\d+[、.．](?!\d)/.test(name)) return 2;
  if (/^[（(]\d+[)）]/.test(name)) return 3;
  return UNNUMBERED;
}

/** Labelled lists (收支总表 halves): 合计 = Σ numbered rows, 总计 = 合计 + the rows between, 一、X = Σ its unnumbered rows. */
function checkLabelledTotals(table: TableIR, checker: Checker): void {
  const rows = table.rows.filter((r) => r.name !== '' || r.values.some((v) => v !== null));
  const cols = valueColumns(table);
  const isTotal = (r: Row) => TOTAL_NAME.test(r.name) && r.code === null;
  let previousTotal = -1;
  rows.forEach((row, t) => {
    if (!isTotal(row)) return;
    let members: Row[];
    if (previousTotal >= 0) {
      const previous = rows[previousTotal]!;
      const between = rows.slice(previousTotal + 1, t);
      // "一、本年支出合计" followed by its class rows: those rows break it down and are not added again.
      members = [previous, ...(hasMajorOrdinal(previous.name_raw) ? between.filter((r) => hasMajorOrdinal(r.name_raw)) : collapseGroups(between, cols))];
    }
    else members = rows.slice(0, t).filter((r) => hasMajorOrdinal(r.name_raw));
    previousTotal = t;
    if (members.length === 0) return;
    for (const c of cols) {
      const found = figure(row.name_raw, row, c);
      const parts = members.map((m) => figure(m.name_raw, m, c));
      if (!found || parts.some((p) => p === null)) continue;
      checker.compare('identity.labelled_total', `${row.name} ≠ sum of the rows it totals`, table, found, parts as Figure[], 'eq', table.columns[c]!.path, rowLabel(row));
    }
  });
  rows.forEach((row, i) => {
    if (!hasMajorOrdinal(row.name_raw) || isTotal(row)) return;
    const listed: Row[] = [];
    for (let k = i + 1; k < rows.length; k++) {
      const r = rows[k]!;
      if (hasMajorOrdinal(r.name_raw) || isTotal(r) || /小计$/.test(r.name)) break;
      listed.push(r);
    }
    if (listed.length === 0 || listed.some((k) => /^其中/.test(k.name_raw.replace(/\s+/g, '')))) return;
    // "1、…" rows with "(1)…" rows under them: only the upper numbered level adds up to the group.
    const levels = listed.map((k) => ordinalLevel(k.name_raw));
    const top = Math.min(...levels);
    const kids = new Set(levels.filter((l) => l < UNNUMBERED)).size > 1 ? listed.filter((_, n) => levels[n] === top) : listed;
    for (const c of cols) {
      const found = figure(row.name_raw, row, c);
      const parts = kids.map((m) => figure(m.name_raw, m, c));
      if (!found || parts.some((p) => p === null)) continue;
      if (found.cell?.raw.trim() === '') continue;
      checker.compare('identity.labelled_group', `${row.name} ≠ sum of its sub-rows`, table, found, parts as Figure[], 'eq', table.columns[c]!.path, rowLabel(row));
    }
  });
}

function findRowByKey(table: TableIR, spec: TableSpec | undefined, key: string): Row | undefined {
  if (key.startsWith('code:')) return table.rows.find((r) => r.code === key.slice(5));
  if (key === 'total') {
    const grand = [...table.rows].reverse().find((r) => r.code === null && /总计$/.test(r.name));
    if (grand) return grand;
    const top = totalRow(table);
    if (top) return top;
    return [...table.rows].reverse().find((r) => r.code === null && /合计$/.test(r.name));
  }
  const labels = spec?.rows.find((r) => r.key === key)?.labels.map(titleKey) ?? [];
  return table.rows.find((r) => labels.includes(titleKey(r.name)));
}

function checkRowSums(table: TableIR, spec: TableSpec, checker: Checker): void {
  for (const sum of spec.checks.row_sums) {
    const total = findRowByKey(table, spec, sum.total);
    const found = sum.parts.map((k) => ({ key: k, row: findRowByKey(table, spec, k) }));
    // A coded part the table does not print (no 307 rows) counts as zero; a missing named part skips the check.
    if (!total || found.some((p) => !p.row && !p.key.startsWith('code:'))) continue;
    const parts = found.map((p) => p.row).filter((r): r is Row => r !== undefined);
    if (parts.length === 0) continue;
    for (const c of valueColumns(table)) {
      const foundFigure = figure(total.name_raw, total, c);
      const figs = parts.map((p) => figure(`${p.code ?? ''} ${p.name_raw}`.trim(), p, c));
      if (!foundFigure || figs.some((f) => f === null)) continue;
      checker.compare('identity.row_sum', `${total.name} ≠ ${parts.map((p) => p.code ?? p.name).join(' + ')}`, table, foundFigure, figs as Figure[], 'eq', table.columns[c]!.path, rowLabel(total));
    }
  }
}

/** Per-row column formulas with subtraction (年末结转和结余 = 年初结转和结余 + 本年收入 − 本年支出). */
function checkColumnFormulas(table: TableIR, spec: TableSpec, checker: Checker): void {
  for (const formula of spec.checks.column_formulas) {
    const col = (key: string) => table.columns.findIndex((c) => c.key === key);
    const total = col(formula.total);
    const plus = formula.plus.map(col);
    const minus = formula.minus.map(col);
    if (total < 0 || [...plus, ...minus].some((c) => c < 0)) continue;
    for (const row of table.rows) {
      const found = figure(table.columns[total]!.path.join('/'), row, total);
      const parts = [
        ...plus.map((c) => figure(table.columns[c]!.path.join('/'), row, c)),
        ...minus.map((c) => {
          const f = figure(`−${table.columns[c]!.path.join('/')}`, row, c);
          return f ? { ...f, value: -f.value } : null;
        }),
      ];
      if (!found || parts.some((p) => p === null)) continue;
      checker.compare('identity.column_formula', `${rowLabel(row)}: ${formula.total} ≠ ${formula.plus.join(' + ')} − ${formula.minus.join(' − ')}`, table, found, parts as Figure[], 'eq', table.columns[total]!.path, rowLabel(row));
    }
  }
}

/** Project rows listed under an uncoded group row (its 项 name) add up to it. */
function checkGroupSums(table: TableIR, checker: Checker): void {
  const cols = valueColumns(table);
  const rows = table.rows;
  rows.forEach((row, i) => {
    if (row.code !== null || row.unit_code !== null || row.name === '' || TOTAL_NAME.test(row.name)) return;
    const kids: Row[] = [];
    for (let k = i + 1; k < rows.length && rows[k]!.code !== null; k++) kids.push(rows[k]!);
    if (kids.length === 0) return;
    for (const c of cols) {
      const found = figure(row.name_raw, row, c);
      const parts = kids.map((m) => figure(`${m.code} ${m.name}`, m, c));
      if (!found || parts.some((p) => p === null)) continue;
      checker.compare('identity.group_sum', `${row.name} ≠ sum of the rows listed under it`, table, found, parts as Figure[], 'eq', table.columns[c]!.path, rowLabel(row));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Across tables

function findTable(doc: DocumentIR, ref: FigureRef): TableIR | undefined {
  return doc.tables.find((t) => t.kind === ref.table && (ref.part === undefined || t.part === ref.part));
}

function resolveColumn(table: TableIR, key: string): number {
  if (key === 'first') return valueColumns(table)[0] ?? 0;
  return table.columns.findIndex((c) => c.key === key);
}

function resolveFigure(doc: DocumentIR, template: Template, ref: FigureRef): { table: TableIR; fig: Figure } | null {
  const table = findTable(doc, ref);
  if (!table) return null;
  const spec = template.tables.find((s) => s.kind === table.kind);
  const row = findRowByKey(table, spec, ref.row);
  const col = resolveColumn(table, ref.column);
  if (!row || col < 0 || col >= table.columns.length) return null;
  const fig = figure(`${table.kind}${table.part ? `/${table.part}` : ''} ${row.name_raw || row.name}${ref.column !== 'first' ? ` [${table.columns[col]!.path.join('/')}]` : ''}`, row, col);
  return fig ? { table, fig } : null;
}

/** Per function class (3-digit code): a labelled table's class rows, or a coded table's class totals. */
function classValues(doc: DocumentIR, ref: FigureRef): Map<string, Figure> | null {
  const table = findTable(doc, ref);
  if (!table) return null;
  const col = resolveColumn(table, ref.column);
  if (col < 0) return null;
  const out = new Map<string, Figure>();
  const coded = table.rows.filter((r) => r.code !== null);
  if (coded.length > 0) {
    for (const r of coded) {
      const cls = r.code!.slice(0, 3);
      const f = figure(`${table.kind} ${r.code} ${r.name}`, r, col);
      if (!f) continue;
      const exact = coded.find((x) => x.code === cls);
      if (exact && r !== exact) continue;
      const prior = out.get(cls);
      const hasAncestor = coded.some((x) => x !== r && r.code!.startsWith(x.code!) && x.code!.length < r.code!.length);
      if (hasAncestor && !exact) continue;
      out.set(cls, prior && r !== exact ? { ...f, value: prior.value + f.value, label: `${table.kind} ${cls}` } : f);
    }
    return out;
  }
  for (const r of table.rows) {
    const cls = functionClassCode(r.name);
    if (!cls) continue;
    const f = figure(`${table.kind}${table.part ? `/${table.part}` : ''} ${r.name_raw}`, r, col);
    if (f) out.set(cls, f);
  }
  return out;
}

function checkIdentity(doc: DocumentIR, template: Template, identity: IdentitySpec, checker: Checker): void {
  if (identity.per_class) {
    const left = classValues(doc, identity.left);
    const rights = identity.right.map((r) => classValues(doc, r));
    const leftTable = findTable(doc, identity.left);
    if (!left || !leftTable || rights.every((r) => r === null)) return;
    const classes = new Set<string>([...left.keys(), ...rights.flatMap((r) => (r ? [...r.keys()] : []))]);
    for (const cls of [...classes].sort()) {
      const found = left.get(cls);
      const parts = rights.map((r) => r?.get(cls)).filter((f): f is Figure => f !== undefined);
      if (!found && parts.every((p) => p.value === 0)) continue;
      if (found && found.value === 0 && parts.length === 0) continue;
      const lhs: Figure = found ?? { label: `${leftTable.kind} class ${cls} (not printed)`, value: 0, decimals: 2, page: leftTable.pages[0] ?? null };
      const rhs = parts.length > 0 ? parts : [{ label: `class ${cls} (not printed)`, value: 0, decimals: 2, page: null }];
      checker.compare(`identity.cross.${identity.id}`, `${identity.description} (class ${cls})`, leftTable, lhs, rhs, identity.op, null, lhs.label);
    }
    return;
  }
  const left = resolveFigure(doc, template, identity.left);
  const rights = identity.right.map((r) => ({ ref: r, resolved: resolveFigure(doc, template, r) }));
  if (!left) return;
  const missing = rights.filter((r) => r.resolved === null);
  // A table the document does not print counts as zero only when it is an optional fund table that is absent.
  if (missing.some((m) => findTable(doc, m.ref) !== undefined)) return;
  if (missing.length === rights.length) return;
  const parts = rights.filter((r) => r.resolved).map((r) => r.resolved!.fig);
  checker.compare(`identity.cross.${identity.id}`, identity.description, left.table, left.fig, parts, identity.op, null, left.fig.label);
}

// ---------------------------------------------------------------------------------------------
// Codes against the reference

/** Names agree when equal after dropping punctuation, bracketed qualifiers and a trailing 支出/费. */
function sameCodeName(reference: string, printed: string): boolean {
  const loose = (s: string) => titleKey(s).replace(/\([^)]*\)/g, '').replace(/[、，,.。·]/g, '').replace(/(?:支出|费用|费)$/, '');
  return loose(reference) === loose(printed);
}

function checkCodes(table: TableIR, spec: TableSpec, issues: Issue[]): void {
  if (spec.code_system === 'none') return;
  for (const row of table.rows) {
    if (!row.code) continue;
    const page = row.cells[0]?.page ?? table.pages[0] ?? null;
    const code = row.code;
    const validShape = spec.code_system === 'function' ? /^2\d{2}(?:\d{2}){0,2}$/.test(code) : /^[35]\d{2}(?:\d{2}){0,2}$/.test(code);
    if (!validShape) {
      issues.push({ code: 'code.structure', severity: 'error', table: table.kind, part: table.part, row: row.name_raw, page, message: `code ${code} is not a ${spec.code_system === 'function' ? 'function (类/款/项: 3, 5 or 7 digits starting with 2)' : 'economic (3, 5 or 7 digits starting with 3 or 5)'} code` });
      continue;
    }
    const ref = lookupCode(spec.code_system, code);
    if (!ref && row.cells.some((c) => c.source === 'ocr' || c.source === 'corrected')) {
      // A printed code the reference lacks may be new; an OCR reading of one is as likely a misread digit (2101561 for 2101501).
      issues.push({ code: 'ocr.code_unverified', severity: 'warning', table: table.kind, part: table.part, row: row.name_raw, page, message: `OCR code ${code} ${row.name} is not in the reference list: check the code against the page` });
    } else if (!ref) {
      issues.push({ code: 'code.unknown', severity: 'info', table: table.kind, part: table.part, row: row.name_raw, page, message: `code ${code} ${row.name} is not in the reference list` });
    } else if (![ref.name, ...ref.aliases].some((n) => sameCodeName(n, row.name))) {
      // A name is evidence, not a figure: editions rename codes and layouts print names elsewhere, so a mismatch is a warning.
      issues.push({
        code: 'code.name_mismatch',
        severity: 'warning',
        table: table.kind,
        part: table.part,
        row: row.name_raw,
        page,
        message: `code ${code} is printed as "${row.name}", the ${ref.verified ? '' : 'unverified '}reference names it "${ref.name}"`,
      });
    }
  }
}

/** Run every check the template names; record issues and the counts on the document. */
/** Every identity of the template over the document's figures, without touching the document. */
export function runChecks(doc: DocumentIR, template: Template | null): Checker {
  const checker = new Checker();
  if (!template) return checker;
  for (const table of doc.tables) {
    const spec = template.tables.find((s) => s.kind === table.templateTable);
    if (!spec) continue;
    if (spec.checks.column_sums) checkColumnSums(table, checker);
    if (spec.checks.code_hierarchy) checkCodeHierarchy(table, spec, checker);
    if (spec.checks.labelled_totals && (spec.two_sided || spec.code_layout === 'none')) checkLabelledTotals(table, checker);
    checkRowSums(table, spec, checker);
    checkColumnFormulas(table, spec, checker);
    if (spec.checks.group_sums) checkGroupSums(table, checker);
  }
  for (const identity of template.identities) checkIdentity(doc, template, identity, checker);
  return checker;
}

export function validateDocument(doc: DocumentIR, template: Template | null): void {
  // OCR readings are proven (or corrected) by the arithmetic before the final count.
  if (template && doc.tables.some((t) => t.rows.some((r) => r.cells.some((c) => c.source === 'ocr')))) proveOcrFigures(doc, template);
  const checker = runChecks(doc, template);
  if (template) {
    for (const table of doc.tables) {
      const spec = template.tables.find((s) => s.kind === table.templateTable);
      if (spec) checkCodes(table, spec, doc.issues);
    }
  }
  settleOcrConfidence(doc, checker);
  doc.issues.push(...checker.issues);
  doc.checks = { run: checker.run, passed: checker.passed, failed: checker.failed };
}
