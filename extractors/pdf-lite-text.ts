/**
 * Text for the fast reader: fonts whose codes map to Unicode through a ToUnicode CMap (or, for
 * single-byte fonts, WinAnsi/standard encodings with known glyph names), glyph widths from /W,
 * /DW or /Widths, and the PDF text state machine. A font it cannot decode safely makes the page
 * fall back to pdf.js, so a number is never read through a guess.
 */

/** Thrown when a page uses a font the fast reader does not decode; pdf.js reads that page. */
export class TextUnsupported extends Error {}

export interface FontInfo {
  /** Bytes per character code (1 for simple fonts, 2 for Identity-H Type0 fonts). */
  codeLength: 1 | 2;
  toUnicode: Map<number, string>;
  widths: Map<number, number>;
  defaultWidth: number;
}

/** A PDF string operand (literal "(...)" or hex "<...>") as bytes. */
export function stringBytes(raw: string): Uint8Array {
  if (raw.startsWith('<')) {
    const hex = raw.slice(1, -1).replace(/[^0-9a-fA-F]/g, '');
    return new Uint8Array(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'));
  }
  const body = raw.slice(1, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c !== 0x5c) {
      out.push(c & 0xff);
      continue;
    }
    const n = body[++i];
    if (n === undefined) break;
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
    if (n in simple) out.push(simple[n]!);
    else if (n >= '0' && n <= '7') {
      let oct = n;
      while (oct.length < 3 && body[i + 1] !== undefined && body[i + 1]! >= '0' && body[i + 1]! <= '7') oct += body[++i];
      out.push(parseInt(oct, 8) & 0xff);
    } else if (n === '\r') {
      if (body[i + 1] === '\n') i++;
    } else if (n !== '\n') out.push(n.charCodeAt(0) & 0xff);
  }
  return new Uint8Array(out);
}

function utf16Hex(hex: string): string {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '');
  let s = '';
  for (let i = 0; i + 3 < clean.length; i += 4) s += String.fromCharCode(parseInt(clean.slice(i, i + 4), 16));
  if (clean.length === 2) s = String.fromCharCode(parseInt(clean, 16));
  return s;
}

/** bfchar and bfrange entries of a ToUnicode CMap. */
export function parseToUnicode(text: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of block[1]!.matchAll(/<([0-9a-fA-F\s]+)>\s*<([0-9a-fA-F\s]*)>/g)) map.set(parseInt(m[1]!.replace(/\s+/g, ''), 16), utf16Hex(m[2]!));
  }
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const m of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F\s]*>|\[[^\]]*\])/g)) {
      const lo = parseInt(m[1]!, 16);
      const hi = parseInt(m[2]!, 16);
      if (hi < lo || hi - lo > 0xffff) throw new TextUnsupported('bad bfrange');
      const dst = m[3]!;
      if (dst.startsWith('[')) {
        const items = [...dst.matchAll(/<([0-9a-fA-F\s]*)>/g)].map((x) => utf16Hex(x[1]!));
        items.forEach((u, k) => map.set(lo + k, u));
      } else {
        const base = utf16Hex(dst.slice(1, -1));
        if (base.length === 0) continue;
        const last = base.charCodeAt(base.length - 1);
        for (let c = lo; c <= hi; c++) map.set(c, base.slice(0, -1) + String.fromCharCode(last + (c - lo)));
      }
    }
  }
  if (/usecmap/.test(text)) throw new TextUnsupported('ToUnicode uses another CMap');
  return map;
}

/** Windows-1252 for 0x80–0x9F; Latin-1 elsewhere. */
const WIN_ANSI_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

export function winAnsi(code: number): string | undefined {
  if (code >= 0x20 && code < 0x7f) return String.fromCharCode(code);
  if (code >= 0x80 && code < 0xa0) return WIN_ANSI_HIGH[code - 0x80];
  if (code >= 0xa0 && code <= 0xff) return String.fromCharCode(code);
  return undefined;
}

/** Glyph names seen in /Differences of digit and Latin fonts. Unknown names make the page fall back. */
const GLYPH_NAMES: Record<string, string> = {
  space: ' ', exclam: '!', quotedbl: '"', numbersign: '#', dollar: '$', percent: '%', ampersand: '&', quotesingle: "'",
  parenleft: '(', parenright: ')', asterisk: '*', plus: '+', comma: ',', hyphen: '-', period: '.', slash: '/',
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  colon: ':', semicolon: ';', less: '<', equal: '=', greater: '>', question: '?', at: '@', bracketleft: '[',
  backslash: '\\', bracketright: ']', underscore: '_', braceleft: '{', bar: '|', braceright: '}', asciitilde: '~',
  endash: '–', emdash: '—', quoteleft: '‘', quoteright: '’', quotedblleft: '“', quotedblright: '”', bullet: '•', minus: '−',
};

/** Unicode of a glyph name: the table above, single letters, and uniXXXX names. */
export function glyphNameUnicode(name: string): string | undefined {
  if (GLYPH_NAMES[name] !== undefined) return GLYPH_NAMES[name];
  if (/^[A-Za-z]$/.test(name)) return name;
  const uni = /^uni([0-9A-Fa-f]{4})$/.exec(name);
  if (uni) return String.fromCharCode(parseInt(uni[1]!, 16));
  return undefined;
}

/** Parse a /W array of a CID font: [c [w1 w2 …]] and [cfirst clast w] entries. */
export function cidWidths(w: unknown[]): Map<number, number> {
  const map = new Map<number, number>();
  let i = 0;
  while (i < w.length) {
    const first = w[i];
    const next = w[i + 1];
    if (typeof first !== 'number') throw new TextUnsupported('bad /W');
    if (Array.isArray(next)) {
      next.forEach((width, k) => {
        if (typeof width === 'number') map.set(first + k, width);
      });
      i += 2;
    } else {
      const last = next;
      const width = w[i + 2];
      if (typeof last !== 'number' || typeof width !== 'number' || last - first > 0xffff) throw new TextUnsupported('bad /W range');
      for (let c = first; c <= last; c++) map.set(c, width);
      i += 3;
    }
  }
  return map;
}
