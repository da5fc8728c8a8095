import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { textToFlow } from '../extractors/text.js';
import { chooseTemplate, matchTableSpec } from '../src/classify.js';
import { projectRoot } from '../src/paths.js';
import { assembleTables } from '../src/tables.js';
import { loadTemplates, parseTemplate, TemplateError } from '../src/templates.js';

const root = projectRoot();
const sample = (name: string) => readFileSync(path.join(root, 'samples', name), 'utf8');

describe('templates', () => {
  const templates = loadTemplates();

  it('load and validate every file in templates/', () => {
    expect(templates.map((t) => t.id).sort()).toEqual([
      'fujian-department-budget',
      'hangzhou-department-budget',
      'jiangsu-department-budget',
      'mof-core-budget',
      'national-final-account',
      'overall-situation-budget',
      'shanghai-department-budget',
      'sichuan-county-budget',
      'xian-comprehensive-budget',
    ]);
  });

  it('reject a bad template with an error naming the bad key', () => {
    const good = JSON.parse(readFileSync(path.join(root, 'templates', 'fujian-department-budget.json'), 'utf8'));
    const bad = { ...good, tables: [{ ...good.tables[0], kind: 'T11' }, ...good.tables.slice(1)] };
    expect(() => parseTemplate(bad, 'bad.json')).toThrow(TemplateError);
    expect(() => parseTemplate(bad, 'bad.json')).toThrow(/bad\.json.*tables\.0\.kind/);
    expect(() => parseTemplate({ ...good, colour: 'red' }, 'x.json')).toThrow(/colour/);
    expect(() => parseTemplate({ ...good, tables: [{ ...good.tables[0], title_patterns: ['(['] }] }, 'y.json')).toThrow(/tables\.0\.title_patterns/);
    // A column order may only name keys the template's columns define.
    expect(() => parseTemplate({ ...good, tables: [{ ...good.tables[0], column_order: ['total', 'vehicle/reception_fee'] }] }, 'z.json')).toThrow(/z\.json.*tables\.0\.column_order\.1: "reception_fee"/);
    expect(() => parseTemplate({ ...good, tables: [{ ...good.tables[0], column_order: ['Total'] }] }, 'z.json')).toThrow(/tables\.0\.column_order\.0/);
  });

  it('match titles exactly first, then by the longest title they end with', () => {
    const fujian = templates.find((t) => t.id === 'fujian-department-budget')!;
    expect(matchTableSpec(fujian, '收支预算总表', [])?.kind).toBe('T01');
    expect(matchTableSpec(fujian, '单位财政拨款收支预算总表', [])?.kind).toBe('T04');
    expect(matchTableSpec(fujian, '一般公共预算"三公"经费支出预算表', [])?.kind).toBe('T10');
    expect(matchTableSpec(fujian, '购买经办服务费绩效目标表', [])?.kind).toBe('X-performance-project');
    expect(matchTableSpec(fujian, '政府采购预算表', [])).toBeNull();
  });

  it('choose the right template for each region by a clear margin', () => {
    const cases: [string, string][] = [
      ['zhangzhou-2025-budget.txt', 'fujian-department-budget'],
      ['../tests/fixtures/cangxi-tables.txt', 'sichuan-county-budget'],
    ];
    for (const [file, expected] of cases) {
      const raws = assembleTables(textToFlow(sample(file)));
      const { chosen, scores } = chooseTemplate(templates, raws, sample(file));
      expect(chosen?.id).toBe(expected);
      expect(scores[0]!.score - scores[1]!.score).toBeGreaterThan(0.3);
    }
  });
});

describe('template choice for a layout no template describes', () => {
  it('chooses none when the best score is low, and keeps every score', () => {
    const text = '江苏省某厅2019年部门预算\n收支预算总表\n单位：万元\n项目\t预算数\n一般公共预算拨款\t1.00\n';
    const raws = assembleTables(textToFlow(text));
    const { chosen, scores } = chooseTemplate(loadTemplates(), raws, text);
    expect(chosen).toBeNull();
    expect(scores).toHaveLength(loadTemplates().length);
    expect(Math.max(...scores.map((s) => s.score))).toBeLessThan(0.3);
  });
});

describe('a Xiamen-style budget (tables as 附件, …总体情况表 titles, unit-code income rows, 人员/公用 columns)', () => {
  it('is read by the …总体情况表 template with every identity passing, in the Fujian region', async () => {
    const { processDocument } = await import('../src/pipeline.js');
    const { toOutput } = await import('../src/output.js');
    const text = readFileSync(path.join(root, 'tests', 'fixtures', 'xiamen-style-budget.txt'));
    const doc = toOutput(await processDocument('xiamen-style-budget.txt', new Uint8Array(text)));
    expect(doc.document).toMatchObject({ template: { id: 'overall-situation-budget' }, province: '福建省', region: 'fujian', year: 2024 });
    const kinds = doc.tables.map((t) => `${t.kind}${t.part ? `/${t.part}` : ''}`);
    expect(kinds).toEqual(['T01/income', 'T01/expense', 'T02', 'T03', 'T04/income', 'T04/expense', 'T05', 'T09', 'T10', 'X-transfer']);
    expect(doc.tables.find((t) => t.kind === 'T02')!.rows.map((r) => r.unit_code)).toEqual([null, '410001', '410002']);
    expect(doc.tables.find((t) => t.kind === 'T03')!.columns.map((c) => c.path.join('/'))).toEqual(['合计', '基本支出/人员支出', '基本支出/公用支出', '项目支出']);
    expect(doc.checks.run).toBeGreaterThan(40);
    expect(doc.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(doc.document.status).toBe('ok');
  });
});

describe('the README worked example', () => {
  it('is a valid template that claims a document of its layout, with no code change', async () => {
    const { mkdtempSync, copyFileSync, writeFileSync: write, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const block = /```json\n([\s\S]*?)\n```/.exec(readme.slice(readme.indexOf('worked example')))![1]!;
    const dir = mkdtempSync(path.join(tmpdir(), 'be-templates-'));
    for (const f of readdirSync(path.join(root, 'templates')).filter((f) => f.endsWith('.json'))) copyFileSync(path.join(root, 'templates', f), path.join(dir, f));
    write(path.join(dir, 'example-province-budget.json'), block);
    const all = loadTemplates(dir);
    const text = ['安徽省某厅', '表一 部门收支预算表', '收入\t\t支出\t', '项目\t预算数\t项目\t预算数', '一、财政拨款\t5.00\t一、教育支出\t5.00', '收入总计\t5.00\t支出总计\t5.00', '', '表二 部门收入预算表', '科目编码\t科目名称\t合计', '合计\t\t5.00', '', '表三 部门支出预算表', '科目编码\t科目名称\t合计\t基本支出\t项目支出', '合计\t\t5.00\t5.00\t0.00', '', '表八 “三公”经费预算表', '合计\t公务接待费', '1.00\t1.00'].join('\n');
    const { chosen, scores } = chooseTemplate(all, assembleTables(textToFlow(text)), text);
    expect(chosen?.id).toBe('example-province-budget');
    expect(scores[0]!.score - scores[1]!.score).toBeGreaterThan(0.3);
  });
});

describe('title qualifiers', () => {
  it('a trailing qualifier the template does not list is ignored, a listed one is kept', () => {
    const fujian = loadTemplates().find((t) => t.id === 'fujian-department-budget')!;
    const sichuan = loadTemplates().find((t) => t.id === 'sichuan-county-budget')!;
    expect(matchTableSpec(fujian, '收支预算总表（汇总）', [])?.kind).toBe('T01');
    expect(matchTableSpec(fujian, '一般公共预算拨款支出预算表(本级)', [])?.kind).toBe('T05');
    expect(matchTableSpec(sichuan, '财政拨款支出预算表（部门经济分类科目）', [])?.kind).toBe('X-fiscal-econ');
  });
});
