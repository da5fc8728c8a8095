import { inflateSync, constants as zlib } from 'node:zlib';
import type { Ruling } from '../src/model.js';
import { cidWidths, glyphNameUnicode, parseToUnicode, stringBytes, TextUnsupported, winAnsi, type FontInfo } from './pdf-lite-text.js';
import { paintPath, type Point } from './rulings.js';

/**
 * A minimal PDF reader that finds only the ruling lines of a page: the xref (tables, streams,
 * object streams), the page tree, content streams and form XObjects, with the path operators
 * interpreted under the CTM. It skips text and images entirely, which is what makes it several
 * times cheaper than pdf.js's operator list. Anything it does not understand (encryption, an
 * unknown filter, a broken xref) throws {@link LiteUnsupported}; callers then use pdf.js.
 * Coordinates are PDF user space of the page (points, bottom-left origin).
 */
export class LiteUnsupported extends Error {}

type PdfValue = number | boolean | null | string | PdfName | PdfRef | PdfValue[] | PdfDict | PdfStream;

class PdfName {
  constructor(readonly name: string) {}
}
class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}
type PdfDict = Map<string, PdfValue>;
interface PdfStream {
  dict: PdfDict;
  data: Uint8Array;
}

const isStream = (v: PdfValue | undefined): v is PdfStream => typeof v === 'object' && v !== null && 'data' in (v as object) && 'dict' in (v as object);
const isDict = (v: PdfValue | undefined): v is PdfDict => v instanceof Map;

const WS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

/** Tokeniser and object parser over a byte range. */
class Lexer {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  skipSpace(): void {
    const b = this.bytes;
    while (this.pos < this.end) {
      const c = b[this.pos]!;
      if (WS[c]) this.pos++;
      else if (c === 0x25) {
        while (this.pos < this.end && b[this.pos] !== 10 && b[this.pos] !== 13) this.pos++;
      } else break;
    }
  }

  /** The next token: a number, a keyword/operator string, or a structural marker. */
  next(): PdfValue | { kw: string } | undefined {
    this.skipSpace();
    if (this.pos >= this.end) return undefined;
    const b = this.bytes;
    const c = b[this.pos]!;
    if (c === 0x2f) return this.readName();
    if (c === 0x28) return this.readLiteralString();
    if (c === 0x3c) {
      if (b[this.pos + 1] === 0x3c) {
        this.pos += 2;
        return { kw: '<<' };
      }
      return this.readHexString();
    }
    if (c === 0x3e && b[this.pos + 1] === 0x3e) {
      this.pos += 2;
      return { kw: '>>' };
    }
    if (c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d) {
      this.pos++;
      return { kw: String.fromCharCode(c) };
    }
    const start = this.pos;
    while (this.pos < this.end && !WS[b[this.pos]!] && !DELIM[b[this.pos]!]) this.pos++;
    if (this.pos === start) {
      this.pos++;
      return { kw: String.fromCharCode(c) };
    }
    const word = latin1(b, start, this.pos);
    if (/^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(word)) return Number(word);
    return { kw: word };
  }

  private readName(): PdfName {
    const b = this.bytes;
    const start = ++this.pos;
    while (this.pos < this.end && !WS[b[this.pos]!] && !DELIM[b[this.pos]!]) this.pos++;
    return new PdfName(latin1(b, start, this.pos).replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
  }

  private readLiteralString(): string {
    const b = this.bytes;
    let depth = 0;
    const start = this.pos;
    while (this.pos < this.end) {
      const c = b[this.pos++]!;
      if (c === 0x5c) this.pos++;
      else if (c === 0x28) depth++;
      else if (c === 0x29 && --depth === 0) break;
    }
    return latin1(b, start, this.pos);
  }

  private readHexString(): string {
    const b = this.bytes;
    const start = this.pos;
    while (this.pos < this.end && b[this.pos] !== 0x3e) this.pos++;
    this.pos++;
    return latin1(b, start, this.pos);
  }

  /** A complete object; `num gen R` becomes a reference. */
  parseObject(token = this.next()): PdfValue {
    if (token === undefined) throw new LiteUnsupported('unexpected end of data');
    if (typeof token === 'object' && token !== null && 'kw' in token) {
      const kw = token.kw;
      if (kw === '<<') {
        const dict: PdfDict = new Map();
        for (;;) {
          const key = this.next();
          if (key === undefined) throw new LiteUnsupported('unterminated dictionary');
          if (typeof key === 'object' && key !== null && 'kw' in key && key.kw === '>>') break;
          if (!(key instanceof PdfName)) continue;
          dict.set(key.name, this.parseObject());
        }
        return dict;
      }
      if (kw === '[') {
        const arr: PdfValue[] = [];
        for (;;) {
          const t = this.next();
          if (t === undefined) throw new LiteUnsupported('unterminated array');
          if (typeof t === 'object' && t !== null && 'kw' in t && t.kw === ']') break;
          arr.push(this.parseObject(t));
        }
        return arr;
      }
      if (kw === 'true') return true;
      if (kw === 'false') return false;
      if (kw === 'null') return null;
      return kw;
    }
    if (typeof token === 'number' && Number.isInteger(token)) {
      const save = this.pos;
      const gen = this.next();
      if (typeof gen === 'number' && Number.isInteger(gen)) {
        const r = this.next();
        if (typeof r === 'object' && r !== null && 'kw' in r && r.kw === 'R') return new PdfRef(token, gen);
      }
      this.pos = save;
    }
    return token as PdfValue;
  }
}

function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

interface XrefEntry {
  type: 1 | 2;
  offset: number;
  gen: number;
}

export class PdfLite {
  private readonly xref = new Map<number, XrefEntry>();
  private readonly cache = new Map<number, PdfValue>();
  private readonly objStms = new Map<number, { offsets: Map<number, number>; lexer: Lexer }>();
  private trailer: PdfDict = new Map();
  readonly pages: PdfDict[] = [];

  constructor(private readonly bytes: Uint8Array) {
    try {
      this.readXrefChain();
    } catch {
      this.xref.clear();
      this.rebuildXref();
    }
    if (this.trailer.has('Encrypt')) throw new LiteUnsupported('encrypted');
    const root = this.resolve(this.trailer.get('Root'));
    if (!isDict(root)) throw new LiteUnsupported('no catalog');
    this.collectPages(this.resolve(root.get('Pages')), new Map(), 0);
    if (this.pages.length === 0) throw new LiteUnsupported('no pages');
  }

  private readXrefChain(): void {
    const tail = latin1(this.bytes, Math.max(0, this.bytes.length - 2048), this.bytes.length);
    const m = /startxref\s+(\d+)/.exec(tail.slice(tail.lastIndexOf('startxref')));
    if (!m) throw new LiteUnsupported('no startxref');
    let offset: number | null = Number(m[1]);
    const seen = new Set<number>();
    let first = true;
    while (offset !== null && !seen.has(offset)) {
      seen.add(offset);
      const trailer = this.readXrefAt(offset);
      if (first) this.trailer = trailer;
      first = false;
      const hybrid = trailer.get('XRefStm');
      if (typeof hybrid === 'number' && !seen.has(hybrid)) {
        seen.add(hybrid);
        this.readXrefAt(hybrid);
      }
      const prev = trailer.get('Prev');
      offset = typeof prev === 'number' ? prev : null;
    }
    if (!this.trailer.has('Root')) throw new LiteUnsupported('trailer without Root');
  }

  /** Entries found earlier in the chain (newer revisions) win, so only unset entries are filled. */
  private readXrefAt(offset: number): PdfDict {
    const lexer = new Lexer(this.bytes, offset);
    const head = lexer.next();
    if (typeof head === 'object' && head !== null && 'kw' in head && head.kw === 'xref') {
      for (;;) {
        const a = lexer.next();
        if (typeof a !== 'number') {
          if (typeof a === 'object' && a !== null && 'kw' in a && a.kw === 'trailer') break;
          throw new LiteUnsupported('bad xref table');
        }
        const count = lexer.next() as number;
        for (let i = 0; i < count; i++) {
          const off = lexer.next() as number;
          const gen = lexer.next() as number;
          const kind = lexer.next() as { kw: string };
          if (kind.kw === 'n' && !this.xref.has(a + i) && off > 0) this.xref.set(a + i, { type: 1, offset: off, gen });
          else if (!this.xref.has(a + i)) this.xref.set(a + i, { type: 1, offset: -1, gen });
        }
      }
      const trailer = lexer.parseObject();
      if (!isDict(trailer)) throw new LiteUnsupported('bad trailer');
      return trailer;
    }
    const stream = this.readIndirectAt(offset);
    if (!isStream(stream)) throw new LiteUnsupported('bad xref stream');
    const w = (stream.dict.get('W') as number[]) ?? [];
    const size = stream.dict.get('Size') as number;
    const index = (stream.dict.get('Index') as number[] | undefined) ?? [0, size];
    const data = decodeStream(stream, (v) => this.resolve(v));
    const rowLength = w.reduce((s, n) => s + n, 0);
    let pos = 0;
    const field = (width: number, fallback: number) => {
      if (width === 0) return fallback;
      let v = 0;
      for (let k = 0; k < width; k++) v = v * 256 + data[pos++]!;
      return v;
    };
    for (let s = 0; s + 1 < index.length; s += 2) {
      const start = index[s]!;
      const count = index[s + 1]!;
      for (let i = 0; i < count && pos + rowLength <= data.length; i++) {
        const type = field(w[0]!, 1);
        const f2 = field(w[1]!, 0);
        const f3 = field(w[2]!, 0);
        const num = start + i;
        if (this.xref.has(num)) continue;
        if (type === 1) this.xref.set(num, { type: 1, offset: f2, gen: f3 });
        else if (type === 2) this.xref.set(num, { type: 2, offset: f2, gen: f3 });
        else this.xref.set(num, { type: 1, offset: -1, gen: 0 });
      }
    }
    return stream.dict;
  }

  /** Damaged files: find every "n g obj" and the last trailer or cross-reference stream. */
  private rebuildXref(): void {
    const text = latin1(this.bytes, 0, this.bytes.length);
    const re = /(\d+)\s+(\d+)\s+obj\b/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) this.xref.set(Number(m[1]), { type: 1, offset: m.index, gen: Number(m[2]) });
    const t = text.lastIndexOf('trailer');
    if (t >= 0) {
      const trailer = new Lexer(this.bytes, t + 7).parseObject();
      if (isDict(trailer)) this.trailer = trailer;
    }
    if (!this.trailer.has('Root')) {
      for (const [num] of this.xref) {
        const v = this.getObject(num);
        if (isDict(v) && (v.get('Type') as PdfName | undefined)?.name === 'Catalog') {
          this.trailer.set('Root', new PdfRef(num, 0));
          break;
        }
        if (isStream(v) && (v.dict.get('Type') as PdfName | undefined)?.name === 'XRef' && v.dict.has('Root')) this.trailer = v.dict;
      }
    }
    if (!this.trailer.has('Root')) throw new LiteUnsupported('no trailer');
  }

  private readIndirectAt(offset: number): PdfValue {
    const lexer = new Lexer(this.bytes, offset);
    lexer.next();
    lexer.next();
    const kw = lexer.next();
    if (!(typeof kw === 'object' && kw !== null && 'kw' in kw && kw.kw === 'obj')) throw new LiteUnsupported(`no object at ${offset}`);
    const value = lexer.parseObject();
    const save = lexer.pos;
    const after = lexer.next();
    if (isDict(value) && typeof after === 'object' && after !== null && 'kw' in after && after.kw === 'stream') {
      let start = lexer.pos;
      if (this.bytes[start] === 13) start++;
      if (this.bytes[start] === 10) start++;
      let length = this.resolve(value.get('Length'));
      let end = typeof length === 'number' ? start + length : -1;
      if (end < start || end > this.bytes.length || !latin1(this.bytes, end, Math.min(end + 20, this.bytes.length)).includes('endstream')) {
        const idx = indexOf(this.bytes, 'endstream', start);
        if (idx < 0) throw new LiteUnsupported('unterminated stream');
        end = idx;
        while (end > start && (this.bytes[end - 1] === 10 || this.bytes[end - 1] === 13)) end--;
        length = end - start;
      }
      return { dict: value, data: this.bytes.subarray(start, end) };
    }
    lexer.pos = save;
    return value;
  }

  getObject(num: number): PdfValue {
    if (this.cache.has(num)) return this.cache.get(num)!;
    const entry = this.xref.get(num);
    let value: PdfValue = null;
    if (entry && entry.type === 1 && entry.offset >= 0) value = this.readIndirectAt(entry.offset);
    else if (entry && entry.type === 2) value = this.fromObjectStream(entry.offset, num);
    this.cache.set(num, value);
    return value;
  }

  private fromObjectStream(streamNum: number, num: number): PdfValue {
    let holder = this.objStms.get(streamNum);
    if (!holder) {
      const stream = this.getObject(streamNum);
      if (!isStream(stream)) throw new LiteUnsupported('bad object stream');
      const data = decodeStream(stream, (v) => this.resolve(v));
      const n = stream.dict.get('N') as number;
      const first = stream.dict.get('First') as number;
      const lexer = new Lexer(data);
      const offsets = new Map<number, number>();
      for (let i = 0; i < n; i++) offsets.set(lexer.next() as number, first + (lexer.next() as number));
      holder = { offsets, lexer };
      this.objStms.set(streamNum, holder);
    }
    const at = holder.offsets.get(num);
    if (at === undefined) return null;
    holder.lexer.pos = at;
    return holder.lexer.parseObject();
  }

  resolve(v: PdfValue | undefined, depth = 0): PdfValue {
    if (v instanceof PdfRef) {
      if (depth > 32) throw new LiteUnsupported('reference loop');
      return this.resolve(this.getObject(v.num), depth + 1);
    }
    return v ?? null;
  }

  private collectPages(node: PdfValue, inherited: Map<string, PdfValue>, depth: number): void {
    if (!isDict(node) || depth > 64) return;
    const carried = new Map(inherited);
    for (const key of ['Resources', 'MediaBox', 'CropBox', 'Rotate']) if (node.has(key)) carried.set(key, node.get(key)!);
    const kids = this.resolve(node.get('Kids'));
    const type = (node.get('Type') as PdfName | undefined)?.name;
    if (Array.isArray(kids) && type !== 'Page') {
      for (const kid of kids) this.collectPages(this.resolve(kid), carried, depth + 1);
      return;
    }
    const page: PdfDict = new Map(node);
    for (const [k, v] of carried) if (!page.has(k)) page.set(k, v);
    this.pages.push(page);
  }

  /** Ruling lines of page `n` (1-based), in user space. */
  /**
   * Rulings and, when `withText`, the text runs of page `n` (1-based), in user space. Text is null
   * when a font on the page cannot be decoded safely (pdf.js must read that page's text).
   */
  readPage(n: number, withText: boolean): { rulings: Ruling[]; text: TextRun[] | null } {
    const page = this.pages[n - 1];
    if (!page) throw new LiteUnsupported(`no page ${n}`);
    const contents = this.resolve(page.get('Contents'));
    const parts = Array.isArray(contents) ? contents.map((c) => this.resolve(c)) : [contents];
    const chunks = parts.filter(isStream).map((s) => decodeStream(s, (v) => this.resolve(v)));
    const data = concat(chunks);
    const resources = this.resolve(page.get('Resources'));
    const sink: Sink = { rulings: [], text: withText ? [] : null };
    try {
      this.interpret(data, resources, [1, 0, 0, 1, 0, 0], sink, 0);
    } catch (error) {
      if (!(error instanceof TextUnsupported)) throw error;
      // A font the reader cannot decode: rulings only, the text comes from pdf.js.
      const rulingsOnly: Sink = { rulings: [], text: null };
      this.interpret(data, resources, [1, 0, 0, 1, 0, 0], rulingsOnly, 0);
      return { rulings: rulingsOnly.rulings, text: null };
    }
    return { rulings: sink.rulings, text: sink.text };
  }

  private readonly fonts = new Map<PdfDict, FontInfo | null>();

  /** Decoding data of a font dictionary, or null when the fast reader must not decode it. */
  private fontInfo(dict: PdfDict): FontInfo | null {
    if (this.fonts.has(dict)) return this.fonts.get(dict)!;
    let info: FontInfo | null;
    try {
      info = this.buildFont(dict);
    } catch {
      info = null;
    }
    this.fonts.set(dict, info);
    return info;
  }

  private buildFont(dict: PdfDict): FontInfo {
    const subtype = (this.resolve(dict.get('Subtype')) as PdfName | null)?.name;
    const toUnicodeStream = this.resolve(dict.get('ToUnicode'));
    const toUnicode = isStream(toUnicodeStream) ? parseToUnicode(latin1Bytes(decodeStream(toUnicodeStream, (v) => this.resolve(v)))) : null;
    if (subtype === 'Type0') {
      const encoding = this.resolve(dict.get('Encoding'));
      if (!(encoding instanceof PdfName) || encoding.name !== 'Identity-H') throw new TextUnsupported('Type0 encoding');
      if (!toUnicode || toUnicode.size === 0) throw new TextUnsupported('Type0 without ToUnicode');
      const descendants = this.resolve(dict.get('DescendantFonts'));
      const cid = Array.isArray(descendants) ? this.resolve(descendants[0]) : null;
      if (!isDict(cid)) throw new TextUnsupported('no CID font');
      const w = this.resolve(cid.get('W'));
      const widths = Array.isArray(w) ? cidWidths(w.map((x) => this.resolveDeep(x))) : new Map<number, number>();
      const dw = this.resolve(cid.get('DW'));
      return { codeLength: 2, toUnicode, widths, defaultWidth: typeof dw === 'number' ? dw : 1000 };
    }
    if (subtype !== 'TrueType' && subtype !== 'Type1' && subtype !== 'MMType1') throw new TextUnsupported(`font ${subtype}`);
    const first = this.resolve(dict.get('FirstChar'));
    const list = this.resolve(dict.get('Widths'));
    if (typeof first !== 'number' || !Array.isArray(list)) throw new TextUnsupported('simple font without /Widths');
    const widths = new Map<number, number>();
    list.forEach((wv, k) => {
      const v = this.resolve(wv);
      if (typeof v === 'number') widths.set(first + k, v);
    });
    const descriptor = this.resolve(dict.get('FontDescriptor'));
    const missing = isDict(descriptor) ? this.resolve(descriptor.get('MissingWidth')) : null;
    const unicode = new Map<number, string>();
    const encoding = this.resolve(dict.get('Encoding'));
    const baseName = encoding instanceof PdfName ? encoding.name : isDict(encoding) ? ((this.resolve(encoding.get('BaseEncoding')) as PdfName | null)?.name ?? 'WinAnsiEncoding') : null;
    if (!toUnicode) {
      if (baseName !== 'WinAnsiEncoding') throw new TextUnsupported(`simple font encoding ${baseName ?? 'built-in'} without ToUnicode`);
      for (let c = 0; c < 256; c++) {
        const u = winAnsi(c);
        if (u !== undefined) unicode.set(c, u);
      }
      if (isDict(encoding)) {
        const differences = this.resolve(encoding.get('Differences'));
        let code = 0;
        for (const item of Array.isArray(differences) ? differences : []) {
          if (typeof item === 'number') code = item;
          else if (item instanceof PdfName) {
            const u = glyphNameUnicode(item.name);
            if (u === undefined) throw new TextUnsupported(`glyph ${item.name}`);
            unicode.set(code++, u);
          }
        }
      }
    }
    return { codeLength: 1, toUnicode: toUnicode ?? unicode, widths, defaultWidth: typeof missing === 'number' ? missing : 0 };
  }

  private resolveDeep(v: PdfValue): PdfValue {
    const r = this.resolve(v);
    return Array.isArray(r) ? r.map((x) => this.resolveDeep(x)) : r;
  }

  private interpret(data: Uint8Array, resources: PdfValue, ctm0: Matrix, sink: Sink, depth: number): void {
    if (depth > 12) return;
    const rulings = sink.rulings;
    const lexer = new Lexer(data);
    const stack: { ctm: Matrix; text: TextState }[] = [];
    let ctm = ctm0;
    let ts: TextState = { charSpacing: 0, wordSpacing: 0, hScale: 1, leading: 0, font: null, fontSize: 0, rise: 0 };
    let tm: Matrix = [1, 0, 0, 1, 0, 0];
    let tlm: Matrix = [1, 0, 0, 1, 0, 0];
    const fontsDict = isDict(resources) ? this.resolve(resources.get('Font')) : null;
    const isString = (v: PdfValue | undefined): v is string => typeof v === 'string' && (v.startsWith('(') || v.startsWith('<'));
    const show = (bytes: Uint8Array | null, adjust: number) => {
      if (!sink.text) return;
      if (bytes === null) {
        tm = multiply([1, 0, 0, 1, (-adjust / 1000) * ts.fontSize * ts.hScale, 0], tm);
        return;
      }
      if (!ts.font) throw new TextUnsupported('text without a font');
      const font = ts.font;
      const textToPage = multiply(tm, ctm);
      const trm = multiply([ts.fontSize * ts.hScale, 0, 0, ts.fontSize, 0, ts.rise], textToPage);
      const up: Point = [trm[2], trm[3]];
      const size = Math.hypot(up[0], up[1]);
      const at = (advance: number) => applyPoint(textToPage, advance, ts.rise);
      let advance = 0;
      let run = '';
      let runStart = 0;
      let runEnd = 0;
      let pendingSpaces = '';
      let pendingWidth = 0;
      const flush = () => {
        if (run !== '' && size > 0) sink.text!.push({ text: run, origin: at(runStart), end: at(runEnd), up: [up[0] / size, up[1] / size], fontSize: size });
        run = '';
      };
      for (let i = 0; i + font.codeLength <= bytes.length; i += font.codeLength) {
        const code = font.codeLength === 2 ? bytes[i]! * 256 + bytes[i + 1]! : bytes[i]!;
        const u = font.toUnicode.get(code);
        if (u === undefined) throw new TextUnsupported(`code ${code} has no Unicode`);
        const w = font.widths.get(code) ?? font.defaultWidth;
        const spacing = ts.charSpacing + (font.codeLength === 1 && code === 32 ? ts.wordSpacing : 0);
        const glyphAdvance = ((w / 1000) * ts.fontSize + spacing) * ts.hScale;
        // As in pdf.js's text content: spaces inside a shown string stay, leading and trailing ones do not,
        // and a stretch of spaces wider than 0.6 em (padding that moves text into the next cell) ends the run.
        if (/^\s+$/.test(u)) {
          if (run !== '') {
            pendingSpaces += u;
            pendingWidth += glyphAdvance;
          }
          advance += glyphAdvance;
          continue;
        }
        if (run !== '' && pendingWidth > 0.6 * ts.fontSize * ts.hScale) flush();
        if (run === '') {
          runStart = advance;
          pendingSpaces = '';
        }
        run += pendingSpaces + u;
        pendingSpaces = '';
        pendingWidth = 0;
        advance += glyphAdvance;
        runEnd = advance;
      }
      flush();
      tm = multiply([1, 0, 0, 1, advance, 0], tm);
    };
    let operands: PdfValue[] = [];
    let subpaths: Point[][] = [];
    let current: Point[] | null = null;
    const num = (i: number) => operands[operands.length - i] as number;
    const point = (x: number, y: number): Point => [ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5]];
    for (;;) {
      const token = lexer.next();
      if (token === undefined) break;
      if (!(typeof token === 'object' && token !== null && 'kw' in token)) {
        operands.push(token as PdfValue);
        continue;
      }
      const op = token.kw;
      if (op === '[' || op === '<<') {
        operands.push(lexer.parseObject(token));
        continue;
      }
      switch (op) {
        case 'q':
          stack.push({ ctm, text: { ...ts } });
          break;
        case 'Q': {
          const saved = stack.pop();
          if (saved) {
            ctm = saved.ctm;
            ts = saved.text;
          }
          break;
        }
        case 'BT':
          tm = [1, 0, 0, 1, 0, 0];
          tlm = tm;
          break;
        case 'Tf': {
          if (!sink.text) break;
          const name = operands[operands.length - 2];
          const fontDict = name instanceof PdfName && isDict(fontsDict) ? this.resolve(fontsDict.get(name.name)) : null;
          const info = isDict(fontDict) ? this.fontInfo(fontDict) : null;
          if (!info) throw new TextUnsupported(`font ${name instanceof PdfName ? name.name : '?'}`);
          ts.font = info;
          ts.fontSize = num(1);
          break;
        }
        case 'Tc':
          ts.charSpacing = num(1);
          break;
        case 'Tw':
          ts.wordSpacing = num(1);
          break;
        case 'Tz':
          ts.hScale = num(1) / 100;
          break;
        case 'TL':
          ts.leading = num(1);
          break;
        case 'Ts':
          ts.rise = num(1);
          break;
        case 'Td':
          tlm = multiply([1, 0, 0, 1, num(2), num(1)], tlm);
          tm = tlm;
          break;
        case 'TD':
          ts.leading = -num(1);
          tlm = multiply([1, 0, 0, 1, num(2), num(1)], tlm);
          tm = tlm;
          break;
        case 'Tm':
          tlm = [num(6), num(5), num(4), num(3), num(2), num(1)];
          tm = tlm;
          break;
        case 'T*':
          tlm = multiply([1, 0, 0, 1, 0, -ts.leading], tlm);
          tm = tlm;
          break;
        case 'Tj':
          if (isString(operands[operands.length - 1])) show(stringBytes(operands[operands.length - 1] as string), 0);
          break;
        case "'":
          tlm = multiply([1, 0, 0, 1, 0, -ts.leading], tlm);
          tm = tlm;
          if (isString(operands[operands.length - 1])) show(stringBytes(operands[operands.length - 1] as string), 0);
          break;
        case '"':
          ts.wordSpacing = num(3);
          ts.charSpacing = num(2);
          tlm = multiply([1, 0, 0, 1, 0, -ts.leading], tlm);
          tm = tlm;
          if (isString(operands[operands.length - 1])) show(stringBytes(operands[operands.length - 1] as string), 0);
          break;
        case 'TJ': {
          const arr = operands[operands.length - 1];
          if (Array.isArray(arr)) {
            for (const el of arr) {
              if (isString(el)) show(stringBytes(el), 0);
              else if (typeof el === 'number') show(null, el);
            }
          }
          break;
        }
        case 'Tr':
          // Render mode 7 adds text to the clip; pdf.js still reports it, and so does this reader.
          break;
        case 'cm':
          if (operands.length >= 6) ctm = multiply([num(6), num(5), num(4), num(3), num(2), num(1)], ctm);
          break;
        case 'm':
          current = [point(num(2), num(1))];
          subpaths.push(current);
          break;
        case 'l':
          if (current) current.push(point(num(2), num(1)));
          break;
        case 'c':
        case 'v':
        case 'y': {
          // Curves are never rulings: the path goes on from the curve's end point.
          current = [point(num(2), num(1))];
          subpaths.push(current);
          break;
        }
        case 'h':
          if (current && current.length > 0) current.push(current[0]!);
          break;
        case 're': {
          const [x, y, w, h] = [num(4), num(3), num(2), num(1)];
          const rect = [point(x, y), point(x + w, y), point(x + w, y + h), point(x, y + h)];
          subpaths.push([...rect, rect[0]!]);
          current = null;
          break;
        }
        case 'S':
        case 's':
        case 'f':
        case 'F':
        case 'f*':
        case 'B':
        case 'B*':
        case 'b':
        case 'b*': {
          const stroke = op === 'S' || op === 's' || op.startsWith('B') || op.startsWith('b');
          const fill = op !== 'S' && op !== 's';
          if (op === 's' || op === 'b' || op === 'b*') for (const sp of subpaths) if (sp.length > 0) sp.push(sp[0]!);
          for (const sp of subpaths) paintPath(sp, stroke, fill, rulings);
          subpaths = [];
          current = null;
          break;
        }
        case 'n':
          subpaths = [];
          current = null;
          break;
        case 'BI':
          skipInlineImage(lexer);
          break;
        case 'Do': {
          const name = operands[operands.length - 1];
          const xobjects = isDict(resources) ? this.resolve(resources.get('XObject')) : null;
          const xobj = name instanceof PdfName && isDict(xobjects) ? this.resolve(xobjects.get(name.name)) : null;
          if (isStream(xobj) && (xobj.dict.get('Subtype') as PdfName | undefined)?.name === 'Form') {
            const m = this.resolve(xobj.dict.get('Matrix'));
            const matrix: Matrix = Array.isArray(m) && m.length === 6 ? (m as number[] as Matrix) : [1, 0, 0, 1, 0, 0];
            const formResources = this.resolve(xobj.dict.get('Resources'));
            this.interpret(decodeStream(xobj, (v) => this.resolve(v)), isDict(formResources) ? formResources : resources, multiply(matrix, ctm), sink, depth + 1);
          }
          break;
        }
        default:
          break;
      }
      operands = [];
    }
  }
}

type Matrix = [number, number, number, number, number, number];

/** A shown string in user space: its text, the baseline from `origin` to `end`, the unit up vector and the font size. */
export interface TextRun {
  text: string;
  origin: Point;
  end: Point;
  up: Point;
  fontSize: number;
}

interface TextState {
  charSpacing: number;
  wordSpacing: number;
  hScale: number;
  leading: number;
  font: FontInfo | null;
  fontSize: number;
  rise: number;
}

interface Sink {
  rulings: Ruling[];
  text: TextRun[] | null;
}

function applyPoint(m: Matrix, x: number, y: number): Point {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

function latin1Bytes(b: Uint8Array): string {
  return Buffer.from(b).toString('latin1');
}

/** m1 × m2 in PDF's row-vector convention (apply m1 first). */
function multiply(m1: Matrix, m2: Matrix): Matrix {
  return [
    m1[0] * m2[0] + m1[1] * m2[2],
    m1[0] * m2[1] + m1[1] * m2[3],
    m1[2] * m2[0] + m1[3] * m2[2],
    m1[2] * m2[1] + m1[3] * m2[3],
    m1[4] * m2[0] + m1[5] * m2[2] + m2[4],
    m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
  ];
}

/** Inline image data is binary: skip from ID to the EI that follows whitespace. */
function skipInlineImage(lexer: Lexer): void {
  const b = lexer.bytes;
  const id = indexOf(b, 'ID', lexer.pos);
  if (id < 0) {
    lexer.pos = lexer.end;
    return;
  }
  let i = id + 3;
  while (i + 2 < lexer.end) {
    if (WS[b[i - 1]!] && b[i] === 0x45 && b[i + 1] === 0x49 && (i + 2 >= lexer.end || WS[b[i + 2]!])) {
      lexer.pos = i + 2;
      return;
    }
    i++;
  }
  lexer.pos = lexer.end;
}

function indexOf(bytes: Uint8Array, needle: string, from: number): number {
  const first = needle.charCodeAt(0);
  outer: for (let i = from; i <= bytes.length - needle.length; i++) {
    if (bytes[i] !== first) continue;
    for (let k = 1; k < needle.length; k++) if (bytes[i + k] !== needle.charCodeAt(k)) continue outer;
    return i;
  }
  return -1;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((s, c) => s + c.length + 1, 0);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
    out[pos++] = 10;
  }
  return out;
}

/** Apply the stream's filters; only FlateDecode (with PNG predictors) and ASCIIHex are read here. */
function decodeStream(stream: PdfStream, resolve: (v: PdfValue | undefined) => PdfValue): Uint8Array {
  const filter = resolve(stream.dict.get('Filter'));
  const filters = (Array.isArray(filter) ? filter : filter === null ? [] : [filter]).map((f) => (resolve(f) as PdfName).name);
  const parmsValue = resolve(stream.dict.get('DecodeParms'));
  const parmsList = Array.isArray(parmsValue) ? parmsValue.map((p) => resolve(p)) : [parmsValue];
  let data = stream.data;
  filters.forEach((name, i) => {
    if (name === 'FlateDecode' || name === 'Fl') {
      data = new Uint8Array(inflateSync(data, { finishFlush: zlib.Z_SYNC_FLUSH }));
      const parms = parmsList[i];
      if (isDict(parms)) data = unpredict(data, parms);
    } else if (name === 'ASCIIHexDecode' || name === 'AHx') {
      const hex = latin1(data, 0, data.length).replace(/[^0-9a-fA-F]/g, '');
      data = new Uint8Array(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'));
    } else throw new LiteUnsupported(`filter ${name}`);
  });
  return data;
}

function unpredict(data: Uint8Array, parms: PdfDict): Uint8Array {
  const predictor = (parms.get('Predictor') as number | undefined) ?? 1;
  if (predictor < 10) {
    if (predictor === 1) return data;
    throw new LiteUnsupported(`predictor ${predictor}`);
  }
  const colors = (parms.get('Colors') as number | undefined) ?? 1;
  const bpc = (parms.get('BitsPerComponent') as number | undefined) ?? 8;
  const columns = (parms.get('Columns') as number | undefined) ?? 1;
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLength = Math.ceil((colors * bpc * columns) / 8);
  const rows = Math.floor(data.length / (rowLength + 1));
  const out = new Uint8Array(rows * rowLength);
  let prev = new Uint8Array(rowLength);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLength + 1)]!;
    const row = data.subarray(r * (rowLength + 1) + 1, (r + 1) * (rowLength + 1));
    const cur = new Uint8Array(rowLength);
    for (let i = 0; i < rowLength; i++) {
      const left = i >= bpp ? cur[i - bpp]! : 0;
      const up = prev[i]!;
      const upLeft = i >= bpp ? prev[i - bpp]! : 0;
      let v = row[i]!;
      if (type === 1) v += left;
      else if (type === 2) v += up;
      else if (type === 3) v += (left + up) >> 1;
      else if (type === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        v += pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      cur[i] = v & 0xff;
    }
    out.set(cur, r * rowLength);
    prev = cur;
  }
  return out;
}
