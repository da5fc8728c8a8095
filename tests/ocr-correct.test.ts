import { describe, expect, it } from 'vitest';
import { editDistance } from '../src/fuzzy.js';
import { readMetadata } from '../src/classify.js';
import type { Cell, DocumentIR, Issue, Row, TableIR } from '../src/model.js';
import { agreeOnUnitCodes, agreeOnUnitNames, agreeOnUnitPlaces, alignTwinColumnGroups, consensusName, correctOcrLabels, correctOcrRowNames, inferColumnsFromOrder, nameTotalsByArithmetic } from '../src/ocr-correct.js';
import type { RawTable } from '../src/tables.js';
import { loadTemplates } from '../src/templates.js';

const templates = loadTemplates();

function cell(source: Cell['source'] = 'ocr'): Cell {
  return { raw: '1.00', page: 3, bbox: [0, 0, 10, 10], source, confidence: 0.95 };
}

function row(name: string, code: string | null = null, source: Cell['source'] = 'ocr'): Row {
  return { code, unit_code: null, name, name_raw: name, values: [1], cells: [cell(source)] };
}

function table(rows: Row[]): TableIR {
  return { kind: 'T05', part: null, title: '一般公共预算支出预算表', title_raw: '', unit: '万元', pages: [3], columns: [{ key: 'total', path: ['合计'] }], rows, confidence: 1, context: [] };
}

describe('OCR label correction', () => {
  it('counts a look-alike character as half an edit', () => {
    expect(editDistance('台计', '合计')).toBe(0.5);
    expect(editDistance('小计', '合计')).toBe(1);
  });

  it('corrects OCR row names one slip from a known name, never a printed one or a name two slips away', () => {
    const rows = [
      row('卫生健康文出'),
      row('（一）卫生健康文出'),
      row('苑溪县医疗保障局部门'),
      row('医疗保障经办服务中心'),
      row('卫生健康文出', null, 'text'),
      row('行政运行'),
      // With a code, only the code's own name: 2101501 is 行政运行, 2101550 is 事业运行.
      row('行政运转', '2101501'),
      row('行政运转', '2101550'),
      // Marks after a name go; Chinese characters at its end stay (其他对个人和家庭的补助 is a name too).
      row('行政单位医疗ee'),
      row('一般行政管理事务.和'),
      row('其他对个人和家庭的补助支出'),
      // Two characters: only a look-alike slip (谷 for 合); 大计 is as near 合计 as 小计 and 总计.
      row('谷计'),
      row('大计'),
    ];
    const issues: Issue[] = [];
    correctOcrRowNames([table(rows)], templates, '苍溪县医疗保障局', issues);
    expect(rows.map((r) => r.name)).toEqual(['卫生健康支出', '（一）卫生健康支出', '苍溪县医疗保障局部门', '医疗保障经办服务中心', '卫生健康文出', '行政运行', '行政运行', '行政运转', '行政单位医疗', '一般行政管理事务', '其他对个人和家庭的补助支出', '合计', '大计']);
    // The reading is kept.
    expect(rows[0]!.name_raw).toBe('卫生健康文出');
    expect(issues.filter((i) => i.code === 'ocr.name_corrected')).toHaveLength(7);
  });

  it('takes the code\'s own name and the name\'s own code when OCR lost brackets or a digit', () => {
    const repairs = row('维修护费', '30213');
    const housing = row('住房公积金', '3013');
    const unknown = row('住房公积金', '3113999');
    // Two digits lost: 21001 is 2101101 without them.
    const medical = row('行政单位医疗', '21001');
    const issues: Issue[] = [];
    correctOcrRowNames([table([repairs, housing, unknown, medical])], templates, null, issues);
    expect(medical.code).toBe('2101101');
    expect(repairs.name).toBe('维修（护）费');
    expect(housing.code).toBe('30113');
    // Two slips from every code of that name: left as read.
    expect(unknown.code).toBe('3113999');
    expect(issues.map((i) => i.code).sort()).toEqual(['ocr.code_corrected', 'ocr.code_corrected', 'ocr.name_corrected']);
  });

  it('reads garbled titles against the layout whose garbled titles they resemble when the titles read whole are shared (Fujian and Jiangsu), and places one whose year was misread', () => {
    const grid = [[{ text: '项目', raw: '项目', page: 10, bbox: [0, 0, 1, 1] as [number, number, number, number], source: 'ocr' as const, confidence: 0.9, colSpan: 1, rowSpan: 1, covered: false }]];
    // Degraded real Fujian scans, seed 41: 收支/收入/财政拨款收支预算总表 are Jiangsu's titles too; 一 read as a quote.
    const raws = [
      { title: '收支预算总表', rows: grid, headerRows: 1, pages: [1] },
      { title: '20296年度收入也鼻总表', rows: grid, headerRows: 1, pages: [2] },
      { title: '支出预算总表', rows: grid, headerRows: 1, pages: [3] },
      { title: '财政拨款收支预算总表', rows: grid, headerRows: 1, pages: [4] },
      { title: '“般公共预算城款支出孜算表', rows: grid, headerRows: 1, pages: [5] },
      { title: '政府性基黎预算拨款支出预算表', rows: grid, headerRows: 1, pages: [6] },
    ] as unknown as RawTable[];
    const issues: Issue[] = [];
    correctOcrLabels(raws, templates, issues);
    expect(raws.map((r) => r.title)).toEqual(['收支预算总表', '收入预算总表', '支出预算总表', '财政拨款收支预算总表', '一般公共预算拨款支出预算表', '政府性基金预算拨款支出预算表']);
    expect(issues.map((i) => i.code).sort()).toEqual(['ocr.title_corrected', 'ocr.title_corrected', 'ocr.title_inferred']);
    // The year's digits lost and 年度 kept (seed 42: 年度收所算益表): compared without 年度, it still resembles its place's title.
    const lostYear = raws.map((r, i) => ({ ...r, title: i === 1 ? '年度收所算益表' : r.title }));
    correctOcrLabels(lostYear, templates, []);
    expect(lostYear[1]!.title).toBe('收入预算总表');
  });

  it('matches a misread title that ends with a shorter known title against the longer ones', () => {
    const grid = [[{ text: '项目', raw: '项目', page: 10, bbox: [0, 0, 1, 1] as [number, number, number, number], source: 'ocr' as const, confidence: 0.9, colSpan: 1, rowSpan: 1, covered: false }]];
    const raws = [
      { title: '收支预算总表', rows: grid, headerRows: 1, pages: [7] },
      { title: '财政拨秋收支预算总表', rows: grid, headerRows: 1, pages: [10] },
    ] as unknown as RawTable[];
    const issues: Issue[] = [];
    correctOcrLabels(raws, templates, issues);
    expect(raws.map((r) => r.title)).toEqual(['收支预算总表', '财政拨款收支预算总表']);
    expect(issues.map((i) => i.code)).toEqual(['ocr.title_corrected']);
  });
});

describe('codes placed by their neighbours', () => {
  it('chooses among the codes of a name the one that sorts between the rows around it, and restores a 项 code whose digits were lost', () => {
    const rows = [
      row('机关事业单位基本养老保险缴费支出', '2080505'),
      // Two digits misread into another real code (2081101 is 行政运行): the name's code that fits here.
      row('行政单位医疗', '2081101'),
      // Its head misread (003 held-out seed 18): 41501 ends as 2101501 does, and 行政运行 names dozens of codes.
      row('行政运行', '41501'),
      row('一般行政管理事务', '21002'),
      row('医疗保障政策管理', '2101505'),
      row('医疗保障经办事务', '2101506'),
      row('事业运行', null),
      row('其他医疗保障管理事务支出', '2101599'),
      row('老龄卫生健康事务', '21016'),
      row('其他巩固脱贫攻坚成果衔接乡村振兴支出', '2130599'),
      // Two specks read as digits in the code columns.
      row('住房公积金', '221002201'),
    ];
    // A digit lost and another misread, on the last row (003 held-out seed 22: 221901 for 2210201).
    const last = [row('事业运行', '2101550'), row('其他巩固脱贫攻坚成果衔接乡村振兴支出', '2130599'), row('住房公积金', '221901')];
    const issues: Issue[] = [];
    correctOcrRowNames([table(rows), table(last)], templates, null, issues);
    expect(rows.map((r) => r.code)).toEqual(['2080505', '2101101', '2101501', '2101502', '2101505', '2101506', '2101550', '2101599', '2101601', '2130599', '2210201']);
    expect(last[2]!.code).toBe('2210201');
    expect(issues.filter((i) => i.code === 'ocr.code_corrected')).toHaveLength(7);
  });

  it('keeps a code of the table\'s length that the reference lacks rather than shortening it to its 款 (degraded real Fujian scan, seed 41)', () => {
    // 2040101 武装警察部队 is printed; the reference knows only the 款 20401 of that name. Read right, it stays.
    const rows = [row('武装警察部队', '2040101'), row('行政运行', '2040201'), row('一般行政管理事务', '2040202'), row('机关服务', '2040203'), row('住房公积金', '2210201')];
    const issues: Issue[] = [];
    correctOcrRowNames([table(rows)], templates, null, issues);
    expect(rows.map((r) => r.code)).toEqual(['2040101', '2040201', '2040202', '2040203', '2210201']);
    expect(issues.filter((i) => i.code === 'ocr.code_corrected')).toEqual([]);
    // Two specks read as digits still go where the length is not the table's (221002201 for 2210201).
    const specked = [row('行政运行', '2040201'), row('一般行政管理事务', '2040202'), row('机关服务', '2040203'), row('住房公积金', '221002201')];
    correctOcrRowNames([table(specked)], templates, null, []);
    expect(specked[3]!.code).toBe('2210201');
  });

  it('gives a lost code of a 其他…支出 row its 款\'s 99 when the reference lacks it (degraded real Fujian scan, seed 41)', () => {
    // 2160699 其他涉外发展服务支出 is not in the reference; its 款 21606 涉外发展服务支出 is printed above it.
    const rows = [row('商业服务业等支出', '216'), row('商业流通事务', '21602'), row('其他商业流通事务支出', '2160299'), row('涉外发展服务支出', '21606'), row('其他涉外发展服务支出', null), row('住房保障支出', '221'), row('住房改革支出', '22102'), row('住房公积金', '2210201')];
    const issues: Issue[] = [];
    correctOcrRowNames([table(rows)], templates, null, issues);
    expect(rows[4]!.code).toBe('2160699');
    // A 其他 row whose name is no 款's around it keeps no code.
    const unrelated = [row('商业服务业等支出', '216'), row('商业流通事务', '21602'), row('其他商业流通事务支出', '2160299'), row('涉外发展服务支出', '21606'), row('其他服务支出', null), row('住房保障支出', '221'), row('住房改革支出', '22102'), row('住房公积金', '2210201')];
    correctOcrRowNames([table(unrelated)], templates, null, []);
    expect(unrelated[4]!.code).toBeNull();
  });

  it('repairs a code read as another real code with a speck after the name, a code of no possible length, and a 款 code that is its name\'s 项 (held-out seed 32)', () => {
    const rows = [
      row('行政单位离退休', '2080501'),
      row('事业单位离退休', '2080502'),
      // Four digits: no classification has them.
      row('机关事业单位基本养老保险缴费支出', '2009'),
      row('行政单位医疗', '2101101'),
      // 21001 is a real code (卫生健康管理事务), nothing like "行政运行要": the name is any known name's, the code then its.
      row('行政运行要', '21001'),
      row('医疗保障经办事务', '2101506'),
      row('其他医疗保障管理事务支出', '2101599'),
      // "016" is one slip from 21016, but the table codes 项: 2101601 has the same name and sorts there.
      row('老龄卫生健康事务', '016'),
      row('住房公积金', '2210201'),
    ];
    const issues: Issue[] = [];
    correctOcrRowNames([table(rows)], templates, null, issues);
    expect(rows.map((r) => r.code)).toEqual(['2080501', '2080502', '2080505', '2101101', '2101501', '2101506', '2101599', '2101601', '2210201']);
    expect(rows[4]!.name).toBe('行政运行');
    expect(issues.filter((i) => i.code === 'ocr.code_corrected')).toHaveLength(3);
    // A code whose reference name is near the row's stays, its name spelt as the code's.
    const kept = [row('行政运行', '2101501'), row('一般行政管理事务', '2101502'), row('医疗保障政策管理', '2101505'), row('医疗保障经办事务', '2101506')];
    correctOcrRowNames([table(kept)], templates, null, []);
    expect(kept.map((r) => r.code)).toEqual(['2101501', '2101502', '2101505', '2101506']);
  });

  it('leaves a 款 code that heads its own 项 rows, and a code its neighbours do not pin down', () => {
    const hierarchy = [row('卫生健康支出', '210'), row('老龄卫生健康事务', '21016'), row('老龄卫生健康事务', '2101601'), row('住房保障支出', '221')];
    // 一般行政管理事务 after 2101506 and nothing below: 2101502 does not sort there, no other code of the name does uniquely.
    const unplaced = [row('行政运行', '2101501'), row('医疗保障政策管理', '2101505'), row('医疗保障经办事务', '2101506'), row('一般行政管理事务', null)];
    correctOcrRowNames([table(hierarchy), table(unplaced)], templates, null, []);
    expect(hierarchy.map((r) => r.code)).toEqual(['210', '21016', '2101601', '221']);
    expect(unplaced[3]!.code).toBeNull();
  });

  it('leaves uncoded the headings of a layout that codes its leaf rows only (Sichuan 项目支出: a project under each 项 name)', () => {
    const project = (name: string, code: string) => ({ ...row(name, code), unit_code: '322001' });
    const rows = [
      row('财政对城乡居民基本医疗保险基金的补助'),
      project('县医保局城乡居民基本医疗保险本级配套（2023）', '2101202'),
      row('一般行政管理事务'),
      project('县医保局2021年资金争取工作经费', '2101502'),
      row('医疗保障政策管理'),
      project('县医疗保障局医保基金报账及监督管理工作经费', '2101505'),
      row('医疗保障经办事务'),
      project('县医疗保障局城乡医疗救助审核发放管理经费', '2101506'),
      project('县医疗保障局医保档案管理及政策宣传工作经费', '2101506'),
    ];
    correctOcrRowNames([table(rows)], templates, null, []);
    // As printed (003 page 16): the 项 names carry no code; before, OCR "restored" 2101505 and 2101506 on them.
    expect(rows.map((r) => r.code)).toEqual([null, '2101202', null, '2101502', null, '2101505', null, '2101506', '2101506']);
  });
});

describe('unit codes of a one-unit table', () => {
  const unitRow = (code: string, unit: string | null) => ({ ...row('行政运行', code), unit_code: unit });
  it('spells a unit\'s row as the other readings of its unit code agree, within two slips (003 held-out seed 33)', () => {
    const unitOf = (name: string, unit: string, source: Cell['source'] = 'ocr') => table([{ ...row(name, null, source), unit_code: unit }, row('行政运行', '2101501', source)]);
    const tables = [unitOf('苍溪县医疗保障局', '322001'), unitOf('苍溪县医疗保障局', '322001'), unitOf('苍溪县医疗保障局遇半', '322001'), unitOf('苍溪县医疗保障事务中心', '322001'), unitOf('苍溪县医疗保障局遇', '322001', 'text'), unitOf('苍溪县医保中心', '322002')];
    const issues: Issue[] = [];
    agreeOnUnitNames(tables, issues);
    expect(tables.map((t) => t.rows[0]!.name)).toEqual(['苍溪县医疗保障局', '苍溪县医疗保障局', '苍溪县医疗保障局', '苍溪县医疗保障事务中心', '苍溪县医疗保障局遇', '苍溪县医保中心']);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toContain('苍溪县医疗保障局遇半');
  });
  it('gives a row whose unit code OCR lost, or cut to a fragment, the one every other row carries, never changes another unit\'s', () => {
    const one = table([unitRow('2080505', null), unitRow('2101101', '322001'), unitRow('2101202', '322001'), unitRow('2101501', '322001'), unitRow('2101502', '2'), unitRow('2101505', '322001'), unitRow('2101506', '322001'), unitRow('2101550', '322001')]);
    const two = table([unitRow('2080505', null), unitRow('2101101', '322001'), unitRow('2101202', '322001'), unitRow('2101501', '322001'), unitRow('2101502', '322002')]);
    // A speck read as a digit before the code (003 held-out seed 23: 1322001).
    const speck = table([unitRow('2080505', '322001'), unitRow('2101101', '322001'), unitRow('2101501', '1322001'), unitRow('2101502', '322001')]);
    // A fragment with a digit misread as well (003 held-out seed 37: "82" for 322).
    const misread = table([unitRow('2080505', '322'), unitRow('2101101', '322'), unitRow('2101501', '322'), unitRow('2101601', '82')]);
    const issues: Issue[] = [];
    agreeOnUnitCodes([one, two, speck, misread], issues);
    expect(misread.rows.map((r) => r.unit_code)).toEqual(Array(4).fill('322'));
    expect(one.rows.map((r) => r.unit_code)).toEqual(Array(8).fill('322001'));
    expect(two.rows.map((r) => r.unit_code)).toEqual([null, '322001', '322001', '322001', '322002']);
    expect(speck.rows.map((r) => r.unit_code)).toEqual(Array(4).fill('322001'));
    expect(issues).toHaveLength(4);
  });

  it('moves a unit code read in the code lane back to its column and gives the row its name\'s code (003 held-out seed 16)', () => {
    const shifted = { ...row('机关事业单位基本养老保险缴费支出', '322'), unit_code: null };
    const rest = [['2101101', '行政单位医疗'], ['2101202', '财政对城乡居民基本医疗保险基金的补助'], ['2101501', '行政运行']].map(([code, name]) => ({ ...row(name!, code!), unit_code: '322' }));
    // A code of another unit is left: 323 is not the code the table's rows carry.
    const other = { ...row('机关事业单位基本养老保险缴费支出', '323'), unit_code: null };
    correctOcrRowNames([table([shifted, ...rest]), table([other, ...rest.map((r) => ({ ...r }))])], templates, null, []);
    expect([shifted.code, shifted.unit_code]).toEqual(['2080505', '322']);
    expect([other.code, other.unit_code]).toEqual(['323', null]);
  });
});

describe('speck characters and totals named by their figures', () => {
  it('drops a speck read as 二 or 人 at a name\'s end when a known name is left', () => {
    const marked = row('合计>');
    const anded = row('合计.和');
    const lookAlike = row('收入台计');
    const total = row('合计二');
    const department = row('营溪县医疗保障局人');
    const housing = row('住房公积金人', '30113');
    const general = row('一般行政管理事务');
    // A speck inside the name as well as a look-alike (003 held-out seed 15); a real 人 in a name is kept.
    const innerSpeck = row('本年支出人台计');
    const person = row('对个人和家庭的补助支出');
    // An ordinal that lost its 、 with a numeral misread (十九、 read as 十万, 001 held-out seed 13).
    const ordinal = row('十万住房保障支出');
    const junkOrdinal = row('七ys上年结转');
    // A speck before a short look-alike (001 held-out seed 38); a speck before two characters that are no look-alike stays.
    const speckedTotal = row('人台计');
    const speckedOther = row('人大计');
    correctOcrRowNames([table([marked, anded, lookAlike, total, department, housing, general, innerSpeck, person, ordinal, junkOrdinal, speckedTotal, speckedOther])], templates, '苍溪县医疗保障局', []);
    expect([speckedTotal.name, speckedOther.name]).toEqual(['合计', '人大计']);
    expect([marked.name, anded.name, lookAlike.name, total.name, department.name, housing.name, general.name, innerSpeck.name, person.name, ordinal.name]).toEqual(['合计', '合计', '收入合计', '合计', '苍溪县医疗保障局', '住房公积金', '一般行政管理事务', '本年支出合计', '对个人和家庭的补助支出', '住房保障支出']);
    expect(ordinal.name_raw).toBe('十万住房保障支出');
    expect(junkOrdinal.name).toBe('上年结转');
    // An ordinal that kept its 、 with a numeral misread (degraded real Fujian scan, seed 41: 十九、 read 十妃、).
    const keptMark = row('十妃、住房保障支出');
    // No numeral left (seed 43: 十一、 read 上、): before a known name of four characters or more only.
    const noNumeral = row('上、节能环保支出');
    const shortName = row('上、奖金');
    correctOcrRowNames([table([keptMark, noNumeral, shortName])], templates, null, []);
    expect([keptMark.name, noNumeral.name, shortName.name]).toEqual(['住房保障支出', '节能环保支出', '上、奖金']);
  });

  const figures = (name: string, code: string | null, values: (number | null)[]): Row => ({ code, unit_code: null, name, name_raw: name, values, cells: values.map(() => cell()) });
  const ocrTable = (columns: string[], rows: Row[]): TableIR => ({ ...table(rows), kind: 'T03', columns: columns.map((label, i) => ({ key: `c${i + 1}`, path: [label] })) });

  it('names a garbled total column and total row by the sums their figures are, rounding of the source allowed', () => {
    // 1,493.64 + 3,202.12 = 4,695.76, printed 4,695.75 (the source's own rounding).
    const t03 = ocrTable(['侣计', '基本支出', '项目支出'], [
      figures('2攻有了二下', null, [4695.75, 1493.64, 3202.12]),
      figures('苍溪县医疗保障局', null, [4695.75, 1493.64, 3202.12]),
      figures('行政运行', '2101501', [1269.95, 1269.95, null]),
      figures('医疗保障经办事务', '2101506', [42.52, null, 42.52]),
      figures('事业运行', '2101550', [116.05, 116.05, null]),
      figures('其他巩固脱贫攻坚成果衔接乡村振兴支出', '2130599', [3267.24, 107.64, 3159.6]),
    ]);
    const issues: Issue[] = [];
    nameTotalsByArithmetic([t03], templates, null, issues);
    expect(t03.columns.map((c) => c.path[0])).toEqual(['合计', '基本支出', '项目支出']);
    expect(t03.rows[0]!.name).toBe('合计');
    expect(t03.rows[0]!.name_raw).toBe('2攻有了二下');
    expect(issues.map((i) => i.code)).toEqual(['ocr.header_corrected', 'ocr.name_corrected']);
  });

  it('names a garbled total row of a one-unit table by the unit\'s row, and a long reading that is half specks (003 held-out seeds 18, 19)', () => {
    const unitRow = (name: string, values: (number | null)[]) => ({ ...figures(name, null, values), unit_code: '322001' });
    const t10 = ocrTable(['合计', '因公出国（境）费用', '公务接待费'], [figures('会让', null, [2.81, null, 2.81]), figures('', null, [2.81, null, 2.81]), unitRow('苍溪县医疗保障局', [2.81, null, 2.81])]);
    const t09 = ocrTable(['合计', '人员经费', '公用经费'], [
      figures('1上让二二和人入', null, [1493.59, 1439.4, 54.18]),
      figures('工资福利支出', '301', [466.19, 466.19, null]),
      figures('商品和服务支出', '302', [54.18, null, 54.18]),
      figures('对个人和家庭的补助', '303', [973.22, 973.21, null]),
    ]);
    // A unit row that does not agree in every column leaves the label as read.
    const off = ocrTable(['合计', '公务接待费'], [figures('会让', null, [2.81, 2.81]), unitRow('苍溪县医疗保障局', [2.81, 2.8])]);
    nameTotalsByArithmetic([t10, t09, off], templates, null, []);
    expect([t10.rows[0]!.name, t09.rows[0]!.name, off.rows[0]!.name]).toEqual(['合计', '合计', '会让']);
  });

  it('names a total row read with junk after 合计, and the garbled total of a one-column table by three top-level codes or more (held-out seeds 21, 23)', () => {
    const t03 = ocrTable(['合计', '基本支出', '项目支出'], [
      figures('合计天天本这末天', null, [4695.7, 1493.59, 3202.12]),
      figures('社会保障和就业支出', '208', [49.98, 49.98, null]),
      figures('卫生健康支出', '210', [4302.43, 1443.61, 2858.82]),
      figures('农林水支出', '213', [303, null, 303]),
      figures('住房保障支出', '221', [40.29, null, 40.29]),
    ]);
    const t08 = ocrTable(['预算数'], [
      figures('全下汉2', null, [129025.32]),
      figures('工资福利支出', '301', [4958.68]),
      figures('商品和服务支出', '302', [1039.31]),
      figures('对个人和家庭的补助', '303', [15986.1]),
      figures('资本性支出', '310', [41.23]),
      figures('对社会保障基金补助', '313', [107000]),
    ]);
    // Two codes only: one sum of two figures is not enough alone.
    const two = ocrTable(['预算数'], [figures('全下汉2', null, [4999.91]), figures('工资福利支出', '301', [4958.68]), figures('资本性支出', '310', [41.23])]);
    nameTotalsByArithmetic([t03, t08, two], templates, null, []);
    expect([t03.rows[0]!.name, t03.rows[0]!.name_raw]).toEqual(['合计', '合计天天本这末天']);
    expect(t08.rows[0]!.name).toBe('合计');
    expect(two.rows[0]!.name).toBe('全下汉2');
  });

  it('names the garbled total row of Fujian\'s 三公 table by the template\'s row sum (000 held-out seed 19: 合计 read as "洛省")', () => {
    const fujian = templates.find((t) => t.id === 'fujian-department-budget')!;
    const t10 = (head: number) => ({
      ...ocrTable(['预算数'], [
        figures('洛省', null, [head]),
        figures('因公出国（境）费用', null, [0]),
        figures('公务接待费', null, [24.5]),
        figures('公务用车购置及运行费', null, [0]),
        figures('公务用车购置费', null, [0]),
        figures('公务用车运行费', null, [0]),
      ]),
      kind: 'T10',
      templateTable: 'T10',
    });
    const right = t10(24.5);
    const wrong = t10(25.5);
    nameTotalsByArithmetic([right, wrong], templates, fujian, []);
    expect([right.rows[0]!.name, right.rows[0]!.name_raw]).toEqual(['合计', '洛省']);
    expect(wrong.rows[0]!.name).toBe('洛省');
  });

  it('names a bold 合计 read as a one-digit "code" with no name', () => {
    const t05 = ocrTable(['小计', '基本支出', '项目支出'], [
      { ...figures('', '3', [129025.32, 5585.32, 123440]) },
      figures('行政单位离退休', '2080501', [5.36, 5.36, null]),
      figures('财政对城乡居民基本医疗保险基金的补助', '2101202', [107000, null, 107000]),
      figures('城乡医疗救助', '2101301', [22019.96, 5579.96, 16440]),
    ]);
    nameTotalsByArithmetic([t05], templates, null, []);
    expect(t05.rows[0]).toMatchObject({ code: null, name: '合计', name_raw: '3' });
  });

  it('names a garbled total column by five rows that hold though one does not, with the total word the document prints', () => {
    const t02 = ocrTable(['他', '一般公共预算拨款收入', '其他收入'], [
      figures('合计', null, [129025.32, 129025.32, null]),
      figures('行政单位离退休', '2080501', [5.36, 5.36, 6]),
      figures('事业单位离退休', '2080502', [73.97, 73.97, null]),
      figures('行政单位医疗', '2101101', [30.34, 30.34, null]),
      figures('事业单位医疗', '2101102', [214.96, 214.96, null]),
      figures('公务员医疗补助', '2101103', [26.01, 26.01, null]),
    ]);
    const t03 = ocrTable(['小计', '基本支出', '项目支出'], []);
    nameTotalsByArithmetic([t02, t03], templates, null, []);
    expect(t02.columns[0]!.path).toEqual(['小计']);
  });

  it('leaves them as read where a sum fails, or where no row is a real sum', () => {
    const off = ocrTable(['侣计', '基本支出', '项目支出'], [
      figures('全二', null, [4695.7, 1493.59, 3202.12]),
      figures('行政运行', '2101501', [1269.95, 1269.95, null]),
      figures('事业运行', '2101550', [130.05, 116.05, 4]),
    ]);
    const trivial = ocrTable(['侣计', '基本支出', '项目支出'], [figures('行政运行', '2101501', [1269.95, 1269.95, null]), figures('事业运行', '2101550', [116.05, 116.05, null])]);
    nameTotalsByArithmetic([off, trivial], templates, null, []);
    // 130.05 ≠ 116.05 + 4 in the column sums; and the head row is 4,695.70, not the codes' 1,399.99 + 4.
    expect(off.columns[0]!.path[0]).toBe('侣计');
    expect(off.rows[0]!.name).toBe('全二');
    expect(trivial.columns[0]!.path[0]).toBe('侣计');
  });
});

describe('titles OCR garbled', () => {
  const grid = [[{ text: '项目', raw: '项目', page: 1, bbox: [0, 0, 1, 1] as [number, number, number, number], source: 'ocr' as const, confidence: 0.9, colSpan: 1, rowSpan: 1, covered: false }]];
  const raws = (titles: string[]) => titles.map((title, i) => ({ title, rows: grid, headerRows: 1, pages: [i + 7], context: [] })) as unknown as RawTable[];

  it('matches against the titles of the layout the document\'s other titles name, the clearest first', () => {
    // 部收入总表 is taken first, so 部门收总表 (one slip from 收支 and from 收入) can only be 部门收支总表.
    const sichuan = raws(['部门收总表', '部收入总表', '部门支出总表', '财政拨款收支预算总表']);
    const issues: Issue[] = [];
    correctOcrLabels(sichuan, templates, issues);
    expect(sichuan.map((r) => r.title)).toEqual(['部门收支总表', '部门收入总表', '部门支出总表', '财政拨款收支预算总表']);
    // 拨先 is one slip from Fujian's 一般公共预算拨款支出预算表, two from Sichuan's 一般公共预算支出预算表: the Fujian titles around it decide.
    const fujian = raws(['收支预算总表', '收入预算总表', '支出预算总表', '一般公共预算拨先支出预算表', '政府性基金预算拨款支出预算表']);
    correctOcrLabels(fujian, templates, issues);
    expect(fujian[3]!.title).toBe('一般公共预算拨款支出预算表');
    // 收文 is half a slip from 收支 and one from 收入; 收入预算总表 is printed, and 财政拨款收支预算总表, which merely
    // ends with 收支预算总表, does not take that title (001 held-out seed 39).
    const openingFujian = raws(['收文预算总表', '收入预算总表', '支出预算总表', '财政拨款收支预算总表', '一般公共预算拨款支出预算表']);
    correctOcrLabels(openingFujian, templates, []);
    expect(openingFujian[0]!.title).toBe('收支预算总表');
  });

  it('gives a unit whose place OCR misread the place the table\'s other units share (degraded real Fujian scan, seed 42)', () => {
    const units = ['合计', '泉州市12345政务服务便民热线中心', '泉州市人民政府办公室', '景州市人民政府发展研究中心', '泉州市外事翻译与对外交流服务中心', '朱州市机关事务服务中心', '泉州市人民政府公报室', '晋江市某某中心'].map((name) => row(name));
    const issues: Issue[] = [];
    agreeOnUnitPlaces([table(units)], null, issues);
    expect(units.map((r) => r.name)).toEqual(['合计', '泉州市12345政务服务便民热线中心', '泉州市人民政府办公室', '泉州市人民政府发展研究中心', '泉州市外事翻译与对外交流服务中心', '泉州市机关事务服务中心', '泉州市人民政府公报室', '晋江市某某中心']);
    expect(issues).toHaveLength(2);
    // Where the department is of another place than most rows, nothing is changed.
    const other = ['泉州市公安局', '泉州市看守所', '录州市公安局某分局'].map((name) => row(name));
    agreeOnUnitPlaces([table(other)], '福州市公安局', []);
    expect(other[2]!.name).toBe('录州市公安局某分局');
  });

  it('takes the title of an untitled OCR table from the lines above it: 表 lost, or a speck after it (003 held-out seeds 24, 26)', () => {
    const sichuan = raws(['部门收支总表', '部门收入总表', '部门支出总表', '', '财政拨款支出预算表（部门经济分类科目）', '一般公共预算支出预算表', '']);
    sichuan[3]!.context = ['财政拨款收支预算总表、', '部门 322- 苍溪县医疗保障局部门', '金额单位万元'];
    sichuan[6]!.context = ['一般公共预算基本支出预算', '部门 322- 苍溪县医疗保障局部门', '单位万元'];
    const issues: Issue[] = [];
    correctOcrLabels(sichuan, templates, issues);
    expect([sichuan[3]!.title, sichuan[6]!.title]).toEqual(['财政拨款收支预算总表', '一般公共预算基本支出预算表']);
    expect(sichuan[3]!.title_raw).toBe('财政拨款收支预算总表、');
    expect(issues.filter((i) => i.code === 'ocr.title_corrected')).toHaveLength(3);
    // A title line that opens with its year and lost its 表 (degraded real Fujian scan, seed 42: 表 read 胡); a line of other figures is no title.
    const fujian = raws(['收支预算总表', '收入预算总表', '', '财政拨款收支预算总表', '']);
    fujian[2]!.context = ['2026年度支出预算总胡', '单位：万元'];
    fujian[4]!.context = ['1369.27 1063.27 306.00', '单位：万元'];
    correctOcrLabels(fujian, templates, []);
    expect([fujian[2]!.title, fujian[4]!.title]).toEqual(['支出预算总表', '']);
    // Only 部门 and 单位 lines above: the table stays untitled.
    const plain = raws(['部门收支总表', '']);
    plain[1]!.context = ['部门 322- 苍溪县医疗保障局部门', '金额单位万元'];
    correctOcrLabels(plain, templates, []);
    expect(plain[1]!.title).toBe('');
  });

  it('takes, between two header words a misreading is as close to, the one the document prints elsewhere', () => {
    const header = (text: string) => [[{ text, raw: text, page: 1, bbox: [0, 0, 1, 1] as [number, number, number, number], source: 'ocr' as const, confidence: 0.9, colSpan: 1, rowSpan: 1, covered: false }]];
    const budget = [{ title: '政府性基金预算支出表', rows: header('预算数'), headerRows: 1, pages: [12] }, { title: '一般公共预算“三公”经费支出表', rows: header('欧算数'), headerRows: 1, pages: [16] }] as unknown as RawTable[];
    const alone = [{ title: '一般公共预算“三公”经费支出表', rows: header('欧算数'), headerRows: 1, pages: [16] }] as unknown as RawTable[];
    correctOcrLabels(budget, templates, []);
    correctOcrLabels(alone, templates, []);
    // 欧算数 is one slip from 预算数 and from 决算数: only a document that prints 预算数 decides.
    expect(budget[1]!.rows[0]![0]!.text).toBe('预算数');
    expect(alone[0]!.rows[0]![0]!.text).toBe('欧算数');
  });

  it('spells a header OCR took for a figure no reading is sure of by the words read beside it (003 held-out seed 37: "0" for 预算数)', () => {
    const cellOf = (text: string, confidence: number, alternatives: { raw: string; confidence: number }[]) => ({ text, raw: text, page: 11, bbox: [0, 0, 1, 1] as [number, number, number, number], source: 'ocr' as const, confidence, colSpan: 1, rowSpan: 1, covered: false, alternatives });
    // 据算数 is as near 决算数 as 预算数: the document's other header, 预算数, decides.
    const printed = { title: '部门收支总表', rows: [[cellOf('预算数', 0.95, [])]], headerRows: 1, pages: [8] };
    const garbled = [printed, { title: '财政拨款收支预算总表', rows: [[cellOf('0', 0, [{ raw: '据算数', confidence: 0.4 }])]], headerRows: 1, pages: [11] }] as unknown as RawTable[];
    // A sure figure in a header row, or words that match nothing, stay.
    const sure = [{ title: '财政拨款收支预算总表', rows: [[cellOf('2023', 0.9, [{ raw: '据算数', confidence: 0.4 }])]], headerRows: 1, pages: [11] }] as unknown as RawTable[];
    const nothing = [{ title: '财政拨款收支预算总表', rows: [[cellOf('0', 0, [{ raw: '汪汪', confidence: 0.4 }])]], headerRows: 1, pages: [11] }] as unknown as RawTable[];
    for (const raw of [garbled, sure, nothing]) correctOcrLabels(raw, templates, []);
    expect([garbled[1]!, sure[0]!, nothing[0]!].map((r) => r.rows[0]![0]!.text)).toEqual(['预算数', '2023', '0']);
  });

  it('takes a title too garbled to match from the template\'s order, with a warning, only where it still resembles it', () => {
    const fujian = raws(['收支预算总表', '收入预算总表', '支出预算总表', '财政拓吉收所算闻表', '一般公共预算拨款支出预算表', '政府性基金预算拨款支出预算表', '国有资本经营预算拨款支出预算表', '内容目录', '一般公共预算基本支出经济分类情况表']);
    const issues: Issue[] = [];
    correctOcrLabels(fujian, templates, issues);
    expect(fujian[3]!.title).toBe('财政拨款收支预算总表');
    expect(issues.filter((i) => i.code === 'ocr.title_inferred').map((i) => i.page)).toEqual([10]);
    // Between 表七 and 表九 the order leaves 表八, but "内容目录" is nothing like it: left as read.
    expect(fujian[7]!.title).toBe('内容目录');
  });

  it('places titles that open the document before its first known table (003 held-out seed 33: two tables read "部门收总表")', () => {
    // "部门收总表" is one slip from 部门收支总表 and from 部门收入总表 alike; the template puts those two, in that order, before 部门支出总表.
    const sichuan = raws(['部门收总表', '部门收总表', '部门支出总表', '财政拨款收支预算总表', '财政拨款支出预算表（部门经济分类科目）', '一般公共预算支出预算表']);
    const issues: Issue[] = [];
    correctOcrLabels(sichuan, templates, issues);
    expect(sichuan.slice(0, 2).map((r) => r.title)).toEqual(['部门收支总表', '部门收入总表']);
    expect(issues.filter((i) => i.code === 'ocr.title_inferred')).toHaveLength(2);
    // A single table before 部门支出总表 where the template has two: not placed.
    const one = raws(['部门收总表', '部门支出总表', '财政拨款收支预算总表', '财政拨款支出预算表（部门经济分类科目）']);
    correctOcrLabels(one, templates, []);
    expect(one[0]!.title).toBe('部门收总表');
  });
});

describe('twin column groups', () => {
  it('names a misread leaf after its twin in the other group, only where every readable leaf agrees', () => {
    const paths = [
      ['预算数', '合计'],
      ['预算数', '因公出国（境）费'],
      ['预算数', '公务接待费'],
      ['决算数', '全由'],
      ['决算数', 'DOIAATISG7Jo', '费'],
      ['决算数', '公务接待费'],
    ];
    const twin: TableIR = { ...table([row('合计')]), kind: 'T10', columns: paths.map((path, i) => ({ key: `c${i}`, path })) };
    // A table whose groups disagree on a readable leaf is left alone.
    const other: TableIR = { ...table([row('合计')]), kind: 'T10', columns: [['预算数', '合计'], ['预算数', '公务接待费'], ['决算数', '全由'], ['决算数', '因公出国（境）费']].map((path, i) => ({ key: `c${i}`, path })) };
    const issues: Issue[] = [];
    alignTwinColumnGroups([twin, other], templates, issues);
    expect(twin.columns.map((c) => c.path.join('/'))).toEqual(['预算数/合计', '预算数/因公出国（境）费', '预算数/公务接待费', '决算数/合计', '决算数/因公出国（境）费', '决算数/公务接待费']);
    expect(other.columns.map((c) => c.path.join('/'))).toEqual(['预算数/合计', '预算数/公务接待费', '决算数/全由', '决算数/因公出国（境）费']);
    expect(issues.map((i) => i.code)).toEqual(['ocr.header_corrected', 'ocr.header_corrected']);
  });
});

describe('columns named by their place in the template\'s column order', () => {
  const fujian = templates.find((t) => t.id === 'fujian-department-budget')!;
  const sichuan = templates.find((t) => t.id === 'sichuan-county-budget')!;
  const withColumns = (kind: string, paths: string[][], source: Cell['source'] = 'ocr'): TableIR => ({
    ...table([row('合计', null, source)]),
    kind,
    templateTable: kind,
    columns: paths.map((path, i) => ({ key: `c${i + 1}`, path })),
  });

  it('names a header read as "2" or half garbled by the one key its neighbours leave, with a warning', () => {
    // 001's 收入预算总表 on a held-out scan: 一般公共预算拨款收入 read as "2", 财政专户管理资金收入 as "…政信".
    const t02 = withColumns('T02', [['小计'], ['2'], ['政府性基金预算拨款收入'], ['国有资本经营预算拨款收入'], ['财政专户管理资金政信'], ['事业收入'], ['其他收入'], ['上年结转结余']]);
    const issues: Issue[] = [];
    inferColumnsFromOrder([t02], fujian, issues);
    expect(t02.columns.map((c) => c.path.join('/'))).toEqual(['小计', '一般公共预算拨款收入', '政府性基金预算拨款收入', '国有资本经营预算拨款收入', '财政专户管理资金收入', '事业收入', '其他收入', '上年结转结余']);
    expect(t02.columns.map((c) => c.key)).toEqual(['total', 'general_budget', 'gov_fund', 'state_capital', 'special_account', 'business_income', 'other_income', 'carryover']);
    expect(issues.map((i) => [i.code, i.severity])).toEqual([
      ['ocr.column_inferred', 'warning'],
      ['ocr.column_inferred', 'warning'],
    ]);
    expect(issues[0]!.message).toContain('"2"');
  });

  it('spells an inferred column as the document prints that key elsewhere (001 held-out seed 21: 小计, not the template\'s first label 合计)', () => {
    const t02 = withColumns('T02', [['省计'], ['一般公共预算拨款收入'], ['政府性基金预算拨款收入'], ['国有资本经营预算拨款收入'], ['财政专户管理资金收入'], ['事业收入'], ['其他收入'], ['上年结转结余']]);
    const t03 = withColumns('T03', [['小计'], ['基本支出'], ['项目支出']]);
    const t05 = withColumns('T05', [['小计'], ['其中：', '基本支出'], ['其中：', '项目支出']]);
    inferColumnsFromOrder([t02, t03, t05], fujian, []);
    expect(t02.columns[0]).toMatchObject({ path: ['小计'], key: 'total' });
    // The label the reading resembles most comes first (003 held-out seed 25: "般公共" in Sichuan's 财政拨款收支预算总表).
    const sichuan = templates.find((t) => t.id === 'sichuan-county-budget')!;
    const t04 = { ...withColumns('T04', [['合计'], ['般公共'], ['政府性基金预算'], ['国有资本经营预算']]), part: 'expense' as const };
    const sichuanT02 = withColumns('T02', [['合计'], ['上年结转'], ['一般公共预算拨款收入']]);
    inferColumnsFromOrder([sichuanT02, t04], sichuan, []);
    expect(t04.columns[1]).toMatchObject({ path: ['一般公共预算'], key: 'general_budget' });
    // A document that prints no spelling of it elsewhere gets the template's first.
    const alone = withColumns('T02', [['省计'], ['一般公共预算拨款收入'], ['政府性基金预算拨款收入']]);
    inferColumnsFromOrder([alone], fujian, []);
    expect(alone.columns[0]!.path).toEqual(['合计']);
  });

  it('gives a column whose leaf was lost the key outside the group its neighbour is in', () => {
    // 003's 三公 table: the 公务接待费 leaf unread, only the group header above it left; 公务用车运行费 belongs under
    // 公务用车购置及运行费, which this column is not under, so only 公务接待费 fits.
    const group = '当年财政拨款预算安排';
    const t10 = withColumns('T10', [[group, '合计'], [group, '因公出国（境）费用'], [group, '公务用车购置及运行费', '小计'], [group, '公务用车购置及运行费', '公务用车购置费'], [group]]);
    inferColumnsFromOrder([t10], sichuan, []);
    expect(t10.columns.at(-1)!.path).toEqual([group, '公务接待费']);
    expect(t10.columns.at(-1)!.key).toBe('reception');
    // The same blank leaf inside the vehicle group is 公务用车运行费.
    const inside = withColumns('T10', [[group, '合计'], [group, '公务用车购置及运行费', '小计'], [group, '公务用车购置及运行费', '公务用车购置费'], [group, '公务用车购置及运行费'], [group, '公务接待费']]);
    inferColumnsFromOrder([inside], sichuan, []);
    expect(inside.columns[3]!.path).toEqual([group, '公务用车购置及运行费', '公务用车运行费']);
  });

  it('leaves columns where the place allows two keys, the columns read break the order, or the table is a text layer', () => {
    // Between 合计 and 事业收入 five income keys fit one column.
    const open = withColumns('T02', [['合计'], ['2'], ['事业收入']]);
    // 项目支出 before 基本支出: not the order the template knows, so no place can be trusted.
    const swapped = withColumns('T03', [['合计'], ['项目支出'], ['x'], ['基本支出']]);
    // A printed label is never renamed, however odd.
    const printed = withColumns('T02', [['合计'], ['2'], ['政府性基金预算拨款收入']], 'text');
    const issues: Issue[] = [];
    inferColumnsFromOrder([open, swapped, printed], fujian, issues);
    expect(open.columns[1]!.path).toEqual(['2']);
    expect(swapped.columns[2]!.path).toEqual(['x']);
    expect(printed.columns[1]!.path).toEqual(['2']);
    expect(issues).toEqual([]);
  });
});

describe('department read from OCR text', () => {
  const meta = (lines: string[]) => readMetadata({ flow: lines.map((text) => ({ type: 'line', text })), tables: [] } as unknown as DocumentIR, null);
  it('reads the 部门 line whose colon OCR lost, and never a numbered contents line or a part heading\'s number', () => {
    expect(meta(['2023年部门预算', '目录', '第一部分苍溪县医疗保障局概况', '部门322-苍溪县医疗保障局部门']).department).toBe('苍溪县医疗保障局');
    // Without a colon, only a line with the department's code is a department line.
    expect(meta(['部门预算单位构成', '十四、部门整体支出绩效目标表', '第三部分苍溪县医疗保障局2023年部门预算情况说明']).department).toBe('苍溪县医疗保障局');
  });

  it('takes the spelling most 部门 lines give, so one that OCR cut short is outvoted (003 held-out seed 17)', () => {
    expect(meta(['部门 322-苍溪县医疗保障局部', '部门，322-苍溪县医疗保障局部门', '部门：322-苍溪县医疗保障局部门']).department).toBe('苍溪县医疗保障局');
    // A name that ends in 部 is kept when the lines agree on it.
    expect(meta(['部门：101-中共某某县委组织部', '部门：101-中共某某县委组织部']).department).toBe('中共某某县委组织部');
  });
});

describe('department name by consensus', () => {
  it('spells the name as most of its readings do, aligned on each', () => {
    const lines = ['部门：322-苍溪县医疗保障局部门', '苍溪县医疗保障局是县政府工作部门', '巷溪县医疗保障局', '仓诅县医疗保障局2023年部门预算', '苍溪县医疗保障局内设机构'];
    expect(consensusName('仓诅县医疗保障局', lines)).toBe('苍溪县医疗保障局');
    // Too few readings to outvote the cover.
    expect(consensusName('仓诅县医疗保障局', lines.slice(0, 2))).toBeNull();
  });
});
