import { describe, expect, it } from 'vitest';
import { layoutPage, splitAtRulings } from '../src/layout.js';
import type { PageIR, Ruling, TextItem } from '../src/model.js';

function item(text: string, x: number, y: number, size = 10): TextItem {
  return { text, raw: text, bbox: [x, y, x + text.length * size * 0.9, y + size], fontSize: size, source: 'text', confidence: 1 };
}

/** A 3×3 ruled table whose first header cell spans two columns ("收入" over 项目|预算数). */
function ruledPage(): PageIR {
  const xs = [50, 150, 250, 350];
  const ys = [100, 120, 140, 160];
  const rulings: Ruling[] = [];
  for (const y of ys) rulings.push({ x0: 50, y0: y, x1: 350, y1: y });
  for (const x of xs) {
    // No rule between column 1 and 2 in the first row: the 收入 cell is merged.
    if (x === 150) rulings.push({ x0: x, y0: 120, x1: x, y1: 160 });
    else rulings.push({ x0: x, y0: 100, x1: x, y1: 160 });
  }
  const items = [
    item('2023 年度收支预算总表', 80, 70, 14),
    item('收入', 90, 105),
    item('支出', 280, 105),
    item('项目', 60, 125),
    item('预算数', 160, 125),
    item('项目', 260, 125),
    item('一般公共预算拨', 55, 142),
    item('款收入', 55, 150),
    item('9,474.11', 170, 145),
    item('9474.11', 270, 145),
    item('- 10 -', 190, 800),
  ];
  return { number: 10, width: 595, height: 842, items, rulings, source: 'text' };
}

describe('layoutPage', () => {
  it('builds a ruled grid with merged cells and keeps running text out of it', () => {
    const blocks = layoutPage(ruledPage());
    expect(blocks.map((b) => b.type)).toEqual(['line', 'grid', 'line']);
    const grid = blocks[1]!;
    if (grid.type !== 'grid') throw new Error('expected a grid');
    expect(grid.ruled).toBe(true);
    expect(grid.rows.map((r) => r.map((c) => (c.covered ? '·' : c.text)))).toEqual([
      ['收入', '·', '支出'],
      ['项目', '预算数', '项目'],
      ['一般公共预算拨款收入', '9,474.11', '9474.11'],
    ]);
    expect(grid.rows[0]![0]).toMatchObject({ colSpan: 2, page: 10, bbox: [50, 100, 250, 120] });
    expect(blocks[2]).toMatchObject({ type: 'line', text: '- 10 -' });
  });

  it('reads an unruled table from the alignment of its columns', () => {
    const rows = [
      ['科目编码', '科目名称', '合计'],
      ['2080502', '事业单位离退休', '123.58'],
      ['2101101', '行政单位医疗', '33.83'],
    ];
    const items = rows.flatMap((r, i) => [item(r[0]!, 50, 100 + i * 20), item(r[1]!, 150, 100 + i * 20), item(r[2]!, 400, 100 + i * 20)]);
    const blocks = layoutPage({ number: 1, width: 595, height: 842, items, rulings: [], source: 'text' });
    const grid = blocks.find((b) => b.type === 'grid');
    if (!grid || grid.type !== 'grid') throw new Error('expected a grid');
    expect(grid.ruled).toBe(false);
    expect(grid.rows.map((r) => r.map((c) => c.text))).toEqual(rows);
  });
});

describe('splitAtRulings', () => {
  it('cuts an item that pdf.js joined across a column rule at the nearest space', () => {
    const joined = item('9,433.72 一、一般公共服务支出', 379.6, 196, 10);
    joined.bbox = [379.6, 196, 525.5, 206];
    const parts = splitAtRulings(joined, [{ x0: 420, y0: 150, x1: 420, y1: 600 }]);
    expect(parts.map((p) => p.text)).toEqual(['9,433.72', '一、一般公共服务支出']);
    expect(parts[0]!.bbox[2]).toBeLessThan(420);
    expect(parts[1]!.bbox[0]).toBeGreaterThan(420);
    expect(splitAtRulings(item('合计', 100, 100), [{ x0: 105, y0: 0, x1: 105, y1: 500 }]).map((p) => p.text)).toEqual(['合计']);
  });
});
