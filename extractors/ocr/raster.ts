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

/** A rectangle of an image, in pixels, top-left origin. */
export interface PixelRect {
  left: number;
  top: number;
  width: number;
  height: number;
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

/** RGBA pixels to 8-bit grey (ITU-R 601 weights), alpha ignored. */
export function toGray(rgba: Uint8ClampedArray): Uint8Array {
  const gray = new Uint8Array(rgba.length / 4);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j++) gray[j] = (rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29) >> 8;
  return gray;
}

// The native pixels are freed at once instead of waiting for the garbage collector.
export function release(canvas: Canvas): void {
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
export function findRasterRulings(image: GrayImage, minLengthPt = 24, threshold = Math.min(otsuThreshold(image), 170)): Ruling[] {
  const { width, height, data } = image;
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
  return withoutStrayStrokes(rulings);
}

/** The longest ruling a group of lines must hold to be a table's (points): no table is narrower than this. */
const MIN_TABLE_RULING_PT = 100;

/**
 * The rulings less the groups that belong to no table: lines that touch one another (crossing or meeting within
 * 2 pt) form a group, and a group none of whose lines reaches `minTablePt` is the strokes of large bold type
 * (the 一 and 二 of a 16 pt title chain into "lines" 30–60 pt long); erased as rulings, they ruin the title.
 */
export function withoutStrayStrokes(rulings: Ruling[], minTablePt = MIN_TABLE_RULING_PT): Ruling[] {
  const parent = rulings.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const reach = 2;
  const isHorizontal = (r: Ruling) => r.y0 === r.y1;
  rulings.forEach((a, i) => {
    if (!isHorizontal(a)) return;
    rulings.forEach((b, j) => {
      if (isHorizontal(b)) return;
      if (b.x0 >= a.x0 - reach && b.x0 <= a.x1 + reach && a.y0 >= b.y0 - reach && a.y0 <= b.y1 + reach) parent[root(i)] = root(j);
    });
  });
  const length = (r: Ruling) => Math.max(r.x1 - r.x0, r.y1 - r.y0);
  const tableGroups = new Set(rulings.flatMap((r, i) => (length(r) >= minTablePt ? [root(i)] : [])));
  return rulings.filter((_, i) => tableGroups.has(root(i)));
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

/** The ink inside a rectangle: its box, in pixels, and how many lines of text it stands in. */
export interface Ink {
  left: number;
  top: number;
  width: number;
  height: number;
  lines: number;
}

/**
 * The ink inside `rect`, or null when it holds none: a pixel counts when it is darker than `threshold` and has
 * at least two dark neighbours, so the speckles of a photocopy are not taken for text. Lines are the bands of
 * inked pixel rows at least a third as tall as the tallest band.
 */
export function inkBox(image: GrayImage, rect: PixelRect, threshold: number, minPixels: number): Ink | null {
  const { width, data } = image;
  const x0 = Math.max(1, rect.left);
  const y0 = Math.max(1, rect.top);
  const x1 = Math.min(image.width - 2, rect.left + rect.width - 1);
  const y1 = Math.min(image.height - 2, rect.top + rect.height - 1);
  let left = Infinity;
  let right = -1;
  let top = Infinity;
  let bottom = -1;
  let count = 0;
  const perRow = new Array<number>(Math.max(0, y1 - y0 + 1)).fill(0);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const at = y * width + x;
      if (data[at]! > threshold) continue;
      let neighbours = 0;
      for (const d of [-width - 1, -width, -width + 1, -1, 1, width - 1, width, width + 1]) if (data[at + d]! <= threshold) neighbours++;
      if (neighbours < 2) continue;
      count++;
      perRow[y - y0]!++;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  if (count < minPixels) return null;
  const bands: number[] = [];
  let run = 0;
  for (const n of [...perRow, 0]) {
    if (n >= 2) run++;
    else if (run > 0) {
      bands.push(run);
      run = 0;
    }
  }
  const tallest = Math.max(...bands);
  return { left, top, width: right - left + 1, height: bottom - top + 1, lines: Math.max(1, bands.filter((b) => b >= tallest / 3).length) };
}

/**
 * A copy of the image with the photocopy's speckles painted white: small blobs of ink (under `speckleArea`
 * pixels) with no larger ink within `reach` pixels. The points of amounts and the dots of characters sit
 * next to their digits and strokes, so they stay.
 */
export function despeckle(image: GrayImage, threshold: number, speckleArea: number, reach: number): GrayImage {
  const { width, height, data } = image;
  const label = new Int32Array(width * height).fill(-1);
  const components: { pixels: number[]; x0: number; y0: number; x1: number; y1: number }[] = [];
  const stack: number[] = [];
  for (let start = 0; start < data.length; start++) {
    if (data[start]! > threshold || label[start]! >= 0) continue;
    const component = { pixels: [] as number[], x0: width, y0: height, x1: -1, y1: -1 };
    label[start] = components.length;
    stack.push(start);
    while (stack.length) {
      const at = stack.pop()!;
      component.pixels.push(at);
      const x = at % width;
      const y = (at - x) / width;
      component.x0 = Math.min(component.x0, x);
      component.x1 = Math.max(component.x1, x);
      component.y0 = Math.min(component.y0, y);
      component.y1 = Math.max(component.y1, y);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const next = ny * width + nx;
          if (data[next]! <= threshold && label[next]! < 0) {
            label[next] = components.length;
            stack.push(next);
          }
        }
      }
    }
    components.push(component);
  }
  const large = components.filter((c) => c.pixels.length >= speckleArea);
  const out = Uint8Array.from(data);
  for (const c of components) {
    if (c.pixels.length >= speckleArea) continue;
    const near = large.some((l) => c.x0 - l.x1 <= reach && l.x0 - c.x1 <= reach && c.y0 - l.y1 <= reach && l.y0 - c.y1 <= reach);
    if (!near) for (const at of c.pixels) out[at] = 255;
  }
  return { ...image, data: out };
}

/**
 * A rectangle of an image as an image of its own with a white margin (Tesseract reads a line best with room
 * around it). Pixel columns and rows along the rectangle's edges that are nearly all ink are what erasing
 * left of a cell border, and are painted white: next to a figure they read as "1" ("10.00" for 0.00).
 */
export function cropCell(image: GrayImage, rect: PixelRect, threshold: number, margin = 10): GrayImage {
  const width = rect.width + 2 * margin;
  const height = rect.height + 2 * margin;
  const data = new Uint8Array(width * height).fill(255);
  for (let y = 0; y < rect.height; y++) {
    const sy = rect.top + y;
    if (sy < 0 || sy >= image.height) continue;
    for (let x = 0; x < rect.width; x++) {
      const sx = rect.left + x;
      if (sx >= 0 && sx < image.width) data[(y + margin) * width + x + margin] = image.data[sy * image.width + sx]!;
    }
  }
  const edge = Math.max(2, Math.round(image.dpi / 30));
  const darkIn = (x0: number, y0: number, dx: number, dy: number, n: number) => {
    let dark = 0;
    for (let i = 0; i < n; i++) if (data[(y0 + i * dy) * width + x0 + i * dx]! <= threshold) dark++;
    return dark / n;
  };
  for (let x = 0; x < rect.width; x++) {
    if (x >= edge && x < rect.width - edge) continue;
    if (darkIn(x + margin, margin, 0, 1, rect.height) >= 0.8) for (let y = 0; y < rect.height; y++) data[(y + margin) * width + x + margin] = 255;
  }
  for (let y = 0; y < rect.height; y++) {
    if (y >= edge && y < rect.height - edge) continue;
    if (darkIn(margin, y + margin, 1, 0, rect.width) >= 0.8) data.fill(255, (y + margin) * width + margin, (y + margin) * width + margin + rect.width);
  }
  return { width, height, data, dpi: image.dpi };
}

/** The image enlarged `factor` times (bilinear), its resolution with it. */
export function upscale(image: GrayImage, factor: number): GrayImage {
  const width = image.width * factor;
  const height = image.height * factor;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, (y + 0.5) / factor - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(image.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, (x + 0.5) / factor - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(image.width - 1, x0 + 1);
      const fx = sx - x0;
      const top = image.data[y0 * image.width + x0]! * (1 - fx) + image.data[y0 * image.width + x1]! * fx;
      const bottom = image.data[y1 * image.width + x0]! * (1 - fx) + image.data[y1 * image.width + x1]! * fx;
      data[y * width + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { width, height, data, dpi: image.dpi * factor };
}

/**
 * The image with its grey levels stretched so that paper is white and the darkest ink black: on a grey,
 * noisy photocopy Tesseract's own threshold otherwise drops faint decimal points or whole figures.
 */
export function stretchContrast(image: GrayImage): GrayImage {
  const histogram = new Array<number>(256).fill(0);
  for (const v of image.data) histogram[v]!++;
  const level = (share: number) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) if ((seen += histogram[v]!) > image.data.length * share) return v;
    return 255;
  };
  const ink = level(0.005);
  const paper = level(0.6);
  if (paper - ink < 30) return image;
  const data = image.data.map((v) => Math.max(0, Math.min(255, Math.round(((v - ink) / (paper - ink)) * 255))));
  return { ...image, data };
}

/**
 * The image cut down to its main horizontal run of ink (columns with ink, gaps under a quarter of the height or
 * four fifths of the ink's own height bridged; the run holding the most ink wins) with `margin` pixels either
 * side: a figure without the specks that lie apart from it in its cell. The wide space some Song faces set after
 * a point ("9. 14") is narrower than a digit is tall, so the figure stays whole.
 */
export function mainInkRun(image: GrayImage, threshold: number, margin = 10): GrayImage {
  const { width, height, data } = image;
  const perColumn = new Array<number>(width).fill(0);
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x]! > threshold) continue;
      perColumn[x]!++;
      top = Math.min(top, y);
      bottom = y;
    }
  }
  const gap = Math.max(Math.round(height * 0.25), Math.round((bottom - top + 1) * 0.8));
  let best: [number, number] | null = null;
  let bestInk = 0;
  let start = -1;
  let last = -1;
  let ink = 0;
  for (let x = 0; x <= width; x++) {
    if (x < width && perColumn[x]! > 0) {
      if (start < 0) start = x;
      last = x;
      ink += perColumn[x]!;
    } else if (start >= 0 && (x === width || x - last > gap)) {
      if (ink > bestInk) [best, bestInk] = [[start, last], ink];
      start = -1;
      ink = 0;
    }
  }
  if (!best) return image;
  const x0 = Math.max(0, best[0] - margin);
  const x1 = Math.min(width - 1, best[1] + margin);
  const cut = x1 - x0 + 1;
  const out = new Uint8Array(cut * height);
  for (let y = 0; y < height; y++) out.set(data.subarray(y * width + x0, y * width + x0 + cut), y * cut);
  return { width: cut, height, data: out, dpi: image.dpi };
}

/**
 * The rulings with the stretches a scan lost put back: between two neighbouring crossing lines, a stretch of a
 * ruling's line that found segments do not cover whole is added when the raster is dark along it for at least
 * `minShare` of its length (thin toner breaks a printed line into pieces too short to be found, or into pieces
 * that touch no crossing line and so belong to no table). A cell that is
 * really merged has no line there and stays merged. Rulings in page points, as `findRasterRulings` gives them.
 */
export function completeRulings(image: GrayImage, rulings: Ruling[], inkThreshold = Math.min(otsuThreshold(image), 170), minShare = 0.75): Ruling[] {
  const px = image.dpi / 72;
  // Thin toner is lighter than the ink threshold.
  const threshold = Math.min(255, inkThreshold + 25);
  const reach = Math.max(2, Math.round(image.dpi / 100));
  const side = Math.max(5, Math.round(image.dpi / 40));
  const dark = (x: number, y: number) => x >= 0 && y >= 0 && x < image.width && y < image.height && image.data[y * image.width + x]! <= threshold;
  // A line pixel: dark within `reach` across the line, light `side` pixels beyond it on both sides (not a glyph).
  const onLine = (along: number, at: number, horizontal: boolean) => {
    for (let d = -reach; d <= reach; d++) {
      const [x, y] = horizontal ? [along, at + d] : [at + d, along];
      if (!dark(x, y)) continue;
      const [bx, by, ax, ay] = horizontal ? [along, at - side, along, at + side] : [at - side, along, at + side, along];
      if (!dark(bx, by) || !dark(ax, ay)) return true;
    }
    return false;
  };
  const added: Ruling[] = [];
  for (const horizontal of [true, false]) {
    const lines = rulings.filter((r) => (r.y0 === r.y1) === horizontal);
    const crossing = rulings.filter((r) => (r.y0 === r.y1) !== horizontal);
    const positions = [...new Set(lines.map((r) => Math.round((horizontal ? r.y0 : r.x0) * 2) / 2))];
    for (const at of positions) {
      const same = lines.filter((r) => Math.abs((horizontal ? r.y0 : r.x0) - at) <= 1.5);
      const stops = crossing
        .filter((c) => (horizontal ? c.y0 - 1.5 <= at && c.y1 + 1.5 >= at : c.x0 - 1.5 <= at && c.x1 + 1.5 >= at))
        .map((c) => (horizontal ? c.x0 : c.y0))
        .sort((a, b) => a - b);
      for (let k = 0; k + 1 < stops.length; k++) {
        const [from, to] = [stops[k]!, stops[k + 1]!];
        if (to - from < 3) continue;
        const covered = same.reduce((sum, r) => sum + Math.max(0, Math.min(to, horizontal ? r.x1 : r.y1) - Math.max(from, horizontal ? r.x0 : r.y0)), 0);
        // Pieces that cover most of the stretch still leave it open where none of them touches a crossing line.
        if (covered >= (to - from) * 0.98) continue;
        const start = Math.round(from * px) + reach + 1;
        const end = Math.round(to * px) - reach - 1;
        if (end <= start) continue;
        let hits = 0;
        for (let p = start; p <= end; p++) if (onLine(p, Math.round(at * px), horizontal)) hits++;
        if (hits >= (end - start + 1) * minShare) added.push(horizontal ? { x0: from, y0: at, x1: to, y1: at } : { x0: at, y0: from, x1: at, y1: to });
      }
    }
  }
  return [...rulings, ...added];
}

/**
 * The ink thickened by one pixel (each pixel takes the darkest of its 3×3 neighbourhood): the thin strokes of a
 * sharp, clean serif rendering are read better fattened ("苍" is read "苑" as printed, "苍" thickened).
 */
export function thicken(image: GrayImage): GrayImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let darkest = 255;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < width) darkest = Math.min(darkest, data[yy * width + xx]!);
        }
      }
      out[y * width + x] = darkest;
    }
  }
  return { ...image, data: out };
}
