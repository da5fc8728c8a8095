import { assignColumnKeys, columnKeyOf, mostCommon, titleKey } from './classify.js';
import { closestWord, editDistance, similarity } from './fuzzy.js';
import type { DocumentIR, GridCell, Issue, Row, TableIR } from './model.js';
import { normaliseText } from './normalise.js';
import { codesNamed, isKnownCode, referenceName, referenceNames } from './reference.js';
import { cleanTitle, type RawTable } from './tables.js';
import { roundingTolerance } from './validate.js';
import { headerWords, type TableSpec, type Template } from './templates.js';

/** Header words every layout uses besides the templates' column names. */
const ROLE_WORDS = ['科目编码', '科目代码', '科目名称', '功能分类科目编码', '经济分类科目编码', '类', '款', '项', '单位代码', '单位编码', '单位名称', '单位名称（科目）', '项目', '项目名称', '行次', '栏次', '本年支出', '本年收入', '当年财政拨款安排', '上年结转安排', '预算数', '决算数', '收入', '支出', '其中', '金额'];

/** Every header word a table may print (the templates' column names and the layout's role words), as title keys. */
function headerVocabulary(templates: Template[]): string[] {
  return [...new Set([...headerWords(templates), ...ROLE_WORDS].map(titleKey))];
}

function ocrTable(raw: RawTable): boolean {
  return raw.rows.some((row) => row.some((c) => c.source === 'ocr'));
}

/** A table some of whose figures OCR read. */
function readByOcr(table: TableIR): boolean {
  return table.rows.some((r) => r.cells.some((c) => c.source === 'ocr'));
}

/**
 * Titles and header words misread by OCR ("部门收支总和表", "一般公共大算投款") are replaced by the known title
 * or column name they are closest to, when one is clearly closest; the reading is kept in `title_raw` and in
 * an info issue. A title too garbled for that takes the one title the template's order leaves for its place
 * (see `inferTitlesFromOrder`), with a warning that sends the document to review. Figures are never touched here.
 */
export function correctOcrLabels(raws: RawTable[], templates: Template[], issues: Issue[]): void {
  // The layout the printed titles already name narrows the titles a misreading is matched against
  // ("一般公共预算拨先支出预算表" is Fujian's 拨款 table when the document's other titles are Fujian's).
  const template = likeliestTemplate(raws, templates);
  const titles = [...new Set((template ? [template] : templates).flatMap((t) => t.tables.flatMap((s) => s.titles)).map(titleKey))];
  const words = headerVocabulary(templates);
  // Known when it is a title, or a title after a year ("2025年度…"); "财政拨秋收支预算总表" ends with a title but is another one misread.
  const isKnown = (key: string) => titles.some((t) => namesTitle(key, t));
  // A misread title as close to two known titles takes the one no other table of the document has.
  // By the whole title (a year before it allowed): 财政拨款收支预算总表 does not take 收支预算总表.
  const taken = new Set(raws.map((r) => titleKey(r.title)).flatMap((key) => titles.filter((t) => namesTitle(key, t))));
  for (const raw of raws.filter((r) => ocrTable(r) && r.title === '')) titleFromContext(raw, titles, issues);
  const open = raws.filter((raw) => ocrTable(raw) && titleKey(raw.title) !== '' && !isKnown(titleKey(raw.title)));
  // The clearest correction first: the title it takes is then no longer offered to the others.
  for (;;) {
    const matches = open.flatMap((raw) => {
      const match = closestTitle(titleKey(raw.title), titles.filter((t) => !taken.has(t)));
      return match ? [{ raw, ...match }] : [];
    });
    const best = matches.sort((a, b) => b.score - a.score)[0];
    if (!best) break;
    issues.push({ code: 'ocr.title_corrected', severity: 'info', page: best.raw.pages[0] ?? null, message: `OCR title "${best.raw.title}" read as "${best.title}"` });
    best.raw.title = best.title;
    taken.add(best.title);
    open.splice(open.indexOf(best.raw), 1);
  }
  if (template) inferTitlesFromOrder(raws, open, template, issues);
  // A header word as close to two known words (欧算数: 预算数 or 决算数) takes the one the document prints elsewhere.
  const printed = [...new Set(raws.flatMap((raw) => raw.rows.slice(0, raw.headerRows).flat().map((cell) => titleKey(cell.text))).filter((key) => words.includes(key)))];
  for (const raw of raws.filter(ocrTable)) for (const row of raw.rows.slice(0, raw.headerRows)) row.forEach((cell, c) => (row[c] = correctHeaderCell(cell, words, printed)));
}

/**
 * An OCR table found with no title line: a title that lost its 表 ("一般公共预算基本支出预算") or gained a speck
 * ("财政拨款收支预算总表、") stands among the lines above the grid. The first of them, before the 部门 and 单位 lines,
 * that is clearly closest to a known title becomes the title, to be corrected as any misread title is.
 */
function titleFromContext(raw: RawTable, titles: string[], issues: Issue[]): void {
  // A line may open with the year ("2026年度支出预算总胡", 表 read 胡), not with other figures.
  const candidates = raw.context.filter((line) => !/部门|单位|^\d(?!\d{3}\s*年)|^[（(]?[一二三四五六七八九十]+[)）、]/.test(line) && titleKey(line).length >= 6);
  const asTitle = (text: string) => cleanTitle(text).replace(/[、，,。.:：;；]+$/, '');
  const line = candidates.find((text) => closestTitle(titleKey(asTitle(text)), titles) !== null);
  if (line === undefined) return;
  raw.title = asTitle(line);
  raw.title_raw = line;
  raw.context = raw.context.filter((text) => text !== line);
  issues.push({ code: 'ocr.title_corrected', severity: 'info', page: raw.pages[0] ?? null, message: `OCR line "${line}" above an untitled table taken as its title` });
}

/**
 * The template whose titles the document prints most (two at least, and more than any other), else null. Layouts
 * that share titles (Fujian's and Jiangsu's 收支预算总表 … 财政拨款收支预算总表) tie on the titles read whole; the
 * titles OCR garbled then decide: the template more of them are clearly closest to one of its titles.
 */
function likeliestTemplate(raws: RawTable[], templates: Template[]): Template | null {
  const keys = raws.map((r) => titleKey(r.title)).filter((k) => k !== '');
  const counts = templates
    .map((template) => {
      const named = keys.filter((key) => template.tables.some((spec) => specNamed(spec, key)));
      const titles = template.tables.flatMap((spec) => spec.titles.map(titleKey));
      const garbled = keys.filter((key) => !named.includes(key) && closestTitle(key, titles) !== null).length;
      return { template, count: named.length, garbled };
    })
    .sort((a, b) => b.count - a.count || b.garbled - a.garbled);
  const [first, second] = counts;
  if (!first || first.count < 2) return null;
  return first.count > (second?.count ?? 0) || first.garbled > second!.garbled ? first.template : null;
}

function specNamed(spec: TableSpec, key: string): boolean {
  return spec.titles.some((t) => namesTitle(key, titleKey(t)));
}

/** A title key names a known title when it is that title, or that title after a year ("2025年度…"). */
function namesTitle(key: string, title: string): boolean {
  return key === title || (key.endsWith(title) && /^[\d年度]*$/.test(key.slice(0, key.length - title.length)));
}

/** A garbled title must still share this much with the title its place gives it. */
const INFERRED_TITLE_SIMILARITY = 0.4;

/**
 * Titles OCR garbled beyond matching ("财政拓吉收所算闻表"), placed by the template's order of tables: a run of
 * unknown titles between two known tables takes, in order, the tables the template puts between those two that
 * the document has nowhere else, when there are as many of them as unknown titles and each still resembles its
 * title; a run that opens the document, the tables the template puts before the first known one. A single unknown
 * title before tables the template lets be absent takes the one it resembles clearly most.
 */
function inferTitlesFromOrder(raws: RawTable[], unknown: RawTable[], template: Template, issues: Issue[]): void {
  const specIndex = (raw: RawTable) => template.tables.findIndex((spec) => specNamed(spec, titleKey(raw.title)));
  const present = new Set(raws.map(specIndex).filter((i) => i >= 0).map((i) => template.tables[i]!.kind));
  for (let k = 0; k < raws.length; k++) {
    if (!unknown.includes(raws[k]!)) continue;
    // A run that opens the document is placed before its first known table: the template's first tables.
    const before = k === 0 ? -1 : specIndex(raws[k - 1]!);
    if (k > 0 && before < 0) continue;
    let end = k;
    while (end < raws.length && unknown.includes(raws[end]!)) end++;
    if (end === raws.length || specIndex(raws[end]!) < 0) continue;
    const run = raws.slice(k, end);
    const gap = template.tables.slice(before + 1, specIndex(raws[end]!)).filter((spec) => !present.has(spec.kind) && spec.titles.length > 0);
    const resemblance = (raw: RawTable, spec: TableSpec) => Math.max(...spec.titles.map((t) => titleResemblance(titleKey(raw.title), titleKey(t))));
    let pairs: [RawTable, TableSpec][] = [];
    if (gap.length === run.length) pairs = run.map((raw, i) => [raw, gap[i]!]);
    else if (run.length === 1 && gap.length > 1 && gap.every((spec) => !spec.required || spec === gap.find((g) => g.required))) {
      const ranked = gap.map((spec) => ({ spec, score: resemblance(run[0]!, spec) })).sort((a, b) => b.score - a.score);
      if (ranked[0]!.score - ranked[1]!.score >= 0.1) pairs = [[run[0]!, ranked[0]!.spec]];
    }
    if (pairs.length === 0 || pairs.some(([raw, spec]) => resemblance(raw, spec) < INFERRED_TITLE_SIMILARITY)) continue;
    for (const [raw, spec] of pairs) {
      const title = spec.titles[0]!;
      issues.push({ code: 'ocr.title_inferred', severity: 'warning', page: raw.pages[0] ?? null, message: `OCR title "${raw.title}" matches no known title; ${k === 0 ? 'before' : `between "${raws[k - 1]!.title}" and`} "${raws[end]!.title}" the template's order leaves only "${title}", which it is taken to be` });
      raw.title = title;
      present.add(spec.kind);
    }
    k = end;
  }
}

/** How much a title key resembles a known title (0–1); a year prefix, misread or not ("20296年度"), is not part of the name. */
function titleResemblance(key: string, title: string): number {
  const chars = [...key];
  const tail = chars.slice(-[...title].length).join('');
  const prefix = chars.slice(0, Math.max(0, chars.length - [...title].length)).join('');
  const unprefixed = key.replace(/^[\d年度]+/, '');
  return Math.max(/[\d年度]/.test(prefix) ? similarity(tail, title) : 0, similarity(key, title), unprefixed === key ? 0 : similarity(unprefixed, title));
}

function closestTitle(key: string, titles: string[]): { title: string; score: number } | null {
  let best: { title: string; score: number } | null = null;
  let second = 0;
  for (const title of titles) {
    const score = titleResemblance(key, title);
    if (!best || score > best.score) {
      if (best) second = Math.max(second, best.score);
      best = { title, score };
    } else second = Math.max(second, score);
  }
  return best && best.score >= 0.75 && best.score - second >= 0.1 ? best : null;
}

function correctHeaderCell(cell: GridCell, words: string[], printed: string[]): GridCell {
  const key = titleKey(cell.text);
  if (cell.source === 'ocr' && cell.confidence < 0.3 && !/\p{Script=Han}/u.test(key)) {
    // A header taken for a figure no reading is sure of ("0" for 预算数): the words read beside it, if they match.
    const spelt = (cell.alternatives ?? []).filter((a) => /\p{Script=Han}/u.test(a.raw)).map((a) => closestWord(titleKey(a.raw), words, 0.6, 0.1) ?? closestWord(titleKey(a.raw), printed, 0.6, 0.1)).find((w) => w !== null);
    if (spelt) return { ...cell, text: normaliseText(spelt) };
  }
  if (cell.source !== 'ocr' || key.length < 2 || words.includes(key) || /\d/.test(key)) return cell;
  const match = closestWord(key, words, 0.6, 0.1) ?? closestWord(key, printed, 0.6, 0.1);
  return match ? { ...cell, text: normaliseText(match) } : cell;
}

/** Simple characters a speck of a photocopy is read as anywhere in a cell. */
const SPECKS = '丨丶人入八了卜';
/** …and at a cell's end, where 一, 二 and 和 begin no name's next word. */
const END_SPECKS = `一二${SPECKS}和`;

/** Names of summary and source rows that no classification code carries. */
const SUMMARY_NAMES = ['合计', '总计', '小计', '本年收入合计', '本年支出合计', '收入总计', '支出总计', '收入合计', '支出合计', '上年结转', '上年结转结余', '年终结转结余', '结转下年', '本年收入', '本年支出', '用事业基金弥补收支差额'];
/** An ordinal before a row name ("（一）", "十九、", "1."), kept as printed around a corrected name. */
const ORDINAL_PREFIX = /^(?:[（(]?[一二三四五六七八九十百]+[)）、.．]|[（(]\d+[)）]|\d+[、.．](?!\d))/;

/**
 * Row names misread by OCR ("卫生健康文出", "苑溪县医疗保障局") are replaced by the known name one slip away
 * (see `nearestName`); a row with a known classification code only by that code's own name, a row without a
 * code by any of these: a classification code's name, a summary row's, a template's column name (收支总表 rows carry
 * them), or the department's own name as the document prints it elsewhere. Only rows read by OCR, only names of
 * four characters or more; the reading stays in `name_raw` and an info issue says what was changed.
 */
export function correctOcrRowNames(tables: TableIR[], templates: Template[], department: string | null, issues: Issue[]): void {
  const departmentNames = department ? [department, `${department}部门`, `${department}本级`] : [];
  const vocabulary = [...new Set([...referenceNames(), ...SUMMARY_NAMES, ...headerWords(templates), ...departmentNames].map((n) => n.replace(/\s+/g, '')))].filter((n) => [...n].length >= 2);
  const known = new Set(vocabulary);
  for (const table of tables) {
    const lostCodesFillable = codedNearlyThroughout(table);
    for (const row of table.rows) {
      if (!row.cells.some((c) => c.source === 'ocr' || c.source === 'corrected')) continue;
      correctOcrName(table, row, vocabulary, known, issues);
      correctOcrCode(table, row, lostCodesFillable, issues);
    }
  }
}

/** One OCR row's name corrected (see `correctOcrRowNames`); the reading stays in `name_raw`. */
function correctOcrName(table: TableIR, row: Row, vocabulary: string[], known: Set<string>, issues: Issue[]): void {
  const ordinal = ORDINAL_PREFIX.exec(row.name)?.[0] ?? '';
  const name = row.name.slice(ordinal.length).replace(/\s+/g, '');
  const reference = row.code ? referenceName(row.code) : null;
  const correct = (to: string, why: string) => {
    issues.push({ code: 'ocr.name_corrected', severity: 'info', table: table.kind, page: row.cells.find((c) => c.page !== null)?.page ?? null, message: `OCR row name "${row.name}" read as "${ordinal}${to}"${why}` });
    row.name = `${ordinal}${to}`;
  };
  // A row with a known code whose name differs from the code's only in brackets and punctuation
  // ("维修护费" for 30213 维修（护）费) takes the code's name.
  if (reference && reference !== name && bare(reference) === bare(name)) return correct(reference, `, the name of code ${row.code}`);
  if (known.has(name) || /\d{3,}/.test(name)) return;
  // An ordinal whose 、 was lost and a numeral misread ("十万住房保障支出" for 十九、住房保障支出, "七ys上年结转"): a known name
  // follows it, and no known name starts with numerals but 一般….
  const lostOrdinal = ordinal ? null : /^[一二三四五六七八九十百千万]{1,3}[^\p{Script=Han}]{0,3}/u.exec(name)?.[0];
  const afterOrdinal = lostOrdinal ? name.slice(lostOrdinal.length) : '';
  if ([...afterOrdinal].length >= 4 && known.has(afterOrdinal) && (!reference || afterOrdinal === reference)) return correct(afterOrdinal, `, after an ordinal misread as "${lostOrdinal}"`);
  // An ordinal that kept its 、 but not its numerals ("十妃、住房保障支出" for 十九、): a known name follows the 、.
  // With no numeral left ("上、节能环保支出" for 十一、), only before a known name of four characters or more.
  const garbledOrdinal = ordinal ? null : /^[^、]{1,3}、/u.exec(name)?.[0];
  const afterGarbled = garbledOrdinal ? name.slice(garbledOrdinal.length) : '';
  const minLength = garbledOrdinal && /[一二三四五六七八九十]/.test(garbledOrdinal) ? 2 : 4;
  if ([...afterGarbled].length >= minLength && known.has(afterGarbled) && (!reference || afterGarbled === reference)) return correct(afterGarbled, `, after an ordinal misread as "${garbledOrdinal}"`);
  // Marks after a known name ("合计>", "住房公积金、"): dropped, whatever the name's length.
  const unmarked = withoutTrailingMarks(name);
  if (unmarked !== name && known.has(unmarked) && (!reference || unmarked === reference)) return correct(unmarked, '');
  // A speck at either end of a cell read as a simple character ("合计二", "合计.和"): dropped when what is left is
  // a known name (the code's own, if the row has a code), or one slip from one.
  const despecked = SPECK_GLYPH.test(unmarked) ? withoutTrailingMarks(unmarked.replace(SPECK_GLYPH, '')) : null;
  if (despecked && [...despecked].length >= 2) {
    // What is left short ("人台计" → 台计): only a look-alike slip, as for short names below.
    const nearest = [...despecked].length >= 4 ? nearestName(despecked, reference ? [reference] : vocabulary) : reference ? null : nearestName(despecked, vocabulary, 0.5);
    const match = known.has(despecked) && (!reference || despecked === reference) ? despecked : nearest;
    if (match) return correct(match, '');
  }
  // Short names ("谷计") only by a look-alike character: one real slip in two characters is any of 合计, 小计, 总计.
  if ([...name].length < 4) {
    const lookAlike = nearestName(name, vocabulary, 0.5);
    if (lookAlike && !reference) correct(lookAlike, '');
    return;
  }
  // A row with a known code can only be the code's own name; a row without one, or with a code of another length
  // than the table's whose name is nothing like the row's ("21001" 卫生健康管理事务 on a 行政运行要 row among
  // seven-digit codes: a misread code), any known name.
  const codeMisread = reference !== null && row.code!.length !== usualCodeLength(table) && similarity(bare(name), bare(reference)) < 0.5;
  const candidates = reference && !codeMisread ? [reference] : vocabulary;
  // Specks and border marks read after the name ("行政单位医疗ee", "一般行政管理事务.和"): marks that are no
  // Chinese character, and a character right after such marks; never Chinese characters alone (a real name's tail).
  const tail = /(?:[^\p{Script=Han}）)]+\p{Script=Han}?|[^\p{Script=Han}）)]+)$/u.exec(name)?.[0] ?? '';
  const trimmed = tail ? name.slice(0, name.length - tail.length) : null;
  // A name that is known exactly once its marks are gone is taken whatever the code says (the code may be misread too).
  const exact = trimmed && [...trimmed].length >= 4 && known.has(trimmed) ? trimmed : null;
  const match = nearestName(name, candidates) ?? exact ?? (trimmed && [...trimmed].length >= 4 ? nearestName(trimmed, candidates) : null) ?? withoutInnerSpeck(unmarked, candidates);
  if (match) correct(match, '');
}

/** A speck glyph inside a name, beside its own slip: 本年支出人台计 is 本年支出合计 once 人 goes and 台 is read as 合. */
const INNER_SPECK = new RegExp(`^[${SPECKS}]$`, 'u');

/** The one known name a reading comes to by dropping a single inner speck glyph and at most one look-alike swap. */
function withoutInnerSpeck(reading: string, vocabulary: string[]): string | null {
  const chars = [...reading];
  if (chars.length < 5) return null;
  const found = new Set<string>();
  for (let i = 1; i < chars.length - 1; i++) {
    if (!INNER_SPECK.test(chars[i]!)) continue;
    const match = nearestName([...chars.slice(0, i), ...chars.slice(i + 1)].join(''), vocabulary, 0.5);
    if (match) found.add(match);
  }
  return found.size === 1 ? [...found][0]! : null;
}

/** A name without the marks that are no Chinese character (nor a closing bracket) at its end. */
function withoutTrailingMarks(name: string): string {
  return name.replace(/[^\p{Script=Han}）)]+$/u, '');
}

/** One simple character a speck at a cell's end is read as (二, 人, 和 …); 一 only at the end, many names begin with it (一般…). */
const SPECK_GLYPH = new RegExp(`^[${SPECKS}]|[${END_SPECKS}]$`, 'u');

/**
 * The known name one slip from a reading (a look-alike swap counting half; a second half-slip allowed in names of
 * ten characters or more), when no other known name is as near: a correct name that is merely not in the
 * vocabulary ("医疗保障经办服务" beside "医疗保障经办事务") is two slips away and is left alone.
 */
function nearestName(reading: string, vocabulary: string[], limit?: number): string | null {
  const allowed = limit ?? ([...reading].length >= 10 ? 1.5 : 1);
  let best: { name: string; distance: number } | null = null;
  let second = Infinity;
  for (const name of vocabulary) {
    if (Math.abs([...name].length - [...reading].length) > allowed) continue;
    const distance = editDistance(reading, name);
    if (!best || distance < best.distance) {
      if (best) second = Math.min(second, best.distance);
      best = { name, distance };
    } else second = Math.min(second, distance);
  }
  // A single look-alike swap (half an edit) needs to be only half an edit ahead: 收入台计 is 收入合计, not 收入总计.
  return best && best.distance <= allowed && second - best.distance >= (best.distance <= 0.5 ? 0.5 : Math.min(1, allowed)) ? best.name : null;
}

/**
 * A code OCR misread ("3013" for 30113, "21001" for 2101101) or lost: when it is no classification code, or one of
 * another name, the code carrying the row's name that is one slip from it or has it with up to two digits dropped
 * is used, else one two digits from it that sorts between its neighbours; a row whose code cell was unreadable
 * takes the one code of its name that sorts there. Where a name has several codes
 * (一般行政管理事务, 事业运行), only those that sort between the codes of the rows above and below are kept. A 款
 * code alone among 项 codes ("21016" among seven-digit codes, its 项 digits lost) takes the 项 code of its name
 * under it. An info issue keeps the reading.
 */
/**
 * Whether a row without a code is a code OCR lost rather than one printed blank: from the first coded row on, at
 * most one row in four lacks a code. Layouts that print codes on their leaf rows only (项目支出 rows under uncoded
 * headings, 经济分类 tables coded on a few rows) leave the rest blank by design.
 */
function codedNearlyThroughout(table: TableIR): boolean {
  const first = table.rows.findIndex((r) => r.code !== null);
  if (first < 0) return false;
  const body = table.rows.slice(first);
  const uncoded = body.filter((r) => r.code === null).length;
  return uncoded * 4 <= body.length;
}

function correctOcrCode(table: TableIR, row: Row, lostCodesFillable: boolean, issues: Issue[]): void {
  const read = row.code;
  const name = row.name.replace(/\s+/g, '');
  const named = codesNamed(name).length ? codesNamed(name) : codesNamed(name.replace(/\(/g, '（').replace(/\)/g, '）'));
  const fits = (code: string) => sortsBetweenNeighbours(table, row, code);
  // Only in a table of codes, and only where the neighbours pin the code down.
  const neighboursPinCodes = lostCodesFillable && table.rows.filter((r) => r.code !== null).length >= 3;
  let near: string[];
  // The unit code read in the code lane ("322" with no unit code beside it): the row's own code was lost.
  const shiftedUnit = read !== null && row.unit_code === null && read === commonUnitCode(table) ? read : null;
  if (read === null || shiftedUnit) {
    if (!neighboursPinCodes) return;
    near = named.filter(fits);
  } else {
    // A code that exists and carries the row's name stands; "21001" (卫生健康管理事务) on a 行政单位医疗 row does not.
    if (codeStands(read, row.name)) {
      if (!aloneAtItsLevel(table, row)) return;
      near = named.filter((code) => code.startsWith(read) && code.length === usualCodeLength(table) && fits(code));
    } else {
      // One slip, up to two digits dropped, or up to two specks read as digits (210211506 for 2101506); a code of the
      // table's own length is no speck-lengthened one (2040101 武装警察部队, a 项 the reference lacks, is not its 款 20401).
      const specksPossible = read.length !== usualCodeLength(table);
      near = named.filter((code) => code !== read && (editDistance(code, read) <= 1 || (code.length - read.length <= 2 && isSubsequence(read, code)) || (specksPossible && read.length - code.length <= 2 && isSubsequence(code, read))));
      if (near.length > 1) near = near.filter(fits);
      // Two slips (2081101 for 2101101, 221901 for 2210201): only a code of the name, of the same length or one digit
      // apart, that fits between its neighbours.
      if (near.length === 0) near = named.filter((code) => Math.abs(code.length - read.length) <= 1 && editDistance(code, read) <= 2 && fits(code));
      // Its head misread (41501 for 2101501): a code of the name ending in the same four digits that fits between its neighbours.
      if (near.length === 0 && read.length >= 4) near = named.filter((code) => Math.abs(code.length - read.length) <= 2 && code.endsWith(read.slice(-4)) && fits(code));
      // A code of a length no classification has ("2009" for 2080505): unread, so the one code of its name that sorts there.
      if (near.length === 0 && ![3, 5, 7].includes(read.length) && neighboursPinCodes) near = named.filter(fits);
    }
  }
  // A 项 the reference lacks: "其他涉外发展服务支出" under 21606 涉外发展服务支出 is 2160699, as every 其他…支出 of
  // the classification is its 款's 99.
  if (near.length === 0 && neighboursPinCodes && (read === null || !isKnownCode(read))) {
    const other = otherItemCode(table, row);
    if (other && (read === null || editDistance(other, read) <= 2)) near = [other];
  }
  if (near.length !== 1) return;
  // A 款 code in a table of 项 codes ("016" read as 21016 where 2101601 老龄卫生健康事务 sorts there too): the 项
  // code of its name under it, when one fits.
  const usual = usualCodeLength(table);
  const deeper = near[0]!.length < usual ? named.filter((code) => code.length === usual && code.startsWith(near[0]!) && fits(code)) : [];
  row.code = deeper.length === 1 ? deeper[0]! : near[0]!;
  // The same code read again in the unit-code column (one of the two readings was taken for a unit's code).
  if (row.unit_code === row.code) row.unit_code = null;
  if (shiftedUnit) row.unit_code = shiftedUnit;
  const reading = read === null ? 'no OCR code' : `OCR code "${read}"`;
  issues.push({ code: 'ocr.code_corrected', severity: 'info', table: table.kind, page: row.cells.find((c) => c.page !== null)?.page ?? null, message: `${reading} of ${row.name} read as ${row.code}, the code of that name that fits between its neighbours` });
}

/**
 * The 99 code of the 款 a "其他…" row closes: the 款 of the coded rows around it (its own row above, or the 款
 * digits of its neighbours), whose name the row's is with 其他 before it; null when none is, or it does not sort there.
 */
function otherItemCode(table: TableIR, row: Row): string | null {
  const name = row.name.replace(/\s+/g, '');
  if (!name.startsWith('其他')) return null;
  const at = table.rows.indexOf(row);
  const nearby = [...table.rows.slice(Math.max(0, at - 3), at), ...table.rows.slice(at + 1, at + 2)].flatMap((r) => (r.code && r.code.length >= 5 ? [r] : []));
  const parents = new Map<string, string | null>();
  for (const r of nearby) {
    const parent = r.code!.slice(0, 5);
    parents.set(parent, r.code === parent ? r.name.replace(/\s+/g, '') : (parents.get(parent) ?? referenceName(parent)));
  }
  const matches = [...parents].filter(([, parentName]) => parentName !== null && [`其他${parentName}`, `其他${parentName.replace(/支出$/, '')}支出`].includes(name)).map(([parent]) => `${parent}99`);
  return matches.length === 1 && sortsBetweenNeighbours(table, row, matches[0]!) ? matches[0]! : null;
}

/** A code that exists, and names the row's name where the reference names it at all. */
function codeStands(code: string, name: string): boolean {
  const own = referenceName(code);
  return isKnownCode(code) && (own === null || bare(own) === bare(name));
}

/** The unit code three quarters of a table's coded rows carry (three at least), else null. */
function commonUnitCode(table: TableIR): string | null {
  const coded = table.rows.filter((r) => r.code !== null);
  const units = coded.flatMap((r) => (r.unit_code === null ? [] : [r.unit_code]));
  if (units.length === 0) return null;
  const common = mostCommon(units);
  const count = units.filter((u) => u === common).length;
  return count >= 3 && count >= 0.75 * coded.length ? common : null;
}

/** Whether `code` sorts after the nearest coded row above and before the nearest below (tables list codes in order). */
function sortsBetweenNeighbours(table: TableIR, row: Row, code: string): boolean {
  const at = table.rows.indexOf(row);
  // Neighbours whose codes are themselves misread (41501, or 21002 on a 一般行政管理事务 row) do not count.
  const stands = (r: Row) => r.code !== null && codeStands(r.code, r.name);
  const above = table.rows.slice(0, at).reverse().find(stands)?.code ?? undefined;
  const below = table.rows.slice(at + 1).find(stands)?.code ?? undefined;
  return (above === undefined || above < code) && (below === undefined || code < below);
}

/** The length most of the table's codes have (a misread code of the wrong length does not count). */
function usualCodeLength(table: TableIR): number {
  return Number(mostCommon(table.rows.flatMap((r) => (r.code ? [String(r.code.length)] : []))));
}

/** A code shorter than every other code of its table, with no row under it: its lower digits were lost. */
function aloneAtItsLevel(table: TableIR, row: Row): boolean {
  const others = table.rows.filter((r) => r !== row && r.code !== null);
  return others.length >= 3 && others.every((r) => r.code!.length > row.code!.length && !r.code!.startsWith(row.code!));
}

/** A name without its brackets, punctuation and spaces. */
function bare(name: string): string {
  return name.replace(/[\s()（）〈〉《》<>[\]【】、，,.．·:：“”"']/gu, '');
}

function isSubsequence(short: string, long: string): boolean {
  let at = 0;
  for (const ch of long) if (ch === short[at]) at++;
  return at === short.length;
}

/**
 * Two column groups printed side by side with the same columns (预算数 | 决算数, each 合计, 因公出国（境）费 …):
 * in an OCR table, a leaf misread in one group ("决算数/全由") takes the name its twin in the other group has
 * at the same place, when every leaf both groups read as a known name agrees place by place. An info issue
 * keeps the reading.
 */
export function alignTwinColumnGroups(tables: TableIR[], templates: Template[], issues: Issue[]): void {
  const known = new Set(headerVocabulary(templates));
  for (const table of tables) {
    if (!table.rows.some((r) => r.cells.some((c) => c.source === 'ocr' || c.source === 'corrected'))) continue;
    const groups = new Map<string, number[]>();
    table.columns.forEach((column, i) => {
      if (column.path.length < 2) return;
      groups.set(column.path[0]!, [...(groups.get(column.path[0]!) ?? []), i]);
    });
    const members = [...groups.values()];
    for (let a = 0; a < members.length; a++) {
      for (let b = a + 1; b < members.length; b++) {
        const [left, right] = [members[a]!, members[b]!];
        if (left.length !== right.length) continue;
        const rest = (i: number) => table.columns[i]!.path.slice(1);
        const isKnown = (path: string[]) => path.every((p) => known.has(titleKey(p)));
        let agreeing = 0;
        let conflict = false;
        left.forEach((l, k) => {
          const [x, y] = [rest(l), rest(right[k]!)];
          if (isKnown(x) && isKnown(y)) {
            if (x.join('/') === y.join('/')) agreeing++;
            else conflict = true;
          }
        });
        if (conflict || agreeing === 0) continue;
        left.forEach((l, k) => {
          const r = right[k]!;
          for (const [from, to] of [[l, r], [r, l]] as const) {
            if (isKnown(rest(to)) || !isKnown(rest(from))) continue;
            const column = table.columns[to]!;
            const read = column.path.join('/');
            column.path = [column.path[0]!, ...rest(from)];
            issues.push({ code: 'ocr.header_corrected', severity: 'info', table: table.kind, page: table.pages[0] ?? null, message: `OCR column "${read}" read as "${column.path.join('/')}", as its twin in ${table.columns[from]!.path[0]}` });
          }
        });
      }
    }
  }
}

/** One place of a table spec's `column_order`: a column key, and the key of the printed group it sits in. */
interface OrderEntry {
  key: string;
  group: string | null;
}

/**
 * OCR column headers misread beyond recognition ("2" for 一般公共预算拨款收入) or lost (公务接待费 left blank
 * under its group header), named by their place: the template's `column_order` for the table leaves exactly one
 * key between the columns read on either side, in the printed group the column sits in. The columns read must
 * follow that order, two of them at least. A warning keeps the reading and sends the document to review.
 */
export function inferColumnsFromOrder(tables: TableIR[], template: Template | null, issues: Issue[]): void {
  if (!template) return;
  const printedLeaves = headerLeaves(tables);
  for (const table of tables.filter(readByOcr)) {
    const order = template.tables.find((s) => s.kind === table.templateTable && s.column_order.length > 0)?.column_order;
    if (!order) continue;
    const entries: OrderEntry[] = order.map((entry) => {
      const [group, key] = entry.includes('/') ? entry.split('/') : [null, entry];
      return { key: key!, group: group ?? null };
    });
    const groupKeys = new Set(entries.flatMap((e) => (e.group ? [e.group] : [])));
    const columns = table.columns;
    // The printed groups above a column: header cells it shares with a neighbour (all of its path when its leaf was lost).
    const groupsOf = (c: number) => {
      const path = columns[c]!.path;
      const shared = Math.max(...[c - 1, c + 1].filter((n) => n >= 0 && n < columns.length).map((n) => commonPrefix(path, columns[n]!.path)), 0);
      const above = shared >= path.length ? path : path.slice(0, Math.min(shared, path.length - 1));
      return above.map((label) => columnKeyOf(template, label)).filter((key): key is string => key !== null && groupKeys.has(key));
    };
    const groups = columns.map((_, c) => groupsOf(c));
    const fits = (c: number, entry: OrderEntry) => (entry.group === null ? groups[c]!.length === 0 : groups[c]!.includes(entry.group));
    const placed = columns.map((column, c) => {
      const key = columnKeyOf(template, column.path.at(-1) ?? '');
      const matches = entries.flatMap((entry, i) => (entry.key === key && fits(c, entry) ? [i] : []));
      return matches.length === 1 ? matches[0]! : null;
    });
    const known = placed.filter((p): p is number => p !== null);
    if (known.length < 2 || known.some((p, i) => i > 0 && p <= known[i - 1]!)) continue;
    for (let c = 0; c < columns.length; c++) {
      if (placed[c] !== null) continue;
      let end = c;
      while (end + 1 < columns.length && placed[end + 1] === null) end++;
      const unknown = Array.from({ length: end - c + 1 }, (_, k) => c + k);
      const from = (placed[c - 1] ?? -1) + 1;
      const to = placed[end + 1] ?? entries.length;
      const free = entries.slice(from, to);
      const named =
        free.length === unknown.length && unknown.every((u, k) => fits(u, free[k]!))
          ? unknown.map((u, k) => ({ u, entry: free[k]! }))
          : unknown.length === 1 && free.filter((e) => fits(c, e)).length === 1
            ? [{ u: c, entry: free.find((e) => fits(c, e))! }]
            : [];
      for (const { u, entry } of named) nameColumnByPlace(table, u, entry, template, printedLeaves, issues);
      c = end;
    }
    assignColumnKeys(table, template);
  }
}

function commonPrefix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * The spelling of a key's column a reading stands for: the label it resembles most ("般公共" is 一般公共预算, not
 * 一般公共预算拨款收入); among equals, the one the document prints most in its other headers (小计 in one document,
 * 总计 in another, for a total read "省计"); else the template's first.
 */
function printedLabel(labels: string[], printedLeaves: string[], reading = ''): string {
  const count = (label: string) => printedLeaves.filter((leaf) => leaf === titleKey(label)).length;
  const resemblance = (label: string) => Math.round(similarity(titleKey(reading), titleKey(label)) * 100);
  return labels.reduce((best, label) => {
    const ahead = resemblance(label) - resemblance(best) || count(label) - count(best);
    return ahead > 0 ? label : best;
  }, labels[0]!);
}

function nameColumnByPlace(table: TableIR, c: number, entry: OrderEntry, template: Template, printedLeaves: string[], issues: Issue[]): void {
  const column = table.columns[c]!;
  const neighbours = [table.columns[c - 1], table.columns[c + 1]].map((n) => n?.path.join('/') ?? '(edge)');
  const read = column.path.join('/');
  // A lost leaf leaves only its groups in the path; a misread leaf is replaced.
  const keepsAll = table.columns.some((other, o) => o !== c && other.path.length > column.path.length && commonPrefix(column.path, other.path) === column.path.length);
  const groups = keepsAll ? column.path : column.path.slice(0, -1);
  const label = printedLabel(template.columns.find((spec) => spec.key === entry.key)!.labels, printedLeaves, keepsAll ? '' : (column.path.at(-1) ?? ''));
  column.path = [...groups, label];
  issues.push({
    code: 'ocr.column_inferred',
    severity: 'warning',
    table: table.kind,
    page: table.pages[0] ?? null,
    message: `OCR column label "${read || '(blank)'}" named "${column.path.join('/')}" by its place between "${neighbours[0]}" and "${neighbours[1]}": the template's column order leaves only ${entry.group ? `${entry.group}/` : ''}${entry.key} there`,
  });
}

/**
 * The department's name as most of its OCR readings spell it. A scan prints the name dozens of times (cover,
 * narrative, tables), and OCR misreads it differently each time ("仓诅县医疗保障局", "巷溪县医疗保障局"): every
 * stretch of the OCR text of the name's length within two slips of the name found on the cover is a vote,
 * character by character. Null when fewer than three stretches vote.
 */
export function consensusName(name: string, ocrText: string[]): string | null {
  const width = [...name].length;
  if (width < 4) return null;
  const votes: string[][] = [];
  for (const line of ocrText) {
    const chars = [...line.replace(/\s+/g, '')];
    const distance = (i: number) => (i + width <= chars.length ? editDistance(chars.slice(i, i + width).join(''), name) : Infinity);
    for (let i = 0; i + width <= chars.length; i++) {
      if (distance(i) > 2) continue;
      // The best-aligned stretch of the few that overlap the name ("-苍溪县医疗保障" is a stretch too early).
      let best = i;
      for (let j = i + 1; j <= i + 2; j++) if (distance(j) < distance(best)) best = j;
      votes.push(chars.slice(best, best + width));
      i = best + width - 1;
    }
  }
  if (votes.length < 3) return null;
  return [...name]
    .map((_, k) => {
      const tally = new Map<string, number>();
      for (const v of votes) tally.set(v[k]!, (tally.get(v[k]!) ?? 0) + 1);
      return [...tally.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    })
    .join('');
}

/** On a scan, the department's name read once from the cover is checked against every other reading of it. */
export function agreeOnDepartment(doc: DocumentIR): void {
  if (!doc.meta.department) return;
  const ocrPages = new Set(doc.pageRoutes.filter((r) => r.source === 'ocr').map((r) => r.page));
  const lines = doc.flow.flatMap((b) => (b.type === 'line' && b.page !== null && ocrPages.has(b.page) ? [b.text] : []));
  const rowNames = doc.tables.flatMap((t) => t.rows.filter((r) => r.cells.some((c) => c.source === 'ocr')).map((r) => r.name));
  const agreed = consensusName(doc.meta.department, [...lines, ...rowNames]);
  if (!agreed || agreed === doc.meta.department) return;
  doc.issues.push({ code: 'ocr.name_corrected', severity: 'info', message: `department read "${doc.meta.department}" on the cover; its readings across the document agree on "${agreed}"` });
  doc.meta.department = agreed;
}

/**
 * A unit's row carries one name wherever its unit code is printed: an OCR reading of it two slips from the name
 * two or more other readings of that code agree on ("苍溪县医疗保障局遇半", specks after the name, where four tables
 * read 苍溪县医疗保障局) takes that name. An info issue keeps the reading.
 */
export function agreeOnUnitNames(tables: TableIR[], issues: Issue[]): void {
  const unitRows = tables.flatMap((table) => table.rows.filter((r) => r.code === null && r.unit_code !== null && r.name !== '').map((row) => ({ table, row })));
  for (const unit of new Set(unitRows.map((u) => u.row.unit_code))) {
    const rows = unitRows.filter((u) => u.row.unit_code === unit);
    const counts = new Map<string, number>();
    for (const { row } of rows) counts.set(row.name, (counts.get(row.name) ?? 0) + 1);
    const [agreed, count] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    if (count < 2) continue;
    for (const { table, row } of rows) {
      if (row.name === agreed || !readByOcr(table) || (counts.get(row.name) ?? 0) * 2 > count || editDistance(row.name, agreed) > 2) continue;
      issues.push({ code: 'ocr.name_corrected', severity: 'info', table: table.kind, page: row.cells.find((c) => c.page !== null)?.page ?? null, message: `OCR row name "${row.name}" of unit ${unit} read as "${agreed}", as ${count} other readings of that unit's row give it` });
      row.name = agreed;
    }
  }
}

/** The place a unit's name opens with: 泉州市, 苍溪县, 福建省 (up to the first 省, 市, 县, 区 or 州 within five characters). */
const PLACE_PREFIX = /^\p{Script=Han}{1,4}?(?:[省市县区]|州(?!市))/u;

/**
 * A unit table's rows name units of one place ("泉州市…" throughout a Quanzhou department's 收入预算总表): a row
 * whose place OCR misread one slip away ("景州市", "朱州市人民政府…") takes the place most rows agree on, when at least
 * two others and more than half of the table's unit names give it, and it is the department's own where the
 * department is known. An info issue keeps the reading.
 */
export function agreeOnUnitPlaces(tables: TableIR[], department: string | null, issues: Issue[]): void {
  const departmentPlace = department ? (PLACE_PREFIX.exec(department)?.[0] ?? null) : null;
  for (const table of tables.filter(readByOcr)) {
    const units = table.rows.filter((r) => r.code === null && [...r.name].length >= 5 && !SUMMARY_NAMES.includes(r.name) && PLACE_PREFIX.test(r.name));
    const places = units.map((r) => PLACE_PREFIX.exec(r.name)![0]);
    if (places.length < 3) continue;
    const agreed = mostCommon(places);
    const count = places.filter((p) => p === agreed).length;
    if (count < 2 || count * 2 <= places.length || (departmentPlace !== null && departmentPlace !== agreed)) continue;
    units.forEach((row, k) => {
      const place = places[k]!;
      if (place === agreed || [...place].length !== [...agreed].length || editDistance(place, agreed) > 1) return;
      const name = agreed + row.name.slice(place.length);
      issues.push({ code: 'ocr.name_corrected', severity: 'info', table: table.kind, page: row.cells.find((c) => c.page !== null)?.page ?? null, message: `OCR row name "${row.name}" read as "${name}": ${count} other units of the table are of ${agreed}` });
      row.name = name;
    });
  }
}

/**
 * The unit code of a table of one unit, where OCR lost it on a few rows: when three quarters of the coded rows or
 * more carry one unit code and every other coded row carries none, or a fragment of it ("2"), they take it (an info
 * issue per row). A row with another unit code is never changed: 322001 and 322002 are two units, one slip apart.
 */
export function agreeOnUnitCodes(tables: TableIR[], issues: Issue[]): void {
  for (const table of tables.filter(readByOcr)) {
    const coded = table.rows.filter((r) => r.code !== null);
    const common = commonUnitCode(table);
    if (common === null) continue;
    const strays = coded.filter((r) => r.unit_code !== common);
    // A fragment ("2" of 322001, or "82" of 322 with a digit misread too) is the same code with digits lost,
    // "1322001" the same with a speck read as a digit; a code of full length is another unit's.
    const lost = (code: string | null) =>
      code === null ||
      (code.length < common.length && (isSubsequence(code, common) || editDistance(code, common) <= 2)) ||
      (code.length > common.length && code.length - common.length <= 2 && code.includes(common));
    if (!strays.every((r) => lost(r.unit_code))) continue;
    for (const row of strays) {
      issues.push({ code: 'ocr.code_corrected', severity: 'info', table: table.kind, page: row.cells.find((c) => c.page !== null)?.page ?? null, message: `OCR unit code "${row.unit_code ?? ''}" of ${row.code} ${row.name} read as ${common}, the unit code of every other row of the table` });
      row.unit_code = common;
    }
  }
}

/** What a total is printed as; a garbled one takes the nearest of these. */
const TOTAL_WORDS = ['合计', '小计', '总计'];
/** Amounts in these tables are printed to the fen. */
const PRINTED_DECIMALS = 2;

/**
 * Totals whose label OCR garbled (a bold, letter-spaced 合 计 read as "侣计", "0" or "2攻有了二下"), named by what
 * their figures do: the first column of a group that equals the sum of the group's other columns in its rows with
 * figures, and the first row of a coded table that equals the sum of its top-level codes in its columns (one
 * exception allowed, where a figure was misread), or of a table of units the sum of its units' rows (every column,
 * however few units). Only short labels no vocabulary knows, or longer ones half specks, are renamed; two real sums
 * (or five non-zero totals) must show it. A column reading that keeps none of 合/小/总 takes the total word the
 * document's headers print most.
 * The reading stays in `name_raw` (rows) and an info issue (both).
 */
export function nameTotalsByArithmetic(tables: TableIR[], templates: Template[], template: Template | null, issues: Issue[]): void {
  const vocabulary = new Set([...headerVocabulary(templates), ...referenceNames().map(titleKey), ...SUMMARY_NAMES]);
  const garbled = (label: string) => {
    const key = titleKey(label);
    const chars = [...key];
    // Longer readings only when half of them are specks or no Chinese at all ("1上让二二和人入"): never a real name.
    const specks = chars.filter((c) => !/\p{Script=Han}/u.test(c) || END_SPECKS.includes(c)).length;
    // A total word followed by junk ("合计天天本这末天": a speck row read into the label).
    const totalAndJunk = TOTAL_WORDS.some((word) => key.startsWith(word) && key !== word);
    return key !== '' && (chars.length <= 6 || totalAndJunk || (chars.length <= 10 && specks * 2 >= chars.length)) && !vocabulary.has(key);
  };
  const printed = printedTotalWord(tables);
  for (const table of tables.filter(readByOcr)) {
    for (const group of columnGroups(table)) {
      const [first, ...parts] = group;
      const leaf = table.columns[first!]!.path.at(-1) ?? '';
      if (parts.length < 2 || !garbled(leaf)) continue;
      const rows = table.rows.map((row) => ({ total: row.values[first!] ?? null, parts: parts.map((p) => row.values[p] ?? null) })).filter((r) => typeof r.total === 'number' || r.parts.some(nonZero));
      if (!sumsHold(rows.map((r) => ({ total: r.total, sum: amountSum(r.parts), terms: r.parts.filter(nonZero).length })))) continue;
      const name = nearestTotalWord(leaf, printed);
      issues.push({ code: 'ocr.header_corrected', severity: 'info', table: table.kind, page: table.pages[0] ?? null, message: `OCR column label "${leaf}" read as "${name}": in its rows its figure is the sum of the columns beside it` });
      table.columns[first!]!.path = [...table.columns[first!]!.path.slice(0, -1), name];
      if (template) assignColumnKeys(table, template);
    }
    const [head] = table.rows;
    // A bold 合计 across the code and name columns may come out as a "code" ("3") with no name.
    const misreadLabel = (r: Row) => (r.code === null ? garbled(r.name) : !isKnownCode(r.code) && r.code.length <= 2 && (r.name === '' || garbled(r.name)));
    if (!head || head.unit_code !== null || !misreadLabel(head)) continue;
    if (nameTotalRowBySpec(table, head, template, issues)) continue;
    const coded = table.rows.filter((r) => r !== head && r.code !== null);
    // A table of units (Sichuan's 单位编码 | 单位名称 layouts): the total is the sum of the units' own rows.
    const units = table.rows.filter((r) => r !== head && r.code === null && r.unit_code !== null);
    const top = coded.length > 0 ? coded.filter((r) => !coded.some((o) => o !== r && o.code!.length < r.code!.length && r.code!.startsWith(o.code!))) : units;
    if (top.length < (coded.length > 0 ? 2 : 1)) continue;
    const columns = table.columns.map((_, c) => ({ total: head.values[c] ?? null, sum: amountSum(top.map((r) => r.values[c] ?? null)), terms: top.filter((r) => nonZero(r.values[c] ?? null)).length }));
    const compared = columns.filter((c) => typeof c.total === 'number' || c.sum !== 0);
    // One unit's row is the total of a one-unit table; every column must then agree, and one figure at least.
    const unitTotal = coded.length === 0 && equalInEveryColumn(compared);
    if (!unitTotal && !sumsHold(compared, true)) continue;
    const reading = [head.code, head.name].filter(Boolean).join(' ');
    const name = nearestTotalWord(head.name, TOTAL_WORDS[0]!);
    issues.push({ code: 'ocr.name_corrected', severity: 'info', table: table.kind, page: head.cells.find((c) => c.page !== null)?.page ?? null, message: `OCR row label "${reading}" read as "${name}": in its columns its figure is the sum of the table's ${coded.length > 0 ? 'top-level codes' : 'units'}` });
    head.name = name;
    head.name_raw ||= reading;
    head.code = null;
  }
}

/**
 * A table of named rows (Fujian's 三公 table: 合计, 因公出国（境）费用, 公务接待费, 公务用车购置及运行费 …) whose garbled
 * first row equals, in every column, the template's `row_sums` for its total row over the rows its labels find,
 * one figure at least: that row is the total. True when it was renamed.
 */
function nameTotalRowBySpec(table: TableIR, head: Row, template: Template | null, issues: Issue[]): boolean {
  const spec = template?.tables.find((s) => s.kind === table.templateTable);
  const sum = spec?.checks.row_sums.find((r) => r.total === 'total');
  const totalLabel = spec?.rows.find((r) => r.key === 'total')?.labels[0];
  if (!spec || !sum || !totalLabel) return false;
  const rowOf = (key: string) => {
    const labels = spec.rows.find((r) => r.key === key)?.labels.map(titleKey) ?? [];
    return table.rows.find((r) => r !== head && labels.includes(titleKey(r.name)));
  };
  const parts = sum.parts.map(rowOf);
  if (parts.some((p) => p === undefined)) return false;
  const columns = table.columns.map((_, c) => ({ total: head.values[c] ?? null, sum: amountSum(parts.map((p) => p!.values[c] ?? null)) }));
  if (!equalInEveryColumn(columns)) return false;
  issues.push({ code: 'ocr.name_corrected', severity: 'info', table: table.kind, page: head.cells.find((c) => c.page !== null)?.page ?? null, message: `OCR row label "${head.name}" read as "${totalLabel}": its figures are the sum of ${sum.parts.join(' + ')}, as the template's ${spec.kind} total` });
  head.name_raw ||= head.name;
  head.name = totalLabel;
  return true;
}

/** Column indices grouped by their header path above the leaf, in order. */
function columnGroups(table: TableIR): number[][] {
  const groups = new Map<string, number[]>();
  table.columns.forEach((column, i) => {
    const above = column.path.slice(0, -1).join('/');
    groups.set(above, [...(groups.get(above) ?? []), i]);
  });
  return [...groups.values()];
}

/** Every total printed and equal to its sum, one of them a figure at least (no rounding: the terms are one row's). */
function equalInEveryColumn(columns: { total: Row['values'][number]; sum: number }[]): boolean {
  return columns.some((c) => nonZero(c.total)) && columns.every((c) => typeof c.total === 'number' && Math.abs(c.total - c.sum) < 1e-9);
}

function nonZero(value: Row['values'][number]): boolean {
  return typeof value === 'number' && value !== 0;
}

function amountSum(values: Row['values']): number {
  return values.reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0);
}

/**
 * Every total but one at most equals its sum, and two of them at least are real sums (of two non-zero terms or more),
 * or five are non-zero, or the only sum adds three figures or more; `strict` also counts a blank total with something to sum as failing.
 */
function sumsHold(sums: { total: Row['values'][number]; sum: number; terms: number }[], strict = false): boolean {
  let real = 0;
  let held = 0;
  let failed = 0;
  for (const { total, sum, terms } of sums) {
    if (typeof total !== 'number') {
      if (strict || sum !== 0) failed++;
      continue;
    }
    // The source's own rounding: 1,493.59 + 3,202.12 is printed 4,695.70.
    if (Math.abs(total - sum) > roundingTolerance(Math.max(terms, 1), PRINTED_DECIMALS) + 1e-9) {
      failed++;
      continue;
    }
    if (total !== 0) held++;
    if (terms >= 2) real++;
  }
  // One sum may fail where one of its figures was misread: the identities then flag that figure.
  // A single sum (a one-column table's total) stands alone when it adds three figures or more.
  const lone = sums.length === 1 && failed === 0 && sums[0]!.terms >= 3;
  return lone || (failed <= 1 && (real >= 2 || held >= 5));
}

/** The total word a reading keeps a character of (合, 小, 总), else the one the document prints most in its headers. */
function nearestTotalWord(reading: string, printed: string): string {
  const key = titleKey(reading);
  return TOTAL_WORDS.find((word) => key.includes(word[0]!)) ?? printed;
}

function printedTotalWord(tables: TableIR[]): string {
  return printedLabel(TOTAL_WORDS, headerLeaves(tables));
}

/** The leaf label of every column of the document, as title keys. */
function headerLeaves(tables: TableIR[]): string[] {
  return tables.flatMap((t) => t.columns.map((c) => titleKey(c.path.at(-1) ?? '')));
}
