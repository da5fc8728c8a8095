import * as OpenCC from 'opencc-js/t2cn';

type Convert = (text: string) => string;

// Chained so that Taiwan and Hong Kong variant forms reach the same Simplified text as OpenCC-standard Traditional.
const converters: Convert[] = [
  OpenCC.Converter({ from: 'tw', to: 'cn' }),
  OpenCC.Converter({ from: 'hk', to: 'cn' }),
];
const traditionalCache = new Map<string, string>();

/** Traditional → Simplified (OpenCC). Plain Simplified text passes through unchanged. */
export function toSimplified(text: string): string {
  if (!/[\u3400-\u9fff]/.test(text)) return text;
  let out = traditionalCache.get(text);
  if (out === undefined) {
    out = converters.reduce((s, convert) => convert(s), text);
    if (traditionalCache.size > 50_000) traditionalCache.clear();
    traditionalCache.set(text, out);
  }
  return out;
}

/** Characters outside CJK ideographs that still count as "Chinese" for the space rule. */
const CJK = '\\u3400-\\u9fff\\uf900-\\ufaff\\u3000-\\u303f\\uff00-\\uffef“”‘’';
const SPACE_BETWEEN_CJK = new RegExp(`(?<=[${CJK}])[\\s\\u00a0]+(?=[${CJK}])`, 'g');

/** Full-width ASCII letters and digits to half-width; the ideographic space to a plain space. */
export function halfWidthAlnum(text: string): string {
  return text
    .replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}

/** Full-width punctuation that appears inside numbers and codes, to ASCII. */
function halfWidthNumberPunctuation(text: string): string {
  return text.replace(/[\uff0c\uff0e\uff0d\uff05\uff08\uff09\uff0b]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
}

/** Remove spaces that a layout engine or a wrapped cell left between Chinese characters ("合 计" → "合计"). */
export function removeCjkSpaces(text: string): string {
  return text.replace(SPACE_BETWEEN_CJK, '');
}

/** The normalised form of any extracted text: Simplified, half-width alphanumerics, no spaces inside CJK words, trimmed. */
export function normaliseText(raw: string): string {
  return removeCjkSpaces(toSimplified(halfWidthAlnum(safeSubstitutions(raw.normalize('NFC'))))).replace(/\s+/g, ' ').trim();
}

/**
 * Radical forms some fonts map ideographs to (⻔ for 门), and Yi syllables Sichuan PDFs print for Chinese
 * punctuation (ꎬ for ，): each has one safe reading, so the text layer is repaired rather than OCR'd.
 */
const SUBSTITUTES: Record<string, string> = {
  '\u2ec1': '虎', '\u2ec5': '见', '\u2ec6': '角', '\u2ec8': '讠', '\u2ec9': '贝', '\u2ecb': '车', '\u2ed0': '钅',
  '\u2ed1': '長', '\u2ed3': '长', '\u2ed4': '门', '\u2ed8': '青', '\u2ed9': '韦', '\u2eda': '页', '\u2edb': '风',
  '\u2edc': '飞', '\u2ee0': '饣', '\u2ee2': '马', '\u2ee3': '骨', '\u2ee4': '鬼', '\u2ee5': '鱼', '\u2ee6': '鸟',
  '\u2ee7': '卤', '\u2ee8': '麦', '\u2ee9': '黄', '\u2eea': '黾', '\u2eec': '齐', '\u2eee': '齿', '\u2ef0': '龙',
  '\u2ef3': '龟', '\ua3ac': '，',
};
const SUBSTITUTABLE = /[\u2e80-\u2eff\u2f00-\u2fdf\ua000-\ua4cf]/;

export function safeSubstitutions(text: string): string {
  if (!SUBSTITUTABLE.test(text)) return text;
  // Kangxi radicals (U+2F00–2FDF) carry their ideograph as a compatibility mapping.
  return text.replace(/[\u2f00-\u2fdf]/g, (ch) => ch.normalize('NFKC')).replace(/[\u2e80-\u2eff\ua000-\ua4cf]/g, (ch) => SUBSTITUTES[ch] ?? ch);
}

/**
 * How much of a text layer is unreadable: the share of its non-space characters that are U+FFFD,
 * private-use code points, or Yi syllables / radicals left after the safe substitutions.
 */
export function garbledShare(text: string): number {
  const chars = [...safeSubstitutions(text).replace(/\s+/g, '')];
  if (chars.length === 0) return 0;
  const bad = chars.filter((ch) => /[\ufffd\ue000-\uf8ff\ua000-\ua4cf\u2e80-\u2eff]/.test(ch)).length;
  return bad / chars.length;
}

/** A parsed amount. `decimals` is the number of digits printed after the point. */
export interface Amount {
  value: number;
  decimals: number;
}

export type ParsedCell =
  | { kind: 'blank' }
  | { kind: 'dash' }
  | { kind: 'amount'; amount: Amount }
  | { kind: 'text' };

const DASH = /^[-‐‑‒–—―－─━]+$/;
const AMOUNT = /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/;

/**
 * Read a printed amount exactly: "9,474.11" → 9474.11, "0.00" → 0, "" → blank, "—" → dash,
 * "(12.50)" → -12.5. Anything else is text. Thousands separators must be well placed.
 */
export function parseAmountCell(raw: string): ParsedCell {
  let s = halfWidthNumberPunctuation(halfWidthAlnum(raw)).replace(/\s+/g, '');
  if (s === '') return { kind: 'blank' };
  if (DASH.test(s)) return { kind: 'dash' };
  let negative = false;
  const paren = /^\((.*)\)$/.exec(s);
  if (paren?.[1] !== undefined) {
    negative = true;
    s = paren[1];
  }
  if (!AMOUNT.test(s)) return { kind: 'text' };
  const plain = s.replace(/,/g, '');
  const dot = plain.indexOf('.');
  const decimals = dot < 0 ? 0 : plain.length - dot - 1;
  const value = Number(plain);
  return { kind: 'amount', amount: { value: negative ? -value : value, decimals } };
}

/** A printed figure as tables print them: a dash, or an amount with decimals or thousands separators (not a bare code like 2080505). */
export function isPrintedFigure(raw: string): boolean {
  const parsed = parseAmountCell(raw);
  return parsed.kind === 'dash' || (parsed.kind === 'amount' && (parsed.amount.decimals > 0 || /[,，]/.test(raw)));
}

/** Exact conversion of a printed amount to 元 with 2 decimals, done on the digits rather than in floating point. */
export function toYuan(value: number, unit: string | null): string | null {
  const factor = unitFactor(unit);
  if (factor === null) return null;
  const negative = value < 0;
  // 6 decimals covers every unit printed in these documents (万元 with 6 decimals in Beijing).
  const [intPart = '0', fracPart = ''] = Math.abs(value).toFixed(6).split('.');
  const micro = BigInt(intPart + fracPart.padEnd(6, '0'));
  const centsTimes = micro * BigInt(factor); // micro-units × factor = 元 × 1e6
  const cents = (centsTimes + 5000n) / 10000n; // round half up to 元 × 100
  const whole = cents / 100n;
  const frac = (cents % 100n).toString().padStart(2, '0');
  return `${negative && cents !== 0n ? '-' : ''}${whole}.${frac}`;
}

/** How many 元 one printed unit is worth; null when the unit is not an amount unit. */
export function unitFactor(unit: string | null): number | null {
  switch (unit) {
    case '元':
      return 1;
    case '千元':
      return 1000;
    case '万元':
      return 10000;
    case '亿元':
      return 100000000;
    default:
      return null;
  }
}

/** Chinese ordinal prefixes ("一、", "（一）", "1、", "其中：（1）") that the contract strips from `name`. */
const ORDINAL_PREFIX = /^(?:[（(]?[一二三四五六七八九十百]+[)）、.．]|[（(]\d+[)）]|\d+[、.．](?!\d)|其中[:：]?)+/;

/** Row label → `name`: whitespace removed, ordinal prefixes and a trailing colon stripped. */
export function rowName(nameRaw: string): string {
  const compact = nameRaw.replace(/\s+/g, '');
  return compact.replace(ORDINAL_PREFIX, '').replace(/[:：]$/, '');
}

/** True for the leading ordinal of a row label, e.g. "一、" or "二十八、" (the top level of a labelled list). */
export function hasMajorOrdinal(nameRaw: string): boolean {
  return /^[一二三四五六七八九十百]+[、.．]/.test(nameRaw.replace(/\s+/g, ''));
}
