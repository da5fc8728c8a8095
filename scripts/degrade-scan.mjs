// Turn a text-layer PDF into an image-only "photocopy scan" PDF: held-out scans for measuring OCR, made the
// way ../shared/corpus/rendered/README.md describes its *-scanned.pdf files.
//
//   node scripts/degrade-scan.mjs INPUT.pdf OUTPUT.pdf [--seed N] [--pages 1-5,8]
//
// Per page: render at 200 dpi (pdf.js on @napi-rs/canvas), greyscale; toner/paper tone mapping
// (ink 20–48, paper 228–244), rotation ±0.3–1.2° about the centre with a shift of up to ±12 px
// (uncovered area = paper), linear illumination gradient (up to ±9 levels across the page),
// Gaussian blur σ 0.55–0.95 px, Gaussian noise σ 4–7, dark speckles 150–450 per megapixel (about one
// pixel, grey 20–80, after the blur: calibrated so that their size and darkness after JPEG match those
// measured on 000-scanned.pdf); JPEG quality 70; one image per page, page size = source page size.
// All random choices come from a mulberry32 PRNG seeded by --seed (default 1).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCanvas } from '@napi-rs/canvas';
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';

const DPI = 200;
const JPEG_QUALITY = 70;

// ---------- arguments ----------
function usage(message) {
  if (message) console.error(`degrade: ${message}`);
  console.error('usage: node scripts/degrade-scan.mjs INPUT.pdf OUTPUT.pdf [--seed N] [--pages 1-5,8]');
  process.exit(2);
}

const positional = [];
let seed = 1;
let pagesSpec = null;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--seed') seed = Number(argv[++i]);
  else if (a.startsWith('--seed=')) seed = Number(a.slice(7));
  else if (a === '--pages') pagesSpec = argv[++i];
  else if (a.startsWith('--pages=')) pagesSpec = a.slice(8);
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else positional.push(a);
}
if (positional.length !== 2) usage('need INPUT.pdf and OUTPUT.pdf');
if (!Number.isInteger(seed)) usage('--seed must be an integer');
const [inputPath, outputPath] = positional;

function parsePages(spec, count) {
  if (spec == null) return Array.from({ length: count }, (_, i) => i + 1);
  const set = new Set();
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) usage(`bad --pages item "${part}"`);
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    if (from < 1 || to < from || to > count) usage(`--pages item "${part}" outside 1-${count}`);
    for (let p = from; p <= to; p++) set.add(p);
  }
  if (set.size === 0) usage('--pages selects no page');
  return [...set].sort((a, b) => a - b);
}

// ---------- PRNG ----------
function mulberry32(a) {
  a >>>= 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------- rendering ----------
async function renderGray(page) {
  const viewport = page.getViewport({ scale: DPI / 72 });
  const width = Math.ceil(viewport.width);
  const height = Math.ceil(viewport.height);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  await page.render({ canvas, viewport }).promise;
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const gray = new Float32Array(width * height);
  for (let i = 0, j = 0; j < gray.length; i += 4, j++) gray[j] = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) / 256;
  canvas.width = 0;
  canvas.height = 0;
  return { width, height, data: gray };
}

// ---------- degradation steps (all on Float32Array grey, 0..255) ----------
function toneMap(data, ink, paper) {
  const k = (paper - ink) / 255;
  for (let i = 0; i < data.length; i++) data[i] = ink + data[i] * k;
}

/** Rotate by `deg` about the page centre and shift by (dx, dy) px; bilinear; uncovered area = fill. */
function rotateShift(src, w, h, deg, dx, dy, fill) {
  const out = new Float32Array(w * h);
  const th = (deg * Math.PI) / 180;
  const c = Math.cos(th);
  const s = Math.sin(th);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  // Inverse mapping: source = R(-θ)·(dest − centre − shift) + centre.
  for (let y = 0; y < h; y++) {
    const ry = y - cy - dy;
    let sx = c * (0 - cx - dx) + s * ry + cx;
    let sy = -s * (0 - cx - dx) + c * ry + cy;
    let o = y * w;
    for (let x = 0; x < w; x++, o++, sx += c, sy -= s) {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 >= w - 1 || y0 >= h - 1) {
        // Edge pixels: blend what is inside with the fill.
        const fx = sx - x0;
        const fy = sy - y0;
        const get = (xx, yy) => (xx >= 0 && yy >= 0 && xx < w && yy < h ? src[yy * w + xx] : fill);
        out[o] =
          (get(x0, y0) * (1 - fx) + get(x0 + 1, y0) * fx) * (1 - fy) + (get(x0, y0 + 1) * (1 - fx) + get(x0 + 1, y0 + 1) * fx) * fy;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * w + x0;
      const a = src[i] + (src[i + 1] - src[i]) * fx;
      const b = src[i + w] + (src[i + w + 1] - src[i + w]) * fx;
      out[o] = a + (b - a) * fy;
    }
  }
  return out;
}

/** Add a linear gradient: −amp at one side of the page to +amp at the other, along angle `dir`. */
function gradient(data, w, h, amp, dir) {
  const ux = Math.cos(dir);
  const uy = Math.sin(dir);
  // Projection range of the page corners onto the direction.
  const half = (Math.abs(ux) * (w - 1) + Math.abs(uy) * (h - 1)) / 2;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const kx = (amp * ux) / half;
  const ky = (amp * uy) / half;
  for (let y = 0; y < h; y++) {
    const base = (y - cy) * ky - cx * kx;
    let o = y * w;
    for (let x = 0; x < w; x++, o++) data[o] += base + x * kx;
  }
}

/** Separable Gaussian blur with standard deviation `sigma` (clamped edges). */
function gaussianBlur(data, w, h, sigma) {
  const r = Math.max(1, Math.ceil(sigma * 3));
  const kernel = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += kernel[i + r] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  const tmp = new Float32Array(w * h);
  // Horizontal.
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let acc = 0;
      if (x >= r && x < w - r) {
        for (let k = -r; k <= r; k++) acc += data[row + x + k] * kernel[k + r];
      } else {
        for (let k = -r; k <= r; k++) {
          const xx = x + k < 0 ? 0 : x + k >= w ? w - 1 : x + k;
          acc += data[row + xx] * kernel[k + r];
        }
      }
      tmp[row + x] = acc;
    }
  }
  // Vertical.
  for (let y = 0; y < h; y++) {
    const inner = y >= r && y < h - r;
    for (let x = 0; x < w; x++) {
      let acc = 0;
      if (inner) {
        for (let k = -r, o = (y - r) * w + x; k <= r; k++, o += w) acc += tmp[o] * kernel[k + r];
      } else {
        for (let k = -r; k <= r; k++) {
          const yy = y + k < 0 ? 0 : y + k >= h ? h - 1 : y + k;
          acc += tmp[yy * w + x] * kernel[k + r];
        }
      }
      data[y * w + x] = acc;
    }
  }
}

/** Additive Gaussian noise (Box–Muller, two samples per pair of uniforms). */
function gaussianNoise(data, sigma, rand) {
  const n = data.length;
  for (let i = 0; i < n; i += 2) {
    const u1 = rand() || 1e-12;
    const u2 = rand();
    const m = sigma * Math.sqrt(-2 * Math.log(u1));
    data[i] += m * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) data[i + 1] += m * Math.sin(2 * Math.PI * u2);
  }
}

/** Dark dots: `count` discs of radius 0.45–0.75 px (about one pixel) and grey 20–80, anti-aliased, only darkening. */
function speckles(data, w, h, count, rand) {
  for (let n = 0; n < count; n++) {
    const cx = rand() * w;
    const cy = rand() * h;
    const r = 0.45 + rand() * 0.3;
    const v = 20 + rand() * 60;
    const x0 = Math.max(0, Math.floor(cx - r - 1));
    const x1 = Math.min(w - 1, Math.ceil(cx + r + 1));
    const y0 = Math.max(0, Math.floor(cy - r - 1));
    const y1 = Math.min(h - 1, Math.ceil(cy + r + 1));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        const cov = Math.min(1, Math.max(0, r + 0.5 - d));
        if (cov <= 0) continue;
        const o = y * w + x;
        const blended = v * cov + data[o] * (1 - cov);
        if (blended < data[o]) data[o] = blended;
      }
    }
  }
}

// ---------- JPEG ----------
function encodeJpeg(data, w, h) {
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  const px = img.data;
  for (let i = 0, j = 0; i < data.length; i++, j += 4) {
    const v = data[i] < 0 ? 0 : data[i] > 255 ? 255 : Math.round(data[i]);
    px[j] = px[j + 1] = px[j + 2] = v;
    px[j + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  const jpeg = canvas.toBuffer('image/jpeg', JPEG_QUALITY);
  canvas.width = 0;
  canvas.height = 0;
  return jpeg;
}

/** Width, height and component count from the JPEG's SOF marker. */
function jpegInfo(buf) {
  if (buf[0] !== 0xff || buf[1] !== 0xd8) throw new Error('not a JPEG');
  let p = 2;
  while (p + 4 <= buf.length) {
    if (buf[p] !== 0xff) throw new Error('bad JPEG marker');
    const marker = buf[p + 1];
    if (marker === 0xff) { p++; continue; }
    const len = buf.readUInt16BE(p + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { bits: buf[p + 4], height: buf.readUInt16BE(p + 5), width: buf.readUInt16BE(p + 7), components: buf[p + 9] };
    }
    p += 2 + len;
  }
  throw new Error('JPEG without SOF');
}

// ---------- PDF writer ----------
function num(v) {
  return Number.isInteger(v) ? String(v) : (Math.round(v * 1000) / 1000).toString();
}

function writePdf(pages) {
  // Objects: 1 catalog, 2 pages tree, then per page i: page 3+3i, content 4+3i, image 5+3i.
  const chunks = [];
  let offset = 0;
  const offsets = [];
  const push = (b) => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    chunks.push(buf);
    offset += buf.length;
  };
  const obj = (id, body, stream) => {
    offsets[id] = offset;
    push(`${id} 0 obj\n`);
    push(body);
    if (stream) {
      push('\nstream\n');
      push(stream);
      push('\nendstream');
    }
    push('\nendobj\n');
  };
  push('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
  const kids = pages.map((_, i) => `${3 + 3 * i} 0 R`).join(' ');
  obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
  obj(2, `<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  pages.forEach((pg, i) => {
    const pageId = 3 + 3 * i;
    const W = num(pg.widthPt);
    const H = num(pg.heightPt);
    const content = Buffer.from(`q ${W} 0 0 ${H} 0 0 cm /Im0 Do Q\n`, 'latin1');
    obj(
      pageId,
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${W} ${H}] /Resources << /XObject << /Im0 ${pageId + 2} 0 R >> >> /Contents ${pageId + 1} 0 R >>`,
    );
    obj(pageId + 1, `<< /Length ${content.length} >>`, content);
    const info = jpegInfo(pg.jpeg);
    const cs = info.components === 1 ? '/DeviceGray' : info.components === 3 ? '/DeviceRGB' : '/DeviceCMYK';
    obj(
      pageId + 2,
      `<< /Type /XObject /Subtype /Image /Width ${info.width} /Height ${info.height} /ColorSpace ${cs} /BitsPerComponent 8 /Filter /DCTDecode /Length ${pg.jpeg.length} >>`,
      pg.jpeg,
    );
  });
  const size = 3 + 3 * pages.length;
  const xrefAt = offset;
  let xref = `xref\n0 ${size}\n0000000000 65535 f \n`;
  for (let id = 1; id < size; id++) xref += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  push(xref);
  push(`trailer\n<< /Size ${size} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`);
  return Buffer.concat(chunks);
}

// ---------- main ----------
const require = createRequire(import.meta.url);
const pdfjsRoot = path.dirname(require.resolve('pdfjs-dist/package.json'));
const doc = await getDocument({
  data: new Uint8Array(readFileSync(inputPath)),
  cMapUrl: pathToFileURL(path.join(pdfjsRoot, 'cmaps') + path.sep).href,
  cMapPacked: true,
  standardFontDataUrl: pathToFileURL(path.join(pdfjsRoot, 'standard_fonts') + path.sep).href,
  useSystemFonts: false,
  disableFontFace: true,
  isEvalSupported: false,
  verbosity: VerbosityLevel.ERRORS,
}).promise;

try {
  const selected = parsePages(pagesSpec, doc.numPages);
  const out = [];
  const t00 = Date.now();
  for (const n of selected) {
    const t0 = Date.now();
    const page = await doc.getPage(n);
    const vp1 = page.getViewport({ scale: 1 });
    // One PRNG per page, seeded from (seed, page number): a page degrades the same whatever --pages selects.
    const rand = mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n, 0xc2b2ae35));
    const uni = (a, b) => a + (b - a) * rand();
    const ink = uni(20, 48);
    const paper = uni(228, 244);
    const gradAmp = uni(-9, 9);
    const gradDir = uni(0, 2 * Math.PI);
    const rot = uni(0.3, 1.2) * (rand() < 0.5 ? -1 : 1);
    const dx = uni(-12, 12);
    const dy = uni(-12, 12);
    const blur = uni(0.55, 0.95);
    const noise = uni(4, 7);
    const speckleRate = uni(150, 450);
    const pixelSeed = Math.floor(rand() * 4294967296);

    const img = await renderGray(page);
    page.cleanup();
    const { width: w, height: h } = img;
    const prand = mulberry32(pixelSeed);
    toneMap(img.data, ink, paper);
    let data = rotateShift(img.data, w, h, rot, dx, dy, paper);
    gradient(data, w, h, gradAmp, gradDir);
    gaussianBlur(data, w, h, blur);
    gaussianNoise(data, noise, prand);
    // Speckles of about one pixel (measured on 000-scanned.pdf: 1-3 px blobs, darkest ~100 grey after JPEG).
    const speckleCount = Math.round((speckleRate * w * h) / 1e6);
    speckles(data, w, h, speckleCount, prand);
    const jpeg = encodeJpeg(data, w, h);
    data = null;
    out.push({ widthPt: vp1.width, heightPt: vp1.height, jpeg });
    console.error(
      `page ${n}: ${w}x${h}px ${num(vp1.width)}x${num(vp1.height)}pt ink=${ink.toFixed(1)} paper=${paper.toFixed(1)} ` +
        `gradient=${gradAmp >= 0 ? '+' : ''}${gradAmp.toFixed(1)}@${((gradDir * 180) / Math.PI).toFixed(0)}° ` +
        `rotation=${rot >= 0 ? '+' : ''}${rot.toFixed(2)}° shift=(${dx.toFixed(1)},${dy.toFixed(1)})px blur=${blur.toFixed(2)}px ` +
        `noise=${noise.toFixed(2)} speckles=${speckleCount} (${speckleRate.toFixed(0)}/MP) jpeg=${(jpeg.length / 1024).toFixed(0)}K ${Date.now() - t0}ms`,
    );
  }
  writeFileSync(outputPath, writePdf(out));
  console.error(`wrote ${outputPath}: ${out.length} page(s), seed ${seed}, ${Date.now() - t00}ms`);
} finally {
  await doc.destroy();
}
