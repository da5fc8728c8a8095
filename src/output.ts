import { z } from 'zod';
import type { DocumentIR } from './model.js';
import { documentStatus } from './status.js';

/** The per-document JSON of ../shared/spec/OUTPUT.md (schema_version 1); extra fields are allowed. */
const BBoxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable();

const CellSchema = z.object({
  raw: z.string(),
  page: z.number().int().positive().nullable(),
  bbox: BBoxSchema,
  source: z.enum(['text', 'ocr', 'corrected']),
  confidence: z.number().min(0).max(1),
  dash: z.boolean().optional(),
  /** Other OCR readings of the cell. */
  alternatives: z.array(z.object({ raw: z.string(), confidence: z.number() })).optional(),
  /** The OCR reading a corrected cell replaced. */
  read_as: z.string().optional(),
});

const RowSchema = z
  .object({
    code: z.string().nullable(),
    unit_code: z.string().nullable(),
    name: z.string(),
    name_raw: z.string(),
    values: z.array(z.union([z.number(), z.string(), z.null()])),
    cells: z.array(CellSchema),
  })
  .refine((r) => r.values.length === r.cells.length, { message: 'values and cells differ in length' });

const TableSchema = z
  .object({
    kind: z.string().regex(/^(?:T(?:0[1-9]|10)|X-[a-z0-9-]+)$/),
    part: z.enum(['income', 'expense']).nullable(),
    title: z.string(),
    title_raw: z.string(),
    unit: z.string().nullable(),
    pages: z.array(z.number().int().positive()),
    columns: z.array(z.object({ key: z.string(), path: z.array(z.string()) })),
    rows: z.array(RowSchema),
    confidence: z.number().min(0).max(1),
  })
  .refine((t) => t.rows.every((r) => r.values.length === t.columns.length), { message: 'a row has a different number of values than the table has columns' });

const IssueSchema = z.object({
  code: z.string().regex(/^[a-z_]+(?:\.[a-z0-9_-]+)*$/),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  table: z.string().nullable().optional(),
  part: z.enum(['income', 'expense']).nullable().optional(),
  row: z.string().nullable().optional(),
  column: z.array(z.string()).nullable().optional(),
  expected: z.number().optional(),
  found: z.number().optional(),
  delta: z.number().optional(),
  tolerance: z.number().optional(),
  page: z.number().int().nullable().optional(),
  bbox: BBoxSchema.optional(),
  figures: z.array(z.object({ label: z.string(), value: z.number(), page: z.number().nullable().optional() })).optional(),
});

export const OutputSchema = z.object({
  schema_version: z.literal(1),
  document: z.object({
    source: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    media: z.enum(['pdf', 'text', 'image']),
    pages: z.number().int().nonnegative(),
    doc_type: z.enum(['budget', 'final_account']),
    year: z.number().int().nullable(),
    department: z.string().nullable(),
    province: z.string().nullable(),
    city: z.string().nullable(),
    county: z.string().nullable(),
    region: z.string(),
    template: z.object({ id: z.string(), version: z.string(), score: z.number() }).nullable(),
    unit: z.string().nullable(),
    status: z.enum(['ok', 'needs_review', 'failed']),
    confidence: z.number().min(0).max(1),
    page_sources: z.object({ text: z.number().int(), ocr: z.number().int() }),
    page_routes: z.array(z.object({ page: z.number().int(), source: z.enum(['text', 'ocr', 'both', 'none']), reason: z.string() })).optional(),
  }),
  tables: z.array(TableSchema),
  issues: z.array(IssueSchema),
  checks: z.object({ run: z.number().int(), passed: z.number().int(), failed: z.number().int() }),
});

export type OutputDocument = z.infer<typeof OutputSchema> & {
  document: z.infer<typeof OutputSchema>['document'] & { template_scores?: unknown; encoding?: string; error?: string };
};

/** The contract JSON for a processed document, checked against the schema (a failure here is a bug, reported as an issue). */
export function toOutput(doc: DocumentIR): OutputDocument {
  const out = {
    schema_version: 1 as const,
    document: {
      source: doc.input.name,
      sha256: doc.input.sha256,
      media: doc.input.media,
      pages: doc.pageCount,
      doc_type: doc.meta.doc_type,
      year: doc.meta.year,
      department: doc.meta.department,
      province: doc.meta.province,
      city: doc.meta.city,
      county: doc.meta.county,
      region: doc.meta.region,
      template: doc.template,
      template_scores: doc.templateScores,
      unit: doc.meta.unit,
      status: documentStatus(doc),
      confidence: doc.confidence,
      page_sources: doc.pageSources,
      ...(doc.pageRoutes.length > 0 ? { page_routes: doc.pageRoutes } : {}),
      ...(doc.input.encoding ? { encoding: doc.input.encoding } : {}),
    },
    tables: doc.tables.map((t) => ({
      kind: t.kind,
      part: t.part,
      title: t.title,
      title_raw: t.title_raw,
      unit: t.unit,
      pages: t.pages,
      columns: t.columns,
      rows: t.rows,
      confidence: t.confidence,
    })),
    issues: doc.issues,
    checks: doc.checks,
  };
  const parsed = OutputSchema.safeParse(out);
  if (!parsed.success) {
    out.issues.push({
      code: 'output.schema',
      severity: 'error',
      message: `output does not match the contract schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    });
    out.document.status = 'needs_review';
  }
  return out as OutputDocument;
}

/** The JSON written for an input that could not be processed at all. */
export function failedOutput(source: string, sha256: string | null, media: string | null, reason: string): OutputDocument {
  return {
    schema_version: 1,
    document: {
      source,
      sha256: sha256 ?? '',
      // Unreadable bytes have no detected media; the extension is the best remaining guess.
      media: (media ?? (/\.(?:txt|md|text|markdown)$/i.test(source) ? 'text' : /\.(?:png|jpe?g|tiff?)$/i.test(source) ? 'image' : 'pdf')) as 'pdf' | 'text' | 'image',
      pages: 0,
      doc_type: 'budget',
      year: null,
      department: null,
      province: null,
      city: null,
      county: null,
      region: 'unknown',
      template: null,
      unit: null,
      status: 'failed',
      confidence: 0,
      page_sources: { text: 0, ocr: 0 },
      error: reason,
    },
    tables: [],
    issues: [{ code: 'document.failed', severity: 'error', message: reason }],
    checks: { run: 0, passed: 0, failed: 0 },
  };
}
