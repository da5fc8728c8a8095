import type { Cell, DocumentIR, Row, TableIR } from './model.js';
import { parseAmountCell } from './normalise.js';
import type { Template } from './templates.js';
import { decimalsOf, runChecks, type CellOutcome, type Checker } from './validate.js';

/** Confidence of an OCR figure that no identity proves: just below the review line. */
export const UNPROVEN_CONFIDENCE = 0.89;
/** Confidence of an OCR figure the arithmetic replaced. */
export const CORRECTED_CONFIDENCE = 0.8;
/** Confidence of an OCR figure an identity disputes and nothing could correct. */
export const DISPUTED_CONFIDENCE = 0.5;

/** Below a hundredth of a fen: equal, with no rounding. */
const EXACT = 1e-6;

interface Place {
  row: Row;
  column: number;
  cell: Cell;
}

/**
 * Digits OCR confuses with each other (0↔8, 1↔7, 3↔8, 5↔6; 5↔9 seen on a photocopy: 992.72 for 592.72; 1↔4 in the
 * Song figures of real Fujian tables: 18764.88 for 48764.88, 1048.02 for 4048.02).
 */
const CONFUSED: Record<string, string[]> = { '0': ['8'], '8': ['0', '3'], '1': ['7', '4'], '4': ['1'], '7': ['1'], '3': ['8'], '5': ['6', '9'], '6': ['5'], '9': ['5'] };

/** Letters OCR reads for digits in a figure it took for text ("L15" for 1.15, "了.74" for 7.74). */
const DIGIT_LOOKALIKES: Record<string, string> = { L: '1', l: '1', I: '1', i: '1', '|': '1', '!': '1', 丨: '1', O: '0', o: '0', D: '0', Q: '0', S: '5', s: '5', B: '8', Z: '2', z: '2', 了: '7', g: '9', q: '9' };

/**
 * Readings one slip away from an OCR figure: a dropped or doubled digit, a lost decimal point, a confused
 * digit, a minus sign gained or lost; plus any other reading the recogniser gave. A figure read as text is first
 * taken as its digits, and as its digits with look-alike letters read as digits. Only well-formed amounts are kept.
 */
export function alternativeReadings(raw: string, others: string[] = []): number[] {
  const digitsOf = (text: string) => text.replace(/[^\d.,-]/g, '');
  const digits = digitsOf(raw);
  const candidates = new Set<string>(others);
  const readAsText = parseAmountCell(raw).kind !== 'amount';
  const bases = readAsText ? [...new Set([digits, digitsOf([...raw].map((ch) => DIGIT_LOOKALIKES[ch] ?? ch).join(''))])] : [digits];
  for (const base of bases) {
    // A reading with a speck in it ("7:74"): the digits alone.
    if (readAsText) candidates.add(base);
    for (let i = 0; i < base.length; i++) {
      const ch = base[i]!;
      if (/\d/.test(ch)) {
        candidates.add(base.slice(0, i) + base.slice(i + 1));
        candidates.add(base.slice(0, i) + ch + base.slice(i));
        for (const swap of CONFUSED[ch] ?? []) candidates.add(base.slice(0, i) + swap + base.slice(i + 1));
      }
    }
    // A speck read as a minus sign, or a minus lost.
    candidates.add(base.startsWith('-') ? base.slice(1) : `-${base}`);
    const plain = base.replace(/,/g, '');
    if (!plain.includes('.') && plain.length > 2) candidates.add(`${plain.slice(0, -2)}.${plain.slice(-2)}`);
  }
  const first = parseAmountCell(raw);
  const values = new Set<number>();
  for (const candidate of candidates) {
    // Thousands commas, when printed, must group by three: "3,6088.46" is not a reading.
    if (candidate.includes(',') && !/^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(candidate)) continue;
    const parsed = parseAmountCell(candidate);
    if (parsed.kind !== 'amount') continue;
    // The decimals printed do not change with a slip of one digit.
    if (first.kind === 'amount' && parsed.amount.decimals !== first.amount.decimals && !/^\d+$/.test(raw.replace(/[,\s]/g, ''))) continue;
    if (first.kind !== 'amount' || parsed.amount.value !== first.amount.value) values.add(parsed.amount.value);
  }
  return [...values];
}

/**
 * OCR cells of amount columns that read as text with digits in them ("7:74", ":2.20"): a figure misread, not a
 * word. The column must hold figures in other rows.
 */
function unreadPlaces(doc: DocumentIR): (Place & { decimals: number; table: TableIR })[] {
  return doc.tables.flatMap((table) =>
    table.rows.flatMap((row) =>
      row.cells.flatMap((cell, column) => {
        const value = row.values[column];
        if (cell.source !== 'ocr' || typeof value !== 'string' || !/\d/.test(value)) return [];
        const figures = table.rows.filter((r) => typeof r.values[column] === 'number');
        const words = table.rows.filter((r) => typeof r.values[column] === 'string').length;
        const decimals = Math.max(0, ...figures.map((r) => decimalsOf(r.cells[column]?.raw ?? '')));
        return figures.length > words ? [{ row, column, cell, decimals, table }] : [];
      }),
    ),
  );
}

/**
 * A figure OCR read as text ("7:74") takes the one reading a slip away (the lost decimal point, the speck dropped)
 * that every identity of the cell holds with, one of them proving it; it is then source `corrected` like any arithmetic repair.
 */
function readUnreadFigures(doc: DocumentIR, template: Template): void {
  let before = runChecks(doc, template);
  for (const place of unreadPlaces(doc)) {
    const original = place.row.values[place.column]!;
    const working: number[] = [];
    // No more decimals than the column prints: 7.744 would pass a sum of 7.74 within its rounding.
    const readings = alternativeReadings(place.cell.raw, (place.cell.alternatives ?? []).map((a) => a.raw)).filter((v) => decimalsOf(String(v)) <= place.decimals);
    for (const value of readings) {
      place.row.values[place.column] = value;
      const after = runChecks(doc, template);
      const own = after.outcomes.get(place.cell);
      if (holdsExactly(own) && own.passed >= 1 && after.failed <= before.failed && !newlyFailing(before, after)) working.push(value);
    }
    place.row.values[place.column] = original;
    if (working.length !== 1) continue;
    correct(doc, place, working[0]!);
    // Only a correction changes what the next place is checked against.
    before = runChecks(doc, template);
  }
}

/** Every identity of a cell holds with its value, and any figure it copies exactly (no rounding slack). */
function holdsExactly(own: CellOutcome | undefined): own is CellOutcome {
  return own !== undefined && own.failed === 0 && own.slack < EXACT;
}

function correct(doc: DocumentIR, place: Place, value: number): void {
  const read = place.cell.raw;
  place.row.values[place.column] = value;
  place.cell.source = 'corrected';
  place.cell.read_as = read;
  place.cell.confidence = Math.min(place.cell.confidence, CORRECTED_CONFIDENCE);
  doc.issues.push({
    code: 'ocr.corrected',
    severity: 'warning',
    page: place.cell.page,
    bbox: place.cell.bbox,
    message: `OCR read "${read}" for ${place.row.name_raw || place.row.code || 'a row'}; the identities it takes part in hold only with ${value}, so that is used (reading kept in read_as)`,
  });
}

function ocrPlaces(doc: DocumentIR): (Place & { table: TableIR })[] {
  return doc.tables.flatMap((table) => table.rows.flatMap((row) => row.cells.flatMap((cell, column) => (cell.source === 'ocr' && typeof row.values[column] === 'number' ? [{ row, column, cell, table }] : []))));
}

/**
 * Correct OCR misreadings the identities locate. For each doubtful OCR figure in a failing identity (or a sure
 * one that two failing identities point at), every alternative reading is tried; a figure is corrected when exactly one of its alternatives makes every
 * identity it takes part in pass, fails none that passed before, and no other figure of those failing
 * identities could explain them as well. The corrected cell keeps its reading in `read_as`, gets source
 * `corrected` and a lowered confidence, and an issue names it. Printed (text-layer) figures are never changed.
 */
export function proveOcrFigures(doc: DocumentIR, template: Template): void {
  readUnreadFigures(doc, template);
  for (let round = 0; round < 6; round++) {
    const before = runChecks(doc, template);
    if (before.failed === 0) return;
    // Doubtful readings are open to correction; a confident one only when two identities it breaks (its row's and
    // its column's) both point at it, and then two must vouch for the new value.
    const doubtful = (p: Place) => p.cell.confidence < 0.9 || (p.cell.alternatives?.length ?? 0) > 0;
    const places = ocrPlaces(doc).filter((p) => {
      const failed = before.outcomes.get(p.cell)?.failed ?? 0;
      return failed > 0 && (doubtful(p) || failed >= 2);
    });
    const fixes: { place: Place; value: number }[] = [];
    const held: { place: Place; value: number }[] = [];
    for (const place of places) {
      const original = place.row.values[place.column] as number;
      const working: number[] = [];
      const reread = new Set((place.cell.alternatives ?? []).map((a) => parseAmountCell(a.raw)).flatMap((p) => (p.kind === 'amount' ? [p.amount.value] : [])));
      for (const value of alternativeReadings(place.cell.raw, (place.cell.alternatives ?? []).map((a) => a.raw))) {
        place.row.values[place.column] = value;
        const after = runChecks(doc, template);
        const own = after.outcomes.get(place.cell);
        // Every identity of the cell must hold with the new value, one of them proving it.
        // Otherwise two must vouch: two proving identities, or two that broke with the reading and hold with the value
        // (a row's total equal to its only part proves nothing alone, but it was broken by this reading).
        const easy = doubtful(place) && (reread.size === 0 || reread.has(value));
        const repaired = before.outcomes.get(place.cell)?.failed ?? 0;
        // Two broken identities that hold again vouch even when neither proves (a speck's "10.00" in a blank cell: both
        // sums then have a single non-zero part).
        // A reading put in must equal exactly a figure it copies: 1.1 for a printed 1.11 holds only within the rounding tolerance.
        const vouched = holdsExactly(own) && ((own.passed >= 1 && (easy || own.passed >= 2)) || repaired >= 2);
        if (!(after.failed < before.failed && !newlyFailing(before, after))) continue;
        if (vouched) working.push(value);
        else if (easy && own !== undefined && (own.passed >= 1 || reread.has(value)) && own.slack < EXACT && onlyOthersToBlame(after, place.cell)) held.push({ place, value });
      }
      place.row.values[place.column] = original;
      if (working.length === 1) fixes.push({ place, value: working[0]! });
    }
    // Two figures that could each explain the same failure: neither is proven wrong.
    let accepted = fixes.filter((fix) => !fixes.some((other) => other !== fix && sharesFailure(before, fix.place.cell, other.place.cell)));
    // Two misreadings in one sum (a column's 合计 over two rows misread): neither fix holds that sum alone. A fix
    // its own row's sum proves, where every sum still failing has another doubly disputed figure in it, is taken,
    // one a round; the next round holds the other to every identity.
    const heldFixes = held.filter((fix) => held.filter((other) => other.place.cell === fix.place.cell).length === 1);
    if (accepted.length === 0 && heldFixes.length > 0) accepted = [heldFixes[0]!];
    if (accepted.length === 0) return;
    for (const { place, value } of accepted) correct(doc, place, value);
  }
}

/** Every identity of the cell that still fails holds another figure that fails two identities or more. */
function onlyOthersToBlame(after: Checker, cell: Cell): boolean {
  const failing = after.failures.filter((cells) => cells.includes(cell));
  return failing.length > 0 && failing.every((cells) => cells.some((other) => other !== cell && (after.outcomes.get(other)?.failed ?? 0) >= 2));
}

function newlyFailing(before: Checker, after: Checker): boolean {
  for (const [cell, tally] of after.outcomes) if (tally.failed > (before.outcomes.get(cell)?.failed ?? 0)) return true;
  return false;
}

/** Whether two candidate fixes touch the same failing identity (a cell of each in one failure). */
function sharesFailure(before: Checker, a: Cell, b: Cell): boolean {
  return before.failures.some((cells) => cells.includes(a) && cells.includes(b));
}

/**
 * Confidence that can be trusted for OCR figures: proven by an identity that holds to the last digit and
 * disputed by none → at least 0.95; disputed → 0.5 with an issue; proven by nothing, or only within the
 * rounding tolerance → just below the review line.
 */
export function settleOcrConfidence(doc: DocumentIR, checker: Checker): void {
  for (const place of unreadPlaces(doc)) {
    place.cell.confidence = Math.min(place.cell.confidence, DISPUTED_CONFIDENCE);
    doc.issues.push({ code: 'ocr.figure_unread', severity: 'warning', table: place.table.kind, ...(place.table.part ? { part: place.table.part } : {}), page: place.cell.page, bbox: place.cell.bbox, message: `OCR read "${place.cell.raw}" (${place.row.name_raw || place.row.code || 'a row'}) in a column of figures and no single re-reading is proven by the identities: kept as text` });
  }
  const unproven = new Map<string, (Place & { table: TableIR })[]>();
  for (const place of ocrPlaces(doc)) {
    const tally = checker.outcomes.get(place.cell);
    const value = place.row.values[place.column];
    // A zero that breaks an identity is as suspect as any figure in it (1.00 read as 0.00); one that breaks none
    // proves nothing and is left as read.
    if (value === 0 && !(tally && tally.failed > 0)) continue;
    if (tally && tally.failed > 0) {
      place.cell.confidence = Math.min(place.cell.confidence, DISPUTED_CONFIDENCE);
      doc.issues.push({ code: 'ocr.disputed', severity: 'warning', table: place.table.kind, ...(place.table.part ? { part: place.table.part } : {}), page: place.cell.page, bbox: place.cell.bbox, message: `OCR figure "${place.cell.raw}" (${place.row.name_raw || place.row.code || 'a row'}) breaks an identity and no single re-reading explains it` });
    } else if (tally && tally.exact > 0) place.cell.confidence = Math.max(place.cell.confidence, 0.95);
    else {
      // A sum that holds only within the rounding tolerance proves nothing of its last digit: 1,007.23 read for
      // 1,007.24 passes a 合计 the source itself prints a fen off (003 held-out seed 36).
      place.cell.confidence = Math.min(place.cell.confidence, UNPROVEN_CONFIDENCE);
      const key = `${place.table.kind}|${place.table.part ?? ''}`;
      unproven.set(key, [...(unproven.get(key) ?? []), place]);
    }
  }
  // One issue a table, not one a figure: a Sichuan 项目支出 table can hold hundreds no identity reaches.
  for (const places of unproven.values()) {
    const { table, cell } = places[0]!;
    const pages = [...new Set(places.map((p) => p.cell.page).filter((p) => p !== null))];
    doc.issues.push({
      code: 'ocr.unproven',
      severity: 'warning',
      table: table.kind,
      ...(table.part ? { part: table.part } : {}),
      page: cell.page,
      bbox: cell.bbox,
      message: `${places.length} OCR figure(s) of ${table.title || table.kind} take part in no identity that proves them exactly (confidence ${UNPROVEN_CONFIDENCE}, page(s) ${pages.join(', ')}); the first is "${cell.raw}" (${places[0]!.row.name_raw || places[0]!.row.code || 'a row'}), at this issue's bbox`,
    });
  }
}
