import type { DocumentIR, DocumentMeta, Issue, TableIR, TemplateChoice } from './model.js';
import type { RawTable } from './tables.js';
import type { TableSpec, Template } from './templates.js';

/** Title key for matching: whitespace, quotes and bracket styles ignored, unit/department prefixes kept. */
export function titleKey(title: string): string {
  return title
    .replace(/\s+/g, '')
    .replace(/[“”"'‘’「」『』]/g, '')
    .replace(/（/g, '(')
    .replace(/）/g, ')');
}

/** A title pattern compiled for keys: the quotes titleKey drops are dropped from the pattern too. */
function titlePattern(pattern: string): RegExp {
  return new RegExp(pattern.replace(/[“”"'‘’「」『』]/g, ''));
}

function labelKey(label: string): string {
  return titleKey(label).replace(/[:：]$/, '');
}

/** The template table a printed title names: exact title first, then the longest title it ends with, then a pattern. */
export function matchTableSpec(template: Template, title: string, headerLabels: string[]): TableSpec | null {
  const direct = matchTitle(template, titleKey(title));
  if (direct) return direct;
  // A trailing qualifier the template does not list ("收支预算总表（汇总）", "…（本级）").
  const unqualified = titleKey(title).replace(/\([^()]*\)$/, '');
  if (unqualified !== titleKey(title) && unqualified !== '') {
    const spec = matchTitle(template, unqualified);
    if (spec) return spec;
  }
  if (titleKey(title) !== '') return null;
  // Untitled grids (an inline table in the narrative) are recognised by the labels of their header.
  const labels = new Set(headerLabels.map(labelKey));
  for (const spec of template.tables) {
    if (spec.header_anchors.length > 0 && spec.header_anchors.every((a) => labels.has(labelKey(a)))) return spec;
  }
  return null;
}

function matchTitle(template: Template, key: string): TableSpec | null {
  if (key !== '') {
    for (const spec of template.tables) if (spec.titles.some((t) => titleKey(t) === key)) return spec;
    let best: { spec: TableSpec; length: number } | null = null;
    for (const spec of template.tables) {
      for (const t of spec.titles) {
        const k = titleKey(t);
        if (key.endsWith(k) && (!best || k.length > best.length)) best = { spec, length: k.length };
      }
    }
    if (best) return best.spec;
    for (const spec of template.tables) if (spec.title_patterns.some((p) => titlePattern(p).test(key))) return spec;
  }
  return null;
}

/**
 * Score a template against the document: the share of its required tables whose titles are
 * printed (0.8) plus the share of its cue words found in the text (0.2).
 */
export function scoreTemplate(template: Template, raws: RawTable[], text: string): number {
  const required = template.tables.filter((t) => t.required);
  const titles = raws.map((r) => titleKey(r.title)).filter((t) => t !== '');
  const found = required.filter((spec) => spec.titles.some((t) => titles.includes(titleKey(t))) || spec.title_patterns.some((p) => titles.some((t) => titlePattern(p).test(t)))).length;
  const tableShare = required.length > 0 ? found / required.length : 0;
  const cues = template.cues.filter((c) => text.includes(c)).length;
  const cueShare = template.cues.length > 0 ? cues / template.cues.length : 0;
  return Math.round((0.8 * tableShare + 0.2 * cueShare) * 1000) / 1000;
}

/** Below this score no template is trusted: the document is an unknown layout. */
export const MIN_TEMPLATE_SCORE = 0.3;

export function chooseTemplate(templates: Template[], raws: RawTable[], text: string): { chosen: Template | null; scores: TemplateChoice[] } {
  const scores = templates
    .map((t) => ({ id: t.id, version: t.version, score: scoreTemplate(t, raws, text) }))
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  const best = scores[0];
  const chosen = best && best.score >= MIN_TEMPLATE_SCORE ? (templates.find((t) => t.id === best.id) ?? null) : null;
  return { chosen, scores };
}

/** The template's column key for a printed header label, or null when no column spec lists it. */
export function columnKeyOf(template: Template, label: string): string | null {
  const key = labelKey(label);
  return template.columns.find((c) => c.labels.some((l) => labelKey(l) === key))?.key ?? null;
}

/** Give each column its canonical key by its leaf label; repeated keys get a numeric suffix. */
export function assignColumnKeys(table: TableIR, template: Template): void {
  const used = new Map<string, number>();
  table.columns.forEach((column, i) => {
    let key = columnKeyOf(template, column.path[column.path.length - 1] ?? '') ?? `c${i + 1}`;
    const n = (used.get(key) ?? 0) + 1;
    used.set(key, n);
    if (n > 1) key = `${key}_${n}`;
    column.key = key;
  });
}

/** Kind, template table and column keys for every table read from the document. */
export function classifyTables(tables: TableIR[], template: Template | null, issues: Issue[] = []): void {
  let previous: TableIR | null = null;
  for (const table of tables) {
    if (!template) continue;
    if (table.title === '' && previous?.kind.startsWith('X-performance')) {
      // An untitled grid right after a performance table that did not stitch (other width) is a piece of it.
      table.kind = previous.kind;
      table.title = previous.title;
      table.title_raw = previous.title_raw;
      table.templateTable = previous.templateTable;
      issues.push({ code: 'table.fragment', severity: 'info', table: table.kind, page: table.pages[0] ?? null, message: `untitled grid on page ${table.pages[0] ?? '?'} read as a continuation of "${previous.title}"` });
      assignColumnKeys(table, template);
      previous = table;
      continue;
    }
    previous = table;
    const spec = matchTableSpec(template, table.title, table.headerLabels ?? table.columns.flatMap((c) => c.path));
    if (spec) {
      table.kind = spec.kind;
      table.templateTable = spec.kind;
    }
    assignColumnKeys(table, template);
  }
}

const PROVINCES = ['北京市', '天津市', '上海市', '重庆市', '河北省', '山西省', '辽宁省', '吉林省', '黑龙江省', '江苏省', '浙江省', '安徽省', '福建省', '江西省', '山东省', '河南省', '湖北省', '湖南省', '广东省', '海南省', '四川省', '贵州省', '云南省', '陕西省', '甘肃省', '青海省', '内蒙古自治区', '广西壮族自治区', '西藏自治区', '宁夏回族自治区', '新疆维吾尔自治区'];

const PROVINCE_REGIONS: Record<string, string> = {
  北京市: 'beijing', 天津市: 'tianjin', 上海市: 'shanghai', 重庆市: 'chongqing', 河北省: 'hebei', 山西省: 'shanxi', 辽宁省: 'liaoning', 吉林省: 'jilin',
  黑龙江省: 'heilongjiang', 江苏省: 'jiangsu', 浙江省: 'zhejiang', 安徽省: 'anhui', 福建省: 'fujian', 江西省: 'jiangxi', 山东省: 'shandong', 河南省: 'henan',
  湖北省: 'hubei', 湖南省: 'hunan', 广东省: 'guangdong', 海南省: 'hainan', 四川省: 'sichuan', 贵州省: 'guizhou', 云南省: 'yunnan', 陕西省: 'shaanxi',
  甘肃省: 'gansu', 青海省: 'qinghai', 内蒙古自治区: 'neimenggu', 广西壮族自治区: 'guangxi', 西藏自治区: 'xizang', 宁夏回族自治区: 'ningxia', 新疆维吾尔自治区: 'xinjiang',
};

/** Prefecture-level cities whose documents often print no province (厦门市…局). */
const CITY_PROVINCES: Record<string, string> = {
  厦门: '福建省', 福州: '福建省', 泉州: '福建省', 漳州: '福建省', 莆田: '福建省', 三明: '福建省', 南平: '福建省', 龙岩: '福建省', 宁德: '福建省',
  成都: '四川省', 绵阳: '四川省', 广元: '四川省', 宜宾: '四川省', 泸州: '四川省', 南充: '四川省', 达州: '四川省', 苍溪: '四川省',
  广州: '广东省', 深圳: '广东省', 佛山: '广东省', 杭州: '浙江省', 宁波: '浙江省', 南京: '江苏省', 苏州: '江苏省', 长沙: '湖南省', 西安: '陕西省',
  武汉: '湖北省', 济南: '山东省', 青岛: '山东省', 郑州: '河南省', 合肥: '安徽省', 南昌: '江西省', 昆明: '云南省', 贵阳: '贵州省',
};

function provinceOfCity(text: string): string | null {
  const city = Object.keys(CITY_PROVINCES).find((c) => text.includes(c));
  return city ? CITY_PROVINCES[city]! : null;
}

/** Department, year, place and unit from the cover, the titles and the 部门： lines. */
export function readMetadata(doc: DocumentIR, template: Template | null): DocumentMeta {
  const lines = doc.flow.filter((b) => b.type === 'line').map((b) => b.text.replace(/\s+/g, ''));
  const head = lines.slice(0, 40);
  // "部门：322-某某局"; OCR may lose the colon, and then the code and its dash must be there ("部门预算…" is no such line).
  // Every table page prints it: the spelling most of them give outvotes one OCR cut short ("…医疗保障局部" for …局部门).
  // The unit is often printed on the same line ("部门：某某馆 单位：万元").
  const departmentLines = lines.flatMap((l) => /^部门(?:[:：，,]\s*(?:\d+[-－—])?|\d+[-－—])(.+?)$/.exec(l)?.[1] ?? []).map((name) => name.replace(/(?:金额)?单位[:：].*$/, '').replace(/部门$/, '')).filter((name) => name !== '');
  const institution = /^(.{2,40}?(?:局|委员会|委|办公室|办公厅|厅|院|中心|会|部|队|站|所|馆|处|街道办事处|政府)(?:（[^）]{1,12}）)?)(?:概况|20\d\d年.*)?$/;
  const fullWidth = (l: string) => l.replace(/\(/g, '（').replace(/\)/g, '）');
  let coverName: RegExpExecArray | null = null;
  for (let i = 0; i < head.length && !coverName; i++) {
    // A part heading names the department after its number ("第三部分苍溪县医疗保障局2023年…").
    const line = fullWidth(head[i]!).replace(/^第[一二三四五六七八九十]+部分/, '');
    if (/目录|目\s*录/.test(line)) break;
    // A numbered entry (一、部门收支总表) is a contents line, never the cover (OCR may have lost the 目录 above it).
    if (/^[一二三四五六七八九十]+[、.．]/.test(line)) continue;
    // A cover name wrapped over two lines ("福州经济技术开发区生态" / "环境局") is joined first; a table's title is not its first half.
    const next = head[i + 1] ? fullWidth(head[i + 1]!).replace(/^第[一二三四五六七八九十]+部分/, '') : '';
    coverName = institution.exec(line) ?? (next && !/\d|表$/.test(line) ? institution.exec(line + next) : null);
  }
  const department = (departmentLines.length > 0 ? mostCommon(departmentLines) : null) ?? coverName?.[1] ?? null;
  const yearMatch = lines.map((l) => /(20\d\d)\s*年/.exec(l)).find(Boolean);
  const text = lines.slice(0, 200).join('\n');
  const province = PROVINCES.find((p) => text.includes(p)) ?? template?.province ?? provinceOfCity(department ?? text.slice(0, 400));
  const city = department ? (/^(?:.{2,3}省)?(.{2,4}?市)/.exec(department)?.[1] ?? null) : null;
  const county = department ? (/(.{2,3}?[县区])(?!域)/.exec(department.replace(/^.{2,4}?市/, ''))?.[1] ?? null) : null;
  const units = doc.tables.map((t) => t.unit).filter((u): u is string => u !== null);
  const unit = units.length > 0 ? mostCommon(units) : null;
  const finalAccount = lines.slice(0, 60).some((l) => /决算/.test(l)) && !lines.slice(0, 60).some((l) => /预算公开|部门预算|单位预算/.test(l));
  return {
    doc_type: template?.doc_type ?? (finalAccount ? 'final_account' : 'budget'),
    year: yearMatch ? Number(yearMatch[1]) : null,
    department,
    province,
    city,
    county,
    // A template used across provinces (national) leaves the region to the province printed in the document.
    region: template && template.region !== 'national' ? template.region : (province ? (PROVINCE_REGIONS[province] ?? 'unknown') : template ? 'national' : 'unknown'),
    unit,
  };
}

export function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}
