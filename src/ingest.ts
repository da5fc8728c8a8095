import { createHash } from 'node:crypto';
import path from 'node:path';
import type { InputFile, Media } from './model.js';

/** An input that cannot be processed at all; the message names the reason for the user. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export interface Sniffed {
  media: Media;
  encoding?: string;
  text?: string;
}

function startsWith(bytes: Uint8Array, signature: number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}

/** Decode strictly, returning null when the bytes are not valid in that encoding. */
function decode(bytes: Uint8Array, encoding: string): string | null {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Share of characters that are control characters other than tab, CR, LF and form feed. */
function controlShare(text: string): number {
  if (text.length === 0) return 0;
  let bad = 0;
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0xfffd) bad++;
  }
  return bad / text.length;
}

/**
 * Detect the media by content, never by extension: %PDF anywhere in the first KiB, image
 * signatures, else text in UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern) or GB18030.
 */
export function sniff(bytes: Uint8Array): Sniffed {
  if (bytes.length === 0) throw new InputError('empty file (0 bytes)');
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return { media: 'pdf' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47]) || startsWith(bytes, [0xff, 0xd8, 0xff]) || startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { media: 'image' };
  }
  let text: string | null = null;
  let encoding = '';
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) {
    text = decode(bytes.subarray(3), 'utf-8');
    encoding = 'utf-8-bom';
  } else if (startsWith(bytes, [0xff, 0xfe])) {
    text = decode(bytes.subarray(2), 'utf-16le');
    encoding = 'utf-16le';
  } else if (startsWith(bytes, [0xfe, 0xff])) {
    text = decode(bytes.subarray(2), 'utf-16be');
    encoding = 'utf-16be';
  } else {
    const sample = bytes.subarray(0, 4096);
    let evenNul = 0;
    let oddNul = 0;
    for (let i = 0; i < sample.length; i++) {
      if (sample[i] !== 0) continue;
      if (i % 2 === 0) evenNul++;
      else oddNul++;
    }
    if (oddNul > sample.length / 8 && evenNul === 0) {
      text = decode(bytes, 'utf-16le');
      encoding = 'utf-16le';
    } else if (evenNul > sample.length / 8 && oddNul === 0) {
      text = decode(bytes, 'utf-16be');
      encoding = 'utf-16be';
    } else if (evenNul + oddNul > 0) {
      throw new InputError('binary file: neither a PDF, an image nor text');
    } else {
      text = decode(bytes, 'utf-8');
      encoding = 'utf-8';
      if (text === null) {
        text = decode(bytes, 'gb18030');
        encoding = 'gb18030';
      }
    }
  }
  if (text === null) {
    // A guessed UTF-16 that does not decode was never text: NUL bytes mean binary.
    if (encoding.startsWith('utf-16') && bytes[0] !== 0xff && bytes[0] !== 0xfe) throw new InputError('binary file: neither a PDF, an image nor text');
    throw new InputError(`undecodable text (tried ${encoding || 'utf-8 and gb18030'})`);
  }
  if (controlShare(text) > 0.01) throw new InputError('binary file: neither a PDF, an image nor text');
  if (text.trim() === '') throw new InputError('empty text file');
  return { media: 'text', encoding, text };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function makeInput(filePath: string, bytes: Uint8Array): { input: InputFile; text?: string } {
  const sniffed = sniff(bytes);
  const input: InputFile = { path: filePath, name: path.basename(filePath), bytes, sha256: sha256(bytes), media: sniffed.media };
  if (sniffed.encoding) input.encoding = sniffed.encoding;
  return sniffed.text === undefined ? { input } : { input, text: sniffed.text };
}
