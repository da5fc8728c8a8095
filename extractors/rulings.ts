import type { Ruling } from '../src/model.js';

/** A point in page space (points). */
export type Point = [number, number];

/** A filled rectangle thinner than this (points) is drawn as a ruling line. */
const THIN_RECT = 2.5;
/** Tolerance (points) for a segment to count as horizontal or vertical. */
const AXIS_TOLERANCE = 0.8;

/** The rulings a painted subpath draws: its straight axis-aligned segments when stroked, thin rectangles when filled. */
export function paintPath(points: Point[], stroke: boolean, fill: boolean, rulings: Ruling[]): void {
  if (stroke) addSegments(points, rulings);
  if (fill) addThinRect(points, rulings);
}

function addSegments(points: Point[], rulings: Ruling[]): void {
  for (let k = 1; k < points.length; k++) {
    const [ax, ay] = points[k - 1]!;
    const [bx, by] = points[k]!;
    if (Math.abs(ay - by) <= AXIS_TOLERANCE && Math.abs(ax - bx) > 1) {
      const y = (ay + by) / 2;
      rulings.push({ x0: Math.min(ax, bx), y0: y, x1: Math.max(ax, bx), y1: y });
    } else if (Math.abs(ax - bx) <= AXIS_TOLERANCE && Math.abs(ay - by) > 1) {
      const x = (ax + bx) / 2;
      rulings.push({ x0: x, y0: Math.min(ay, by), x1: x, y1: Math.max(ay, by) });
    }
  }
}

function addThinRect(points: Point[], rulings: Ruling[]): void {
  if (points.length < 4) return;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const y0 = Math.min(...ys);
  const y1 = Math.max(...ys);
  const w = x1 - x0;
  const h = y1 - y0;
  if (h <= THIN_RECT && w > h * 3) rulings.push({ x0, y0: (y0 + y1) / 2, x1, y1: (y0 + y1) / 2 });
  else if (w <= THIN_RECT && h > w * 3) rulings.push({ x0: (x0 + x1) / 2, y0, x1: (x0 + x1) / 2, y1 });
  else if (w > THIN_RECT && h > THIN_RECT) {
    // A filled cell background: its edges often coincide with the grid, so keep them as rulings.
    rulings.push({ x0, y0, x1, y1: y0 }, { x0, y0: y1, x1, y1 }, { x0, y0, x1: x0, y1 }, { x0: x1, y0, x1, y1 });
  }
}

