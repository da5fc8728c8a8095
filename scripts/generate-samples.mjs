#!/usr/bin/env node
// Deterministic sample generator for budget-extract.
//
// Renders two seed disclosures (plain UTF-8 text, tables as runs of
// tab-separated lines) as A4 text-layer PDFs the way government departments
// publish them: cover page, 目录, narrative pages numbered "- N -", and every
// budget table as a ruled table on its own page (landscape for 9+ columns),
// with merged header cells and header rows repeated across page breaks.
// Also copies one seed verbatim as a text-disclosure sample and writes
// samples/README.md (provenance, sha256, page maps).
//
//   node scripts/generate-samples.mjs            # (re)write samples/
//   node scripts/generate-samples.mjs --check    # verify samples/ is up to date
//
// Options: --seeds DIR (default ../shared/seeds), --out DIR (default samples).
// Env: NOTO_CJK_DIR overrides the font directory.
//
// Output is byte-for-byte reproducible: fixed CreationDate/ModDate (the PDF
// /ID is an MD5 of the info dictionary), no randomness, no clock reads.

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXED_DATE = new Date('2024-01-01T00:00:00Z');

// ---------------------------------------------------------------- CLI / setup

function parseArgs(argv) {
  const opts = { seeds: path.resolve(ROOT, '../shared/seeds'), out: path.join(ROOT, 'samples'), check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--seeds') opts.seeds = path.resolve(argv[++i] ?? '');
    else if (a === '--out') opts.out = path.resolve(argv[++i] ?? '');
    else if (a === '-h' || a === '--help') {
      console.log('usage: node scripts/generate-samples.mjs [--check] [--seeds DIR] [--out DIR]');
      process.exit(0);
    } else fail(`unknown argument: ${a}`);
  }
  return opts;
}

function fail(msg) {
  console.error(`generate-samples: ${msg}`);
  process.exit(1);
}

const FONT_DIR = process.env.NOTO_CJK_DIR || '/usr/share/fonts/opentype/noto';
const FONTS = {
  // body text and tables (宋体-like)
  serif: { file: 'NotoSerifCJK-Regular.ttc', name: 'NotoSerifCJKsc-Regular' },
  // headings, titles, cover (黑体-like)
  sans: { file: 'NotoSansCJK-Bold.ttc', name: 'NotoSansCJKsc-Bold' },
};

function checkFonts() {
  for (const f of Object.values(FONTS)) {
    const p = path.join(FONT_DIR, f.file);
    if (!fs.existsSync(p)) {
      fail(`font not found: ${p}\n  The samples are set in Noto Serif/Sans CJK SC from the Debian package fonts-noto-cjk.\n  Install it with:  apt-get install fonts-noto-cjk   (or set NOTO_CJK_DIR to a directory holding ${f.file})`);
    }
  }
}

async function loadPdfKit() {
  try {
    const mod = await import('pdfkit');
    return mod.default;
  } catch {
    fail('cannot load pdfkit. It is a devDependency: run `npm install` (or `npm install --no-save pdfkit`).');
  }
  return null;
}

// ---------------------------------------------------------------- seed model

const SAMPLES = [
  {
    out: 'quanzhou-2023-budget.pdf',
    seed: '000_5a1b76a3c0f27d73.txt',
    kind: 'pdf',
    title: '2023年度泉州市医疗保障局部门预算',
    what: 'Quanzhou Municipal Healthcare Security Administration (泉州市医疗保障局), 2023 department budget (部门预算), Fujian layout: 10 standard budget tables plus 绩效目标 (performance-target) tables.',
  },
  {
    out: 'cangxi-2023-budget.pdf',
    seed: '003_6bd304a2aa0ee1ee.txt',
    kind: 'pdf',
    title: '苍溪县医疗保障局2023年部门预算',
    what: 'Cangxi County Healthcare Security Bureau (苍溪县医疗保障局, Sichuan), 2023 department budget, Sichuan layout: 12 budget tables (类/款/项 code columns, 3-row headers, empty tables with 空表说明) plus 绩效目标 tables.',
  },
  {
    out: 'xiamen-style-2024-budget.pdf',
    fixture: 'tests/fixtures/xiamen-style-budget.txt',
    kind: 'pdf',
    title: '厦门市某某局2024年部门预算',
    what: 'An invented Xiamen-style department budget (the project\'s own fixture): tables as 附件 after the narrative, titled …总体情况表, unit-code income rows, 人员/公用 columns, 三公 in one row, 市对区转移支付.',
  },
  {
    out: 'final-account-2024.pdf',
    fixture: 'tests/fixtures/templates/national-final-account.txt',
    kind: 'pdf',
    title: '某某市档案馆2024年度部门决算',
    what: 'An invented department final account (部门决算, the project\'s own fixture): nine 决算 tables with 行次 columns and a 栏次 row, 基本支出决算表 in side-by-side lanes.',
  },
  {
    out: 'zhangzhou-2025-budget.txt',
    seed: '001_24fbb779d4aea8e6.txt',
    kind: 'copy',
    what: 'Zhangzhou Municipal Healthcare Security Administration (漳州市医疗保障局, Fujian), 2025 department budget as a plain-text disclosure (tables as tab-separated lines). Byte-for-byte copy of the seed.',
  },
];

const CN_NUM = '一二三四五六七八九十';
const RE_PART = new RegExp(`^第[${CN_NUM}]+部分$`);
const RE_TOC = /^目\s*录$/;
const RE_UNIT = /^(部门|单位|金额单位|编制单位|预算单位)\s*[：:]/;
const RE_YEAR = /^[（(]\s*\d{4}\s*年度?\s*[)）]$/;
const RE_TITLE = /表\s*([（(][^）)]*[）)])?$/;
const RE_SECTION = new RegExp(`^([${CN_NUM}]+、|\\d+[.．、]\\s*)`);
const RE_ITEM_START = new RegExp(`^([（(][${CN_NUM}\\d]+[)）]|[${CN_NUM}]+、|\\d+[.．、]|第[${CN_NUM}]+部分)`);
const RE_DECIMAL = /^[-−]?(\d{1,3}(,\d{3})+|\d+)\.\d+$/;
const RE_RIGHT = /^[-−]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%$|^[-−]?(\d{1,3}(,\d{3})+|\d+)\.\d+$/;
const RE_TOTAL = /^合\s*计$/;
const RE_END_SENTENCE = /[。：:；;！？!?]$/;

/** Strip Markdown marks from one seed line; returns {text, level, runs, hardBreak}. */
function parseMarkdownLine(raw) {
  let s = raw;
  const hardBreak = / {2,}$/.test(s);
  s = s.replace(/\s+$/, '');
  let level = 0;
  const h = /^(#{1,6})\s+/.exec(s);
  if (h) {
    level = h[1].length;
    s = s.slice(h[0].length);
  }
  let list = false;
  if (/^- /.test(s)) {
    list = true;
    s = s.slice(2);
  }
  // bold runs: **...**
  const runs = [];
  const parts = s.split('**');
  parts.forEach((p, i) => {
    if (p) runs.push({ text: p, bold: i % 2 === 1 });
  });
  const text = runs.map((r) => r.text).join('');
  return { text, level, list, runs, hardBreak };
}

function plain(raw) {
  return parseMarkdownLine(raw).text.trim();
}

/** Split a seed into blocks: tables (runs of tab lines) and text lines. */
function parseSeed(src) {
  const lines = src.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.includes('\t')) {
      const start = i;
      const rows = [];
      while (i < lines.length && lines[i].includes('\t')) rows.push(lines[i++].split('\t'));
      blocks.push({ type: 'table', start: start + 1, end: i, rows });
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    // consecutive non-blank text lines form one paragraph with hard breaks
    const start = i;
    const group = [];
    while (i < lines.length && lines[i].trim() !== '' && !lines[i].includes('\t')) group.push(lines[i++]);
    blocks.push({ type: 'line', start: start + 1, end: i, raw: group });
  }
  return blocks;
}

function blockText(b) {
  return b.raw.map(plain).join('');
}

/**
 * Build the document structure: cover, toc, body items.
 * Body items: {type:'part'|'para'|'table', ...}.
 */
function structure(blocks) {
  const tocIdx = blocks.findIndex((b) => b.type === 'line' && RE_TOC.test(blockText(b)));
  const firstPart = blocks.findIndex((b, i) => i > tocIdx && b.type === 'line' && RE_PART.test(blockText(b)));
  // A short fixture without 目录 / 第X部分: its first line is the cover, the rest is the body.
  const bare = tocIdx < 0 || firstPart < 0;
  const cover = bare ? blocks.slice(0, 1).flatMap((b) => b.raw.map(plain)).filter(Boolean) : blocks.slice(0, tocIdx).flatMap((b) => b.raw.map(plain)).filter(Boolean);
  const toc = bare ? [] : blocks.slice(tocIdx + 1, firstPart);
  const body = bare ? blocks.slice(1) : blocks.slice(firstPart);

  // 1. tables and their lead-in lines
  const consumed = new Set();
  const items = [];
  const tableInfo = new Map();
  body.forEach((b, i) => {
    if (b.type !== 'table') return;
    const lead = [];
    let j = i - 1;
    let stage = 0; // 0 units/year, 1 title found, 2 done
    while (j >= 0 && body[j].type === 'line' && !consumed.has(j) && stage < 2) {
      const t = blockText(body[j]);
      if (stage === 0 && (RE_UNIT.test(t) || RE_YEAR.test(t))) {
        lead.unshift({ idx: j, role: RE_YEAR.test(t) ? 'year' : 'unit', text: t });
      } else if (stage === 0 && RE_TITLE.test(t) && t.length <= 60) {
        lead.unshift({ idx: j, role: 'title', text: t });
        stage = 1;
      } else if (stage === 1 && RE_SECTION.test(t) && RE_TITLE.test(t) && t.length <= 40) {
        lead.unshift({ idx: j, role: 'section', text: t });
        stage = 2;
      } else break;
      j--;
    }
    if (!lead.some((l) => l.role === 'title')) lead.length = 0;
    for (const l of lead) consumed.add(l.idx);
    const prev = body[i - 1];
    let placement = 'page';
    if (!lead.length) placement = prev && prev.type === 'table' ? 'fragment' : 'inline';
    tableInfo.set(i, { lead, placement });
  });

  // 2. walk the body in order
  let afterTable = false;
  for (let i = 0; i < body.length; i++) {
    const b = body[i];
    if (consumed.has(i)) continue;
    if (b.type === 'table') {
      const info = tableInfo.get(i);
      const title = info.lead.find((l) => l.role === 'title')?.text ?? '';
      items.push({ type: 'table', block: b, lead: info.lead, placement: info.placement, title });
      afterTable = true;
      continue;
    }
    const text = blockText(b);
    const next = body[i + 1];
    if (RE_PART.test(text) && next && next.type === 'line' && !consumed.has(i + 1) && !RE_PART.test(blockText(next))) {
      items.push({ type: 'part', lines: [text, blockText(next)], start: b.start });
      i++;
      afterTable = false;
      continue;
    }
    items.push(makePara(b, afterTable));
    afterTable = false;
  }

  // 3. re-join narrative paragraphs the seed split at an original page break
  const joined = [];
  for (const it of items) {
    const prev = joined[joined.length - 1];
    if (prev && prev.type === 'para' && it.type === 'para' && prev.style === 'body' && it.style === 'body' && !prev.note && !it.note) {
      const pt = prev.runs.map((r) => r.text).join('');
      const nt = it.runs.map((r) => r.text).join('');
      if (pt.length >= 20 && !RE_END_SENTENCE.test(pt) && !RE_ITEM_START.test(nt) && !prev.hardEnd) {
        prev.runs = prev.runs.concat(it.runs);
        prev.joinedFrom.push(it.start);
        continue;
      }
    }
    joined.push(it);
  }
  return { cover, toc, items: joined };
}

function makePara(b, afterTable) {
  const runs = [];
  let level = 0;
  let list = false;
  b.raw.forEach((raw, k) => {
    const md = parseMarkdownLine(raw);
    if (k === 0) {
      level = md.level;
      list = md.list;
    }
    if (k > 0) runs.push({ text: '\n', bold: false });
    runs.push(...md.runs);
  });
  const text = runs.map((r) => r.text).join('').trim();
  let style = 'body';
  const punct = /[。，；：:,;]/.test(text);
  if (level === 1) style = 'h1';
  else if (level === 2) style = 'h2';
  else if (level >= 3) style = 'h3';
  else if (!punct && text.length <= 20 && new RegExp(`^[${CN_NUM}]+、`).test(text)) style = 'h2';
  else if (!punct && text.length <= 20 && new RegExp(`^[（(][${CN_NUM}]+[)）]`).test(text)) style = 'h3';
  else if (!punct && text.length <= 20 && /^\d+[.．]\s*\S/.test(text)) style = 'h3';
  else if (!punct && text.length <= 12) style = 'h2';
  // a fully bold line (e.g. "**（二）...**") is a heading too
  if (style === 'body' && runs.length === 1 && runs[0].bold && text.length <= 40) style = 'h3';
  const note = afterTable && style === 'body';
  const hardEnd = parseMarkdownLine(b.raw[b.raw.length - 1]).hardBreak;
  return { type: 'para', style, list, note, runs, start: b.start, joinedFrom: [], hardEnd };
}

// ---------------------------------------------------------------- text layout

const CLOSE = new Set('，。、；：？！）》」』】〕”’%,.;:?!)]}…·'.split(''));
const OPEN = new Set('（《「『【〔“‘([{'.split(''));

function tokenize(text) {
  return text.match(/[A-Za-z0-9.,%+\-/_@#&=<>~'°]+|\n| +|[\s\S]/gu) ?? [];
}

/**
 * Greedy line breaking for mixed CJK/Latin text. tokens: [{text, bold}].
 * Latin words and numbers are never split unless longer than a whole line.
 * Closing punctuation never starts a line, opening punctuation never ends one.
 */
function wrapTokens(tokens, maxW, measure, firstIndent = 0) {
  const lines = [];
  let cur = [];
  let curW = firstIndent;
  const flush = () => {
    while (cur.length && /^ +$/.test(cur[cur.length - 1].text)) cur.pop();
    lines.push(cur);
    cur = [];
    curW = 0;
  };
  const queue = tokens.slice();
  while (queue.length) {
    const tok = queue.shift();
    if (tok.text === '\n') {
      flush();
      continue;
    }
    const w = measure(tok.text);
    const blank = /^ +$/.test(tok.text);
    if (blank && cur.length === 0 && lines.length > 0) continue;
    if (curW + w <= maxW + 0.01) {
      cur.push(tok);
      curW += w;
      continue;
    }
    if (blank) {
      flush();
      continue;
    }
    if (w > maxW && [...tok.text].length > 1) {
      // a run longer than the line: break it into characters
      queue.unshift(...[...tok.text].map((ch) => ({ text: ch, bold: tok.bold })));
      continue;
    }
    if (cur.length === 0) {
      cur.push(tok);
      curW += w;
      continue;
    }
    const carry = [];
    if (CLOSE.has([...tok.text][0]) && cur.length >= 2) carry.unshift(cur.pop());
    while (cur.length >= 2 && OPEN.has(cur[cur.length - 1].text)) carry.unshift(cur.pop());
    flush();
    for (const c of carry) {
      cur.push(c);
      curW += measure(c.text);
    }
    cur.push(tok);
    curW += w;
  }
  if (cur.length || lines.length === 0) flush();
  return lines;
}

/** Group a line's tokens into same-style strings. */
function lineRuns(line) {
  const out = [];
  for (const t of line) {
    const last = out[out.length - 1];
    if (last && last.bold === t.bold) last.text += t.text;
    else out.push({ text: t.text, bold: t.bold });
  }
  return out;
}

// ---------------------------------------------------------------- renderer

const A4 = { w: 595.28, h: 841.89 };
const LAYOUT = {
  portrait: { w: A4.w, h: A4.h, top: 58, bottom: 60, left: 56, right: 56 },
  landscape: { w: A4.h, h: A4.w, top: 46, bottom: 52, left: 44, right: 44 },
};
const BODY_FS = 12;
const BODY_LH = 21;
const RULE_W = 0.5;

class Renderer {
  constructor(PDFDocument, meta) {
    this.doc = new PDFDocument({
      autoFirstPage: false,
      size: 'A4',
      margin: 0,
      compress: true,
      lang: 'zh-CN',
      pdfVersion: '1.7',
      info: {
        Title: meta.title,
        Author: meta.author,
        Subject: meta.subject,
        Creator: 'budget-extract scripts/generate-samples.mjs',
        Producer: 'PDFKit',
        CreationDate: FIXED_DATE,
        ModDate: FIXED_DATE,
      },
    });
    this.doc.registerFont('serif', path.join(FONT_DIR, FONTS.serif.file), FONTS.serif.name);
    this.doc.registerFont('sans', path.join(FONT_DIR, FONTS.sans.file), FONTS.sans.name);
    this.chunks = [];
    this.doc.on('data', (c) => this.chunks.push(c));
    this.done = new Promise((resolve) => this.doc.on('end', () => resolve(Buffer.concat(this.chunks))));
    this.page = 0;
    this.orient = 'portrait';
    this.y = 0;
    this.fresh = true; // nothing drawn on the current page yet
    this.needPage = true;
    this.widthCache = new Map();
    this.pageMap = [];
  }

  get L() {
    return LAYOUT[this.orient];
  }
  get left() {
    return this.L.left;
  }
  get right() {
    return this.L.w - this.L.right;
  }
  get width() {
    return this.right - this.left;
  }
  get bottom() {
    return this.L.h - this.L.bottom;
  }

  measure(font, fs, s) {
    const key = `${font}|${fs}|${s}`;
    let w = this.widthCache.get(key);
    if (w === undefined) {
      this.doc.font(font).fontSize(fs);
      w = this.doc.widthOfString(s);
      this.widthCache.set(key, w);
    }
    return w;
  }

  newPage(orient = 'portrait') {
    this.footer();
    this.orient = orient;
    this.doc.addPage({ size: 'A4', layout: orient, margin: 0 });
    this.page++;
    this.y = this.L.top;
    this.fresh = true;
    this.needPage = false;
  }

  /** Page number "- N -" centred at the foot of every page after the cover (drawn last on the page). */
  footer() {
    if (this.page < 2) return;
    const label = `- ${this.page} -`;
    const w = this.measure('serif', 10.5, label);
    this.text(label, (this.L.w - w) / 2, this.L.h - 34, { font: 'serif', fs: 10.5 });
  }

  /** Ensure a flow item of height h fits; starts a new portrait page when needed. */
  ensure(h, orient = 'portrait', allowLandscape = false) {
    const orientOk = this.orient === orient || (allowLandscape && !this.needPage);
    if (this.needPage || !orientOk || this.y + h > this.bottom) this.newPage(orient);
  }

  /** Draw one line of text; `top` is the top of the em box. */
  text(s, x, top, { font = 'serif', fs = BODY_FS, bold = false } = {}) {
    const doc = this.doc;
    doc.font(font).fontSize(fs).fillColor('black');
    const opts = { lineBreak: false, baseline: 'alphabetic' };
    const baseline = top + fs * 0.88;
    if (bold) {
      doc.save();
      doc.lineWidth(fs * 0.035).strokeColor('black');
      doc.text(s, x, baseline, { ...opts, fill: true, stroke: true });
      doc.restore();
    } else {
      doc.text(s, x, baseline, opts);
    }
    this.fresh = false;
  }

  /** Draw a wrapped paragraph (array of lines of tokens) starting at y. */
  drawLines(lines, { font, fs, lh, x0, indent = 0, align = 'left', width }) {
    lines.forEach((line, k) => {
      const runs = lineRuns(line);
      const total = runs.reduce((a, r) => a + this.measure(font, fs, r.text), 0);
      let x = x0 + (k === 0 ? indent : 0);
      if (align === 'center') x = x0 + (width - total) / 2;
      else if (align === 'right') x = x0 + width - total;
      for (const r of runs) {
        this.text(r.text, x, this.y + (lh - fs) / 2, { font, fs, bold: r.bold });
        x += this.measure(font, fs, r.text);
      }
      this.y += lh;
    });
  }

  // ---- cover, toc, parts, paragraphs

  cover(lines) {
    this.newPage('portrait');
    const fs = 26;
    const lh = 56;
    let y = 250;
    for (const l of lines) {
      const w = this.measure('sans', fs, l);
      this.text(l, (this.L.w - w) / 2, y, { font: 'sans', fs });
      y += lh;
    }
    this.needPage = true;
  }

  toc(blocks) {
    this.newPage('portrait');
    const head = '目 录';
    const hw = this.measure('sans', 18, head);
    this.text(head, (this.L.w - hw) / 2, this.y, { font: 'sans', fs: 18 });
    this.y += 44;
    const entries = [];
    for (const b of blocks) {
      if (b.type === 'table') for (const r of b.rows) entries.push({ text: r[0].trim(), page: (r[1] ?? '').trim() });
      else for (const raw of b.raw) entries.push({ text: plain(raw), page: '' });
    }
    for (const e of entries) {
      const top = /^第[一二三四五六七八九十]+部分/.test(e.text);
      const font = top ? 'sans' : 'serif';
      const fs = top ? 12.5 : 12;
      const x = this.left + (top ? 0 : 24);
      this.ensure(24);
      this.text(e.text, x, this.y + 4, { font, fs });
      if (e.page) {
        const pw = this.measure('serif', 12, e.page);
        this.text(e.page, this.right - pw, this.y + 4, { font: 'serif', fs: 12 });
      }
      this.y += 24;
    }
    this.needPage = true;
  }

  part(lines) {
    this.newPage('portrait');
    let y = 300;
    for (const l of lines) {
      const w = this.measure('sans', 22, l);
      this.text(l, (this.L.w - w) / 2, y, { font: 'sans', fs: 22 });
      y += 48;
    }
    this.needPage = true;
  }

  para(p) {
    const st = {
      h1: { font: 'sans', fs: 16, lh: 28, before: 10, after: 8, align: 'center', indent: 0 },
      h2: { font: 'sans', fs: 14, lh: 24, before: 8, after: 4, align: 'left', indent: 0 },
      h3: { font: 'sans', fs: 12, lh: 21, before: 6, after: 2, align: 'left', indent: 0 },
      body: { font: 'serif', fs: BODY_FS, lh: BODY_LH, before: 0, after: 6, align: 'left', indent: 24 },
      note: { font: 'serif', fs: 10.5, lh: 17, before: 2, after: 6, align: 'left', indent: 0 },
    }[p.note ? 'note' : p.style];
    const tokens = [];
    for (const r of p.runs) for (const t of tokenize(r.text)) tokens.push({ text: t, bold: r.bold && st.font === 'serif' });
    while (tokens.length && /^ +$/.test(tokens[0].text)) tokens.shift();
    const indent = p.list ? 24 : st.indent;
    const lines = wrapTokens(tokens, this.width - (p.list ? 24 : 0), (s) => this.measure(st.font, st.fs, s), p.list ? 0 : indent);
    const heading = p.style !== 'body';
    // headings keep with the next two lines of text
    const need = heading ? st.before + lines.length * st.lh + st.after + 2 * BODY_LH : st.lh;
    this.ensure(need, 'portrait', p.note);
    if (!this.fresh) this.y += st.before;
    const x0 = this.left + (p.list ? 24 : 0);
    // paragraphs may break across pages line by line
    for (let k = 0; k < lines.length; k++) {
      if (this.y + st.lh > this.bottom) this.newPage(this.orient === 'landscape' && p.note ? 'landscape' : 'portrait');
      this.drawLines([lines[k]], { font: st.font, fs: st.fs, lh: st.lh, x0, indent: k === 0 ? (p.list ? 0 : indent) : 0, align: st.align, width: this.width });
    }
    this.y += st.after;
  }

  // ---- tables

  table(item) {
    const t = prepareTable(item);
    const orient = t.ncols >= 9 ? 'landscape' : 'portrait';
    const W = LAYOUT[orient].w - LAYOUT[orient].left - LAYOUT[orient].right;
    const lay = this.layoutTable(t, W);
    const totalH = lay.rowH.reduce((a, b) => a + b, 0);
    if (item.placement === 'inline') {
      // an untitled table inside the narrative stays in the flow when it fits
      if (this.needPage || this.orient !== orient || this.y + 4 + totalH > this.bottom) this.newPage(orient);
      else this.y += 4;
    } else {
      this.newPage(orient);
    }
    const firstPage = this.page;
    this.drawLead(item.lead);

    const x0 = this.left + (this.width - W) / 2;
    const drawRows = (r0, r1, y) => {
      for (let r = r0; r < r1; r++) {
        for (let c = 0; c < t.ncols; c++) {
          const cell = t.cells[r][c];
          if (cell.covered) continue;
          const x = x0 + lay.colX[c];
          const w = lay.colX[c + cell.cs] - lay.colX[c];
          let h = 0;
          for (let k = r; k < r + cell.rs; k++) h += lay.rowH[k];
          this.cell(cell, x, y, w, h, lay);
        }
        y += lay.rowH[r];
      }
      return y;
    };
    let y = this.y;
    if (t.h) y = drawRows(0, t.h, y);
    for (let r = t.h; r < t.rows.length; r++) {
      if (y + lay.rowH[r] > this.bottom && r > t.h) {
        this.newPage(orient);
        y = this.y;
        if (t.h) y = drawRows(0, t.h, y);
      }
      y = drawRows(r, r + 1, y);
    }
    this.y = y + 10;
    this.pageMap.push({
      pages: [firstPage, this.page],
      lines: [item.block.start, item.block.end],
      title: item.title || (item.placement === 'fragment' ? '(continuation fragment of the preceding table, no title)' : '(inline table in narrative, no title)'),
      orient,
      fs: lay.fs,
      ncols: t.ncols,
      headerRows: t.h,
    });
  }

  drawLead(lead) {
    for (const l of lead) {
      if (l.role === 'section') {
        this.text(l.text, this.left, this.y + 4, { font: 'sans', fs: 14 });
        this.y += 30;
      } else if (l.role === 'title') {
        const fs = 16;
        const toks = tokenize(l.text).map((x) => ({ text: x, bold: false }));
        const lines = wrapTokens(toks, this.width - 40, (s) => this.measure('sans', fs, s));
        this.y += 4;
        this.drawLines(lines, { font: 'sans', fs, lh: 24, x0: this.left, align: 'center', width: this.width });
        this.y += 6;
      } else if (l.role === 'year') {
        const w = this.measure('serif', 11, l.text);
        this.text(l.text, this.left + (this.width - w) / 2, this.y + 3, { font: 'serif', fs: 11 });
        this.y += 20;
      } else {
        const right = /^(单位|金额单位)/.test(l.text);
        const w = this.measure('serif', 10.5, l.text);
        this.text(l.text, right ? this.right - w : this.left, this.y + 3, { font: 'serif', fs: 10.5 });
        this.y += 19;
      }
    }
    if (lead.length) this.y += 2;
  }

  cell(cell, x, y, w, h, lay) {
    const doc = this.doc;
    doc.save();
    doc.lineWidth(RULE_W).strokeColor('black');
    doc.rect(x, y, w, h).stroke();
    doc.restore();
    if (!cell.lines.length) return;
    const fs = lay.fs;
    const lh = lay.lh;
    const textH = cell.lines.length * lh;
    let ty = y + (h - textH) / 2;
    for (const line of cell.lines) {
      const s = line.map((t) => t.text).join('');
      const tw = this.measure('serif', fs, s);
      let tx = x + lay.padX;
      if (cell.align === 'center') tx = x + (w - tw) / 2;
      else if (cell.align === 'right') tx = x + w - lay.padX - tw;
      this.text(s, tx, ty + (lh - fs) / 2, { font: 'serif', fs, bold: cell.header });
      ty += lh;
    }
  }

  /** Column widths from the text: numbers never wrap, header words may wrap (≤3 lines). */
  layoutTable(t, W) {
    const base = t.ncols <= 4 ? 10.5 : t.ncols <= 6 ? 10 : t.ncols <= 8 ? 9 : t.ncols <= 10 ? 8.5 : 8;
    for (let fs = base; ; fs -= 0.5) {
      const padX = Math.max(2.5, fs * 0.35);
      const m = (s) => this.measure('serif', fs, s);
      const minW = new Array(t.ncols).fill(fs * 2 + 2 * padX);
      const want = new Array(t.ncols).fill(fs * 2 + 2 * padX);
      t.cells.forEach((row, r) => {
        row.forEach((cell, c) => {
          if (cell.covered || cell.cs !== 1 || !cell.text) return;
          const nat = m(cell.text) + 2 * padX + 0.5;
          const chars = [...cell.text].length;
          let mn;
          if (r < t.h) {
            // header: wrap into at most 3 lines
            const longest = Math.max(...tokenize(cell.text).map(m));
            mn = Math.max(nat / 3 + fs, longest + 2 * padX + 0.5);
            mn = Math.min(mn, nat);
            // long labels are happy on two lines
            if (chars > 6) {
              minW[c] = Math.max(minW[c], mn);
              want[c] = Math.max(want[c], Math.max(mn, nat / 2 + fs));
              return;
            }
          } else if (RE_RIGHT.test(cell.text) || !/[^\x20-\x7e]/.test(cell.text) || chars <= 8 || (!t.perf && chars <= 16)) {
            mn = nat; // numbers, codes and names stay on one line
          } else {
            // long texts (targets, indicators) wrap; Latin words and numbers inside them do not
            const longest = Math.max(...tokenize(cell.text).map(m));
            mn = Math.min(nat, Math.max(m('字'.repeat(6)), longest) + 2 * padX + 0.5);
          }
          minW[c] = Math.max(minW[c], mn);
          want[c] = Math.max(want[c], nat);
        });
      });
      const sumMin = minW.reduce((a, b) => a + b, 0);
      const sumWant = want.reduce((a, b) => a + b, 0);
      if (sumMin > W && fs > 6) continue;
      let widths;
      if (sumWant <= W) {
        const extra = W - sumWant;
        widths = want.map((w) => w + (extra * w) / sumWant);
      } else if (sumMin <= W) {
        const k = (W - sumMin) / (sumWant - sumMin);
        widths = want.map((w, c) => minW[c] + (w - minW[c]) * k);
      } else {
        widths = minW.map((w) => (w * W) / sumMin);
      }
      const colX = [0];
      for (const w of widths) colX.push(colX[colX.length - 1] + w);
      const lh = fs * 1.2;
      const padY = fs * 0.25;
      // wrap every cell and compute row heights
      const rowH = new Array(t.rows.length).fill(lh + 2 * padY);
      const tall = [];
      t.cells.forEach((row, r) => {
        row.forEach((cell, c) => {
          if (cell.covered) return;
          const w = colX[c + cell.cs] - colX[c] - 2 * padX;
          const toks = tokenize(cell.text).map((x) => ({ text: x, bold: false }));
          cell.lines = cell.text ? wrapTokens(toks, w, m) : [];
          const segs = cell.text.split(/ +/);
          if (cell.header && cell.lines.length > 1 && segs.length > 1 && segs.length <= 3 && segs.every((g) => m(g) <= w)) {
            // a header label that must wrap breaks at its spaces (the line breaks of the original print)
            cell.lines = segs.map((g) => [{ text: g, bold: false }]);
          } else if (cell.header && cell.lines.length > 1) {
            // balance wrapped header labels: narrowest width giving the same number of lines
            let lo = w / cell.lines.length;
            let hi = w;
            for (let k = 0; k < 12; k++) {
              const mid = (lo + hi) / 2;
              if (wrapTokens(toks, mid, m).length <= cell.lines.length) hi = mid;
              else lo = mid;
            }
            cell.lines = wrapTokens(toks, hi, m);
          }
          const need = Math.max(1, cell.lines.length) * lh + 2 * padY;
          if (cell.rs === 1) rowH[r] = Math.max(rowH[r], need);
          else tall.push({ r, rs: cell.rs, need });
        });
      });
      for (const { r, rs, need } of tall) {
        let have = 0;
        for (let k = r; k < r + rs; k++) have += rowH[k];
        if (need > have) rowH[r + rs - 1] += need - have;
      }
      return { fs, padX, lh, colX, rowH, widths };
    }
  }

  async finish() {
    this.footer();
    this.doc.end();
    return this.done;
  }
}

/** Normalise a table block into a grid with header rows, spans and alignment. */
function prepareTable(item) {
  const rows = item.block.rows.map((r) => r.map((c) => c.trim()));
  const ncols = Math.max(...rows.map((r) => r.length));
  for (const r of rows) while (r.length < ncols) r.push('');
  const isPerf = /绩效目标/.test(item.title) || item.placement === 'fragment';

  // header rows: rows above the first data row (a decimal number, or a row starting with 合计)
  let h;
  if (item.placement === 'fragment') h = 0;
  else if (isPerf) {
    // performance-target tables are label/value grids; only a full row of column labels is a header
    const first = rows[0];
    let last = ncols - 1;
    while (last > 0 && first[last] === '') last--;
    const full = first.slice(0, last + 1).every((c) => c !== '');
    h = full && !first.some((c) => /\d/.test(c)) && last >= 3 ? 1 : 0;
  } else {
    // a 合计 row is a data row when everything after the label is a number or empty
    const totalRow = (r) => {
      const k = r.findIndex((c) => c !== '');
      return k >= 0 && RE_TOTAL.test(r[k]) && r.slice(k + 1).every((c) => c === '' || RE_RIGHT.test(c));
    };
    const idx = rows.findIndex((r) => r.some((c) => RE_DECIMAL.test(c)) || totalRow(r));
    h = idx > 0 ? idx : idx === 0 ? 0 : 1;
  }
  h = Math.min(h, rows.length - 1);

  const cells = rows.map((r, ri) =>
    r.map((text) => ({
      text,
      rs: 1,
      cs: 1,
      covered: false,
      header: ri < h,
      align: ri < h ? 'center' : RE_RIGHT.test(text) ? 'right' : 'left',
      lines: [],
    })),
  );
  const empty = (r, c) => rows[r][c] === '';

  // merged header cells
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < ncols; c++) {
      const cell = cells[r][c];
      if (cell.covered || empty(r, c)) continue;
      let c2 = c + 1;
      const subLabel = (cc) => {
        for (let rr = r + 1; rr < h; rr++) if (!empty(rr, cc)) return true;
        return false;
      };
      while (c2 < ncols && empty(r, c2) && !cells[r][c2].covered && subLabel(c2)) c2++;
      cell.cs = c2 - c;
      if (cell.cs === 1) {
        let r2 = r + 1;
        while (r2 < h && empty(r2, c) && !cells[r2][c].covered) r2++;
        cell.rs = r2 - r;
      }
      for (let rr = r; rr < r + cell.rs; rr++)
        for (let cc = c; cc < c + cell.cs; cc++) if (rr !== r || cc !== c) cells[rr][cc].covered = true;
    }
  }

  // body: in performance-target tables a long text followed only by empty cells spans to the row end
  if (isPerf) {
    for (let r = h; r < rows.length; r++) {
      for (let c = 0; c < ncols - 1; c++) {
        const text = rows[r][c];
        if (!text || RE_RIGHT.test(text) || [...text].length < 12) continue;
        if (!rows[r].slice(c + 1).every((x) => x === '')) continue;
        cells[r][c].cs = ncols - c;
        for (let cc = c + 1; cc < ncols; cc++) cells[r][cc].covered = true;
        break;
      }
    }
  }
  return { rows, ncols, h, cells, perf: isPerf };
}

// ---------------------------------------------------------------- driver

async function renderPdf(PDFDocument, seedText, sample) {
  const blocks = parseSeed(seedText);
  const doc = structure(blocks);
  const r = new Renderer(PDFDocument, {
    title: sample.title,
    author: doc.cover.find((l) => /局|委|办|院|厅|部/.test(l) && !/预算/.test(l)) ?? '',
    subject: `Sample rendered from ${sample.fixture ?? `seed ${sample.seed}`}`,
  });
  r.cover(doc.cover);
  r.toc(doc.toc);
  for (const it of doc.items) {
    if (it.type === 'part') r.part(it.lines);
    else if (it.type === 'table') r.table(it);
    else r.para(it);
  }
  const buf = await r.finish();
  return { buf, pages: r.page, pageMap: r.pageMap, joins: doc.items.filter((i) => i.joinedFrom?.length).map((i) => [i.start, ...i.joinedFrom]) };
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function kb(n) {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : `${Math.round(n / 1024)} KB`;
}

function readme(results) {
  const L = [];
  L.push('# samples/');
  L.push('');
  L.push('Sample inputs for `budget-extract` (`npm start` runs `extract samples --out output`).');
  L.push('This file is generated by `scripts/generate-samples.mjs`; do not edit it by hand.');
  L.push('');
  L.push('| file | what | seed | seed sha256 | size | pages | sha256 |');
  L.push('|---|---|---|---|---|---|---|');
  for (const x of results) {
    L.push(`| \`${x.out}\` | ${x.what} | \`${x.fixture ?? `../shared/seeds/${x.seed}`}\` | \`${x.seedSha}\` | ${kb(x.size)} | ${x.pages ?? '–'} | \`${x.sha}\` |`);
  }
  L.push('');
  L.push('## How they are made');
  L.push('');
  L.push('```sh');
  L.push('npm run samples                                  # = node scripts/generate-samples.mjs');
  L.push('node scripts/generate-samples.mjs --check        # exit 1 if samples/ differs from a fresh run');
  L.push('```');
  L.push('');
  L.push('- Requires Node 20, `pdfkit` (devDependency) and the Debian/Ubuntu package **fonts-noto-cjk** (`apt-get install fonts-noto-cjk`): Noto Serif CJK SC Regular (body text and tables) and Noto Sans CJK SC Bold (cover, headings, table titles), read from `/usr/share/fonts/opentype/noto/*.ttc` (override with `NOTO_CJK_DIR`). Fonts are embedded as subsets. A different fonts-noto-cjk version can change the PDF bytes; the text and layout stay the same.');
  L.push('- Deterministic: fixed CreationDate/ModDate (2024-01-01T00:00:00Z), the PDF /ID is derived from the info dictionary, no randomness. Two runs give byte-identical files.');
  L.push('- `zhangzhou-2025-budget.txt` is the seed copied byte for byte (a plain-text disclosure sample).');
  L.push('');
  L.push('## Layout of the PDFs');
  L.push('');
  L.push('Modelled on `../shared/corpus/rendered/README.md` ("How the digital PDFs are made"), produced by our own code (pdfkit):');
  L.push('');
  L.push('- A4. Page 1 is the cover (no page number); page 2 the 目录 (from the seed, page numbers as in the seed, not as in this PDF); every later page carries `- N -` (N = physical page number) centred at the foot. Part titles (第X部分 + its title line) get a divider page.');
  L.push('- Narrative lines become wrapped paragraphs (Markdown marks `#`, `**`, leading `- ` of seed 003 are interpreted, never printed). Paragraphs the seed split at an original page break (a fragment of 20+ characters not ending a sentence, followed by a fragment that is not a new numbered item) are re-joined, text unchanged.');
  L.push('- Every run of consecutive tab-separated lines (a blank line ends it) is a ruled table: every cell stroked with 0.5 pt lines; numbers (1,234.56 / 12.34 / 90%) right-aligned, codes and names left-aligned; header rows centred and fake-bold (same font, fill+stroke). Exception: the 目录 tab lines of seed 000 are set as TOC lines, not as a table.');
  L.push('- Header rows = the rows above the first row holding a decimal number or starting with 合计/合 计. 绩效目标 tables are label/value grids: 0 header rows unless the first row is a full row of labels (seed 003 部门预算项目支出绩效目标表: 1). Untitled continuation fragments: 0 header rows.');
  L.push('- Merged header cells: a header label followed by empty cells that have sub-labels below spans those columns (no vertical rule inside); a header label with only empty cells below spans down (no horizontal rule inside). In 绩效目标 tables a long text followed only by empty cells spans to the row end. Covered positions are always the seed\'s empty cells; irregular seed rows are printed at their seed positions.');
  L.push('- A titled table starts on a new page with its lead-in lines (section heading, title, 部门/单位/金额单位 lines, (年度) line). Untitled fragments (a tab-run separated from the previous one only by a blank line) start on a new page too; the small untitled table inside the narrative (seed 000 lines 84-86) stays inline. Tables with 9+ columns are on landscape pages. Font size falls with the column count (10.5 pt for ≤4 columns … 8 pt for 11+). Rows are never split; a table longer than a page continues on the next page with its header rows repeated. Notes right after a table (备注…, 空表说明…) stay under it.');
  L.push('- Every character is real text (text layer); no images.');
  L.push('');
  L.push('## Page maps');
  L.push('');
  L.push('Pages are physical PDF pages (1-based); seed lines are 1-based line numbers of the seed.');
  for (const x of results) {
    if (!x.pageMap) continue;
    const land = new Set();
    for (const p of x.pageMap) if (p.orient === 'landscape') for (let k = p.pages[0]; k <= p.pages[1]; k++) land.add(k);
    L.push('');
    L.push(`### ${x.out}`);
    L.push('');
    L.push(`${x.pages} pages; landscape pages: ${compress([...land]) || 'none'}.`);
    L.push('');
    L.push('| pages | seed lines | table | layout |');
    L.push('|---|---|---|---|');
    for (const p of x.pageMap) {
      const pages = p.pages[0] === p.pages[1] ? `${p.pages[0]}` : `${p.pages[0]}-${p.pages[1]}`;
      const brk = p.pages[1] > p.pages[0] ? `${p.headerRows ? ', header repeated' : ''}, breaks across ${p.pages[1] - p.pages[0] + 1} pages` : '';
      L.push(`| ${pages} | ${p.lines[0]}-${p.lines[1]} | ${p.title} | ${p.orient}, ${p.ncols} columns, ${p.fs}pt, ${p.headerRows} header row${p.headerRows === 1 ? '' : 's'}${brk} |`);
    }
  }
  L.push('');
  return L.join('\n');
}

function compress(nums) {
  nums.sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
    out.push(i === j ? `${nums[i]}` : `${nums[i]}-${nums[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  checkFonts();
  const PDFDocument = await loadPdfKit();
  const outputs = [];
  const results = [];
  for (const s of SAMPLES) {
    // Samples of the project's own making render a committed fixture instead of a shared seed.
    const seedPath = s.fixture ? path.join(ROOT, s.fixture) : path.join(opts.seeds, s.seed);
    if (!fs.existsSync(seedPath)) fail(`seed not found: ${seedPath} (use --seeds DIR)`);
    const seedBuf = fs.readFileSync(seedPath);
    let buf;
    let extra = {};
    if (s.kind === 'copy') buf = seedBuf;
    else {
      const r = await renderPdf(PDFDocument, seedBuf.toString('utf8'), s);
      buf = r.buf;
      extra = { pages: r.pages, pageMap: r.pageMap };
      if (process.env.GENERATE_SAMPLES_DEBUG) console.error(s.out, 'joined paragraphs (seed lines):', JSON.stringify(r.joins));
    }
    outputs.push({ file: s.out, buf });
    results.push({ ...s, ...extra, size: buf.length, sha: sha256(buf), seedSha: sha256(seedBuf) });
  }
  outputs.push({ file: 'README.md', buf: Buffer.from(readme(results), 'utf8') });

  if (opts.check) {
    let bad = 0;
    for (const o of outputs) {
      const p = path.join(opts.out, o.file);
      const ok = fs.existsSync(p) && fs.readFileSync(p).equals(o.buf);
      if (!ok) {
        bad++;
        console.error(`out of date: ${path.relative(process.cwd(), p)}`);
      }
    }
    if (bad) fail(`${bad} file(s) differ; run \`npm run samples\``);
    console.log('samples are up to date');
    return;
  }
  fs.mkdirSync(opts.out, { recursive: true });
  for (const o of outputs) fs.writeFileSync(path.join(opts.out, o.file), o.buf);
  for (const x of results) {
    console.log(`${path.relative(process.cwd(), path.join(opts.out, x.out))}  ${kb(x.size)}${x.pages ? `  ${x.pages} pages` : ''}  sha256 ${x.sha}`);
  }
  console.log(`${path.relative(process.cwd(), path.join(opts.out, 'README.md'))}`);
}

await main();
