import { mkdirSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { toYuan } from './normalise.js';
import type { OutputDocument } from './output.js';

/** Write a file so that readers see either the old content or the whole new content, never a part. */
export function writeAtomic(file: string, content: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

export interface WriterOptions {
  outDir: string;
  /** Byte-order mark on CSV output so that Excel and WPS read UTF-8 (default on). */
  bom: boolean;
}

/** One output format. Per-document writers run as each document finishes; batch writers once at the end. */
export interface Writer {
  name: string;
  writeDocument?(stem: string, doc: OutputDocument, options: WriterOptions): void;
  writeBatch?(docs: OutputDocument[], options: WriterOptions): void;
}

export const FACT_COLUMNS = [
  'document_sha256',
  'source',
  'year',
  'region',
  'department',
  'doc_type',
  'table_kind',
  'table_part',
  'table_title',
  'row_code',
  'unit_code',
  'row_name',
  'column_key',
  'column_path',
  'value',
  'unit',
  'value_yuan',
  'page',
  'cell_source',
  'confidence',
] as const;

function printedDecimals(raw: string): number {
  const m = /\.(\d+)\s*\)?\s*$/.exec(raw.replace(/[,，\s]/g, ''));
  return m ? m[1]!.length : 0;
}

/** One row per numeric cell of every table, as the contract lists them. */
export function factRows(doc: OutputDocument): (string | number | null)[][] {
  const rows: (string | number | null)[][] = [];
  for (const table of doc.tables) {
    for (const row of table.rows) {
      row.values.forEach((value, i) => {
        if (typeof value !== 'number') return;
        const cell = row.cells[i];
        const column = table.columns[i];
        rows.push([
          doc.document.sha256,
          doc.document.source,
          doc.document.year,
          doc.document.region,
          doc.document.department,
          doc.document.doc_type,
          table.kind,
          table.part,
          table.title,
          row.code,
          row.unit_code,
          row.name,
          column?.key ?? null,
          column?.path.join('/') ?? null,
          value.toFixed(cell ? printedDecimals(cell.raw) : 2),
          table.unit,
          toYuan(value, table.unit),
          cell?.page ?? null,
          cell?.source ?? null,
          cell?.confidence ?? null,
        ]);
      });
    }
  }
  return rows;
}

export const jsonWriter: Writer = {
  name: 'json',
  writeDocument(stem, doc, options) {
    writeAtomic(path.join(options.outDir, `${stem}.json`), JSON.stringify(doc, null, 2) + '\n');
  },
};

export const csvWriter: Writer = {
  name: 'csv',
  writeBatch(docs, options) {
    const csv = stringify([[...FACT_COLUMNS], ...docs.flatMap(factRows)], { cast: { number: (n) => String(n) } });
    writeAtomic(path.join(options.outDir, 'facts.csv'), (options.bom ? '\ufeff' : '') + csv);
  },
};

export const reviewWriter: Writer = {
  name: 'review',
  writeBatch(docs, options) {
    const lines = docs
      .filter((d) => d.document.status !== 'ok')
      .map((d) =>
        JSON.stringify({
          source: d.document.source,
          sha256: d.document.sha256,
          status: d.document.status,
          confidence: d.document.confidence,
          issues: d.issues.filter((i) => i.severity === 'error' || i.severity === 'warning'),
        }),
      );
    writeAtomic(path.join(options.outDir, 'review.jsonl'), lines.length ? lines.join('\n') + '\n' : '');
  },
};

/** Writers by format name, for `--formats`. */
export const writers: Record<string, Writer> = { json: jsonWriter, csv: csvWriter, review: reviewWriter };
