import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './paths.js';

/** A classification code from templates/codes (copied from the shared reference, with its source tags). */
export interface ReferenceCode {
  code: string;
  name: string;
  /** Other names the same code carries in other editions. */
  aliases: string[];
  /** True when some source tag is a document that was read, not RECALL (the compiler's memory). */
  verified: boolean;
}

type System = 'function' | 'economic';

const tables = new Map<System, Map<string, ReferenceCode>>();

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function load(system: System): Map<string, ReferenceCode> {
  const cached = tables.get(system);
  if (cached) return cached;
  const file = path.join(projectRoot(), 'templates', 'codes', system === 'function' ? 'function-codes.csv' : 'economic-codes.csv');
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = splitCsvLine(lines[0]!);
  const codeAt = header.indexOf('code');
  const nameAt = header.indexOf('name');
  const sourceAt = header.findIndex((h) => h === 'source' || h === 'edition_or_source');
  const map = new Map<string, ReferenceCode>();
  for (const line of lines.slice(1)) {
    const cells = splitCsvLine(line);
    const code = cells[codeAt]?.trim() ?? '';
    const name = cells[nameAt]?.trim() ?? '';
    const sources = (cells[sourceAt] ?? '').split(';').map((s) => s.trim());
    const verified = sources.some((s) => s !== '' && !s.startsWith('RECALL') && !s.endsWith('NAMEONLY'));
    const prior = map.get(code);
    if (prior) {
      prior.aliases.push(name);
      prior.verified &&= verified;
    } else map.set(code, { code, name, aliases: [], verified });
  }
  tables.set(system, map);
  return map;
}

export function lookupCode(system: System, code: string): ReferenceCode | undefined {
  return load(system).get(code);
}

/** The 3-digit function class printed by name in a 收支总表 ("十九、住房保障支出" → 221). */
export function functionClassCode(name: string): string | null {
  const clean = name.replace(/\s+/g, '');
  for (const ref of load('function').values()) {
    if (ref.code.length !== 3) continue;
    if (ref.name === clean || ref.aliases.includes(clean)) return ref.code;
  }
  return null;
}

/** Every name (and other-edition name) of the classification codes: the names a budget table's rows carry. */
export function referenceNames(): string[] {
  return [...load('function').values(), ...load('economic').values()].flatMap((ref) => [ref.name, ...ref.aliases]);
}

/** The classification codes (either system) that carry `name`, in any edition. */
export function codesNamed(name: string): string[] {
  return [...load('function').values(), ...load('economic').values()].filter((ref) => ref.name === name || ref.aliases.includes(name)).map((ref) => ref.code);
}

/** Whether `code` is a classification code of either system. */
export function isKnownCode(code: string): boolean {
  return load('function').has(code) || load('economic').has(code);
}

/** The name a classification code carries (function system first), or null for an unknown code. */
export function referenceName(code: string): string | null {
  return (load('function').get(code) ?? load('economic').get(code))?.name ?? null;
}
