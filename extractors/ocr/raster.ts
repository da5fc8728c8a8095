import { createCanvas, type Canvas } from '@napi-rs/canvas';
import type { PDFPageProxy, RenderParameters } from 'pdfjs-dist/types/src/display/api.js';
import type { Ruling } from '../../src/model.js';

/**
 * An 8-bit greyscale raster, row-major, one byte per pixel (0 black … 255 white), top-left origin.
 * `dpi` is its resolution: pixel coordinates times 72/dpi are page points.
 */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
  dpi: number;
}

/** Render a PDF page at `dpi` (pdf.js onto a @napi-rs/canvas), as greyscale. */
export async function renderPage(page: PDFPageProxy, dpi: number): Promise<GrayImage> {
  const viewport = page.getViewport({ scale: dpi / 72 });
  const width = Math.ceil(viewport.width);
  const height = Math.ceil(viewport.height);
  const canvas = createCanvas(width, height);
  try {
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    await page.render({ canvas: canvas as unknown as RenderParameters['canvas'], viewport }).promise;
    return { width, height, data: toGray(context.getImageData(0, 0, width, height).data), dpi };
  } finally {
    release(canvas);
  }
}

/** Decode a PNG or JPEG file into greyscale; `dpi` is the resolution the caller takes it to have. */
export async function decodeImage(bytes: Uint8Array, dpi: number): Promise<GrayImage> {
  const { loadImage } = await import('@napi-rs/canvas');
  const image = await loadImage(Buffer.from(bytes));
  const canvas = createCanvas(image.width, image.height);
  try {
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, image.width, image.height);
    context.drawImage(image, 0, 0);
    return { width: image.width, height: image.height, data: toGray(context.getImageData(0, 0, image.width, image.height).data), dpi };
  } finally {
    release(canvas);
  }
}

function toGray(rgba: Uint8ClampedArray): Uint8Array {
  const gray = new Uint8Array(rgba.length / 4);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j++) gray[j] = (rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29) >> 8;
  return gray;
}

// The native pixels are freed at once instead of waiting for the garbage collector.
function release(canvas: Canvas): void {
  canvas.width = 0;
  canvas.height = 0;
}

/** The image as a binary PGM (P5), which Leptonica reads without decoding cost. */
export function toPgm(image: GrayImage): Buffer {
  const head = Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, 'ascii');
  return Buffer.concat([head, Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength)]);
}

/** Otsu's threshold: the grey level that best splits ink from paper. */
export function otsuThreshold(image: GrayImage): number {
  const histogram = new Array<number>(256).fill(0);
  for (const v of image.data) histogram[v]!++;
  const total = image.data.length;
  let sum = 0;
  for (let t = 0; t < 256; t++) sum += t * histogram[t]!;
  let background = 0;
  let backgroundSum = 0;
  let best = 128;
  let bestVariance = -1;
  for (let t = 0; t < 256; t++) {
    background += histogram[t]!;
    if (background === 0) continue;
    const foreground = total - background;
    if (foreground === 0) break;
    backgroundSum += t * histogram[t]!;
    const meanBack = backgroundSum / background;
    const meanFore = (sum - backgroundSum) / foreground;
    const variance = background * foreground * (meanBack - meanFore) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = t;
    }
  }
  return best;
}

/**
 * The page's skew in degrees (positive: content rotated clockwise), from the angle at which the dark pixels
 * line up into the sharpest rows: ruled tables and text lines both give a strong peak. Searched in ±`limit`°.
 */
export function estimateSkew(image: GrayImage, limit = 2): number {
  const threshold = Math.min(otsuThreshold(image), 160);
  // Sample every other pixel of a downscaled copy: the angle, not the detail, is wanted.
  const step = Math.max(1, Math.round(image.dpi / 100));
  const points: [number, number][] = [];
  for (let y = 0; y < image.height; y += step) {
    for (let x = 0; x < image.width; x += step) if (image.data[y * image.width + x]! <= threshold) points.push([x, y]);
  }
  if (points.length < 100) return 0;
  const score = (degrees: number) => {
    const t = Math.tan((degrees * Math.PI) / 180);
    const bins = new Map<number, number>();
    for (const [x, y] of points) {
      const row = Math.round((y - x * t) / step);
      bins.set(row, (bins.get(row) ?? 0) + 1);
    }
    let s = 0;
    for (const n of bins.values()) s += n * n;
    return s;
  };
  let best = 0;
  let bestScore = score(0);
  for (let d = -limit; d <= limit + 1e-9; d += 0.1) {
    const s = score(d);
    if (s > bestScore) {
      bestScore = s;
      best = d;
    }
  }
  // Refine around the coarse peak.
  for (let d = best - 0.1; d <= best + 0.1 + 1e-9; d += 0.02) {
    const s = score(d);
    if (s > bestScore) {
      bestScore = s;
      best = d;
    }
  }
  return Math.round(best * 100) / 100;
}

/** The image turned by `-degrees` about its centre (white fill), undoing a skew `estimateSkew` found. */
export function rotate(image: GrayImage, degrees: number): GrayImage {
  if (Math.abs(degrees) < 0.05) return image;
  const { width, height, data } = image;
  const out = new Uint8Array(width * height).fill(255);
  const r = (degrees * Math.PI) / 180;
  const cos = Math.cos(r);
  const sin = Math.sin(r);
  const cx = width / 2;
  const cy = height / 2;
  for (let y = 0; y < height; y++) {
    const dy = y - cy;
    for (let x = 0; x < width; x++) {
      const dx = x - cx;
      // Source pixel of the deskewed position (nearest neighbour is enough for OCR at 300 dpi).
      const sx = Math.round(cx + dx * cos - dy * sin);
      const sy = Math.round(cy + dx * sin + dy * cos);
      if (sx >= 0 && sy >= 0 && sx < width && sy < height) out[y * width + x] = data[sy * width + sx]!;
    }
  }
  return { ...image, data: out };
}

/**
 * Ruling lines drawn in the raster: runs of dark pixels at least `minLength` points long, horizontal and
 * vertical, merged across the few pixel rows a printed line is thick. Returned in page points.
 */
export function findRasterRulings(image: GrayImage, minLengthPt = 24): Ruling[] {
  const { width, height, data } = image;
  const threshold = Math.min(otsuThreshold(image), 170);
  const scale = 72 / image.dpi;
  const minRun = Math.round(minLengthPt / scale);
  // Pieces of a line a noisy scan breaks up are collected first (longer than a character's stroke), then joined.
  const minPiece = Math.round(minRun * 0.6);
  const bridge = Math.round(image.dpi / 20);
  // A printed line breaks where toner is thin: gaps this short do not end a run.
  const gap = Math.max(2, Math.round(image.dpi / 100));
  const dark = (x: number, y: number) => data[y * width + x]! <= threshold;
  const horizontal: { y: number; x0: number; x1: number }[] = [];
  for (let y = 0; y < height; y++) {
    let start = -1;
    let last = -1;
    for (let x = 0; x <= width; x++) {
      if (x < width && dark(x, y)) {
        if (start < 0) start = x;
        last = x;
      } else if (start >= 0 && (x === width || x - last > gap)) {
        if (last - start >= minPiece) horizontal.push({ y, x0: start, x1: last });
        start = -1;
      }
    }
  }
  const vertical: { x: number; y0: number; y1: number }[] = [];
  for (let x = 0; x < width; x++) {
    let start = -1;
    let last = -1;
    for (let y = 0; y <= height; y++) {
      if (y < height && dark(x, y)) {
        if (start < 0) start = y;
        last = y;
      } else if (start >= 0 && (y === height || y - last > gap)) {
        if (last - start >= minPiece) vertical.push({ x, y0: start, y1: last });
        start = -1;
      }
    }
  }
  const rulings: Ruling[] = [];
  // Runs on neighbouring pixel rows that overlap are one printed line.
  const thickness = Math.max(3, Math.round(image.dpi / 40));
  for (const group of bridged(groupRuns(horizontal.map((h) => ({ at: h.y, from: h.x0, to: h.x1 })), thickness), bridge, thickness)) {
    if (group.to - group.from < minRun) continue;
    const at = (group.atMin + group.atMax) / 2;
    rulings.push({ x0: group.from * scale, y0: at * scale, x1: group.to * scale, y1: at * scale });
  }
  for (const group of bridged(groupRuns(vertical.map((v) => ({ at: v.x, from: v.y0, to: v.y1 })), thickness), bridge, thickness)) {
    if (group.to - group.from < minRun) continue;
    const at = (group.atMin + group.atMax) / 2;
    rulings.push({ x0: at * scale, y0: group.from * scale, x1: at * scale, y1: group.to * scale });
  }
  return rulings;
}

interface Run {
  at: number;
  from: number;
  to: number;
}

function groupRuns(runs: Run[], thickness: number): { atMin: number; atMax: number; from: number; to: number }[] {
  const groups: { atMin: number; atMax: number; from: number; to: number }[] = [];
  const sorted = [...runs].sort((a, b) => a.at - b.at || a.from - b.from);
  for (const run of sorted) {
    const group = groups.find((g) => run.at - g.atMax <= 1 && run.at - g.atMin <= thickness && run.from <= g.to && run.to >= g.from);
    if (group) {
      group.atMax = run.at;
      group.from = Math.min(group.from, run.from);
      group.to = Math.max(group.to, run.to);
    } else groups.push({ atMin: run.at, atMax: run.at, from: run.from, to: run.to });
  }
  return groups;
}

/**
 * A copy of the image with the ruling lines painted white: next to a cell border Tesseract reads the line as
 * "1", "|" or "]" ("1322" for 322).
 */
export function eraseRulings(image: GrayImage, rulings: Ruling[]): GrayImage {
  const data = Uint8Array.from(image.data);
  const px = image.dpi / 72;
  const half = Math.max(2, Math.round(image.dpi / 100));
  for (const r of rulings) {
    const horizontal = r.y0 === r.y1;
    const x0 = Math.max(0, Math.round(r.x0 * px) - (horizontal ? 0 : half));
    const x1 = Math.min(image.width - 1, Math.round(r.x1 * px) + (horizontal ? 0 : half));
    const y0 = Math.max(0, Math.round(r.y0 * px) - (horizontal ? half : 0));
    const y1 = Math.min(image.height - 1, Math.round(r.y1 * px) + (horizontal ? half : 0));
    for (let y = y0; y <= y1; y++) data.fill(255, y * image.width + x0, y * image.width + x1 + 1);
  }
  return { ...image, data };
}

/** Collinear pieces of one line (same position within its thickness) separated by short gaps become one. */
function bridged(groups: { atMin: number; atMax: number; from: number; to: number }[], gap: number, thickness: number): { atMin: number; atMax: number; from: number; to: number }[] {
  const sorted = [...groups].sort((a, b) => a.atMin - b.atMin || a.from - b.from);
  const out: { atMin: number; atMax: number; from: number; to: number }[] = [];
  for (const g of sorted) {
    const line = out.find((o) => Math.abs((o.atMin + o.atMax) / 2 - (g.atMin + g.atMax) / 2) <= thickness && g.from - o.to <= gap && o.from - g.to <= gap);
    if (line) {
      line.from = Math.min(line.from, g.from);
      line.to = Math.max(line.to, g.to);
      line.atMin = Math.min(line.atMin, g.atMin);
      line.atMax = Math.max(line.atMax, g.atMax);
    } else out.push({ ...g });
  }
  return out;
}
