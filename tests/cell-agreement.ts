import type { OutputDocument } from '../src/output.js';

/** How far one extraction's figures agree with another's, cell by cell (non-zero numeric cells of the T tables). */
export interface CellAgreement {
  expected: number;
  found: number;
  /** Cells present in both at the same table, row and column but with another value. */
  wrong: string[];
  missing: string[];
}

const rowKey = (r: { code: string | null; unit_code: string | null; name: string | null }) => (r.code ? `c:${r.code}|${r.unit_code ?? ''}` : `n:${(r.name ?? '').replace(/\s+/g, '')}|${r.unit_code ?? ''}`);

/**
 * Compare `actual` against `expected` the way the answer-key scorer does: tables by kind and part, rows by code
 * (else name and occurrence), columns by header path (else by unique leaf).
 */
export function cellAgreement(expected: OutputDocument, actual: OutputDocument): CellAgreement {
  const result: CellAgreement = { expected: 0, found: 0, wrong: [], missing: [] };
  const used = new Set<number>();
  for (const table of expected.tables.filter((t) => /^T/.test(t.kind))) {
    const index = actual.tables.findIndex((t, i) => !used.has(i) && t.kind === table.kind && t.part === table.part);
    const other = index >= 0 ? actual.tables[index]! : null;
    if (index >= 0) used.add(index);
    const columnOf = (path: string[]) => {
      if (!other) return -1;
      const joined = path.join('/');
      const exact = other.columns.findIndex((c) => c.path.join('/') === joined);
      if (exact >= 0) return exact;
      const leaf = path[path.length - 1];
      const byLeaf = other.columns.flatMap((c, k) => (c.path[c.path.length - 1] === leaf ? [k] : []));
      return byLeaf.length === 1 ? byLeaf[0]! : -1;
    };
    const keyed = (rows: typeof table.rows) => {
      const seen = new Map<string, number>();
      return rows.map((r) => {
        const base = rowKey(r);
        seen.set(base, (seen.get(base) ?? 0) + 1);
        return `${base}#${seen.get(base)}`;
      });
    };
    const otherRows = new Map(other ? keyed(other.rows).map((k, i) => [k, other.rows[i]!] as const) : []);
    keyed(table.rows).forEach((key, r) => {
      table.rows[r]!.values.forEach((value, c) => {
        if (typeof value !== 'number' || value === 0) return;
        result.expected++;
        const where = `${table.kind}${table.part ? `/${table.part}` : ''} ${key} [${table.columns[c]!.path.join('/')}]`;
        const row = otherRows.get(key);
        const column = columnOf(table.columns[c]!.path);
        const got = row && column >= 0 ? row.values[column] : undefined;
        if (got === value) result.found++;
        else if (typeof got === 'number') result.wrong.push(`${where}: ${value} read as ${got}`);
        else result.missing.push(`${where}: ${value}`);
      });
    });
  }
  return result;
}
