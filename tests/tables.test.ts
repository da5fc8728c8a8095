import { describe, expect, it } from 'vitest';
import { textToFlow } from '../extractors/text.js';
import type { Issue } from '../src/model.js';
import { assembleTables, cleanTitle, columnPaths, isTitleLine, readTable } from '../src/tables.js';

const fujianT05 = [
  '五、一般公共预算拨款支出预算表',
  '',
  '2023 年度一般公共预算拨款支出预算表',
  '',
  '单位：万元',
  '',
  '科目编码\t科目名称\t合计\t其中：\t',
  '\t\t\t基本支出\t项目支出',
  '合计\t\t9,474.11\t4903.27\t4570.84',
  '2080502\t事业单位离退休\t123.58\t123.58\t0.00',
  '2101199\t其他行政事业单位医疗支出\t1300.00\t\t1300.00',
].join('\n');

describe('text disclosures', () => {
  it('turns tab runs into grids and strips Markdown marks', () => {
    const flow = textToFlow('## **部门收支总表**\n- 说明\n\na\tb\n1\t2\n\n| x | y |\n|---|---|\n| 3 | 4 |\n');
    expect(flow.map((b) => b.type)).toEqual(['line', 'line', 'grid', 'grid']);
    expect(flow[0]).toMatchObject({ type: 'line', text: '部门收支总表' });
    const pipe = flow[3]!;
    expect(pipe.type === 'grid' && pipe.rows.map((r) => r.map((c) => c.text))).toEqual([['x', 'y'], ['3', '4']]);
  });
});

describe('tables', () => {
  it('recognises titles and cleans year and ordinal prefixes', () => {
    expect(isTitleLine('2023 年度收支预算总表')).toBe(true);
    expect(isTitleLine('财政拨款支出预算表（部门经济分类科目）')).toBe(true);
    expect(isTitleLine('一、收支预算总表........................8')).toBe(false);
    expect(isTitleLine('单位：万元')).toBe(false);
    // A scan's brackets (003 seed 20): 《 for （, the closing one lost.
    expect(isTitleLine('财政拨款支出预算表《部门经济分类科目')).toBe(true);
    expect(isTitleLine('详见附表（一')).toBe(false);
    expect(cleanTitle('2023 年度一般公共预算“三公”经费支出预算表')).toBe('一般公共预算“三公”经费支出预算表');
    expect(cleanTitle('十、一般公共预算“三公”经费支出预算表')).toBe('一般公共预算“三公”经费支出预算表');
  });

  it('reads a table: title, unit, merged header paths, codes, blank vs printed zero', () => {
    const [raw] = assembleTables(textToFlow(fujianT05));
    expect(raw).toMatchObject({ title: '一般公共预算拨款支出预算表', unit: '万元', headerRows: 2 });
    expect(columnPaths(raw!.rows, raw!.headerRows)).toEqual([['科目编码'], ['科目名称'], ['合计'], ['其中：', '基本支出'], ['其中：', '项目支出']]);
    const issues: Issue[] = [];
    const [table] = readTable(raw!, { departmentCode: null }, issues);
    expect(table!.columns.map((c) => c.path)).toEqual([['合计'], ['其中：', '基本支出'], ['其中：', '项目支出']]);
    expect(table!.rows.map((r) => [r.code, r.name, r.values])).toEqual([
      [null, '合计', [9474.11, 4903.27, 4570.84]],
      ['2080502', '事业单位离退休', [123.58, 123.58, 0]],
      ['2101199', '其他行政事业单位医疗支出', [1300, null, 1300]],
    ]);
    expect(issues).toEqual([]);
  });

  it('knows a code column by its known codes when OCR garbled its header ("和" for 科目编码), 合计 in it or not', () => {
    const garbled = fujianT05.replace('科目编码\t科目名称', '和\t科目名称').split('\n');
    garbled.push('2101101\t行政单位医疗\t33.83\t33.83\t0.00');
    const [raw] = assembleTables(textToFlow(garbled.join('\n')));
    const [table] = readTable(raw!, { departmentCode: null }, []);
    expect(table!.columns.map((c) => c.path.at(-1))).toEqual(['合计', '基本支出', '项目支出']);
    expect(table!.rows.map((r) => r.code)).toEqual([null, '2080502', '2101199', '2101101']);
  });

  it('knows an OCR name column after the codes by its words when its header was misread ("7" for 科目名称), never a printed one', () => {
    const lines = fujianT05.replace('科目编码\t科目名称', '科目编码\t7').split('\n');
    lines.push('2101101\t行政单位医疗\t33.83\t33.83\t0.00');
    const read = (source: 'ocr' | 'text') => {
      const [raw] = assembleTables(textToFlow(lines.join('\n')));
      for (const row of raw!.rows) for (const cell of row) cell.source = source;
      return readTable(raw!, { departmentCode: null }, [])[0]!;
    };
    const ocr = read('ocr');
    expect(ocr.columns.map((c) => c.path.at(-1))).toEqual(['合计', '基本支出', '项目支出']);
    expect(ocr.rows.map((r) => [r.code, r.name])).toEqual([[null, '合计'], ['2080502', '事业单位离退休'], ['2101199', '其他行政事业单位医疗支出'], ['2101101', '行政单位医疗']]);
    // A text layer's header is as printed: its column stays what the header says.
    expect(read('text').columns.map((c) => c.path.at(-1))).toEqual(['7', '合计', '基本支出', '项目支出']);
  });

  it('knows an OCR unit-code column under a garbled header ("0" for 单位代码) by the one code on every row (003 held-out seed 27)', () => {
    const lines = ['一般公共预算支出预算表', '科目编码\t0\t科目名称\t合计\t当年财政拨款安排', '\t\t合计\t4,695.70\t3,688.46', '2080505\t322\t机关事业单位基本养老保险缴费支出\t49.98\t49.98', '2101101\t322\t行政单位医疗\t17.33\t17.33', '2101202\t322\t财政对城乡居民基本医疗保险基金的补助\t2,831.63\t2,831.63'].join('\n');
    const [raw] = assembleTables(textToFlow(lines).map((b) => (b.type === 'grid' ? { ...b, rows: b.rows.map((r) => r.map((c) => ({ ...c, source: 'ocr' as const }))) } : b)));
    const [t05] = readTable(raw!, { departmentCode: '322' }, []);
    expect(t05!.columns.map((c) => c.path)).toEqual([['合计'], ['当年财政拨款安排']]);
    expect(t05!.rows.slice(1).map((r) => [r.code, r.unit_code, r.values])).toEqual([
      ['2080505', '322', [49.98, 49.98]],
      ['2101101', '322', [17.33, 17.33]],
      ['2101202', '322', [2831.63, 2831.63]],
    ]);
  });

  it('keeps an OCR header row whose one cell was misread as a figure ("184" for 上年结转, 000 held-out seed 23) a header', () => {
    const lines = ['收入预算总表', '科目编码\t科目名称\t总计\t一般公共预算拨款收入\t其他收入\t184', '合计\t\t9474.11\t9474.11\t0.00\t0.00', '2080502\t事业单位离退休\t123.58\t123.58\t0.00\t0.00'].join('\n');
    const [raw] = assembleTables(textToFlow(lines).map((b) => (b.type === 'grid' ? { ...b, rows: b.rows.map((r) => r.map((c) => ({ ...c, source: 'ocr' as const }))) } : b)));
    expect(raw!.headerRows).toBe(1);
    expect(readTable(raw!, { departmentCode: null }, [])[0]!.columns.map((c) => c.path)).toEqual([['总计'], ['一般公共预算拨款收入'], ['其他收入'], ['184']]);
    // A text layer prints what it prints: a figure in the first row makes it a data row.
    const [printed] = assembleTables(textToFlow(lines));
    expect(printed!.headerRows).toBe(0);
  });

  it('splits two-sided tables and joins split 类|款|项 codes, telling unit codes from economic codes', () => {
    const twoSided = ['收支总表', '收 入\t\t支 出\t', '项 目\t预算数\t项 目\t预算数', '一、一般公共预算拨款收入\t3,688.46\t一、一般公共服务支出\t', '收入总计\t3,688.46\t支出总计\t3,688.46'].join('\n');
    const [raw] = assembleTables(textToFlow(twoSided));
    const [income, expense] = readTable(raw!, { departmentCode: null }, []);
    expect(income).toMatchObject({ part: 'income', columns: [{ path: ['预算数'] }] });
    expect(expense!.rows.map((r) => [r.name, r.values[0]])).toEqual([
      ['一般公共服务支出', null],
      ['支出总计', 3688.46],
    ]);

    const sichuan = [
      '一般公共预算基本支出预算表',
      '科目编码\t\t项 目\t\t基本支出\t\t',
      '类\t款\t单位代码\t单位名称（科目）\t合计\t人员经费\t公用经费',
      '\t\t\t合 计\t1,493.59\t1,439.40\t54.18',
      '\t\t322001\t苍溪县医疗保障局\t1,493.59\t1,439.40\t54.18',
      '\t\t301\t工资福利支出\t466.19\t466.19\t',
      '301\t03\t3010301\t年终一次性奖金\t7.74\t7.74\t',
    ].join('\n');
    const [rawSc] = assembleTables(textToFlow(sichuan));
    const [t09] = readTable(rawSc!, { departmentCode: '322' }, []);
    expect(t09!.columns.map((c) => c.path)).toEqual([['基本支出', '合计'], ['基本支出', '人员经费'], ['基本支出', '公用经费']]);
    expect(t09!.rows.map((r) => [r.code, r.unit_code, r.name, r.name_raw])).toEqual([
      [null, null, '合计', '合 计'],
      [null, '322001', '苍溪县医疗保障局', '苍溪县医疗保障局'],
      ['301', null, '工资福利支出', '工资福利支出'],
      ['3010301', null, '年终一次性奖金', '年终一次性奖金'],
    ]);

    // A scan that read 类 as "于" (003 seed 20): the column beside 款 under 科目编码 is still the code's first part.
    const [misread] = assembleTables(textToFlow(sichuan.replace('类\t款', '于\t款') + '\n301\t01\t30101\t基本工资\t143.40\t143.40\t'));
    const [t09Misread] = readTable(misread!, { departmentCode: '322' }, []);
    expect(t09Misread!.rows.slice(2).map((r) => [r.code, r.unit_code])).toEqual([
      ['301', null],
      ['3010301', null],
      ['30101', null],
    ]);
  });

  it('stitches a table continued on the next page with its header repeated', () => {
    const flow = textToFlow('九、基本支出表\n科目编码\t科目名称\t预算数\n合计\t\t3.00\n301\t工资福利支出\t1.00\n\n- 18 -\n\n科目编码\t科目名称\t预算数\n302\t商品和服务支出\t2.00\n');
    // Text inputs have no pages; mark the two grids as pages 18 and 19 as a PDF would.
    const grids = flow.filter((b) => b.type === 'grid');
    grids[0]!.page = 18;
    grids[1]!.page = 19;
    const tables = assembleTables(flow);
    expect(tables).toHaveLength(1);
    expect(tables[0]!.pages).toEqual([18, 19]);
    const [t] = readTable(tables[0]!, { departmentCode: null }, []);
    expect(t!.rows.map((r) => r.code)).toEqual([null, '301', '302']);
  });

  it('stitches an OCR table whose repeated header reads differently by a stray mark, and only an OCR one', () => {
    // 000 held-out seed 30: "科目名称:" on page 18, "科目名称" on page 19; the last row was lost.
    const make = (source: 'ocr' | 'text') => {
      const flow = textToFlow('九、基本支出表\n科目编码\t科目名称:\t预算数\n合计\t\t3.00\n310\t资本性支出\t1.00\n\n科目编码\t科目名称\t预算数\n31002\t办公设备购置\t1.00\n');
      const grids = flow.filter((b) => b.type === 'grid');
      grids.forEach((g, i) => {
        g.page = 18 + i;
        for (const row of g.rows) for (const cell of row) cell.source = source;
      });
      return assembleTables(flow);
    };
    const [ocr] = make('ocr');
    expect(ocr!.pages).toEqual([18, 19]);
    expect(ocr!.rows.map((r) => r[0]!.text)).toEqual(['科目编码', '合计', '310', '31002']);
    // Printed text that differs is another header: not stitched.
    expect(make('text')).toHaveLength(2);
  });

  it('keeps apart OCR grids whose headers say different things', () => {
    const flow = textToFlow('九、基本支出表\n科目编码\t科目名称\t预算数\n合计\t\t3.00\n\n项目名称\t绩效指标\t指标值\n甲\t乙\t1.00\n');
    const grids = flow.filter((b) => b.type === 'grid');
    grids.forEach((g, i) => {
      g.page = 18 + i;
      for (const row of g.rows) for (const cell of row) cell.source = 'ocr';
    });
    expect(assembleTables(flow)).toHaveLength(2);
  });
});

describe('title cleaning for numbered and prefixed titles', () => {
  it('removes table numbers, department prefixes and years', () => {
    expect(cleanTitle('表1-1 部门收入总表')).toBe('部门收入总表');
    expect(cleanTitle('部门收支总表（公开表1）')).toBe('部门收支总表');
    expect(cleanTitle('预算01表收支总表')).toBe('收支总表');
    expect(cleanTitle('表八 “三公”经费预算表')).toBe('“三公”经费预算表');
    expect(cleanTitle('一般公共预算支出表')).toBe('一般公共预算支出表');
    expect(cleanTitle('苍溪县医疗保障局2023年部门收支总表')).toBe('部门收支总表');
    expect(cleanTitle('福州市医疗保障局2026年度一般公共预算拨款支出预算表')).toBe('一般公共预算拨款支出预算表');
    expect(cleanTitle('财政拨款支出预算表（部门经济分类科目）')).toBe('财政拨款支出预算表（部门经济分类科目）');
  });
});

describe('two-sided tables without a 收入/支出 header row', () => {
  it('split where 项目 repeats', () => {
    const [raw] = assembleTables(textToFlow('财政拨款收支预算总表\n项目\t预算数\t项目\t预算数\n一、一般公共预算拨款收入\t10.00\t一、教育支出\t10.00\n收入合计\t10.00\t支出合计\t10.00\n'));
    const [income, expense] = readTable(raw!, { departmentCode: null }, []);
    expect(income!.part).toBe('income');
    expect(income!.rows.map((r) => [r.name, r.values[0]])).toEqual([['一般公共预算拨款收入', 10], ['收入合计', 10]]);
    expect(expense!.columns.map((c) => c.path)).toEqual([['预算数']]);
    expect(expense!.rows.map((r) => r.name)).toEqual(['教育支出', '支出合计']);
  });
});

describe('final-account layouts', () => {
  it('drop 行次 columns and 栏次 rows, and keep codes printed one level per row', () => {
    const text = [
      '收入决算表',
      '项目\t\t\t\t本年收入合计\t财政拨款收入',
      '科目编码\t\t\t科目名称\t\t',
      '类\t款\t项\t\t\t',
      '栏次\t\t\t\t1\t2',
      '\t\t\t合计\t30.00\t30.00',
      '201\t\t\t一般公共服务支出\t30.00\t30.00',
      '\t06\t\t财政事务\t30.00\t30.00',
      '\t\t01\t行政运行\t30.00\t30.00',
    ].join('\n');
    const [raw] = assembleTables(textToFlow(text));
    const [t] = readTable(raw!, { departmentCode: null }, []);
    expect(t!.columns.map((c) => c.path)).toEqual([['本年收入合计'], ['财政拨款收入']]);
    expect(t!.rows.map((r) => [r.code, r.name])).toEqual([
      [null, '合计'],
      ['201', '一般公共服务支出'],
      ['20106', '财政事务'],
      ['2010601', '行政运行'],
    ]);
    const twoSided = ['收入支出决算总表', '收入\t\t\t支出\t\t', '项目\t行次\t金额\t项目\t行次\t金额', '栏次\t\t1\t栏次\t\t2', '一、一般公共预算财政拨款收入\t1\t5.00\t一、一般公共服务支出\t32\t5.00'].join('\n');
    const [rawTwo] = assembleTables(textToFlow(twoSided));
    const [income, expense] = readTable(rawTwo!, { departmentCode: null }, []);
    expect(income!.columns.map((c) => c.path)).toEqual([['金额']]);
    expect(income!.rows[0]!.values).toEqual([5]);
    expect(expense!.rows[0]).toMatchObject({ name: '一般公共服务支出', values: [5] });
  });

  it('unfold side-by-side lanes (人员经费 | 公用经费) into one list, a footer figure in the next lane included', () => {
    const text = [
      '一般公共预算财政拨款基本支出决算表',
      '人员经费\t\t\t公用经费\t\t',
      '科目编码\t科目名称\t决算数\t科目编码\t科目名称\t决算数',
      '301\t工资福利支出\t10.00\t302\t商品和服务支出\t4.00',
      '30101\t基本工资\t10.00\t30201\t办公费\t4.00',
      '\t人员经费合计\t10.00\t\t公用经费合计\t4.00',
    ].join('\n');
    const issues: Issue[] = [];
    const [raw] = assembleTables(textToFlow(text));
    const [t] = readTable(raw!, { departmentCode: null }, issues);
    expect(t!.columns.map((c) => c.path)).toEqual([['决算数']]);
    expect(t!.rows.map((r) => [r.code, r.name, r.values[0]])).toEqual([
      ['301', '工资福利支出', 10],
      ['30101', '基本工资', 10],
      [null, '人员经费合计', 10],
      ['302', '商品和服务支出', 4],
      ['30201', '办公费', 4],
      [null, '公用经费合计', 4],
    ]);
    expect(issues.map((i) => i.code)).toContain('table.lanes_unfolded');
  });
});

describe('merged body cells', () => {
  it('belong to the labelled column they span (rows that merge cells differently)', () => {
    const cell = (text: string, colSpan = 1, covered = false) => ({ text, raw: text, page: 1, bbox: null, source: 'text' as const, confidence: 1, colSpan, rowSpan: 1, covered });
    const raw = {
      title: '一般公共预算支出预算表',
      title_raw: '一般公共预算支出预算表',
      context: [],
      unit: '万元',
      pages: [1],
      headerRows: 1,
      ruled: true,
      rows: [
        [cell('科目编码'), cell('科目名称'), cell(''), cell('金额')],
        [cell('204'), cell('公共安全支出'), cell('16593.12', 2), cell('', 1, true)],
        [cell('20404'), cell('检察'), cell(''), cell('16593.12')],
      ],
    };
    const [t] = readTable(raw, { departmentCode: null }, []);
    expect(t!.columns.map((c) => c.path)).toEqual([['金额']]);
    expect(t!.rows.map((r) => [r.code, r.values])).toEqual([
      ['204', [16593.12]],
      ['20404', [16593.12]],
    ]);
  });
});

describe('codes printed inside the name cell', () => {
  it('are read as codes, but a department prefix is not', () => {
    const [raw] = assembleTables(textToFlow('支出总体情况表\n科目名称\t合计\n合计\t9.00\n[201]一般公共服务支出\t9.00\n2010501-行政运行\t9.00\n322-苍溪县医疗保障局部门\t9.00\n'));
    const [t] = readTable(raw!, { departmentCode: '322' }, []);
    expect(t!.rows.map((r) => [r.code, r.name])).toEqual([
      [null, '合计'],
      ['201', '一般公共服务支出'],
      ['2010501', '行政运行'],
      [null, '322-苍溪县医疗保障局部门'],
    ]);
  });
});

describe('titles after a department name without a year', () => {
  it('lose the name', () => {
    expect(cleanTitle('厦门市某某局部门收支总体情况表')).toBe('部门收支总体情况表');
    expect(cleanTitle('厦门市某某局市对区转移支付情况表')).toBe('市对区转移支付情况表');
    expect(cleanTitle('市级部门收支预算总表')).toBe('市级部门收支预算总表');
    expect(cleanTitle('一般公共预算“三公”经费支出情况表')).toBe('一般公共预算“三公”经费支出情况表');
  });
});

describe('plain-text dumps of laid-out PDFs', () => {
  it('rebuild columns from character positions, with figures sent to review', async () => {
    const { isLayoutDump, layoutDumpToFlow, DUMP_CONFIDENCE } = await import('../extractors/text.js');
    const dump = [
      '                 2023 年度一般公共预算支出经济分类情况表',
      '                                                 单位：万元',
      '科目编码    科目名称                 预算数',
      '合计                                9474.11',
      '301         工资福利支出            4251.21',
      '302         商品和服务支出          3757.32',
      '303         对个人和家庭的补助      1428.84',
      '310         资本性支出                36.74',
      '',
    ].join('\n');
    expect(isLayoutDump(dump)).toBe(true);
    expect(isLayoutDump('收入\t支出\n1.00\t2.00\n')).toBe(false);
    const [raw] = assembleTables(layoutDumpToFlow(dump));
    expect(raw!.title).toBe('一般公共预算支出经济分类情况表');
    const [t] = readTable(raw!, { departmentCode: null }, []);
    expect(t!.columns.map((c) => c.path)).toEqual([['预算数']]);
    expect(t!.rows.map((r) => [r.code, r.name, r.values[0]])).toEqual([
      [null, '合计', 9474.11],
      ['301', '工资福利支出', 4251.21],
      ['302', '商品和服务支出', 3757.32],
      ['303', '对个人和家庭的补助', 1428.84],
      ['310', '资本性支出', 36.74],
    ]);
    expect(t!.rows[1]!.cells[0]).toMatchObject({ confidence: DUMP_CONFIDENCE, page: null, bbox: null });
  });
});

describe('text grids without spans', () => {
  it('give a column every spanning label above it, not only its direct parent', () => {
    const text = [
      '“三公”经费预算表',
      '“三公”经费预算数\t\t\t\t\t\t机关运行经费预算数',
      '合计\t因公出国(境)费\t公务用车购置及运行费\t\t\t公务接待费\t',
      '\t\t小计\t购置费\t运行费\t\t',
      '12.50\t0.00\t8.00\t0.00\t8.00\t4.50\t63.85',
    ].join('\n');
    const [raw] = assembleTables(textToFlow(text));
    expect(columnPaths(raw!.rows, raw!.headerRows)).toEqual([
      ['“三公”经费预算数', '合计'],
      ['“三公”经费预算数', '因公出国(境)费'],
      ['“三公”经费预算数', '公务用车购置及运行费', '小计'],
      ['“三公”经费预算数', '公务用车购置及运行费', '购置费'],
      ['“三公”经费预算数', '公务用车购置及运行费', '运行费'],
      ['“三公”经费预算数', '公务接待费'],
      ['机关运行经费预算数'],
    ]);
  });

  it('read a ** / 1 2 3 … row as column numbers: the name column stays a name column', () => {
    const text = [
      '部门支出预算总表',
      '功能分类科目名称\t总计\t基本支出\t\t项目支出',
      '\t\t人员支出\t日常公用支出\t',
      '**\t1\t2\t3\t4',
      '合计\t10.00\t6.00\t1.00\t3.00',
      '行政运行\t7.00\t6.00\t1.00\t',
    ].join('\n');
    const issues: Issue[] = [];
    const [raw] = assembleTables(textToFlow(text));
    const [t] = readTable(raw!, { departmentCode: null }, issues);
    expect(t!.columns.map((c) => c.path)).toEqual([['总计'], ['基本支出', '人员支出'], ['基本支出', '日常公用支出'], ['项目支出']]);
    expect(t!.rows.map((r) => [r.name, r.values])).toEqual([
      ['合计', [10, 6, 1, 3]],
      ['行政运行', [7, 6, 1, null]],
    ]);
    expect(issues.filter((i) => i.code === 'cell.not_a_number')).toEqual([]);
  });
});

describe('two economic classifications side by side', () => {
  it('key a row by its 部门经济分类 code, in code-name cells ("30101-基本工资") or in code | name columns', () => {
    const beijing = [
      '一般公共预算基本支出表',
      '政府支出经济分类科目\t部门支出经济分类科目\t预算数\t\t',
      '\t\t合计\t人员经费\t公用经费',
      '50101-工资奖金津补贴\t30101-基本工资\t1.500000\t1.500000\t',
      '50206-公务接待费\t30217-公务接待费\t0.500000\t\t0.500000',
      '\t合计\t2.000000\t1.500000\t0.500000',
    ].join('\n');
    const [rawBj] = assembleTables(textToFlow(beijing));
    const [bj] = readTable(rawBj!, { departmentCode: null }, []);
    expect(bj!.columns.map((c) => c.path)).toEqual([['预算数', '合计'], ['预算数', '人员经费'], ['预算数', '公用经费']]);
    expect(bj!.rows.map((r) => [r.code, r.name, r.values])).toEqual([
      ['30101', '基本工资', [1.5, 1.5, null]],
      ['30217', '公务接待费', [0.5, null, 0.5]],
      [null, '合计', [2, 1.5, 0.5]],
    ]);

    const xian = [
      '一般公共预算基本支出明细表',
      '部门经济科目编码\t部门经济科目名称\t政府经济科目编码\t政府经济科目名称\t合计',
      '301\t工资福利支出\t\t\t150',
      '30101\t基本工资\t50101\t工资奖金津补贴\t150',
    ].join('\n');
    const [rawXa] = assembleTables(textToFlow(xian));
    const [xa] = readTable(rawXa!, { departmentCode: null }, []);
    expect(xa!.rows.map((r) => [r.code, r.name])).toEqual([
      ['301', '工资福利支出'],
      ['30101', '基本工资'],
    ]);
  });
});

describe('收支总表 halves with several breakdowns', () => {
  it('read each breakdown (功能分类 | 支出用途) as a table of its own, a total label printed once naming each figure', () => {
    const text = [
      '收支预算总表',
      '收入\t\t支出\t\t\t',
      '\t\t功能分类\t\t支出用途\t',
      '项目名称\t金额\t功能科目名称\t金额\t项目名称\t金额',
      '一、财政拨款\t10.00\t一、一般公共服务支出\t10.00\t一、基本支出\t6.00',
      '\t\t\t\t二、项目支出\t4.00',
      '收入合计\t10.00\t支出合计\t10.00\t\t10.00',
    ].join('\n');
    const [raw] = assembleTables(textToFlow(text));
    const [income, byFunction, byUse] = readTable(raw!, { departmentCode: null }, []);
    expect(income!.rows.map((r) => r.name)).toEqual(['财政拨款', '收入合计']);
    expect(byFunction).toMatchObject({ part: 'expense', columns: [{ path: ['功能分类', '金额'] }] });
    expect(byFunction!.rows.map((r) => [r.name, r.values])).toEqual([
      ['一般公共服务支出', [10]],
      ['支出合计', [10]],
    ]);
    expect(byUse).toMatchObject({ part: 'expense', columns: [{ path: ['支出用途', '金额'] }] });
    expect(byUse!.rows.map((r) => [r.name, r.values])).toEqual([
      ['基本支出', [6]],
      ['项目支出', [4]],
      ['支出合计', [10]],
    ]);
  });

  it('take a column of labels only ("1、人员经费和公用经费支出") as the names of another breakdown', () => {
    const text = [
      '部门综合预算收支总表',
      '收入\t\t支出\t\t\t',
      '项目\t预算数\t支出功能分科目（按大类）\t预算数\t部门预算支出经济科目（按大类）\t预算数',
      '一、部门预算\t10.00\t一、部门预算\t10.00\t一、部门预算\t10.00',
      '\t\t1、一般公共服务支出\t10.00\t1、人员经费和公用经费支出\t10.00',
      '收入总计\t10.00\t支出总计\t10.00\t支出总计\t10.00',
    ].join('\n');
    const issues: Issue[] = [];
    const [raw] = assembleTables(textToFlow(text));
    const tables = readTable(raw!, { departmentCode: null }, issues);
    expect(tables.map((t) => [t.part, t.columns.length])).toEqual([
      ['income', 1],
      ['expense', 1],
      ['expense', 1],
    ]);
    expect(tables[2]!.rows.map((r) => r.name)).toEqual(['部门预算', '人员经费和公用经费支出', '支出总计']);
    expect(issues.filter((i) => i.code === 'cell.not_a_number')).toEqual([]);
  });
});

describe('tables ruled into one grid', () => {
  type Box = [number, number, number, number];
  const cell = (text: string, bbox: Box | null, colSpan = 1, covered = false, rowSpan = 1) => ({ text, raw: text, page: 1, bbox, source: 'text' as const, confidence: 1, colSpan, rowSpan, covered });
  const gap = () => cell('', null, 1, true);
  const grid = (page: number, rows: ReturnType<typeof cell>[][]) => ({ type: 'grid' as const, page, bbox: null, ruled: true, rows: rows.map((r) => r.map((c) => ({ ...c, page }))) });

  it('read a title, 编制单位 and unit run together in the top cell, cut the grid where the next title is ruled in, and lay a narrower headerless page onto its columns', () => {
    // Column edges 0 | 100 | 150 | 200 | 300: the name column is two grid columns wide.
    const page1 = grid(1, [
      [cell('2026年单位收入预算总表编制单位：某某中心单位：万元', [0, 0, 300, 10], 4), gap(), gap(), gap()],
      [cell('科目编码', [0, 10, 100, 20]), cell('科目名称', [100, 10, 200, 20], 2), gap(), cell('金额', [200, 10, 300, 20])],
      [cell('201', [0, 20, 100, 30]), cell('一般公共服务支出', [100, 20, 200, 30], 2), gap(), cell('5.00', [200, 20, 300, 30])],
      [cell('注：本表为空的科目不列示。公开03表单位支出预算总表部门名称：某某中心单位：万元', [0, 30, 300, 40], 4), gap(), gap(), gap()],
      [cell('科目编码', [0, 40, 100, 50]), cell('科目名称', [100, 40, 150, 50]), cell('', [150, 40, 200, 50]), cell('金额', [200, 40, 300, 50])],
      [cell('301', [0, 50, 100, 60]), cell('工资福利支出', [100, 50, 200, 60], 2), gap(), cell('3.00', [200, 50, 300, 60])],
    ]);
    const page2 = grid(2, [
      [cell('302', [0, 0, 100, 10]), cell('商品和服务支出', [100, 0, 200, 10]), cell('2.00', [200, 0, 300, 10])],
      [cell('303', [0, 10, 100, 20]), cell('对个人和家庭的补助', [100, 10, 200, 20]), cell('1.00', [200, 10, 300, 20])],
    ]);
    const tables = assembleTables([page1, page2]);
    expect(tables.map((t) => [t.title, t.unit, t.pages])).toEqual([
      ['单位收入预算总表', '万元', [1]],
      ['单位支出预算总表', '万元', [1, 2]],
    ]);
    expect(tables[0]!.context).toContain('编制单位：某某中心');
    const [spending] = readTable(tables[1]!, { departmentCode: null }, []);
    expect(spending!.columns.map((c) => c.path)).toEqual([['金额']]);
    expect(spending!.rows.map((r) => [r.code, r.name, r.values[0]])).toEqual([
      ['301', '工资福利支出', 3],
      ['302', '商品和服务支出', 2],
      ['303', '对个人和家庭的补助', 1],
    ]);
  });

  it('keep a narrower page as a table of its own when its cells miss the column edges', () => {
    const page1 = grid(1, [
      [cell('单位支出预算总表', [0, 0, 300, 10], 3), gap(), gap()],
      [cell('科目编码', [0, 10, 100, 20]), cell('科目名称', [100, 10, 200, 20]), cell('金额', [200, 10, 300, 20])],
      [cell('301', [0, 20, 100, 30]), cell('工资福利支出', [100, 20, 200, 30]), cell('3.00', [200, 20, 300, 30])],
    ]);
    const page2 = grid(2, [[cell('302', [0, 0, 140, 10]), cell('2.00', [140, 0, 300, 10])]]);
    expect(assembleTables([page1, page2]).map((t) => t.pages)).toEqual([[1], [2]]);
  });

  it('let a label cut one column short of the right edge (a unit line above) span the blank cell there', () => {
    const header = [
      [cell('项目', [0, 0, 100, 20], 1, false, 2), cell('一般公共预算基本支出', [100, 0, 300, 10], 2), gap(), cell('', [300, 0, 400, 10])],
      [gap(), cell('合计', [100, 10, 200, 20]), cell('人员经费', [200, 10, 300, 20]), cell('公用经费', [300, 10, 400, 20])],
    ];
    expect(columnPaths(header, 2)).toEqual([['项目'], ['一般公共预算基本支出', '合计'], ['一般公共预算基本支出', '人员经费'], ['一般公共预算基本支出', '公用经费']]);
  });
});

describe('text dumps of a table continued under its repeated title', () => {
  const first = [
    '一般公共预算财政拨款基本支出决算表',
    '\t\t人员经费\t\t\t公用经费',
    '经济分类科目编码\t科目名称\t金额\t经济分类科目编码\t科目名称\t金额',
    '301\t工资福利支出\t6.00\t302\t商品和服务支出\t4.00',
    '',
  ];
  it('lay a page of another width onto the first page by header label, dropping columns blank in the body', () => {
    const text = [
      ...first,
      '一般公共预算财政拨款基本支出决算表',
      '\t人员经费\t\t\t公用经费\t',
      // The wrapped header words of the first two columns ran together; 说明 is blank below.
      '经济分类科目名称科目编码\t金额\t经济分类科目编码\t科目名称\t金额\t说明',
      '\t\t310\t资本性支出\t2.00\t',
      '人员经费合计\t6.00\t\t公用经费合计\t6.00\t',
    ].join('\n');
    const tables = assembleTables(textToFlow(text));
    expect(tables).toHaveLength(1);
    expect(tables[0]!.rows.slice(tables[0]!.headerRows).map((r) => r.map((c) => c.text))).toEqual([
      ['301', '工资福利支出', '6.00', '302', '商品和服务支出', '4.00'],
      ['', '', '', '310', '资本性支出', '2.00'],
      ['', '人员经费合计', '6.00', '', '公用经费合计', '6.00'],
    ]);
  });

  it('keep the page apart when a column with figures matches no label of the first page', () => {
    const text = [...first, '一般公共预算财政拨款基本支出决算表', '经济分类科目编码\t科目名称\t金额\t备注', '310\t资本性支出\t2.00\t见说明'].join('\n');
    expect(assembleTables(textToFlow(text))).toHaveLength(2);
  });
});
