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
