import { createCanvas, loadImage } from '@napi-rs/canvas';
import utif from 'utif2';
import { InputError } from '../../src/ingest.js';
import { release, toGray, type GrayImage } from './raster.js';

/** TIFF compressions UTIF decodes into pixels (others it leaves blank, which would read as an empty page). */
const UTIF_COMPRESSIONS = new Set([1, 2, 3, 4, 5, 8, 32773, 32946]);
/** JPEG as TIFF 6.0 technote 2 has it: each strip or tile its own JPEG stream, decoded here by the canvas (UTIF garbles grey ones). */
const JPEG_COMPRESSION = 7;

const RESOLUTION_UNIT_INCH = 2;
const RESOLUTION_UNIT_CM = 3;

/** A page's resolution is believed only within what a scanner produces; outside it the caller's guess stands. */
const PLAUSIBLE_DPI: [number, number] = [72, 1200];

/** One page of a TIFF file, not yet decoded: pages are decoded one at a time to bound memory. */
export interface TiffPage {
  width: number;
  height: number;
  /** Resolution the file states, in dots per inch; undefined when it states none (or an implausible one). */
  statedDpi: number | undefined;
  /** Decode the page's pixels to greyscale; `fallbackDpi` is its resolution when the file states none. */
  decode(fallbackDpi: number): Promise<GrayImage>;
}

/**
 * The pages of a TIFF file (multi-page scans are common), reduced-resolution thumbnails left out. A file that
 * cannot be parsed, or whose pages use a compression this decoder does not know, is an `InputError` naming why.
 */
export function tiffPages(bytes: Uint8Array): TiffPage[] {
  // UTIF reads from an ArrayBuffer from offset 0: a Buffer view into a larger pool would be read wrongly.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let directories: utif.IFD[];
  try {
    directories = utif.decode(buffer);
  } catch (error) {
    throw new InputError(`the TIFF file could not be parsed (${(error as Error).message})`);
  }
  const pages = directories.filter((ifd) => tagNumber(ifd, 't256') !== undefined && ((tagNumber(ifd, 't254') ?? 0) & 1) === 0);
  if (pages.length === 0) throw new InputError('the TIFF file holds no page image');
  return pages.map((ifd, index) => {
    const compression = tagNumber(ifd, 't259') ?? 1;
    const width = tagNumber(ifd, 't256')!;
    const height = tagNumber(ifd, 't257') ?? 0;
    return {
      width,
      height,
      statedDpi: statedDpi(ifd),
      async decode(fallbackDpi: number): Promise<GrayImage> {
        const dpi = statedDpi(ifd) ?? fallbackDpi;
        if (compression !== JPEG_COMPRESSION && !UTIF_COMPRESSIONS.has(compression)) throw new InputError(`TIFF page ${index + 1} uses compression ${compression}, which is not supported: convert the scan to PNG or PDF`);
        try {
          if (compression === JPEG_COMPRESSION) return await decodeJpegPieces(bytes, ifd, width, height, dpi);
          utif.decodeImage(buffer, ifd);
          const rgba = utif.toRGBA8(ifd);
          const data = new Uint8Array(ifd.width * ifd.height);
          for (let i = 0, j = 0; j < data.length; i += 4, j++) {
            // Transparent pixels are paper.
            const alpha = rgba[i + 3]!;
            const gray = (rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29) >> 8;
            data[j] = (gray * alpha + 255 * (255 - alpha) + 127) / 255;
          }
          return { width: ifd.width, height: ifd.height, data, dpi };
        } catch (error) {
          if (error instanceof InputError) throw error;
          throw new InputError(`TIFF page ${index + 1} could not be decoded (${(error as Error).message})`);
        } finally {
          // The decoded pixels are kept on the directory by UTIF: dropped so that only one page is held at a time.
          ifd.data = new Uint8Array(0);
        }
      },
    };
  });
}

/**
 * A JPEG-compressed page: every strip (or tile) is a JPEG stream of its own, the quantisation and Huffman tables
 * they share stored once in JPEGTables; each is decoded and drawn at its place.
 */
async function decodeJpegPieces(bytes: Uint8Array, ifd: utif.IFD, width: number, height: number, dpi: number): Promise<GrayImage> {
  const tiled = ifd['t324'] !== undefined;
  const offsets = (ifd[tiled ? 't324' : 't273'] ?? []) as number[];
  const counts = (ifd[tiled ? 't325' : 't279'] ?? []) as number[];
  const pieceWidth = tiled ? tagNumber(ifd, 't322')! : width;
  const pieceHeight = tiled ? tagNumber(ifd, 't323')! : (tagNumber(ifd, 't278') ?? height);
  const across = Math.ceil(width / pieceWidth);
  const tables = ifd['t347'] instanceof Uint8Array ? ifd['t347'] : Array.isArray(ifd['t347']) ? Uint8Array.from(ifd['t347'] as number[]) : undefined;
  const canvas = createCanvas(width, height);
  try {
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    for (let k = 0; k < offsets.length; k++) {
      let stream = bytes.subarray(offsets[k]!, offsets[k]! + counts[k]!);
      // The tables' stream ends with EOI and the piece's begins with SOI: spliced into one JPEG.
      if (tables && tables.length > 4) stream = Buffer.concat([tables.subarray(0, tables.length - 2), stream.subarray(2)]);
      const piece = await loadImage(Buffer.from(stream));
      context.drawImage(piece, (k % across) * pieceWidth, Math.floor(k / across) * pieceHeight);
    }
    return { width, height, data: toGray(context.getImageData(0, 0, width, height).data), dpi };
  } finally {
    release(canvas);
  }
}

function tagNumber(ifd: utif.IFD, tag: string): number | undefined {
  const value = ifd[tag];
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && typeof value[0] === 'number') return value[0];
  return undefined;
}

/** A RATIONAL tag's value: UTIF gives it as [numerator, denominator]. */
function rational(ifd: utif.IFD, tag: string): number | undefined {
  const value = (ifd[tag] as unknown as unknown[] | undefined)?.[0];
  if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'number' && value[1] !== 0) return value[0] / value[1];
  return typeof value === 'number' ? value : undefined;
}

function statedDpi(ifd: utif.IFD): number | undefined {
  const resolution = rational(ifd, 't282');
  const unit = tagNumber(ifd, 't296') ?? RESOLUTION_UNIT_INCH;
  // Unit 1 states only the pixels' aspect ratio, no size.
  if (resolution === undefined || (unit !== RESOLUTION_UNIT_INCH && unit !== RESOLUTION_UNIT_CM)) return undefined;
  const dpi = Math.round(unit === RESOLUTION_UNIT_CM ? resolution * 2.54 : resolution);
  return dpi >= PLAUSIBLE_DPI[0] && dpi <= PLAUSIBLE_DPI[1] ? dpi : undefined;
}
