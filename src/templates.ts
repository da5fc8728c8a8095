import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from './paths.js';

/** A reference to one figure of a table: a row (by key, name or `total`) in a column (by key, or the first). */
const FigureRef = z
  .object({
    table: z.string().min(1),
    part: z.enum(['income', 'expense']).optional(),
    row: z.string().min(1).describe('a row key from the table\'s `rows`, or "total" for the table total row'),
    column: z.string().min(1).default('first'),
  })
  .strict();

const ColumnSpec = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]*$/, 'column keys are lower_snake_case'),
    labels: z.array(z.string().min(1)).min(1),
  })
  .strict();

const RowSpec = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]*$/, 'row keys are lower_snake_case'),
    labels: z.array(z.string().min(1)).min(1),
  })
  .strict();

const TableSpec = z
  .object({
    kind: z.string().regex(/^(?:T(?:0[1-9]|10)|X-[a-z0-9-]+)$/, 'kind is T01–T10 or X-<slug>'),
    titles: z.array(z.string().min(1)).default([]),
    title_patterns: z.array(z.string().min(1)).default([]),
    header_anchors: z.array(z.string().min(1)).default([]),
    required: z.boolean().default(false),
    two_sided: z.boolean().default(false),
    code_layout: z.enum(['single', 'split', 'none', 'unit']).default('single'),
    code_system: z.enum(['function', 'economic', 'none']).default('none'),
    rows: z.array(RowSpec).default([]),
    /**
     * The amount columns this table prints, left to right, as column keys; a column inside a printed group is
     * written `group/key` ("vehicle/vehicle_purchase" under 公务用车购置及运行费). A document may leave columns out
     * but keeps this order. An OCR header misread beyond recognition takes the one key its place leaves.
     */
    column_order: z.array(z.string().regex(/^(?:[a-z][a-z0-9_]*\/)?[a-z][a-z0-9_]*$/, 'column_order entries are key or group/key')).default([]),
    checks: z
      .object({
        column_sums: z.boolean().default(true),
        code_hierarchy: z.boolean().default(true),
        labelled_totals: z.boolean().default(true),
        /** A row without a code followed by coded rows (project rows under their 项) equals their sum. */
        group_sums: z.boolean().default(false),
        /** Row `total` = Σ rows `parts`; a part written `code:301` is the row with that code (0 when not printed). */
        row_sums: z.array(z.object({ total: z.string(), parts: z.array(z.string()).min(1) }).strict()).default([]),
        /** Per row: column `total` = Σ `plus` − Σ `minus` (columns by key), e.g. 年末 = 年初 + 收入 − 支出. */
        column_formulas: z
          .array(z.object({ total: z.string(), plus: z.array(z.string()).min(1), minus: z.array(z.string()).default([]) }).strict())
          .default([]),
      })
      .strict()
      .default({ column_sums: true, code_hierarchy: true, labelled_totals: true, group_sums: false, row_sums: [], column_formulas: [] }),
  })
  .strict();

const IdentitySpec = z
  .object({
    id: z.string().min(1),
    description: z.string().min(1),
    left: FigureRef,
    op: z.enum(['eq', 'le']),
    right: z.array(FigureRef).min(1),
    /** Compare every function-class row (per code prefix) instead of the totals. */
    per_class: z.boolean().default(false),
  })
  .strict();

export const TemplateSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    version: z.string().min(1),
    description: z.string().min(1),
    region: z.string().min(1),
    province: z.string().nullable(),
    doc_type: z.enum(['budget', 'final_account']),
    cues: z.array(z.string().min(1)).default([]),
    columns: z.array(ColumnSpec).default([]),
    tables: z.array(TableSpec).min(1),
    identities: z.array(IdentitySpec).default([]),
  })
  .strict();

export type Template = z.infer<typeof TemplateSchema>;
export type TableSpec = z.infer<typeof TableSpec>;
export type IdentitySpec = z.infer<typeof IdentitySpec>;
export type FigureRef = z.infer<typeof FigureRef>;

/** A template file that does not match the schema; the message names the file and the bad keys. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Validate one template object; errors name the key path, e.g. `tables.3.kind`. */
export function parseTemplate(data: unknown, source: string): Template {
  const result = TemplateSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new TemplateError(`template ${source} is invalid: ${problems}`);
  }
  const columnKeys = new Set(result.data.columns.map((c) => c.key));
  for (const [i, table] of result.data.tables.entries()) {
    for (const [j, entry] of table.column_order.entries()) {
      const unknown = entry.split('/').find((key) => !columnKeys.has(key));
      if (unknown) throw new TemplateError(`template ${source} is invalid: tables.${i}.column_order.${j}: "${unknown}" is not a key of \`columns\``);
    }
    for (const pattern of table.title_patterns) {
      try {
        new RegExp(pattern);
      } catch (error) {
        throw new TemplateError(`template ${source} is invalid: tables.${i}.title_patterns: ${(error as Error).message}`);
      }
    }
  }
  return result.data;
}

let cached: Template[] | null = null;

/** Every `templates/*.json`, validated; a bad file stops the run before any document is read. */
export function loadTemplates(dir = path.join(projectRoot(), 'templates')): Template[] {
  if (cached && dir === path.join(projectRoot(), 'templates')) return cached;
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const templates = files.map((f) => {
    const file = path.join(dir, f);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new TemplateError(`template ${f} is not valid JSON: ${(error as Error).message}`);
    }
    return parseTemplate(data, f);
  });
  const ids = new Set<string>();
  for (const t of templates) {
    if (ids.has(t.id)) throw new TemplateError(`two templates share the id "${t.id}"`);
    ids.add(t.id);
  }
  if (dir === path.join(projectRoot(), 'templates')) cached = templates;
  return templates;
}

/** Every column name the templates know, for rebuilding headers that a text dump scattered. */
export function headerWords(templates: Template[] = loadTemplates()): string[] {
  return [...new Set(templates.flatMap((t) => t.columns.flatMap((c) => c.labels)))];
}
