import type { GrayImage } from '../extractors/ocr/raster.js';

/** How a test page is stored: 8-bit grey or 1-bit (ink below 128), uncompressed or PackBits. */
export interface TiffPageSpec {
  image: GrayImage;
  bits: 8 | 1;
  compression: 'none' | 'packbits';
  /** Resolution written to the file; omitted writes none. */
  dpi?: number;
  /** Overrides the compression tag, to make a file with a compression the reader does not know. */
  compressionTag?: number;
}

/**
 * A baseline little-endian TIFF of several pages, written by hand so the tests need no image tool: one strip
 * per page, BlackIsZero, PackBits packing each row on its own as TIFF 6.0 asks.
 */
export function writeTiff(pages: TiffPageSpec[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  let offset = 8;
  const header = new Uint8Array(8);
  chunks.push(header);
  const headerView = new DataView(header.buffer);
  header.set([0x49, 0x49, 42, 0]);
  let previousNextPointer: { view: DataView; at: number } = { view: headerView, at: 4 };
  for (const spec of pages) {
    const rows = packRows(spec);
    const strip = concat(rows);
    chunks.push(strip);
    const stripOffset = offset;
    offset += strip.length + (strip.length % 2);
    if (strip.length % 2) chunks.push(new Uint8Array(1));
    const entries: [number, number, number, number][] = [
      [256, 4, 1, spec.image.width],
      [257, 4, 1, spec.image.height],
      [258, 3, 1, spec.bits],
      [259, 3, 1, spec.compressionTag ?? (spec.compression === 'packbits' ? 32773 : 1)],
      [262, 3, 1, 1],
      [273, 4, 1, stripOffset],
      [277, 3, 1, 1],
      [278, 4, 1, spec.image.height],
      [279, 4, 1, strip.length],
    ];
    const rationalsAt = offset + 2 + (entries.length + (spec.dpi ? 3 : 0)) * 12 + 4;
    if (spec.dpi) entries.push([282, 5, 1, rationalsAt], [283, 5, 1, rationalsAt + 8], [296, 3, 1, 2]);
    const ifd = new Uint8Array(2 + entries.length * 12 + 4 + (spec.dpi ? 16 : 0));
    const view = new DataView(ifd.buffer);
    view.setUint16(0, entries.length, true);
    entries.forEach(([tag, type, count, value], i) => {
      const at = 2 + i * 12;
      view.setUint16(at, tag, true);
      view.setUint16(at + 2, type, true);
      view.setUint32(at + 4, count, true);
      if (type === 3) view.setUint16(at + 8, value, true);
      else view.setUint32(at + 8, value, true);
    });
    if (spec.dpi) {
      const at = 2 + entries.length * 12 + 4;
      for (const k of [0, 8]) {
        view.setUint32(at + k, spec.dpi, true);
        view.setUint32(at + k + 4, 1, true);
      }
    }
    previousNextPointer.view.setUint32(previousNextPointer.at, offset, true);
    previousNextPointer = { view, at: 2 + entries.length * 12 };
    chunks.push(ifd);
    offset += ifd.length;
  }
  return concat(chunks);
}

function packRows(spec: TiffPageSpec): Uint8Array[] {
  const { width, height, data } = spec.image;
  const rows: Uint8Array[] = [];
  for (let y = 0; y < height; y++) {
    const line = data.subarray(y * width, (y + 1) * width);
    let row: Uint8Array = line;
    if (spec.bits === 1) {
      row = new Uint8Array(Math.ceil(width / 8)).fill(0xff);
      for (let x = 0; x < width; x++) if (line[x]! < 128) row[x >> 3]! &= ~(0x80 >> (x & 7));
    }
    rows.push(spec.compression === 'packbits' ? packBits(row) : row);
  }
  return rows;
}

/** PackBits: runs of 2–128 equal bytes as (1 - n, byte), everything else as literals (n - 1, bytes…). */
function packBits(row: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < row.length) {
    let run = 1;
    while (i + run < row.length && run < 128 && row[i + run] === row[i]) run++;
    if (run >= 2) {
      out.push(257 - run, row[i]!);
      i += run;
      continue;
    }
    const start = i;
    while (i < row.length && i - start < 128 && !(i + 1 < row.length && row[i + 1] === row[i])) i++;
    if (i === start) i++;
    out.push(i - start - 1, ...row.subarray(start, i));
  }
  return Uint8Array.from(out);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
