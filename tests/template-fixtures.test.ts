import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toOutput, type OutputDocument } from '../src/output.js';
import { projectRoot } from '../src/paths.js';
import { processDocument } from '../src/pipeline.js';

/**
 * One small text fixture per region template, of the project's own making (tests/fixtures/templates/*.txt).
 * Every department and figure is invented; every total equals the sum of its parts and the tables agree with each
 * other as the template's identities require, so a correct pipeline reads each with no identity error.
 * All expected values below were computed by hand from the fixtures.
 */
const root = projectRoot();
const fixture = (name: string) => readFileSync(path.join(root, 'tests', 'fixtures', 'templates', `${name}.txt`), 'utf8');

async function run(name: string, text: string = fixture(name)): Promise<OutputDocument> {
  return toOutput(await processDocument(`${name}.txt`, new Uint8Array(Buffer.from(text, 'utf8'))));
}

type Table = OutputDocument['tables'][number];
type Row = Table['rows'][number];

const tables = (doc: OutputDocument, kind: string, part: string | null = null) => doc.tables.filter((t) => t.kind === kind && (part === null || t.part === part));
const table = (doc: OutputDocument, kind: string, part: string | null = null): Table => {
  const found = tables(doc, kind, part);
  expect(found.length, `table ${kind}${part ? `/${part}` : ''}`).toBeGreaterThan(0);
  return found[0]!;
};
const row = (t: Table, key: string): Row => {
  const r = t.rows.find((x) => x.code === key || x.unit_code === key || x.name === key);
  expect(r, `row ${key} of ${t.kind} "${t.title}"`).toBeDefined();
  return r!;
};
const col = (t: Table, key: string) => {
  const i = t.columns.findIndex((c) => c.key === key);
  expect(i, `column ${key} of ${t.kind} (${t.columns.map((c) => c.key).join(',')})`).toBeGreaterThanOrEqual(0);
  return i;
};
const cell = (t: Table, rowKey: string, colKey: string) => row(t, rowKey).values[col(t, colKey)];
const kinds = (doc: OutputDocument) => [...new Set(doc.tables.map((t) => t.kind))].sort();
const parts = (doc: OutputDocument, kind: string) => tables(doc, kind).map((t) => t.part);

function expectChosen(doc: OutputDocument, id: string, minMargin = 0.3) {
  expect(doc.document.template?.id).toBe(id);
  const scores = (doc.document.template_scores ?? []) as { id: string; score: number }[];
  expect(scores.length).toBeGreaterThan(1);
  const sorted = [...scores].sort((a, b) => b.score - a.score);
  expect(sorted[0]!.id).toBe(id);
  expect(sorted[0]!.score).toBe(doc.document.template!.score);
  expect(sorted[0]!.score - sorted[1]!.score).toBeGreaterThan(minMargin);
}

function expectClean(doc: OutputDocument, minRun: number) {
  expect(doc.issues.filter((i) => i.severity === 'error').map((i) => `${i.code} ${i.table ?? ''}: ${i.message}`)).toEqual([]);
  expect(doc.checks.failed).toBe(0);
  expect(doc.checks.run).toBeGreaterThan(minRun);
  expect(doc.checks.passed).toBe(doc.checks.run);
  expect(doc.document.status).toBe('ok');
}

/** A deliberately broken figure must be reported as an identity error quoting it, and send the document to review. */
function expectBroken(doc: OutputDocument, figure: number) {
  expect(doc.document.status).toBe('needs_review');
  expect(doc.checks.failed).toBeGreaterThan(0);
  const errors = doc.issues.filter((i) => i.severity === 'error' && i.code.startsWith('identity.'));
  expect(errors.length).toBeGreaterThan(0);
  const quotes = (i: (typeof errors)[number]) => i.found === figure || i.expected === figure || (i.figures ?? []).some((f) => f.value === figure);
  expect(errors.some(quotes), `an identity error quoting ${figure}: ${errors.map((i) => i.message).join(' | ')}`).toBe(true);
}

const replaceOnce = (text: string, from: string, to: string) => {
  expect(text.includes(from), `fixture holds "${from}"`).toBe(true);
  return text.replace(from, to);
};

// ---------------------------------------------------------------------------------------------------------------
describe('shanghai-department-budget fixture (amounts in 元, 类|款|项 code cells, totals at the bottom)', () => {
  let doc: OutputDocument;
  beforeAll(async () => {
    doc = await run('shanghai-department-budget');
  });

  it('is claimed by the Shanghai template by a clear margin', () => {
    expectChosen(doc, 'shanghai-department-budget');
    expect(doc.document).toMatchObject({ department: '上海市某某区档案馆', year: 2025, unit: '元', province: '上海市', region: 'shanghai' });
  });

  it('finds every table of the set', () => {
    expect(kinds(doc)).toEqual(['T01', 'T02', 'T03', 'T04', 'T05', 'T06', 'T09', 'T10']);
    expect(parts(doc, 'T01')).toEqual(['income', 'expense']);
    expect(parts(doc, 'T04')).toEqual(['income', 'expense']);
  });

  it('passes every identity', () => expectClean(doc, 120));

  it('reads the hand-checked figures', () => {
    expect(cell(table(doc, 'T01', 'income'), '收入总计', 'amount')).toBe(7845500);
    expect(cell(table(doc, 'T01', 'expense'), '住房保障支出', 'amount')).toBe(521600);
    expect(cell(table(doc, 'T02', null), '2080506', 'total')).toBe(306400);
    expect(cell(table(doc, 'T03'), '2012601', 'basic')).toBe(3864200);
    expect(cell(table(doc, 'T03'), '合计', 'project')).toBe(2153000);
    expect(cell(table(doc, 'T04', 'expense'), '支出总计', 'general_budget')).toBe(7845500);
    expect(cell(table(doc, 'T05'), '20126', 'total')).toBe(6017200);
    expect(cell(table(doc, 'T09'), '30217', 'public_funds')).toBe(45000);
    expect(cell(table(doc, 'T09'), '合计', 'personnel')).toBe(5054000);
    const t10 = table(doc, 'T10');
    expect(t10.unit).toBe('万元');
    expect(t10.rows[0]!.values).toEqual([12.5, 0, 8, 0, 8, 4.5, 63.85]);
  });

  it('gives every 三公 column its full header path', () => {
    const t10 = table(doc, 'T10');
    expect(t10.columns.map((c) => c.path)).toEqual([
      ['“三公”经费预算数', '合计'],
      ['“三公”经费预算数', '因公出国(境)费'],
      ['“三公”经费预算数', '公务用车购置及运行费', '小计'],
      ['“三公”经费预算数', '公务用车购置及运行费', '购置费'],
      ['“三公”经费预算数', '公务用车购置及运行费', '运行费'],
      ['“三公”经费预算数', '公务接待费'],
      ['机关运行经费预算数'],
    ]);
  });

  it('reports a broken 支出预算总表 figure (201 合计 6,017,300.00 instead of 6,017,200.00)', async () => {
    const text = replaceOnce(fixture('shanghai-department-budget'), '201\t\t\t一般公共服务支出\t6,017,200.00\t3,864,200.00', '201\t\t\t一般公共服务支出\t6,017,300.00\t3,864,200.00');
    const broken = await run('shanghai-department-budget', text);
    expect(broken.document.template?.id).toBe('shanghai-department-budget');
    expectBroken(broken, 6017300);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('hangzhou-department-budget fixture (表1…表8, names without codes, ** and 1 2 3 … under the header)', () => {
  let doc: OutputDocument;
  beforeAll(async () => {
    doc = await run('hangzhou-department-budget');
  });

  it('is claimed by the Hangzhou template by a clear margin', () => {
    expectChosen(doc, 'hangzhou-department-budget');
    expect(doc.document).toMatchObject({ department: '杭州市某某档案局', year: 2026, unit: '万元', province: '浙江省' });
  });

  it('finds every table of the set', () => {
    expect(kinds(doc)).toEqual(['T01', 'T02', 'T03', 'T04', 'T05', 'T06', 'T09', 'T10']);
    expect(parts(doc, 'T01')).toEqual(['income', 'expense']);
    expect(parts(doc, 'T04')).toEqual(['income', 'expense']);
  });

  it('passes every identity', () => expectClean(doc, 60));

  it('treats the ** / 1 2 3 … row as layout: names stay names, headers keep their labels', () => {
    const t03 = table(doc, 'T03');
    expect(t03.columns.map((c) => c.path)).toEqual([
      ['总计'],
      ['基本支出', '人员支出'],
      ['基本支出', '日常公用支出'],
      ['项目支出'],
      ['事业单位经营支出'],
      ['上缴上级支出'],
      ['对附属单位补助支出'],
    ]);
    expect(t03.columns[0]!.key).toBe('total');
    expect(t03.columns[1]!.key).toBe('personnel');
    expect(t03.columns[3]!.key).toBe('project');
    expect(row(t03, '行政运行').values).toEqual([386.42, 322.57, 63.85, null, null, null, null]);
    expect(row(t03, '合计').values).toEqual([784.55, 505.4, 63.85, 215.3, null, null, null]);
    expect(doc.issues.filter((i) => i.code === 'cell.not_a_number')).toEqual([]);
  });

  it('reads the hand-checked figures', () => {
    expect(cell(table(doc, 'T01', 'income'), '本年收入合计', 'amount')).toBe(784.55);
    expect(cell(table(doc, 'T01', 'expense'), '住房公积金', 'amount')).toBe(52.16);
    expect(cell(table(doc, 'T02'), '杭州市某某档案服务中心', 'total')).toBe(142.2);
    expect(cell(table(doc, 'T02'), '合计', 'general_budget')).toBe(784.55);
    expect(cell(table(doc, 'T05'), '一般行政管理事务', 'project')).toBe(215.3);
    expect(cell(table(doc, 'T05'), '合计', 'personnel')).toBe(505.4);
    expect(row(table(doc, 'T09'), '公务接待费').values).toEqual([4.5, null, 4.5]);
    const t10 = table(doc, 'T10');
    expect(t10.columns.map((c) => c.path.join('/'))).toEqual(['“三公”经费合计', '因公出国(境)费用', '公务用车购置及运行费/小计', '公务用车购置及运行费/公务用车购置费', '公务用车购置及运行费/公务用车运行维护费', '公务接待费']);
    expect(row(t10, '杭州市某某档案局本级').values).toEqual([9.3, null, 6, null, 6, 3.3]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('jiangsu-department-budget fixture (2019 set of twelve, 功能科目/经济科目 tables, three-sided 收支预算总表)', () => {
  let doc: OutputDocument;
  beforeAll(async () => {
    doc = await run('jiangsu-department-budget');
  });

  it('is claimed by the Jiangsu template by a clear margin', () => {
    expectChosen(doc, 'jiangsu-department-budget');
    expect(doc.document).toMatchObject({ year: 2019, unit: '万元', province: '江苏省' });
  });

  it('reads the department name without the 单位 that follows it on the 部门： line', () => {
    expect(doc.document.department).toBe('江苏省某某档案馆');
  });

  it('finds every table of the set', () => {
    expect(kinds(doc)).toEqual(['T01', 'T02', 'T03', 'T04', 'T05', 'T06', 'T09', 'T10', 'X-fiscal-econ', 'X-fiscal-function', 'X-office-running']);
    expect(parts(doc, 'T01')).toContain('income');
    expect(parts(doc, 'T01')).toContain('expense');
  });

  it('passes every identity', () => expectClean(doc, 30));

  it('reads the hand-checked figures', () => {
    expect(cell(table(doc, 'T01', 'income'), '收入合计', 'amount')).toBe(784.55);
    expect(table(doc, 'T03').rows.map((r) => r.values.slice(0, 3))).toEqual([[784.55, 569.25, 215.3]]);
    expect(cell(table(doc, 'X-fiscal-function'), '2012602', 'amount')).toBe(215.3);
    expect(cell(table(doc, 'X-fiscal-econ'), '30113', 'amount')).toBe(52.16);
    expect(cell(table(doc, 'T05'), '合计', 'amount')).toBe(784.55);
    expect(cell(table(doc, 'T09'), '30217', 'amount')).toBe(4.5);
    expect(cell(table(doc, 'X-office-running'), '302', 'c1')).toBe(63.85);
    const t10 = table(doc, 'T10');
    expect(t10.rows[0]!.values).toEqual([17.5, 12.5, 0, 8, 0, 8, 4.5, 3, 2]);
    expect(t10.columns[4]!.path).toEqual(['“三公”经费', '公务用车购置及运行维护费', '公务用车购置费']);
  });

  it('keeps the 支出用途 side of 收支预算总表 with its own row names (基本支出 569.25, 项目支出 215.30)', () => {
    const rows = tables(doc, 'T01').flatMap((t) => t.rows.map((r) => ({ name: r.name, values: r.values })));
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['基本支出', '项目支出', '单位预留机动经费']));
    expect(rows.find((r) => r.name === '基本支出')!.values).toContain(569.25);
    expect(rows.find((r) => r.name === '项目支出')!.values).toContain(215.3);
    // and no 功能分类 row carries a 支出用途 figure: 一般公共服务支出 holds 601.72 only
    expect(rows.find((r) => r.name === '一般公共服务支出')!.values.filter((v) => typeof v === 'number')).toEqual([601.72]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('xian-comprehensive-budget fixture (表1…表13, 元 without separators, four-sided 收支总表, two economic code columns)', () => {
  let doc: OutputDocument;
  beforeAll(async () => {
    doc = await run('xian-comprehensive-budget');
  });

  it("is claimed by the Xi'an template by a clear margin", () => {
    expectChosen(doc, 'xian-comprehensive-budget');
    expect(doc.document).toMatchObject({ department: '西安市某某档案局', year: 2022, unit: '元', province: '陕西省' });
  });

  it('finds every table of the set, the 三公/会议费/培训费 table as T10', () => {
    expect(kinds(doc)).toEqual(['T01', 'T02', 'T03', 'T04', 'T05', 'T09', 'T10', 'X-basic-function', 'X-general-econ']);
    expect(doc.issues.filter((i) => i.code === 'table.missing')).toEqual([]);
  });

  it('passes every identity', () => expectClean(doc, 150));

  it('reads the hand-checked figures', () => {
    expect(cell(table(doc, 'T01', 'income'), '收入总计', 'amount')).toBe(7845500);
    expect(cell(table(doc, 'T02'), '246002', 'total')).toBe(1422000);
    expect(row(table(doc, 'T03'), '246001').values.slice(0, 5)).toEqual([6423500, 4370500, 3896000, 474500, 2053000]);
    expect(row(table(doc, 'T05'), '2012601').values.slice(0, 4)).toEqual([3864200, 3225700, 638500, 0]);
    expect(row(table(doc, 'X-basic-function'), '合计').values.slice(0, 3)).toEqual([5692500, 5054000, 638500]);
    expect(row(table(doc, 'X-general-econ'), '30227').values.slice(0, 4)).toEqual([2153000, 0, 0, 2153000]);
  });

  it('codes 部门经济分类 rows by their 部门经济科目编码, not the 政府经济科目编码 printed beside it', () => {
    const t09 = table(doc, 'T09');
    const r = row(t09, '30101');
    expect(r.name).toBe('基本工资');
    expect(r.values.filter((v) => typeof v === 'number').slice(0, 3)).toEqual([1423000, 1423000, 0]);
    expect(t09.rows.some((x) => x.code === '50101')).toBe(false);
    expect(doc.issues.filter((i) => i.code === 'code.name_mismatch')).toEqual([]);
  });

  it('reads the 2022 三公 figures from T10', () => {
    const t10 = table(doc, 'T10');
    const total = row(t10, '合计');
    expect(total.values.slice(0, 9)).toEqual([168000, 118000, 0, 40000, 78000, 0, 78000, 30000, 20000]);
    expect(total.values.slice(9, 18)).toEqual([175000, 125000, 0, 45000, 80000, 0, 80000, 30000, 20000]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('mof-core-budget fixture (Beijing 预算01表…预算09表, 6 decimals, code-name cells like 2012601-行政运行)', () => {
  let doc: OutputDocument;
  beforeAll(async () => {
    doc = await run('mof-core-budget');
  });

  it('is claimed by the MOF core template by a clear margin', () => {
    expectChosen(doc, 'mof-core-budget');
    expect(doc.document).toMatchObject({ department: '北京市某某档案局', year: 2026, unit: '万元', province: '北京市' });
  });

  it('finds every table of the set', () => {
    expect(kinds(doc)).toEqual(['T01', 'T02', 'T03', 'T04', 'T05', 'T06', 'T07', 'T09', 'T10']);
    expect(parts(doc, 'T01')).toEqual(['income', 'expense']);
  });

  it('passes every identity', () => expectClean(doc, 30));

  it('reads the hand-checked figures', () => {
    expect(cell(table(doc, 'T01', 'income'), '一般公共预算拨款收入', 'amount')).toBe(784.55);
    expect(cell(table(doc, 'T01', 'expense'), '本年支出合计', 'amount')).toBe(784.55);
    expect(table(doc, 'T02').rows[0]!.values.slice(0, 3)).toEqual([784.55, 784.55, 784.55]);
    expect(cell(table(doc, 'T03'), '2012602', 'project')).toBe(215.3);
    expect(table(doc, 'T03').rows.filter((r) => r.code === '2012601').map((r) => r.values[col(table(doc, 'T03'), 'basic')])).toEqual([142.3, 118.7, 51.97, 28.4, 12.6, 4.5, 18.35, 9.6]);
    expect(row(table(doc, 'T05'), '2012601').values).toEqual([386.42, 386.42, 322.57, 63.85, null, null]);
    expect(cell(table(doc, 'T05'), '合计', 'public_funds')).toBe(63.85);
    expect(table(doc, 'T10').rows[0]!.values).toEqual([12.5, 0, 4.5, 8, 0, 8]);
  });

  it('splits 30217-公务接待费 style cells of 一般公共预算基本支出表 into code and name', () => {
    const t09 = table(doc, 'T09');
    const r = row(t09, '30217');
    expect(r.name).toBe('公务接待费');
    expect(r.values.filter((v) => typeof v === 'number')).toEqual([4.5, 4.5]);
    expect(row(t09, '合计').values.filter((v) => typeof v === 'number')).toEqual([569.25, 505.4, 63.85]);
  });

  it('reports a broken 一般公共预算支出表 figure (行政运行 人员经费 322.750000 instead of 322.570000)', async () => {
    const text = replaceOnce(fixture('mof-core-budget'), '2012601\t行政运行\t386.420000\t386.420000\t322.570000', '2012601\t行政运行\t386.420000\t386.420000\t322.750000');
    const broken = await run('mof-core-budget', text);
    expect(broken.document.template?.id).toBe('mof-core-budget');
    expectBroken(broken, 322.75);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('overall-situation-budget fixture (Chongqing …总体情况表, 合计 row on top, 2025年预算数 column, two-year 三公 table)', () => {
  let doc: OutputDocument;
  beforeAll(async () => {
    doc = await run('overall-situation-budget');
  });

  it('is claimed by the …总体情况表 template by a clear margin', () => {
    expectChosen(doc, 'overall-situation-budget');
    expect(doc.document).toMatchObject({ department: '重庆市某某档案馆', year: 2026, unit: '万元', province: '重庆市' });
  });

  it('finds every table of the set', () => {
    expect(kinds(doc)).toEqual(['T01', 'T02', 'T03', 'T04', 'T05', 'T06', 'T09', 'T10']);
    expect(parts(doc, 'T01')).toEqual(['income', 'expense']);
    expect(parts(doc, 'T04')).toEqual(['income', 'expense']);
  });

  it('passes every identity', () => expectClean(doc, 150));

  it('reads the hand-checked figures', () => {
    expect(cell(table(doc, 'T01', 'income'), '事业收入资金', 'amount')).toBe(35);
    expect(cell(table(doc, 'T01', 'expense'), '一般公共服务支出', 'amount')).toBe(636.72);
    expect(cell(table(doc, 'T02'), '2012602', 'business_income')).toBe(35);
    expect(cell(table(doc, 'T02'), '合计', 'total')).toBe(819.55);
    expect(row(table(doc, 'T03'), '2012602').values).toEqual([250.3, null, 250.3]);
    expect(cell(table(doc, 'T04', 'expense'), '支出合计', 'general_budget')).toBe(784.55);
    const t05 = table(doc, 'T05');
    expect(row(t05, '合计').values).toEqual([760, 784.55, 569.25, 505.4, 63.85, 215.3]);
    expect(cell(t05, '2012601', 'personnel')).toBe(322.57);
    expect(cell(table(doc, 'T09'), '30211', 'public_funds')).toBe(12.6);
    expect(table(doc, 'T10').rows[0]!.values).toEqual([12, 0, 8, 0, 8, 4, 12.5, 0, 8, 0, 8, 4.5]);
  });

  it('gives the nested 2026年预算数 columns of 一般公共预算支出情况表 their full header path', () => {
    expect(table(doc, 'T05').columns.map((c) => c.path)).toEqual([
      ['2025年预算数'],
      ['2026年预算数', '总计'],
      ['2026年预算数', '基本支出', '小计'],
      ['2026年预算数', '基本支出', '人员经费'],
      ['2026年预算数', '基本支出', '公用经费'],
      ['2026年预算数', '项目支出'],
    ]);
  });

  it('reports a broken 基本支出情况表 figure (办公费 28.90 instead of 28.40)', async () => {
    const text = replaceOnce(fixture('overall-situation-budget'), '30201\t办公费\t28.40\t\t28.40', '30201\t办公费\t28.90\t\t28.90');
    const broken = await run('overall-situation-budget', text);
    expect(broken.document.template?.id).toBe('overall-situation-budget');
    expectBroken(broken, 28.9);
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe('national-final-account fixture (部门决算: 行次 columns, 栏次 rows, 人员经费|公用经费 lanes)', () => {
  let doc: OutputDocument;
  beforeAll(async () => {
    doc = await run('national-final-account');
  });

  it('is claimed by the final-account template by a clear margin', () => {
    expectChosen(doc, 'national-final-account');
    expect(doc.document).toMatchObject({ year: 2024, unit: '万元', doc_type: 'final_account' });
  });

  it('reads the department name without the 金额单位 that follows it on the 部门： line', () => {
    expect(doc.document.department).toBe('某某市档案馆');
  });

  it('finds every table of the set', () => {
    expect(kinds(doc)).toEqual(['T01', 'T02', 'T03', 'T04', 'T05', 'T06', 'T09', 'T10']);
    expect(parts(doc, 'T01')).toEqual(['income', 'expense']);
    expect(parts(doc, 'T04')).toEqual(['income', 'expense']);
  });

  it('passes every identity', () => expectClean(doc, 90));

  it('reads the hand-checked figures; 行次 and 栏次 are layout, not amounts', () => {
    const t01i = table(doc, 'T01', 'income');
    expect(t01i.columns.map((c) => c.key)).toEqual(['amount']);
    expect(cell(t01i, '本年收入合计', 'amount')).toBe(780);
    expect(cell(t01i, '年初结转和结余', 'amount')).toBe(40);
    expect(cell(table(doc, 'T01', 'expense'), '年末结转和结余', 'amount')).toBe(30);
    expect(row(table(doc, 'T02'), '2012601').values).toEqual([410, 390, null, null, null, null, 20]);
    expect(cell(table(doc, 'T03'), '合计', 'basic')).toBe(590);
    expect(cell(table(doc, 'T04', 'expense'), '本年支出合计', 'general_budget')).toBe(770);
    expect(cell(table(doc, 'T04', 'income'), '年初财政拨款结转和结余', 'amount')).toBe(40);
    expect(row(table(doc, 'T05'), '2012602').values).toEqual([200, null, 200]);
    expect(table(doc, 'T10').rows.map((r) => r.values)).toEqual([[12, 0, 8, 0, 8, 4, 11, 0, 7, 0, 7, 4]]);
  });

  it('unfolds the side-by-side 人员经费 | 公用经费 lanes into one list of rows', () => {
    const t09 = table(doc, 'T09');
    expect(t09.columns.map((c) => c.key)).toEqual(['amount']);
    expect(cell(t09, '人员经费合计', 'amount')).toBe(500);
    expect(cell(t09, '公用经费合计', 'amount')).toBe(70);
    expect(cell(t09, '30231', 'amount')).toBe(7);
    expect(cell(t09, '31002', 'amount')).toBe(4);
    expect(t09.rows.map((r) => r.code).filter(Boolean)).toEqual(['301', '30101', '30102', '30107', '30108', '30109', '30110', '30113', '303', '30302', '302', '30201', '30211', '30217', '30228', '30231', '307', '310', '31002', '399']);
  });

  it('reports a broken 收入支出决算总表 figure (本年收入合计 785.00 instead of 780.00)', async () => {
    const text = replaceOnce(fixture('national-final-account'), '本年收入合计\t27\t780.00', '本年收入合计\t27\t785.00');
    const broken = await run('national-final-account', text);
    expect(broken.document.template?.id).toBe('national-final-account');
    expectBroken(broken, 785);
  });
});
